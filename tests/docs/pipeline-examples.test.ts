/**
 * The pipeline examples of docs/deploying.md are real workflows: parsed here, they must preview on
 * a pull request and update on a push to main, run the hub before any LOB, take AWS sessions by
 * OIDC, and name the very stacks, regions, profiles and LOB deployer principals the stack files do.
 * Each job runs the project's own checks (the offline plan, then the policy pack) and runs in the
 * GitHub environment named for its stack, the only OIDC subject that stack's role trusts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { loadStackConfig } from "../../scripts/lib/mock-stack";
import { readHubLobs } from "../../stacks/config/lobs-file";

const ROOT = resolve(__dirname, "../..");
const EXAMPLES = join(ROOT, "docs/examples/github-actions");
const PREVIEW_ON_PR_ELSE_UP = "${{ github.event_name == 'pull_request' && 'preview' || 'up' }}";
const CONFIGURE_AWS = "aws-actions/configure-aws-credentials@";
const PULUMI = "pulumi/actions@";
const POLICY_PACK = "policy";

type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
type Job = {
  environment?: string;
  needs?: string | string[];
  uses?: string;
  with?: Record<string, string>;
  steps?: Step[];
  strategy?: { matrix?: { include?: Record<string, string>[] } };
};
type Workflow = {
  on: Record<string, { branches?: string[]; inputs?: Record<string, unknown> } | null>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

const workflowText = (name: string) => readFileSync(join(EXAMPLES, name), "utf8");
const workflow = (name: string) => parseYaml(workflowText(name)) as Workflow;
const stackConfig = (stack: string) =>
  (
    parseYaml(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    }
  ).config;

/** Every stack of the repository, by its Pulumi.<stack>.yaml, with its kind. */
const STACKS = readdirSync(ROOT)
  .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
  .filter((stack): stack is string => stack !== undefined)
  .map((stack) => ({ stack, config: stackConfig(stack) }));
const HUB = STACKS.filter(({ config }) => config["studio-access:kind"] === "shared");
const LOBS = STACKS.filter(({ config }) => config["studio-access:kind"] === "lob");
// The hub's LOBs as every reader gets them: inline lobs, or its lobsFile (lobs.yaml).
const HUB_LOBS = readHubLobs(loadStackConfig(HUB[0]?.stack ?? "shared", ROOT), ROOT).lobs as Record<
  string,
  { deployer: string }
>;

function step(job: Job | undefined, uses: string): Step {
  const found = (job?.steps ?? []).filter((candidate) => candidate.uses?.startsWith(uses));
  expect(found).toHaveLength(1);
  return found[0] as Step;
}

/** Where a step sits in its job: the one step `uses` names, or the one running `npm run plan`. */
function stepIndex(job: Job | undefined, matches: (candidate: Step) => boolean): number {
  const steps = job?.steps ?? [];
  expect(steps.filter(matches)).toHaveLength(1);
  return steps.findIndex(matches);
}
const runsPlan = (candidate: Step) => /^npm run plan(\s|$)/.test(candidate.run ?? "");
const uses = (prefix: string) => (candidate: Step) => candidate.uses?.startsWith(prefix) === true;

/** The offline plan (the stack-set checks among them) runs before any AWS session and any Pulumi step. */
function expectPlanFirst(job: Job | undefined): void {
  const plan = stepIndex(job, runsPlan);
  expect(plan).toBeLessThan(stepIndex(job, uses(CONFIGURE_AWS)));
  expect(plan).toBeLessThan(stepIndex(job, uses(PULUMI)));
}

describe("docs/examples/github-actions/hub.yml", () => {
  const hub = workflow("hub.yml");
  const hubJob = hub.jobs.hub;
  const lobsJob = hub.jobs.lobs;

  it("previews on a pull request to main and updates on a push to main, nothing else", () => {
    expect(Object.keys(hub.on).sort()).toEqual(["pull_request", "push"]);
    expect(hub.on.push?.branches).toEqual(["main"]);
    expect(hub.on.pull_request?.branches).toEqual(["main"]);
    expect(step(hubJob, PULUMI).with?.command).toBe(PREVIEW_ON_PR_ELSE_UP);
  });

  it("asks GitHub for an OIDC token, and stores no AWS key", () => {
    expect(hub.permissions["id-token"]).toBe("write");
    expect(workflowText("hub.yml")).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });

  it("deploys the one hub stack, in its region, with its profile", () => {
    expect(HUB).toHaveLength(1);
    const { stack, config } = HUB[0] as (typeof HUB)[number];
    expect(step(hubJob, PULUMI).with?.["stack-name"]).toBe(stack);
    const aws = step(hubJob, CONFIGURE_AWS).with ?? {};
    expect(aws["role-to-assume"]).toBe("${{ vars.HUB_DEPLOY_ROLE_ARN }}");
    expect(aws["aws-region"]).toBe(config["aws:region"]);
    expect(
      hubJob?.steps?.some((s) => s.run?.includes(`--profile ${String(config["aws:profile"])}`)),
    ).toBe(true);
  });

  it("runs npm run plan before pulumi/actions, and the policy pack with it", () => {
    expectPlanFirst(hubJob);
    expect(step(hubJob, PULUMI).with?.policyPacks).toBe(POLICY_PACK);
  });

  it("runs the hub's job in the environment named for the hub stack", () => {
    expect(hubJob?.environment).toBe((HUB[0] as (typeof HUB)[number]).stack);
  });

  it("runs every LOB after the hub, through lob.yml", () => {
    expect(lobsJob?.needs).toBe("hub");
    expect(lobsJob?.uses).toBe("./.github/workflows/lob.yml");
    expect(lobsJob?.with).toEqual({
      stack: "${{ matrix.stack }}",
      "role-to-assume": "${{ matrix.deployer }}",
      "aws-profile": "${{ matrix.aws-profile }}",
    });
  });

  it("has one entry per LOB stack file, assuming that LOB's deployer from Pulumi.shared.yaml", () => {
    const include = lobsJob?.strategy?.matrix?.include ?? [];
    expect(include.map((entry) => entry.stack).sort()).toEqual(
      LOBS.map(({ stack }) => stack).sort(),
    );
    for (const entry of include) {
      const config = stackConfig(entry.stack as string);
      const lob = config["studio-access:lob"] as string;
      expect(entry.deployer).toBe(HUB_LOBS[lob]?.deployer);
      expect(entry.deployer).toMatch(/^arn:aws:iam::\d{12}:role\//);
      expect(entry["aws-profile"]).toBe(config["aws:profile"]);
    }
  });
});

describe("docs/examples/github-actions/lob.yml", () => {
  const lob = workflow("lob.yml");
  const job = lob.jobs.lob;

  it("is called by hub.yml, with the stack, the deployer principal and the profile", () => {
    expect(Object.keys(lob.on)).toEqual(["workflow_call"]);
    expect(Object.keys(lob.on.workflow_call?.inputs ?? {}).sort()).toEqual([
      "aws-profile",
      "role-to-assume",
      "stack",
    ]);
  });

  it("assumes the LOB's deployer principal through OIDC, in the LOBs' region", () => {
    expect(lob.permissions["id-token"]).toBe("write");
    const aws = step(job, CONFIGURE_AWS).with ?? {};
    expect(aws["role-to-assume"]).toBe("${{ inputs.role-to-assume }}");
    const regions = new Set(LOBS.map(({ config }) => config["aws:region"]));
    expect([...regions]).toEqual([aws["aws-region"]]);
    expect(workflowText("lob.yml")).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });

  it("previews on a pull request, updates on a push to main", () => {
    const pulumi = step(job, PULUMI).with ?? {};
    expect(pulumi.command).toBe(PREVIEW_ON_PR_ELSE_UP);
    expect(pulumi["stack-name"]).toBe("${{ inputs.stack }}");
  });

  it("runs npm run plan for its stack before pulumi/actions, and the policy pack with it", () => {
    expectPlanFirst(job);
    const plan = (job?.steps ?? []).find(runsPlan) as Step & { env?: Record<string, string> };
    expect(plan.run).toBe('npm run plan -- "$STACK"');
    expect(plan.env).toEqual({ STACK: "${{ inputs.stack }}" });
    expect(step(job, PULUMI).with?.policyPacks).toBe(POLICY_PACK);
  });

  it("runs in the environment named for its stack", () => {
    expect(job?.environment).toBe("${{ inputs.stack }}");
  });
});

describe("docs/deploying.md", () => {
  const page = readFileSync(join(ROOT, "docs/deploying.md"), "utf8");

  it.each(["hub.yml", "lob.yml"])("quotes %s exactly as the file is", (name) => {
    expect(page).toContain("```yaml\n" + workflowText(name) + "```");
  });

  it("has each role trust one stack's environment, never the whole repository", () => {
    const trust = /```json\n([\s\S]*?)```/.exec(page)?.[1] ?? "";
    const policy = JSON.parse(trust.replace(/^ {3}/gm, "")) as {
      Statement: { Action: string; Condition: { StringEquals: Record<string, string> } }[];
    };
    const [statement] = policy.Statement;
    expect(statement?.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(statement?.Condition.StringEquals).toEqual({
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": `repo:<org>/<repo>:environment:${(HUB[0] as (typeof HUB)[number]).stack}`,
    });
  });
});
