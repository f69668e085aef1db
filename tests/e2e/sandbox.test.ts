import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import {
  SANDBOX_COMMAND,
  SANDBOX_START_MS,
  SANDBOX_TEARDOWN_MS,
  startKeptSandbox,
  type KeptSandbox,
} from "../helpers/kept-sandbox";
import { endChild, endWithin, processesUsing, waitUntil } from "../helpers/processes";

const ROOT = path.join(__dirname, "../..");
/** The whole rehearsal, sized for a busy 2-core machine (it took 133 s there with load 11-21). */
const REHEARSAL_MS = 480_000;

/** Every sandbox a test starts, ended after it, pass or fail. */
const started: ChildProcess[] = [];
const kept: KeptSandbox[] = [];
afterEach(async () => {
  await Promise.all([
    ...started.splice(0).map((child) => endChild(child, "SIGINT", SANDBOX_TEARDOWN_MS)),
    ...kept.splice(0).map((sandbox) => sandbox.stop().catch(() => undefined)),
  ]);
}, SANDBOX_TEARDOWN_MS + 30_000);

/** The step lines of the log: [✓ or ✗, step name]. */
const stepsOf = (stdout: string) =>
  stdout
    .split("\n")
    .flatMap((line) => /^([✓✗])\s+[\d.]+ s {2}(.+)$/.exec(line)?.slice(1, 3) ?? [])
    .reduce<[string, string][]>(
      (pairs, value, i, all) => (i % 2 === 0 ? [...pairs, [value, all[i + 1] ?? ""]] : pairs),
      [],
    );

describe("npm run sandbox (end to end, offline)", () => {
  it("deploys the three stacks, signs user-lob-a in, shows every refusal, destroys and leaves nothing", async () => {
    // Past the timeout, execFile sends SIGTERM: the sandbox stops what it started and exits 143.
    const { stdout } = await promisify(execFile)(process.execPath, SANDBOX_COMMAND, {
      cwd: ROOT,
      timeout: REHEARSAL_MS - 30_000,
    });
    expect(stepsOf(stdout)).toEqual([
      ["✓", "start cognito-local, dynalite and the AWS endpoint emulator"],
      ["✓", "deploy shared"],
      ["✓", "deploy lob-a"],
      ["✓", "deploy lob-b"],
      ["✓", "start the functions and serve the private API on the hub execute-api endpoint"],
      ["✓", "the portal is served through the hub execute-api endpoint"],
      ["✓", "first sign-in of every user: NEW_PASSWORD_REQUIRED, then TOTP enrolment"],
      ["✓", "every user signs in with password and TOTP code"],
      ["✓", "refused: a sign-in with the password alone (MFA required)"],
      ["✓", "user-lob-a: GET /studios lists lob-a only"],
      [
        "✓",
        "user-lob-a: first sign-in to lob-a creates the analytics profile, then redirects to Studio",
      ],
      ["✓", "the presigned URL opens Studio through the hub Studio endpoint"],
      ["✓", "user-lob-a: a deep link opens JupyterLab in the user's private space"],
      ["✓", "refused: a deep link off the list (400)"],
      ["✓", "dana.scientist: lob-a without a team names her two teams (409)"],
      [
        "✓",
        "dana.scientist: a first sign-in slow to start answers 202 with Retry-After, then opens",
      ],
      [
        "✓",
        "dana.scientist: her second team gets a second profile, with that team's role and tags",
      ],
      ["✓", "refused by ABAC: analytics deletes forecasting's model; its own is allowed"],
      [
        "✓",
        "idle shutdown: dana's JupyterLab idle past forecasting's 240 minutes is stopped; her busy Code Editor is kept",
      ],
      [
        "✓",
        "instance types: forecasting is refused ml.p4d.24xlarge (AccessDenied, an explicit deny) and starts ml.g4dn.xlarge",
      ],
      ["✓", "SAML: user-lob-b signs in at the IdP and lands in lob-b's Studio"],
      [
        "✓",
        "SAML: dana.scientist (two teams of lob-a) signs in with no RelayState, is offered each team, and lands in the one she picks",
      ],
      ["✓", "refused: SAML, an unsigned response (403 page, reason logged)"],
      ["✓", "refused: SAML, a response signed by another key (403 page, reason logged)"],
      ["✓", "refused: SAML, the same response again (a replay) (403 page, reason logged)"],
      ["✓", "refused: SAML, a response for another audience (403 page, reason logged)"],
      ["✓", "refused: SAML, an expired assertion (403 page, reason logged)"],
      ["✓", "refused: user-lob-b asks for lob-a's Studio (403)"],
      ["✓", "refused: no token (401)"],
      ["✓", "refused: a tampered token (401)"],
      ["✓", "refused: a request from outside the execute-api endpoint (403)"],
      ["✓", "refused: the portal from outside the execute-api endpoint (403)"],
      [
        "✓",
        "custom domain: GET https://studio.corp.example.com/studios answers through the hub execute-api endpoint (no stage in the path), over TLS too",
      ],
      [
        "✓",
        "refused: https://studio.corp.example.com/studios through another VPC endpoint (no access association, 403)",
      ],
      [
        "✓",
        "refused: https://studio.corp.example.com/studios through the hub endpoint once its access association is gone (403)",
      ],
      ["✓", "refused: a presigned URL opened through a non-hub endpoint (IAM denies)"],
      [
        "✓",
        "refused: the presigner invoked directly, past the authorizer, with a forged context (401)",
      ],
      ["✓", "refused: lob-b's deployer role writes an entitlement to lob-a (DynamoDB denies)"],
      [
        "✓",
        "refused: lob-a's pipeline, administrator of its account, creates a Studio URL outside the hub (the SCP denies)",
      ],
      [
        "✓",
        "refused: an entitlement forged with admin rights naming a colleague's profile (no URL)",
      ],
      [
        "✓",
        "admin: a platform engineer grants user-lob-b lob-a's forecasting team; their first sign-in there makes the profile",
      ],
      [
        "✓",
        "admin usage: a platform engineer lists the running Studio apps by LOB, team and user (--json, --idle-over 2h)",
      ],
      [
        "✓",
        "pulumi up -s lob-a with user-lob-b added to forecasting, whom an admin granted it: the config seed and the admin grant stand side by side (config + admin)",
      ],
      [
        "✓",
        "pulumi up -s lob-a without user-lob-b again: the seed goes, the admin grant stands, and the lifecycle function leaves the profile",
      ],
      [
        "✓",
        "a look-alike username (dana.scientist's profile name), granted by an admin, gets a profile of its own, never dana's",
      ],
      ["✓", "refused: admin by a principal not among the hub's admins (exit 3)"],
      ["✓", "refused: admin revoke of a member from a stack's config (exit 2)"],
      [
        "✓",
        "admin revoke: user-lob-b leaves lob-a's forecasting; Studio refuses them at once, their app, space and profile are drained and deleted, and the row stays offboarded",
      ],
      [
        "✓",
        "pulumi up -s lob-a with the offboarded user-lob-b added to forecasting: the seed opens Studio over the kept admin row, and dropping it again drains the profile",
      ],
      [
        "✓",
        "refused: pulumi up -s lob-a with homeEfsRetention Delete would replace the Studio domain and its home EFS (the message names the change and allowReplacement); availabilityZones 3 beyond the hub's 2 zones is refused as invalid config, not as a replacement; nothing changed",
      ],
      [
        "✓",
        "a decoy row written and deleted by lob-a's deployer leaves user-lob-a's Studio and home untouched",
      ],
      [
        "✓",
        "a revoke whose LOB lifecycle role lost its permissions fails three times, lands in the on-failure queue, and the operator reads it there and re-drives it",
      ],
      [
        "✓",
        "admin disable: lee.leaving can no longer sign in, their profile is drained and deleted, and the row stays offboarded",
      ],
      [
        "✓",
        "refused: the disabled lee.leaving signs in through the IdP in a group mapped to lob-b (403 page)",
      ],
      [
        "✓",
        "dnsSharing: profile: pulumi up -s shared puts the hub zones in a Route 53 Profile shared with each LOB account",
      ],
      [
        "✓",
        "dnsSharing: profile: pulumi up -s lob-a and lob-b swap their zone associations for one Profile association each",
      ],
      [
        "✓",
        "dnsSharing: profile: the reachability matrix is unchanged, and user-lob-a signs in and opens Studio",
      ],
      ["✓", "the function logs hold no token and no presigned URL"],
      ["✓", "destroy lob-b"],
      ["✓", "destroy lob-a"],
      [
        "✓",
        "lift the deletion protection of the user pool and tables (as npm run destroy does before the hub)",
      ],
      ["✓", "destroy shared"],
      ["✓", "the emulators hold nothing"],
    ]);
    // The hub with the portal (its function, role, log group, three routes) and the custom domain,
    // the admin role's grant on the LOBs' usage readers, and the alarms, metric filters, dashboard
    // and on-failure queue (#21).
    expect(stdout).toContain("175 resources, 51 of them created in the emulators");
    // admin usage (#21): the running apps by LOB, team and user; --idle-over 2h keeps the one idle
    // three hours.
    expect(stdout).toMatch(
      /--idle-over 2h \(one app last used 3 hours ago\):\nLOB +TEAM +USER +APP +SPACE +INSTANCE +AGE +IDLE\nlob-a +analytics +user-lob-a +JupyterServer +- +system +(?:\d+h )?\S+ +3h 00m\n/,
    );
    // Entitlements as data, and offboarding.
    expect(stdout).toContain(
      "Granted user-lob-b in lob-a/forecasting (profile forecasting--user-lob-b-5anywe73g5neoapo). The profile is created on their first sign-in.",
    );
    expect(stdout).toContain(
      "exit 3: studio-access: cannot assume the admin role arn:aws:iam::111111111111:role/studio-access-admin: AccessDenied",
    );
    expect(stdout).toContain(
      "exit 2: studio-access: user-lob-a's entitlement to lob-a/analytics comes from the lob-a stack's config: remove user-lob-a from analytics in Pulumi.lob-a.yaml (teams.analytics.members) and run pulumi up -s lob-a",
    );
    expect(stdout).toMatch(
      /profile lee-leaving-syipsuicwg2wg6sy and its app gone; home directory \/2000\d\d kept \(lob-b's homeDirectories: keep\)/,
    );
    expect(stdout).toContain(
      "Disabled lee.leaving: Cognito refuses their sign-ins; revoked lob-b/default: its profile is drained and deleted.\nThe lob-b stack's config still names lee.leaving (members): remove them from default in Pulumi.lob-b.yaml too, or lifting the disable lets them in there again.\nsign-in: NotAuthorizedException; their access token (valid until it expires): 403",
    );
    expect(stdout).toMatch(
      /admin list saw (revoked -> )?draining -> offboarded within \d+ ms \(lifecycle function: offboarded in \d+ ms; the row kept as the marker\)\nprofile, app and space gone; home directory \/2000\d\d on lob-a's EFS removed \(2 entries; lob-a's homeDirectories: remove\); user-lob-b's lob-b profile kept/,
    );
    // Issue 18: a config seed and an admin grant of the same user and team coexist (the AWS
    // provider's conditional create once failed pulumi up -s lob-a here).
    expect(stdout).toContain(
      "pulumi up -s lob-a: created lob-a-member-forecasting-user-lob-b\nadmin list",
    );
    expect(stdout).toMatch(
      /admin list: lob-a\/forecasting user-lob-b active, config \+ admin; GET \/studios\/lob-a: 302/,
    );
    expect(stdout).toContain(
      "lifecycle function: skip (admin-grant-stands); admin list: active, admin; GET /studios/lob-a: 302, profile kept",
    );
    expect(stdout).toMatch(
      /admin list: active, config \+ admin \(offboarded\); GET \/studios\/lob-a: 302, profile forecasting--user-lob-b-\w+ made/,
    );
    expect(stdout).toMatch(
      /lifecycle function: offboard \(row-removed\); profile gone within \d+ ms; admin list: offboarded, admin/,
    );
    // Issue 17: the decoy's delete is skipped on its key, and user-lob-a keeps everything.
    expect(stdout).toMatch(
      /lifecycle function: skip \(body-disagrees-with-key\) within \d+ ms\nuser-lob-a's profile analytics--user-lob-a-3nbs3wnxbyw5ty7m, its 1 app\(s\), space churn-model and home directory \/2000\d\d untouched/,
    );
    expect(stdout).toMatch(
      // A drain quicker than the CLI's first look shows only offboarded.
      /admin list saw (revoked -> )?(draining -> )?offboarded within \d+ ms; profile lee-leaving-syipsuicwg2wg6sy/,
    );
    // First sign-ins: each profile made through the provisioning role, with its team's role and tags.
    expect(stdout).toMatch(
      /\d+ ms with the profile's creation \(Pending 1500 ms\); role arn:aws:iam::222222222222:role\/studio-access\/studio-access-team-analytics, tags \{"studio-access:lob":"lob-a","studio-access:team":"analytics","studio-access:username":"user-lob-a"\}/,
    );
    expect(stdout).toContain(
      '409 {"message":"You are in several teams of this Studio: choose one with team (analytics, forecasting)","teams":["analytics","forecasting"]}',
    );
    expect(stdout).toMatch(
      /202 after \d+ ms, Retry-After: 5 \{"message":"Your Studio profile is being created: try again shortly","retryAfterSeconds":5\}\nthen 302 once InService/,
    );
    expect(stdout).toContain(
      'analytics--dana-scientist-jnzooc7btzxbvodz: role studio-access-team-analytics, tags {"studio-access:lob":"lob-a","studio-access:team":"analytics","studio-access:username":"dana.scientist"}',
    );
    expect(stdout).toContain(
      'forecasting--dana-scientist-jnzooc7btzxbvodz: role studio-access-team-forecasting, tags {"studio-access:lob":"lob-a","studio-access:team":"forecasting","studio-access:username":"dana.scientist"}',
    );
    expect(stdout).toContain(
      "DeleteModel of forecasting's model: ImplicitlyDenied; of analytics' own: Allowed; CreateModel untagged: ImplicitlyDenied, tagged forecasting: ImplicitlyDenied",
    );
    // Each SAML refusal's reason, as the function logged it.
    expect(stdout).toContain("403 page; logged: Invalid signature");
    expect(stdout).toMatch(/403 page; logged: replayed assertion _[0-9a-f]{32}/);
    expect(stdout).toContain("403 page; logged: SAML assertion audience mismatch.");
    expect(stdout).toContain("403 page; logged: SAML assertion expired");
    expect(stdout).toMatch(
      /302 Location: https:\/\/d-[0-9a-f]{12}\.studio\.us-east-1\.sagemaker\.aws\/auth\?token=/,
    );
    expect(stdout).toContain('403 {"message":"You are not entitled to this Studio"}');
    expect(stdout).toContain("403 Auth token containing insufficient permissions");
    expect(stdout).toContain(
      "userPools 0, tables 0, roles 0, managedPolicies 0, domains 0, userProfiles 0, apps 0, spaces 0, securityGroups 0, vpcs 0, mountTargets 0, endpoints 0; kept by design: 2 home EFS (homeEfsRetention Retain)",
    );
    // lob-a's user opened Studio (an app) and a space, the look-alike opened its own Studio (an
    // app), dana opened her forecasting Studio from the SAML chooser (an app), and four profiles were made there on first sign-ins; lob-b's user opened Studio by
    // SAML (one profile). Their destroys drained and deleted them all; both spokes were swept.
    // lob-a's 39 resources include new.scientist's member row (a user never signed in); each LOB's
    // include its usage reader role and policy (admin usage, #21) and an instance-type policy on
    // each execution role (the default one and each team's, #21).
    expect(stdout).toContain(
      "39 resources deleted from the emulators; clean-up deleted 3 Studio apps, 1 space, 4 user profiles, 2 NFS security groups, 2 EFS mount targets",
    );
    expect(stdout).toContain(
      "26 resources deleted from the emulators; clean-up deleted 1 Studio app, 0 spaces, 1 user profile, 2 NFS security groups, 2 EFS mount targets",
    );
    expect(stdout).toMatch(/rehearsal passed: 63 of 63 steps in [\d.]+ s/);
  }, 480_000);

  it("--keep leaves a working sandbox a person can call with the printed curl line, and Ctrl-C tears it down", async () => {
    const sandbox = await startKeptSandbox();
    kept.push(sandbox);
    const stdout = sandbox.output;
    const curl = /curl -i -H "Authorization: Bearer ([^"]+)" (\S+)/.exec(stdout());
    expect(curl).not.toBeNull();
    expect(stdout()).toMatch(
      /user {8}user-lob-a {2}password \S{20,} {2}TOTP secret [A-Z2-7]{16,} \(sandbox only\)/,
    );
    const response = await fetch(curl![2]!, {
      headers: { Authorization: `Bearer ${curl![1]!}` },
      redirect: "manual",
    });
    expect(
      `${String(response.status)} ${response.status === 302 ? "" : await response.text()}`,
    ).toBe("302 ");
    expect(response.headers.get("location")).toMatch(
      /^https:\/\/d-[0-9a-f]{12}\.studio\.us-east-1\.sagemaker\.aws\/auth\?token=/,
    );
    expect(stdout()).not.toContain("destroy lob-b");
    expect(existsSync(sandbox.stateDir)).toBe(true);
    expect(processesUsing(sandbox.stateDir)).not.toEqual([]);

    // Ctrl-C: resolves once the sandbox has ended, its teardown done.
    expect(await sandbox.stop()).toBe(0);
    expect(stepsOf(stdout()).slice(-5)).toEqual([
      ["✓", "destroy lob-b"],
      ["✓", "destroy lob-a"],
      [
        "✓",
        "lift the deletion protection of the user pool and tables (as npm run destroy does before the hub)",
      ],
      ["✓", "destroy shared"],
      ["✓", "the emulators hold nothing"],
    ]);
    expect(existsSync(sandbox.stateDir)).toBe(false);
    expect(processesUsing(sandbox.stateDir)).toEqual([]);
  }, 600_000);

  it("Ctrl-C before the banner (--keep) exits 130 at once and leaves no folder and no process", async () => {
    // Its own temporary folder, so anything it leaves there is seen.
    const tmp = mkdtempSync(path.join(tmpdir(), "studio-access-early-"));
    try {
      const child = spawn(process.execPath, [...SANDBOX_COMMAND, "--keep"], {
        cwd: ROOT,
        env: { ...process.env, TMPDIR: tmp },
        stdio: ["ignore", "pipe", "pipe"],
      });
      started.push(child);
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      const ours = () => readdirSync(tmp).filter((name) => name.startsWith("studio-access-"));
      // Mid-deploy: cognito-local and the functions' state are up, a domain's EFS folder is made.
      const efs = await waitUntil(
        "a studio-access-efs-fs-… folder",
        () => {
          if (child.exitCode !== null) throw new Error(`the sandbox exited early:\n${output}`);
          const state = ours().find((name) => name.startsWith("studio-access-sandbox-"));
          const found = state
            ? readdirSync(path.join(tmp, state)).find((n) => n.startsWith("studio-access-efs-fs-"))
            : undefined;
          return found && state ? path.join(tmp, state, found) : undefined;
        },
        SANDBOX_START_MS,
      );
      expect(output).not.toContain("Press Ctrl-C");
      expect(processesUsing(tmp).join("\n")).toContain("cognito-local.js");

      child.kill("SIGINT");
      const ended = await endWithin(child, 60_000);
      expect(ended).toEqual({ code: 130, signal: null });
      expect(output).toContain(
        "interrupted (SIGINT): stopping the services and removing their temporary folders",
      );
      expect(existsSync(efs)).toBe(false);
      expect(ours()).toEqual([]);
      // The functions' workers and cognito-local end on their own once the sandbox is gone.
      await waitUntil(
        "no process left",
        () => (processesUsing(tmp).length === 0 ? true : undefined),
        15_000,
      ).catch(() => undefined);
      expect(processesUsing(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 420_000);

  it("--help explains the command and exits 0", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [...SANDBOX_COMMAND, "--help"], {
      cwd: ROOT,
      timeout: 50_000,
    });
    expect(stdout).toContain("npm run sandbox [-- --keep [--profile-start-ms=N]]");
    expect(stdout).toContain("--keep   stop after the use steps");
  }, 60_000);
});
