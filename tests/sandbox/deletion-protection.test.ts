import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import type { NewResource } from "../../scripts/lib/mock-stack";
import { AwsEmulator } from "../../scripts/sandbox/aws-emulator";
import { Deployer } from "../../scripts/sandbox/deployer";
import { startLocalServices, type LocalServices } from "../../scripts/sandbox/services";

/** The hub's entitlement table as the program declares it, protected or not. */
const table = (deletionProtectionEnabled: boolean): NewResource => ({
  type: "aws:dynamodb/table:Table",
  name: "access-entitlements",
  inputs: {
    billingMode: "PAY_PER_REQUEST",
    hashKey: "lob",
    rangeKey: "userTeam",
    attributes: [
      { name: "lob", type: "S" },
      { name: "userTeam", type: "S" },
    ],
    deletionProtectionEnabled,
  },
  account: "111111111111",
  region: "us-east-1",
  id: "access-entitlements-1234567",
  state: {
    name: "access-entitlements-1234567",
    arn: "arn:aws:dynamodb:us-east-1:111111111111:table/access-entitlements-1234567",
  },
  dependencies: [],
});

let services: LocalServices;
let deployer: Deployer;
beforeAll(async () => {
  services = await startLocalServices();
  deployer = new Deployer(
    new AwsEmulator("us-east-1"),
    services.cognitoUrl,
    services.dynamoUrl,
    services.dynamoUrl,
  );
}, 60_000);
afterAll(async () => {
  await services.stop();
});

const tables = async () => (await deployer.dynamo.send(new ListTablesCommand({}))).TableNames ?? [];

describe("the sandbox's deployer: a table's deletion protection (#21)", () => {
  it("refuses to destroy a protected table, as DynamoDB does, until a pulumi up lifts it", async () => {
    await deployer.hook("shared")(table(true));
    expect(await tables()).toEqual(["access-entitlements-1234567"]);
    expect(deployer.deletionProtected()).toEqual({ pools: 0, tables: 1 });

    // Destroyed without lifting it: refused, and the table stays.
    await expect(deployer.destroy("shared")).rejects.toThrow(
      "ValidationException: Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first. (table access-entitlements-1234567: pulumi up with deletionProtection: false)",
    );
    expect(await tables()).toEqual(["access-entitlements-1234567"]);

    // What npm run destroy does first: pulumi up with deletionProtection=false, an update in place.
    const { hook, finish } = deployer.update("shared");
    await hook(table(false));
    expect(await finish()).toEqual({
      created: [],
      updated: ["access-entitlements"],
      replaced: [],
      deleted: [],
    });
    expect(deployer.deletionProtected()).toEqual({ pools: 0, tables: 0 });

    expect(await deployer.destroy("shared")).toBe(1);
    expect(await tables()).toEqual([]);
  }, 60_000);

  it("still refuses any other change to a table it cannot update", async () => {
    await deployer.hook("other")(table(true));
    const { hook, finish } = deployer.update("other");
    await expect(
      hook({ ...table(false), inputs: { ...table(false).inputs, billingMode: "PROVISIONED" } }),
    ).rejects.toThrow(
      "access-entitlements (aws:dynamodb/table:Table) changed (billingMode, deletionProtectionEnabled): the rehearsal updates only aws:dynamodb/tableItem:TableItem",
    );
    await finish(true);
    // Protected still: lifted in the end, so the table goes with the test.
    const lift = deployer.update("other");
    await lift.hook(table(false));
    await lift.finish();
    expect(await deployer.destroy("other")).toBe(1);
  }, 60_000);
});
