import type { PolicyDocument } from "../../components/policies/document";
import { evaluateIam, type IamRequest, type Outcome } from "../../scripts/lib/iam-eval";
import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import { TestIdp } from "../../scripts/sandbox/saml-idp";
import { attachedDocuments, one } from "../helpers/stacks";

/**
 * The SAML entry's role, evaluated with the IAM simulator: what it may write (its own replay rows),
 * what it may assume (the LOBs' access roles, through the hub's STS endpoint), and nothing else.
 */
let shared: StackRun;
let lobA: StackRun;
beforeAll(async () => {
  const idp = await TestIdp.create();
  shared = await runStackUnderMocks({
    stack: "shared",
    config: {
      ...loadStackConfig("shared"),
      "studio-access:saml": JSON.stringify({
        idpCertificates: [idp.certificate],
        idpEntityId: idp.entityId,
      }),
    },
  });
  lobA = await runStackUnderMocks({
    stack: "lob-a",
    config: loadStackConfig("lob-a"),
    stackOutputs: { [fullStackName("shared")]: shared.outputs },
  });
}, 120_000);

const doc = (run: StackRun, type: string, name: string, key = "policy") =>
  JSON.parse(String(one(run, type, name).inputs[key])) as PolicyDocument;
/** A hub role's identity policies: its inline one and its attached managed ones. */
const identityOf = (roleName: string) => [
  doc(shared, "aws:iam/rolePolicy:RolePolicy", roleName),
  ...(attachedDocuments(shared, roleName) as PolicyDocument[]),
];
const samlRole = () => String(one(shared, "aws:iam/role:Role", "access-saml").state.arn);
const tableArn = (name: string) => String(one(shared, "aws:dynamodb/table:Table", name).state.arn);
const HUB = "111111111111";
/** A trust policy that lets anyone assume the role: only the SAML entry's own grant decides (#22). */
const TRUST_ANYONE: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }],
};
const samlSession = () =>
  `arn:aws:sts::${HUB}:assumed-role/${samlRole().split("/").pop() ?? ""}/access-saml`;

const asSaml = (
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): IamRequest => ({
  principal: samlSession(),
  action,
  resource,
  resourceAccount: HUB,
  identity: identityOf("access-saml"),
  context,
});
const assumeLobA = (principal: string, identity: PolicyDocument[], vpce: string): IamRequest => ({
  principal,
  action: "sts:AssumeRole",
  resource: String(one(lobA, "aws:iam/role:Role", "lob-a-access").state.arn),
  resourceAccount: "222222222222",
  identity,
  resourcePolicy: doc(lobA, "aws:iam/role:Role", "lob-a-access", "assumeRolePolicy"),
  context: { "aws:SourceVpce": vpce },
});
const stsEndpoint = () => (shared.outputs.endpointIds as Record<string, string>).sts ?? "";

const SCENARIOS: [string, Outcome, () => IamRequest][] = [
  [
    "records an assertion id in the replay table",
    "Allowed",
    () =>
      asSaml("dynamodb:PutItem", tableArn("access-replay"), {
        "dynamodb:LeadingKeys": ["assertion#_abc"],
      }),
  ],
  [
    "takes a chooser's choice from the replay table",
    "Allowed",
    () =>
      asSaml("dynamodb:DeleteItem", tableArn("access-replay"), {
        "dynamodb:LeadingKeys": ["choice#tok"],
      }),
  ],
  [
    "may not write any other row of the replay table",
    "ImplicitlyDenied",
    () =>
      asSaml("dynamodb:PutItem", tableArn("access-replay"), {
        "dynamodb:LeadingKeys": ["anything-else"],
      }),
  ],
  [
    "may not write the replay table without naming a key",
    "ImplicitlyDenied",
    () => asSaml("dynamodb:PutItem", tableArn("access-replay")),
  ],
  [
    "may not update or read replay rows",
    "ImplicitlyDenied",
    () =>
      asSaml("dynamodb:UpdateItem", tableArn("access-replay"), {
        "dynamodb:LeadingKeys": ["assertion#_abc"],
      }),
  ],
  [
    "may not write an entitlement",
    "ImplicitlyDenied",
    () =>
      asSaml("dynamodb:PutItem", tableArn("access-entitlements"), {
        "dynamodb:LeadingKeys": ["lob-a"],
      }),
  ],
  [
    "reads entitlements through the username index",
    "Allowed",
    () => asSaml("dynamodb:Query", `${tableArn("access-entitlements")}/index/by-username`),
  ],
  [
    "assumes LOB A's access role through the hub STS endpoint",
    "Allowed",
    () => assumeLobA(samlSession(), identityOf("access-saml"), stsEndpoint()),
  ],
  [
    "may not assume it through another endpoint",
    "ImplicitlyDenied",
    () => assumeLobA(samlSession(), identityOf("access-saml"), "vpce-0f0f0f0f0f0f0f0f0"),
  ],
  [
    "may not assume a role of an account outside the organization",
    "ImplicitlyDenied",
    () => ({
      ...asSaml("sts:AssumeRole", "arn:aws:iam::999999999999:role/StudioAccessRole"),
      resourceAccount: "999999999999",
      resourcePolicy: TRUST_ANYONE,
    }),
  ],
  // #22: the grant names the roles in any account and lists the LOB accounts.
  [
    "assumes LOB A's provisioning role (its identity policies alone)",
    "Allowed",
    () => ({
      ...asSaml("sts:AssumeRole", "arn:aws:iam::222222222222:role/StudioAccessRole-provisioner"),
      resourceAccount: "222222222222",
      resourcePolicy: TRUST_ANYONE,
    }),
  ],
  [
    "may not assume the access role's name in an organization account that is no LOB",
    "ImplicitlyDenied",
    () => ({
      ...asSaml("sts:AssumeRole", "arn:aws:iam::444444444444:role/StudioAccessRole"),
      resourceAccount: "444444444444",
      resourcePolicy: TRUST_ANYONE,
    }),
  ],
  [
    "may not assume a role of another name in a LOB account",
    "ImplicitlyDenied",
    () => ({
      ...asSaml("sts:AssumeRole", "arn:aws:iam::222222222222:role/StudioAccessRole-lifecycle"),
      resourceAccount: "222222222222",
      resourcePolicy: TRUST_ANYONE,
    }),
  ],
  [
    "the presigner may not write the replay table",
    "ImplicitlyDenied",
    () => ({
      principal: `arn:aws:sts::${HUB}:assumed-role/access-presigner/access-presigner`,
      action: "dynamodb:PutItem",
      resource: tableArn("access-replay"),
      resourceAccount: HUB,
      identity: identityOf("access-presigner"),
      context: { "dynamodb:LeadingKeys": ["assertion#_abc"] },
    }),
  ],
];

describe("the SAML entry's role (IAM simulation)", () => {
  it.each(SCENARIOS)("%s: %s", async (_name, expected, request) => {
    expect(await evaluateIam(request())).toBe(expected);
  });
});
