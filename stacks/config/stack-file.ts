import { z } from "zod";
import { NAMESPACE, REGION, writtenAs } from "./common";
import { hubShape } from "./hub";
import { lobShape } from "./lob";

/** Where the committed JSON Schema lives, relative to the project; `npm run schema` writes it. */
export const STACK_FILE_SCHEMA_PATH = "schema/stack-config.schema.json";

const namespaced = (shape: Readonly<Record<string, z.ZodType>>) =>
  Object.fromEntries(Object.entries(shape).map(([key, schema]) => [`${NAMESPACE}:${key}`, schema]));

/** The keys of other namespaces the program reads or Pulumi needs, in every stack file. */
const providerKeys = {
  "aws:region": z
    .string()
    .regex(REGION)
    .describe("the AWS region of this stack, such as us-east-1"),
  "aws:profile": z.string().describe("the AWS CLI profile this stack deploys with").optional(),
  "pulumi:disable-default-providers": z
    .array(z.string())
    .describe('["*"]: every resource names its provider')
    .optional(),
};

/**
 * The JSON Schema of a `Pulumi.<stack>.yaml`, from the same zod schemas that check the config at
 * run time: `config` is a hub's or a LOB's keys, by `studio-access:kind`, each value as written
 * in YAML. Editors load it through the `yaml-language-server` comment atop each stack file, so a
 * misspelt key or a wrong value is flagged as it is typed. Checks between keys (overlapping
 * ranges, quotas) are the program's alone.
 */
export function stackFileJsonSchema(): Record<string, unknown> {
  const config = z.discriminatedUnion(`${NAMESPACE}:kind`, [
    z.strictObject({ ...providerKeys, ...namespaced(hubShape) }).describe("a hub stack"),
    z.strictObject({ ...providerKeys, ...namespaced(lobShape) }).describe("a LOB's stack"),
  ]);
  const file = z
    .strictObject({
      config,
      // Pulumi's own keys of a stack file, for stacks that hold secrets or use environments.
      secretsprovider: z.string().optional(),
      encryptedkey: z.string().optional(),
      encryptionsalt: z.string().optional(),
      environment: z.array(z.string()).optional(),
    })
    .describe("A studio-access stack file, Pulumi.<stack>.yaml");
  return z.toJSONSchema(file, {
    // draft-07: the draft editors' YAML support reads most widely.
    target: "draft-7",
    // The values as written in the stack files (before defaults and transforms).
    io: "input",
    // A value the program reads more leniently is shown as the stack files should write it.
    override: (context) => {
      const written = writtenAs.get(context.zodSchema);
      if (written === undefined) return;
      const { $schema: _, ...json } = z.toJSONSchema(written, { target: "draft-7", io: "input" });
      for (const key of Object.keys(context.jsonSchema))
        Reflect.deleteProperty(context.jsonSchema, key);
      Object.assign(context.jsonSchema, json);
    },
  });
}
