import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { STACK_FILE_SCHEMA_PATH, stackFileJsonSchema } from "../../stacks/config/stack-file";

/** The JSON Schema editors use for the stack files: generated from the config's zod schemas. */
const root = path.join(__dirname, "..", "..");
const committed = JSON.parse(
  readFileSync(path.join(root, STACK_FILE_SCHEMA_PATH), "utf8"),
) as Record<string, unknown>;
const stackFiles = readdirSync(root).filter((name) => /^Pulumi\..+\.yaml$/.test(name));
const validate = new Ajv({ allErrors: true }).compile(committed);
const load = (name: string) => parse(readFileSync(path.join(root, name), "utf8")) as unknown;

/** The schema's complaints about a stack file's content, as `<where> <what>`. */
function errors(file: unknown): string[] {
  validate(file);
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

describe("the stack files' JSON Schema", () => {
  it("is the one the zod schemas generate (run npm run schema after changing a setting)", () => {
    expect(committed).toEqual(stackFileJsonSchema());
  });

  it("is named on the first line of every stack file, for editors", () => {
    expect(stackFiles.sort()).toEqual([
      "Pulumi.lob-a.yaml",
      "Pulumi.lob-b.yaml",
      "Pulumi.shared.yaml",
    ]);
    for (const name of stackFiles)
      expect([name, readFileSync(path.join(root, name), "utf8").split("\n")[0]]).toEqual([
        name,
        "# yaml-language-server: $schema=./schema/stack-config.schema.json",
      ]);
  });

  it.each(["Pulumi.shared.yaml", "Pulumi.lob-a.yaml", "Pulumi.lob-b.yaml"])(
    "accepts %s",
    (name) => {
      expect(errors(load(name))).toEqual([]);
    },
  );

  it("refuses a misspelt key, a nested one, and a key of the other stack kind", () => {
    const file = load("Pulumi.shared.yaml") as { config: Record<string, unknown> };
    const withKey = (key: string, value: unknown) => ({
      ...file,
      config: { ...file.config, [key]: value },
    });
    expect(validate(withKey("studio-access:hubVPCCidr", "10.0.0.0/16"))).toBe(false);
    expect(validate(withKey("studio-access:members", ["ann"]))).toBe(false);
    const lobs = file.config["studio-access:lobs"] as Record<string, Record<string, unknown>>;
    const misspelt = { ...lobs, "lob-a": { ...lobs["lob-a"], vpcCIDR: "10.9.0.0/16" } };
    expect(validate(withKey("studio-access:lobs", misspelt))).toBe(false);
    // `accountId: 012345678901`, unquoted: YAML's number, flagged before it loses its zero.
    const unquoted = { ...lobs, "lob-a": { ...lobs["lob-a"], accountId: 12345678901 } };
    expect(validate(withKey("studio-access:lobs", unquoted))).toBe(false);
    expect(validate(withKey("studio-access:mfa", "sms"))).toBe(false);
    expect(validate(withKey("studio-access:mfa", "off"))).toBe(true);
  });

  it("refuses a stack file without a kind, or with keys outside config", () => {
    const file = load("Pulumi.lob-a.yaml") as { config: Record<string, unknown> };
    const { "studio-access:kind": _, ...withoutKind } = file.config;
    expect(validate({ config: withoutKind })).toBe(false);
    expect(validate({ ...file, "studio-access:lob": "lob-a" })).toBe(false);
  });
});
