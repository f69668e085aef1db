import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import {
  lobsFileJsonSchema,
  STACK_FILE_SCHEMA_PATH,
  stackFileJsonSchema,
} from "../../stacks/config/stack-file";
import { LOBS_FILE_SCHEMA_PATH } from "../../stacks/config/lobs-file";

/** The JSON Schema editors use for the stack files: generated from the config's zod schemas. */
const root = path.join(__dirname, "..", "..");
const committed = JSON.parse(
  readFileSync(path.join(root, STACK_FILE_SCHEMA_PATH), "utf8"),
) as Record<string, unknown>;
const stackFiles = readdirSync(root).filter((name) => /^Pulumi\..+\.yaml$/.test(name));
const validate = new Ajv({ allErrors: true }).compile(committed);
const load = (name: string) => parse(readFileSync(path.join(root, name), "utf8")) as unknown;

/** The example hub with its LOBs inline (the map lobs.yaml holds), as a hub may also write it. */
function inlineHub(): { config: Record<string, unknown> } {
  const file = load("Pulumi.shared.yaml") as { config: Record<string, unknown> };
  const { "studio-access:lobsFile": lobsFile, ...config } = file.config;
  return { ...file, config: { ...config, "studio-access:lobs": load(String(lobsFile)) } };
}

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
    const file = inlineHub();
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

describe("the stack files' JSON Schema agrees with the program", () => {
  type StackFile = { config: Record<string, unknown> };
  const hub = inlineHub();
  const lob = load("Pulumi.lob-a.yaml") as StackFile;
  const withKeys = (file: StackFile, keys: Record<string, unknown>) => ({
    ...file,
    config: { ...file.config, ...keys },
  });

  it("accepts top-level values as the text `pulumi config set` writes", () => {
    expect(
      errors(
        withKeys(hub, {
          "studio-access:availabilityZones": "3",
          "studio-access:resolverInboundEndpoint": "true",
          "studio-access:logRetentionDays": "90",
          "pulumi:disable-default-providers": '["*"]',
        }),
      ),
    ).toEqual([]);
    expect(errors(withKeys(lob, { "studio-access:availabilityZones": "3" }))).toEqual([]);
  });

  it("refuses text the program refuses", () => {
    expect(validate(withKeys(hub, { "studio-access:availabilityZones": "7" }))).toBe(false);
    expect(validate(withKeys(hub, { "studio-access:resolverInboundEndpoint": "yes" }))).toBe(false);
    expect(validate(withKeys(hub, { "studio-access:logRetentionDays": "100" }))).toBe(false);
  });

  it("accepts the other aws: and pulumi: keys, which the program lets through", () => {
    expect(
      errors(withKeys(hub, { "aws:allowedAccountIds": ["111111111111"], "pulumi:tags": {} })),
    ).toEqual([]);
    expect(validate(withKeys(hub, { "awss:region": "us-east-1" }))).toBe(false);
  });

  it("refuses a range the program refuses", () => {
    expect(validate(withKeys(hub, { "studio-access:hubVpcCidr": "10.0.0.0/33" }))).toBe(false);
    expect(validate(withKeys(hub, { "studio-access:hubVpcCidr": "10.0.0.0/8" }))).toBe(false);
    expect(validate(withKeys(hub, { "studio-access:hubVpcCidr": "10.0.256.0/16" }))).toBe(false);
    expect(validate(withKeys(hub, { "studio-access:clientCidrs": ["192.168.0.0/08"] }))).toBe(true);
  });

  it("refuses a LOB without its deployer, as the program does", () => {
    const lobs = hub.config["studio-access:lobs"] as Record<string, Record<string, unknown>>;
    const { deployer: _, ...withoutDeployer } = lobs["lob-a"] as Record<string, unknown>;
    expect(
      validate(withKeys(hub, { "studio-access:lobs": { ...lobs, "lob-a": withoutDeployer } })),
    ).toBe(false);
    const notAnArn = { ...lobs["lob-a"], deployer: "studio-access-deployer" };
    expect(validate(withKeys(hub, { "studio-access:lobs": { ...lobs, "lob-a": notAnArn } }))).toBe(
      false,
    );
  });

  it("refuses LOB and team names the program refuses", () => {
    const lobs = hub.config["studio-access:lobs"] as Record<string, unknown>;
    for (const name of ["LOB_A", "../x"]) {
      expect(
        validate(withKeys(hub, { "studio-access:lobs": { ...lobs, [name]: lobs["lob-a"] } })),
      ).toBe(false);
      expect(
        validate(withKeys(lob, { "studio-access:teams": { [name]: { members: ["ann"] } } })),
      ).toBe(false);
    }
  });

  it("takes exactly one of lobs and lobsFile, as the program does (#22)", () => {
    const { "studio-access:lobs": lobs, ...neither } = hub.config;
    expect(errors(hub)).toEqual([]);
    expect(errors({ config: { ...neither, "studio-access:lobsFile": "lobs.yaml" } })).toEqual([]);
    expect(validate({ config: neither })).toBe(false);
    expect(validate(withKeys(hub, { "studio-access:lobsFile": "lobs.yaml" }))).toBe(false);
    expect(lobs).toBeDefined();
  });

  it("reports a wrong hub value once, not every hub key as a LOB's", () => {
    expect(errors(withKeys(hub, { "studio-access:mfa": "sms" }))).toEqual([
      "/config/studio-access:mfa must be equal to one of the allowed values",
      '/config must match "then" schema',
    ]);
    expect(errors(withKeys(hub, { "studio-access:kind": "hub" }))).toEqual([
      "/config/studio-access:kind must be equal to one of the allowed values",
    ]);
  });
});

describe("the lobs file's JSON Schema (#22)", () => {
  const lobsSchema = JSON.parse(
    readFileSync(path.join(root, LOBS_FILE_SCHEMA_PATH), "utf8"),
  ) as Record<string, unknown>;
  const validateLobs = new Ajv({ allErrors: true }).compile(lobsSchema);
  const lobs = load("lobs.yaml") as Record<string, Record<string, unknown>>;

  it("is the one the zod schemas generate, named on lobs.yaml's first line", () => {
    expect(lobsSchema).toEqual(lobsFileJsonSchema());
    expect(readFileSync(path.join(root, "lobs.yaml"), "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=./schema/lobs.schema.json",
    );
  });

  it("accepts the example lobs.yaml and refuses what the program refuses", () => {
    expect(validateLobs(lobs)).toBe(true);
    expect(validateLobs({ ...lobs, LOB_A: lobs["lob-a"] })).toBe(false);
    expect(validateLobs({ ...lobs, "lob-a": { ...lobs["lob-a"], accountId: 12345678901 } })).toBe(
      false,
    );
    expect(validateLobs({ ...lobs, "lob-a": { ...lobs["lob-a"], vpcCIDR: "10.9.0.0/16" } })).toBe(
      false,
    );
  });
});
