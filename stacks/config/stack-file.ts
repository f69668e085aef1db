import { z } from "zod";
import { NAMESPACE, REGION, writtenAs } from "./common";
import { hubShape, lobs } from "./hub";
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

type JsonSchema = Record<string, unknown>;

const KIND_KEY = `${NAMESPACE}:kind`;

/**
 * The program refuses only keys outside its namespaces (unknownNamespaceProblems): any other
 * `aws:` or `pulumi:` key (`aws:allowedAccountIds`, `pulumi:tags`) passes, so editors accept it.
 */
const OTHER_NAMESPACE_KEYS = { "^aws:": {}, "^pulumi:": {} };

/** A value the program reads more leniently is shown as the stack files should write it. */
function showWritten(context: { zodSchema: z.core.$ZodType; jsonSchema: JsonSchema }): void {
  // `.describe()` makes a copy whose parent is the schema registered.
  let schema: z.core.$ZodType | undefined = context.zodSchema;
  while (schema !== undefined && !writtenAs.has(schema)) schema = schema._zod.parent;
  const written = schema === undefined ? undefined : writtenAs.get(schema);
  if (written === undefined) return;
  const { $schema: _, ...json } = toJsonSchema(written);
  // The copy's own description stays, unless the written form has its own.
  if (json.description === undefined && context.jsonSchema.description !== undefined)
    json.description = context.jsonSchema.description;
  for (const key of Object.keys(context.jsonSchema))
    Reflect.deleteProperty(context.jsonSchema, key);
  Object.assign(context.jsonSchema, json);
}

const toJsonSchema = (schema: z.ZodType): JsonSchema =>
  z.toJSONSchema(schema, {
    // draft-07: the draft editors' YAML support reads most widely.
    target: "draft-7",
    // The values as written in the stack files (before defaults and transforms).
    io: "input",
    override: showWritten,
  });

/** Every whole number from `min` to `max`, when few enough to list. */
const FEW_NUMBERS = 100;

/**
 * A top-level value also as the text `pulumi config set` writes (top-level values are strings,
 * pulumi/pulumi#18285), which the program decodes: "3" for a number, "true" for a flag, a list as
 * JSON text. Maps and lists of studio-access keys stay as YAML: their text could not be checked.
 */
function withTextForm(json: JsonSchema, listAsJson = false): JsonSchema {
  const { description, default: fallback, ...value } = json;
  const annotations = {
    ...(description === undefined ? {} : { description }),
    ...(fallback === undefined ? {} : { default: fallback }),
  };
  const text = textForm(value, listAsJson);
  return text === undefined ? json : { ...annotations, anyOf: [value, text] };
}

function textForm(value: JsonSchema, listAsJson: boolean): JsonSchema | undefined {
  if (value.type === "boolean") return { type: "string", enum: ["true", "false"] };
  if (value.type === "number" && Array.isArray(value.enum))
    return { type: "string", enum: value.enum.map(String) };
  if (value.type === "integer") {
    const { minimum: min, maximum: max } = value;
    if (typeof min === "number" && typeof max === "number" && max - min < FEW_NUMBERS)
      return {
        type: "string",
        enum: Array.from({ length: max - min + 1 }, (_, i) => String(min + i)),
      };
    return { type: "string", pattern: "^-?\\d+$" };
  }
  if (value.type === "number") return { type: "string", pattern: "^-?\\d+(\\.\\d+)?$" };
  if (value.type === "array" && listAsJson)
    return { type: "string", pattern: "^\\s*\\[.*\\]\\s*$", description: "the list as JSON" };
  return undefined;
}

/** One stack kind's keys, each value as written in YAML or as `pulumi config set` writes it. */
function stackKind(kind: string, shape: Readonly<Record<string, z.ZodType>>, description: string) {
  const {
    $schema: _,
    properties,
    ...json
  } = toJsonSchema(z.strictObject({ ...providerKeys, ...namespaced(shape) }).describe(description));
  const keys = Object.entries(properties as Record<string, JsonSchema>).map(([key, schema]) => [
    key,
    key === KIND_KEY ? schema : withTextForm(schema, key.startsWith("pulumi:")),
  ]);
  return {
    if: { properties: { [KIND_KEY]: { const: kind } }, required: [KIND_KEY] },
    then: {
      ...json,
      properties: Object.fromEntries(keys) as JsonSchema,
      patternProperties: OTHER_NAMESPACE_KEYS,
    },
  };
}

/** A hub names its LOBs one way: exactly one of `lobs` and `lobsFile`. */
function hubLobsRequired(kind: ReturnType<typeof stackKind>) {
  return {
    ...kind,
    then: {
      ...kind.then,
      oneOf: [{ required: [`${NAMESPACE}:lobs`] }, { required: [`${NAMESPACE}:lobsFile`] }],
    },
  };
}

/**
 * The JSON Schema of the hub's `lobsFile` (lobs.yaml): the map `lobs` holds inline, as written.
 * Its `yaml-language-server` comment points editors at it.
 */
export function lobsFileJsonSchema(): JsonSchema {
  return toJsonSchema(
    lobs.describe(
      "The hub's LOBs (studio-access:lobsFile): a map of LOB name to {accountId, vpcCidr, deployer}",
    ),
  );
}

/**
 * The JSON Schema of a `Pulumi.<stack>.yaml`, from the same zod schemas that check the config at
 * run time: `config` is a hub's or a LOB's keys, by `studio-access:kind`, each value as written
 * in YAML. Editors load it through the `yaml-language-server` comment atop each stack file, so a
 * misspelt key or a wrong value is flagged as it is typed. Checks between keys (overlapping
 * ranges, quotas) are the program's alone.
 *
 * The kind picks the keys by `if`/`then` rather than `oneOf`: under `oneOf` a wrong value in the
 * hub file fails the hub branch, and the editor also reports every hub key as not a LOB's.
 */
export function stackFileJsonSchema(): JsonSchema {
  const file = z
    .strictObject({
      // Filled in below: zod has no if/then.
      config: z.object({}),
      // Pulumi's own keys of a stack file, for stacks that hold secrets or use environments.
      secretsprovider: z.string().optional(),
      encryptedkey: z.string().optional(),
      encryptionsalt: z.string().optional(),
      environment: z.array(z.string()).optional(),
    })
    .describe("A studio-access stack file, Pulumi.<stack>.yaml");
  const json = toJsonSchema(file);
  const config = {
    type: "object",
    properties: {
      [KIND_KEY]: {
        enum: ["shared", "lob"],
        description: "shared (the hub stack) or lob (a LOB's stack)",
      },
    },
    required: [KIND_KEY],
    allOf: [
      hubLobsRequired(stackKind("shared", hubShape, "a hub stack")),
      stackKind("lob", lobShape, "a LOB's stack"),
    ],
  };
  return { ...json, properties: { ...(json.properties as JsonSchema), config } };
}
