import {
  ConfigError,
  parseStackConfig,
  type LobConfig,
  type SharedConfig,
} from "../../stacks/config";
import {
  hubRolePlans,
  lobRolePlans,
  roleUse,
  type RolePlan,
} from "../../components/lib/role-quotas";
import {
  fullStackName,
  loadStackConfig,
  runStackUnderMocks,
  type StackRun,
} from "../../scripts/lib/mock-stack";
import {
  configFits as fits,
  documentOf,
  hubRolesFit,
  largest,
  largestFits,
  lobConfig as lob,
  longAdminArns as admins,
  longTeamNames as longTeams,
  scaledHubConfig,
  tagsOf,
  unprefixed,
} from "../../scripts/lib/scale";
import { TestIdp } from "../../scripts/sandbox/saml-idp";
import { ofType } from "../helpers/stacks";

const AWS = { region: "us-east-1", profile: "hub" };

/** The problems a config is refused for (the test fails if it is accepted). */
function problems(values: Record<string, string>): readonly string[] {
  try {
    parseStackConfig(values, AWS);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

const accepts = (values: Record<string, string>) => {
  expect(() => parseStackConfig(values, AWS)).not.toThrow();
};

const tags = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag-${String(i)}`, "v"]));

const managedArns = (n: number) =>
  Array.from({ length: n }, (_, i) => `arn:aws:iam::222222222222:policy/team-${String(i)}`);

describe("the role plans match the roles the program declares", () => {
  let idp: TestIdp;
  let shared: StackRun;
  let lobA: StackRun;
  let lobB: StackRun;
  const lobAOverrides = {
    "studio-access:teams": JSON.stringify({
      analytics: {
        members: ["user-lob-a"],
        policies: [
          "arn:aws:iam::aws:policy/AmazonSageMakerReadOnly",
          documentOf(400),
          documentOf(250),
        ],
        tags: tags(12),
      },
      forecasting: { policies: managedArns(3) },
    }),
  };
  beforeAll(async () => {
    idp = await TestIdp.create();
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
    const stackOutputs = { [fullStackName("shared")]: shared.outputs };
    lobA = await runStackUnderMocks({
      stack: "lob-a",
      config: { ...loadStackConfig("lob-a"), ...lobAOverrides },
      stackOutputs,
    });
    lobB = await runStackUnderMocks({
      stack: "lob-b",
      config: loadStackConfig("lob-b"),
      stackOutputs,
    });
  }, 180_000);

  /** Each declared role's figures, as IAM would count them once deployed. */
  function declared(run: StackRun, account: string): Map<string, ReturnType<typeof roleUse>> {
    const roles = ofType(run, "aws:iam/role:Role").filter((r) => r.account === account);
    return new Map(
      roles.map((role) => [
        role.name,
        {
          roleInlinePolicyCharacters: ofType(run, "aws:iam/rolePolicy:RolePolicy")
            .filter((p) => p.inputs.role === role.id)
            .reduce((n, p) => n + String(p.inputs.policy).replace(/\s/g, "").length, 0),
          managedPoliciesPerRole: ofType(
            run,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
          ).filter((a) => a.inputs.role === role.state.name).length,
          roleTrustPolicyCharacters: String(role.inputs.assumeRolePolicy).replace(/\s/g, "").length,
          tagsPerRole: tagsOf(run, role).size,
        },
      ]),
    );
  }

  /** Every declared role has its plan and every plan its role; a plan never counts less. */
  function expectCovered(
    plans: readonly RolePlan[],
    roles: Map<string, ReturnType<typeof roleUse>>,
  ) {
    expect(plans.map((p) => p.resource).sort()).toEqual([...roles.keys()].sort());
    for (const plan of plans) {
      const planned = roleUse(plan);
      const actual = roles.get(plan.resource)!;
      // Counts are exact; sizes are at least the real ones (placeholders are of the longest form),
      // and close to them.
      expect({
        resource: plan.resource,
        managed: planned.managedPoliciesPerRole,
        tags: planned.tagsPerRole,
      }).toEqual({
        resource: plan.resource,
        managed: actual.managedPoliciesPerRole,
        tags: actual.tagsPerRole,
      });
      for (const key of ["roleInlinePolicyCharacters", "roleTrustPolicyCharacters"] as const) {
        expect([plan.resource, key, planned[key] >= actual[key]]).toEqual([
          plan.resource,
          key,
          true,
        ]);
        expect([plan.resource, key, planned[key] - actual[key] <= 150]).toEqual([
          plan.resource,
          key,
          true,
        ]);
      }
    }
  }

  it("in the hub, SAML entry and admin role included", () => {
    const config = parseStackConfig(
      unprefixed({
        ...loadStackConfig("shared"),
        "studio-access:saml": JSON.stringify({
          idpCertificates: [idp.certificate],
          idpEntityId: idp.entityId,
        }),
      }),
      AWS,
    ) as SharedConfig;
    expect(config.admins.length).toBeGreaterThan(0);
    expectCovered(hubRolePlans(config), declared(shared, "111111111111"));
  });

  it("in a LOB with teams, their documents, managed policies and tags, and home removal", () => {
    const config = parseStackConfig(
      unprefixed({ ...loadStackConfig("lob-a"), ...lobAOverrides }),
      AWS,
    ) as LobConfig;
    expectCovered(lobRolePlans(config), declared(lobA, "222222222222"));
  });

  it("in a LOB of one default team that keeps home directories", () => {
    const config = parseStackConfig(unprefixed(loadStackConfig("lob-b")), AWS) as LobConfig;
    expectCovered(lobRolePlans(config), declared(lobB, "333333333333"));
  });
});

const TEAM_ROLE = "lob-a's execution role of team analytics";
const RAISE_MANAGED =
  "; or have the quota raised (Service Quotas, up to 20) and set studio-access:iamQuotas.managedPoliciesPerRole";
const RAISE_TRUST =
  "; or have the quota raised (Service Quotas, up to 8,192) and set studio-access:iamQuotas.roleTrustPolicyCharacters";

describe("a LOB's roles within IAM's quotas, checked before anything is declared", () => {
  it("a team's role: 46 tags of the team's fit beside studio-access's 4, 47 are refused", () => {
    accepts(lob({ analytics: { tags: tags(46) } }));
    expect(problems(lob({ analytics: { tags: tags(47) } }))).toEqual([
      `studio-access:teams.analytics.tags gives ${TEAM_ROLE} 51 tags, over IAM's quota of 50 tags on one IAM role: 4 of them are studio-access's own: give the team at most 46 tags`,
    ]);
  });

  it("a team's role: 10 managed policies fit, 11 are refused; with the quota raised to 20, 20 and 21", () => {
    accepts(lob({ analytics: { policies: managedArns(10) } }));
    expect(problems(lob({ analytics: { policies: managedArns(11) } }))).toEqual([
      `studio-access:teams.analytics.policies gives ${TEAM_ROLE} 11 attached managed policies, over IAM's quota of 10 managed policies attached to one role: list fewer managed policy ARNs (combine some into one policy)${RAISE_MANAGED}`,
    ]);
    const raised = { iamQuotas: JSON.stringify({ managedPoliciesPerRole: 20 }) };
    accepts(lob({ analytics: { policies: managedArns(20) } }, raised));
    expect(problems(lob({ analytics: { policies: managedArns(21) } }, raised))).toEqual([
      `studio-access:teams.analytics.policies gives ${TEAM_ROLE} 21 attached managed policies, over IAM's quota of 20 managed policies attached to one role: list fewer managed policy ARNs (combine some into one policy)`,
    ]);
  });

  it("a team's role: its own documents fit beside studio-access's up to 10,240 characters together, not one more", () => {
    // studio-access's four policies on a team role in us-east-1 (studio, ABAC, deny, and the LOB's
    // default instance types, #21).
    const own = 7190;
    accepts(lob({ analytics: { policies: [documentOf(10240 - own)] } }));
    // Split in two documents, the sum counts.
    accepts(lob({ analytics: { policies: [documentOf(2000), documentOf(10240 - own - 2000)] } }));
    expect(problems(lob({ analytics: { policies: [documentOf(10241 - own)] } }))).toEqual([
      `studio-access:teams.analytics.policies gives ${TEAM_ROLE} 10,241 characters of inline policy, over IAM's quota of 10,240 characters in one role's inline policies (together, whitespace excluded): 7,190 of them are studio-access's own: move the team's policy documents into customer managed policies and list their ARNs instead`,
    ]);
  });

  it("counts a document as IAM does, without its white space", () => {
    const own = 7190;
    const doc = documentOf(10240 - own);
    const statement = doc.Statement[0]!;
    // The largest document that fits, with white space added: IAM does not count it.
    const spaced = {
      ...doc,
      Statement: [{ ...statement, Resource: `${String(statement.Resource)}      ` }],
    };
    accepts(lob({ analytics: { policies: [spaced] } }));
  });

  it("the provisioning role: 83 teams of 20-character names fit, 84 are refused", () => {
    const teams = (n: number) => Object.fromEntries(longTeams(n).map((t) => [t, {}]));
    expect(largest((n) => fits(lob(teams(n))), 1, 200)).toBe(83);
    expect(problems(lob(teams(84)))).toEqual([
      "studio-access:teams gives lob-a's provisioning role 10,270 characters of inline policy, over IAM's quota of 10,240 characters in one role's inline policies (together, whitespace excluded): its policy grows with each team: give lob-a fewer teams, or shorter team names",
    ]);
  });

  it.each([
    [
      { managedPoliciesPerRole: 9 },
      "studio-access:iamQuotas.managedPoliciesPerRole is 9: expected a whole number from 10 to 20",
    ],
    [
      { managedPoliciesPerRole: 21 },
      "studio-access:iamQuotas.managedPoliciesPerRole is 21: expected a whole number from 10 to 20",
    ],
    [
      { roleTrustPolicyCharacters: 8193 },
      "studio-access:iamQuotas.roleTrustPolicyCharacters is 8193: expected a whole number from 2048 to 8192",
    ],
    [
      { tagsPerRole: 60 },
      "studio-access:iamQuotas.tagsPerRole is not a setting (known: managedPoliciesPerRole, roleTrustPolicyCharacters)",
    ],
  ])("refuses iamQuotas %j outside what IAM grants", (quotas, message) => {
    expect(problems(lob({ analytics: {} }, { iamQuotas: JSON.stringify(quotas) }))).toEqual([
      message,
    ]);
  });
});

describe("the hub's roles within IAM's quotas, checked before anything is declared", () => {
  const hub = (n: number, extra: Record<string, string> = {}) => ({
    ...unprefixed(scaledHubConfig(2)),
    admins: JSON.stringify(admins(n)),
    ...extra,
  });

  it("the admin role's trust: 19 admins of the longest ARNs fit 2,048 characters, 20 are refused; 82 fit 8,192", () => {
    expect(largest((n) => fits(hub(n)), 1, 100)).toBe(19);
    expect(problems(hub(20))).toEqual([
      `studio-access:admins gives the hub's admin role a trust policy of 2,094 characters, over IAM's quota of 2,048 characters in one role's trust policy (whitespace excluded): its trust policy names every admin: list fewer${RAISE_TRUST}`,
    ]);
    const raised = { iamQuotas: JSON.stringify({ roleTrustPolicyCharacters: 8192 }) };
    expect(largest((n) => fits(hub(n, raised)), 1, 200)).toBe(82);
  });

  it("the presigner's grants: 325 LOBs fit 10 managed policies with a 52-character accessRoleName, 326 are refused", () => {
    const lobs = (n: number, extra: Record<string, string> = {}) => ({
      ...unprefixed(scaledHubConfig(n)),
      accessRoleName: "S".repeat(52),
      ...extra,
    });
    // The presigner's grants alone: the whole config is refused sooner since #22, by the endpoint
    // policy that names every LOB's access role (tests/stacks/lobs-file.test.ts).
    expect(largest((n) => hubRolesFit(n, { accessRoleName: "S".repeat(52) }), 300, 400)).toBe(325);
    expect(problems(lobs(326))).toContain(
      `studio-access:lobs gives the hub's presigner function role 11 attached managed policies, over IAM's quota of 10 managed policies attached to one role: it is granted each of the 326 LOBs' access and provisioning roles in managed policies of at most 6,144 characters: fewer LOBs, or a shorter accessRoleName, fit in fewer${RAISE_MANAGED}`,
    );
  });
});

describe("npm run bench:scale's largest configs", () => {
  it("are those the checks accept, one dimension at a time", () => {
    expect(largestFits().map((fit) => [fit.what, fit.largest])).toEqual([
      ["LOBs in a hub (accessRoleName StudioAccessRole)", 535],
      ["LOBs in a hub (accessRoleName of 52 characters)", 325],
      ["LOBs in a hub (52 characters, managedPoliciesPerRole 20)", 650],
      ["teams in a LOB (20-character names)", 83],
      ["managed policy ARNs of a team", 10],
      ["managed policy ARNs of a team (managedPoliciesPerRole 20)", 20],
      ["tags of a team", 46],
      ["characters of a team's own policy documents", 3050],
      ["admins (role ARNs of 64-character names)", 19],
      ["admins (roleTrustPolicyCharacters 8,192)", 82],
    ]);
  }, 60_000);
});
