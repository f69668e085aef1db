import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  chmodSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { passwordPolicyLine } from "../../cli/api";
import { buildCli } from "../../cli/build";
import { itWith } from "../helpers/tools";
import { totpCode } from "../helpers/totp";
import {
  SANDBOX_START_MS,
  SANDBOX_TEARDOWN_MS,
  startKeptSandbox,
  type KeptSandbox,
} from "../helpers/kept-sandbox";
import { endChild, processesUsing } from "../helpers/processes";

/**
 * Per test, sized for this 2-core machine while other work runs (written as numbers at each test):
 * 120 s for a test of CLI runs (a Node start each, up to a dozen, 2-8 s in all there), 240 s for
 * the admin tests (more runs, through the AWS SDK) and the browser tests.
 */
const BROWSER_TEST_MS = 240_000;

/**
 * The studio-access CLI, built as it ships (one bundle), run as a data scientist runs it against
 * `npm run sandbox -- --keep`: every command and every exit code.
 */
let sandbox: KeptSandbox;
let work: string;
let bundle: string;
/** The CLI runs and browsers a test started and that have not ended yet. */
const running = new Set<ChildProcess>();
/** Browsers started through $BROWSER (detached, by the CLI): their process groups, by pid file. */
const browserPidFiles: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "studio-access-cli-"));
  bundle = path.join(work, "studio-access.cjs");
  [sandbox] = await Promise.all([startKeptSandbox(), buildCli(bundle)]);
}, SANDBOX_START_MS + 60_000);

// A test that failed or timed out mid-run leaves nothing running for the next.
afterEach(async () => {
  await Promise.all([...running].map((child) => endChild(child, "SIGKILL", 10_000)));
  for (const file of browserPidFiles.splice(0)) {
    const pid = Number(statSafe(file) ? readFileSync(file, "utf8") : NaN);
    try {
      if (pid > 0) process.kill(-pid, "SIGKILL");
    } catch {
      // Already ended.
    }
  }
}, 30_000);

afterAll(async () => {
  try {
    // Undefined when the sandbox did not start (startKeptSandbox ended it and said why).
    if (typeof sandbox !== "undefined") {
      // Ctrl-C, and wait for the teardown's end: it exits 0 and leaves no process and no folder.
      expect(await sandbox.stop()).toBe(0);
      expect(existsSync(sandbox.stateDir)).toBe(false);
      expect(processesUsing(sandbox.stateDir)).toEqual([]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, SANDBOX_TEARDOWN_MS + 30_000);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI with its own config folder and no AWS settings at all; `input` is piped to stdin. */
function cli(
  configDir: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      env: { PATH: process.env.PATH ?? "", STUDIO_ACCESS_CONFIG_DIR: configDir, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("exit", (code) => {
      running.delete(child);
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/**
 * Debian's Chromium, headless; the flags keep it off the network it cannot reach (background
 * services, updates), and as root it needs --no-sandbox.
 */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Every output of every run, to check that no token ever reaches the terminal. */
const outputs: string[] = [];

let dirs = 0;
/** A fresh config folder, configured with the sandbox's printed line. */
async function configured(): Promise<string> {
  const dir = path.join(work, `user-${String((dirs += 1))}`);
  const run = await cli(dir, sandbox.configureArgs);
  expect(run).toMatchObject({ code: 0, stderr: "" });
  return dir;
}

const userA = () => sandbox.users.find((u) => u.username === "user-lob-a")!;

async function signedIn(user = userA()): Promise<string> {
  const dir = await configured();
  const run = await cli(
    dir,
    [
      "login",
      "--username",
      user.username,
      "--password-stdin",
      "--totp-code",
      totpCode(user.totpSecret),
    ],
    { input: `${user.password}\n` },
  );
  expect(run).toEqual({
    code: 0,
    stdout: `Signed in as ${user.username}. Next: studio-access list, or studio-access open LOB\n`,
    stderr: "",
  });
  return dir;
}

describe("studio-access against the sandbox", () => {
  it("configure saves the settings 0600 in a 0700 folder, and refuses bad values naming them", async () => {
    const dir = await configured();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, "config.json")).mode & 0o777).toBe(0o600);
    const bad = await cli(path.join(work, "bad"), [
      "configure",
      "--api-url",
      "http://api.example.com/v1",
      "--user-pool-id",
      "eu-west-1_Abc",
      "--client-id",
      "abc",
      "--region",
      "us-east-1",
    ]);
    expect(bad).toEqual({
      code: 2,
      stdout: "",
      stderr:
        'studio-access: --api-url "http://api.example.com/v1" must be an https:// URL (plain http only on 127.0.0.1 or localhost)\n',
    });
    const otherRegion = await cli(path.join(work, "bad"), [
      "configure",
      "--api-url",
      "https://abc.execute-api.us-east-1.amazonaws.com/v1",
      "--user-pool-id",
      "eu-west-1_Abc",
      "--client-id",
      "abc",
      "--region",
      "us-east-1",
    ]);
    expect(otherRegion.stderr).toBe(
      'studio-access: --user-pool-id "eu-west-1_Abc" is not in --region "us-east-1"\n',
    );
    expect(otherRegion.code).toBe(2);
  }, 120_000);

  it("exits 2 when not configured, for an unknown command or option, and without a LOB", async () => {
    const empty = path.join(work, "empty");
    expect(await cli(empty, ["list"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        "not configured: run the studio-access configure line",
      ) as unknown,
    });
    expect(await cli(empty, ["frobnicate"])).toMatchObject({
      code: 2,
      stderr: 'studio-access: unknown command "frobnicate"; see studio-access --help\n',
    });
    const dir = await configured();
    expect((await cli(dir, ["list", "--all"])).code).toBe(2);
    expect(await cli(dir, ["open"])).toMatchObject({
      code: 2,
      stderr: "studio-access: open needs a LOB: studio-access open LOB\n",
    });
    expect(await cli(dir, ["--help"])).toMatchObject({ code: 0 });
  }, 120_000);

  it("login refuses a wrong password, a missing or wrong code, and a script without a password (3, 2)", async () => {
    const dir = await configured();
    const user = userA();
    const wrong = await cli(dir, ["login", "--username", user.username, "--password-stdin"], {
      input: "not-the-password\n",
    });
    expect(wrong).toEqual({
      code: 3,
      stdout: "",
      stderr: "studio-access: incorrect username or password\n",
    });
    const noCode = await cli(dir, ["login", "--username", user.username, "--password-stdin"], {
      input: `${user.password}\n`,
    });
    expect(noCode).toMatchObject({
      code: 3,
      stderr: "studio-access: this account needs an authenticator code: pass --totp-code CODE\n",
    });
    const badCode = await cli(
      dir,
      ["login", "--username", user.username, "--password-stdin", "--totp-code", "000000"],
      { input: `${user.password}\n` },
    );
    expect(badCode).toMatchObject({
      code: 3,
      stderr: "studio-access: that authenticator code is wrong or has expired\n",
    });
    // No terminal, no --password-stdin: it says how to script it instead of waiting.
    expect(await cli(dir, ["login"])).toMatchObject({
      code: 2,
      stderr:
        "studio-access: login asks for a password in a terminal; from a script use --username NAME --password-stdin\n",
    });
    expect(await cli(dir, ["list"])).toMatchObject({
      code: 3,
      stderr: "studio-access: not signed in: run studio-access login\n",
    });
  }, 120_000);

  it("login caches the tokens 0600; list shows the caller's Studios, as a table or JSON", async () => {
    const dir = await signedIn();
    expect(statSync(path.join(dir, "tokens.json")).mode & 0o777).toBe(0o600);
    const table = await cli(dir, ["list"]);
    expect(table).toEqual({
      code: 0,
      stdout:
        "LOB    TEAM       PROFILE                                 STATUS\nlob-a  analytics  analytics--user-lob-a-3nbs3wnxbyw5ty7m  enabled\n",
      stderr: "",
    });
    const json = await cli(dir, ["list", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({
      studios: [
        {
          lob: "lob-a",
          team: "analytics",
          domainId: expect.stringMatching(/^d-[0-9a-f]{12}$/) as unknown,
          profileName: "analytics--user-lob-a-3nbs3wnxbyw5ty7m",
          enabled: true,
        },
      ],
    });
  }, 120_000);

  it("a user in two teams lists both, is asked to choose, and opens each team's own profile", async () => {
    const dana = sandbox.users.find((u) => u.username === "dana.scientist");
    if (!dana) throw new Error("the kept sandbox has no dana.scientist");
    const dir = await signedIn(dana);
    const listed = await cli(dir, ["list"]);
    expect(listed.stderr).toBe("");
    expect(listed.stdout).toBe(
      "LOB    TEAM         PROFILE                                       STATUS\n" +
        "lob-a  analytics    analytics--dana-scientist-jnzooc7btzxbvodz    enabled\n" +
        "lob-a  forecasting  forecasting--dana-scientist-jnzooc7btzxbvodz  enabled\n",
    );
    expect(await cli(dir, ["open", "lob-a", "--print"])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "studio-access: lob-a: you are in several of its teams (analytics, forecasting): choose one with --team\n",
    });
    for (const team of ["analytics", "forecasting"]) {
      const run = await cli(dir, ["open", "lob-a", "--team", team, "--print"]);
      expect(run.code).toBe(0);
      const page = await (await fetch(run.stdout.trim())).text();
      expect(page).toMatch(
        new RegExp(`<p id="who">${team}--dana-scientist-jnzooc7btzxbvodz in d-`),
      );
    }
  }, 120_000);

  it("admin: a platform engineer grants, lists and revokes through the hub's admin role, as shipped", async () => {
    // In the suite's folder, which goes with it (the admin session file included).
    const dir = mkdtempSync(path.join(work, "admin-"));
    const admin = (args: string[]) => cli(dir, args, { env: sandbox.admin.env });
    expect(await admin(sandbox.admin.configureArgs)).toEqual({
      code: 0,
      stdout: `Saved to ${dir}. Next: studio-access admin list\n`,
      stderr: "",
    });
    expect(statSync(path.join(dir, "admin.json")).mode & 0o777).toBe(0o600);
    // jane.doe has no Cognito user (an IdP user, or a typo): granted, with a warning (#20).
    expect(await admin(["admin", "grant", "jane.doe", "lob-b"])).toEqual({
      code: 0,
      stdout:
        "Granted jane.doe in lob-b/default (profile jane-doe-2sdsf7bol2unf5fv). The profile is created on their first sign-in.\n",
      stderr:
        "warning: the user pool has no user jane.doe. That is right for a user who signs in only through the IdP (SAML); if it is a typo, check the spelling (studio-access admin list shows the names entitled so far; the IdP's directory has its users) and undo it with studio-access admin revoke jane.doe lob-b --team default\n",
    });
    expect((await admin(["admin", "grant", "jane.doe", "lob-b"])).stdout).toBe(
      "jane.doe in lob-b/default (profile jane-doe-2sdsf7bol2unf5fv) is already granted.\n",
    );
    expect((await admin(["admin", "list", "--user", "jane.doe"])).stdout).toBe(
      "LOB    TEAM     USER      PROFILE                    STATE   SOURCE\n" +
        "lob-b  default  jane.doe  jane-doe-2sdsf7bol2unf5fv  active  admin\n",
    );
    expect(await admin(["admin", "grant", "jane.doe", "lob-a"])).toEqual({
      code: 2,
      stdout: "",
      stderr: "studio-access: lob-a has teams analytics, forecasting: choose one with --team\n",
    });
    expect(await admin(["admin", "grant", "jane.doe", "lob-z"])).toEqual({
      code: 4,
      stdout: "",
      stderr: "studio-access: no LOB lob-z is registered in the hub\n",
    });
    const revoked = await admin(["admin", "revoke", "jane.doe", "lob-b"]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^Revoked jane\.doe in lob-b\/default/);
    // Never signed in, so no profile: the lifecycle function marks the row offboarded at once,
    // and keeps it as the marker that refuses jane.doe there.
    let listed = "";
    for (let i = 0; i < 50; i++) {
      listed = (await admin(["admin", "list", "--user", "jane.doe"])).stdout;
      if (listed.includes("offboarded")) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(listed).toBe(
      "LOB    TEAM     USER      PROFILE                    STATE       SOURCE\n" +
        "lob-b  default  jane.doe  jane-doe-2sdsf7bol2unf5fv  offboarded  admin\n",
    );
    // Granted again, over the offboarded row.
    const again = await admin(["admin", "grant", "jane.doe", "lob-b"]);
    expect(again).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^Granted jane\.doe in lob-b\/default \(profile jane-doe-2sdsf7bol2unf5fv\) again \(it was offboarded\)\. /,
      ) as unknown,
    });
    // Without AWS credentials: one line, exit 3.
    const none = await cli(dir, ["admin", "list"], {
      env: { AWS_EC2_METADATA_DISABLED: "true" },
    });
    expect(none.code).toBe(3);
    expect(none.stderr).toMatch(/^studio-access: cannot assume the admin role .+\n$/);
  }, 240_000);

  it("admin: disable and grant --enable, for a pool user and an IdP-only one; a revoke that outvotes a group", async () => {
    // In the suite's folder, which goes with it (the admin session file included).
    const dir = mkdtempSync(path.join(work, "admin-"));
    const admin = (args: string[]) => cli(dir, args, { env: sandbox.admin.env });
    expect((await admin(sandbox.admin.configureArgs)).code).toBe(0);
    const disabledSince = (user: string) =>
      new RegExp(
        `^${user.replace(".", "\\.")} is disabled since (\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z) \\(by studio-access-admin-[\\w+=,.@-]+\\): every entry refuses them; admin grant USER LOB --enable lifts it\\.$`,
        "m",
      );

    // An IdP-only user (not in the pool, no row), named so: marked and told plainly, exit 0.
    expect(await admin(["admin", "disable", "ida.only", "--idp-only"])).toEqual({
      code: 0,
      stdout:
        "No Cognito user ida.only to disable: they sign in through the IdP; marked disabled and 0 entitlements revoked. Every entry refuses them, IdP group mappings included.\n",
      stderr: "",
    });
    const listed = (await admin(["admin", "list", "--user", "ida.only"])).stdout;
    const since = disabledSince("ida.only").exec(listed)?.[1];
    expect(listed.startsWith("No entitlements.\n")).toBe(true);
    expect(since).toBeDefined();
    expect(await admin(["admin", "grant", "ida.only", "lob-b"])).toEqual({
      code: 2,
      stdout: "",
      stderr: `studio-access: ida.only was disabled (admin disable, ${String(since)}): grant again with --enable to lift it\n`,
    });
    expect(await admin(["admin", "grant", "ida.only", "lob-b", "--enable"])).toEqual({
      code: 0,
      stdout:
        `Lifted the disable of ida.only (admin disable, ${String(since)}). No Cognito user ida.only: they sign in through the IdP.\n` +
        "Granted ida.only in lob-b/default (profile ida-only-py25xvrlnobl2woc). The profile is created on their first sign-in.\n",
      stderr: "",
    });
    expect((await admin(["admin", "list", "--user", "ida.only"])).stdout).toBe(
      "LOB    TEAM     USER      PROFILE                    STATE   SOURCE\n" +
        "lob-b  default  ida.only  ida-only-py25xvrlnobl2woc  active  admin\n",
    );

    // lee.leaving, disabled by the sandbox's run (admin disable): refused until --enable, which
    // enables their Cognito user.
    const lee = sandbox.users.find((u) => u.username === "lee.leaving");
    if (!lee) throw new Error("the kept sandbox has no lee.leaving");
    // The banner printed them as the rehearsal left them (its admin list), and no one else so.
    expect(sandbox.users.filter((u) => u.disabled).map((u) => [u.username, u.disabled])).toEqual([
      ["lee.leaving", "disabled by the rehearsal (offboarding): cannot sign in"],
    ]);
    expect(sandbox.output()).toContain(
      "lee.leaving  disabled by the rehearsal (offboarding): cannot sign in (after admin grant lee.leaving lob-b --enable: password ",
    );
    expect(disabledSince("lee.leaving").test((await admin(["admin", "list"])).stdout)).toBe(true);
    expect(await admin(["admin", "grant", "lee.leaving", "lob-b"])).toMatchObject({ code: 2 });
    const refused = await cli(
      await configured(),
      ["login", "--username", lee.username, "--password-stdin"],
      { input: `${lee.password}\n` },
    );
    expect(refused).toMatchObject({
      code: 3,
      stderr: "studio-access: incorrect username or password\n",
    });
    const enabled = await admin(["admin", "grant", "lee.leaving", "lob-b", "--enable"]);
    expect(enabled).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(
        /^Lifted the disable of lee\.leaving \(admin disable, [\d:.TZ-]+\)\. Their Cognito user is enabled\.\nGranted lee\.leaving in lob-b\/default /,
      ) as unknown,
    });
    // Cognito lets them sign in again (signedIn checks it). What the API then lists for them
    // is the presigner's to decide, with the marker (a presigner that reads it in parallel).
    await signedIn(lee);

    // A user with no row (whom an IdP group could map): the revoke writes a revoked row.
    expect(await admin(["admin", "revoke", "gus.group", "lob-b"])).toEqual({
      code: 0,
      stdout:
        "Revoked gus.group in lob-b/default (profile gus-group-pwkydeoo73s77axi): they had no entitlement there, so a revoked one is written. It blocks their IdP group mapping to lob-b/default too; a profile they made through it is drained and deleted.\n",
      stderr: "",
    });
    expect((await admin(["admin", "list", "--user", "gus.group"])).stdout).toMatch(
      /^lob-b +default +gus\.group +gus-group-pwkydeoo73s77axi +(revoked|draining|offboarded) +admin$/m,
    );
  }, 240_000);

  it("open --print prints a one-time URL that opens Studio through the hub Studio endpoint", async () => {
    const dir = await signedIn();
    const run = await cli(dir, ["open", "lob-a", "--print"]);
    expect(run.code).toBe(0);
    const url = run.stdout.trim();
    expect(url).toMatch(new RegExp(`^${sandbox.studioEndpoint}/auth\\?token=[\\w-]+$`));
    expect(run.stderr).toMatch(/^The link works once, until .+\.\n$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>SageMaker Studio</title>");
    expect((await fetch(url)).status).toBe(403);
  }, 120_000);

  it("open starts the browser ($BROWSER) on the deep link asked for", async () => {
    const dir = await signedIn();
    const opened = path.join(work, "opened.txt");
    const browser = path.join(work, "browser.sh");
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > "${opened}"\n`);
    chmodSync(browser, 0o755);
    const run = await cli(dir, ["open", "lob-a", "--app", "codeeditor"], {
      env: { BROWSER: browser },
    });
    expect(run).toEqual({ code: 0, stdout: "Opened lob-a in your browser.\n", stderr: "" });
    for (let i = 0; i < 600 && !statSafe(opened); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const page = await fetch(readFileSync(opened, "utf8"));
    expect(await page.text()).toContain("<title>CodeEditor - SageMaker Studio</title>");
  }, 120_000);

  itWith("chromium")(
    "open starts a real browser (headless Chromium) that signs in to Studio through the hub endpoint",
    async () => {
      const dir = await signedIn();
      const page = path.join(work, "chromium-dom.html");
      const profile = mkdtempSync(path.join(work, "chromium-profile-"));
      // $BROWSER: Debian's Chromium, headless, printing the page it loaded.
      const browser = path.join(work, "headless-chromium.sh");
      // Its pid (the CLI starts it in a process group of its own): ended after the test.
      const pidFile = path.join(work, "chromium.pid");
      browserPidFiles.push(pidFile);
      writeFileSync(
        browser,
        `#!/bin/sh\necho $$ > ${pidFile}\nexec chromium ${CHROMIUM_FLAGS.join(" ")} --user-data-dir=${profile} --dump-dom "$1" > ${page} 2>/dev/null\n`,
      );
      chmodSync(browser, 0o755);
      const run = await cli(dir, ["open", "lob-a", "--app", "jupyterlab"], {
        env: { BROWSER: browser },
      });
      expect(run).toEqual({ code: 0, stdout: "Opened lob-a in your browser.\n", stderr: "" });
      let dom = "";
      for (let i = 0; i < 1500 && !dom.includes("</html>"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        dom = statSafe(page) ? readFileSync(page, "utf8") : "";
      }
      expect(dom).toContain("<title>JupyterLab - SageMaker Studio</title>");
      expect(dom).toMatch(
        /<h1>JupyterLab<\/h1><p id="who">analytics--user-lob-a-3nbs3wnxbyw5ty7m in d-[0-9a-f]{12}<\/p>/,
      );
    },
    BROWSER_TEST_MS,
  );

  itWith("chromium")(
    "single sign-on in a real browser: the IdP's page posts a signed response, POST /saml redirects, Studio opens",
    async () => {
      const profile = mkdtempSync(path.join(work, "chromium-sso-"));
      // The presigned URL is https://d-….studio.<region>.sagemaker.aws: the browser's resolver
      // sends that host to the hub Studio endpoint's TLS listener (a self-signed certificate).
      const run = await promisify(execFile)(
        "chromium",
        [
          ...CHROMIUM_FLAGS,
          `--user-data-dir=${profile}`,
          `--host-resolver-rules=MAP *.studio.us-east-1.sagemaker.aws ${sandbox.studioTls}`,
          "--ignore-certificate-errors",
          "--virtual-time-budget=10000",
          "--dump-dom",
          `${sandbox.idpUrl}/sso?user=user-lob-b`,
        ],
        { encoding: "utf8", timeout: BROWSER_TEST_MS - 30_000, maxBuffer: 16 * 1024 * 1024 },
      );
      expect(run.stdout).toContain("<title>SageMaker Studio</title>");
      expect(run.stdout).toMatch(/<p id="who">user-lob-b-5anywe73g5neoapo in d-[0-9a-f]{12}<\/p>/);
    },
    BROWSER_TEST_MS,
  );

  it("open exits 4 for a Studio the user is not entitled to, an unknown LOB or a missing space", async () => {
    const dir = await signedIn();
    // The refusal, and a next step from the user's own Studios (#20).
    expect(await cli(dir, ["open", "lob-b", "--print"])).toEqual({
      code: 4,
      stdout: "",
      stderr:
        "studio-access: lob-b: You are not entitled to this Studio: if you meant lob-a: studio-access open lob-a; to get lob-b, ask your platform team. your Studios: lob-a/analytics (studio-access list)\n",
    });
    expect((await cli(dir, ["open", "marketing", "--print"])).stderr).toBe(
      "studio-access: marketing: You are not entitled to this Studio: your Studios: lob-a/analytics (studio-access list)\n",
    );
    expect(await cli(dir, ["open", "lob-a", "--team", "forecasting", "--print"])).toEqual({
      code: 4,
      stdout: "",
      stderr:
        "studio-access: lob-a: You are not entitled to this Studio: you are not in team forecasting of lob-a; your team there: analytics (studio-access open lob-a)\n",
    });
    expect(
      await cli(dir, ["open", "lob-a", "--app", "jupyterlab", "--space", "nope", "--print"]),
    ).toEqual({
      code: 4,
      stdout: "",
      stderr: "studio-access: lob-a: No such space in this Studio\n",
    });
  }, 120_000);

  it("an API address without its stage, or with another, says the address looks wrong (exit 2, not 4) (#20)", async () => {
    const dir = await signedIn();
    const apiUrl = sandbox.configureArgs[sandbox.configureArgs.indexOf("--api-url") + 1] ?? "";
    for (const [url, said] of [
      [apiUrl.replace(/\/v1$/, ""), "Forbidden"],
      [apiUrl.replace(/\/v1$/, "/v2"), "Forbidden"],
      // (Not `${apiUrl}/studios`: GET /v1/studios/studios is the route /studios/{lob}.)
      [`${apiUrl}/x`, "Missing Authentication Token"],
    ] as const) {
      const run = await cli(dir, ["list"], { env: { STUDIO_ACCESS_API_URL: url } });
      expect(run).toMatchObject({ code: 2, stdout: "" });
      expect(run.stderr).toContain(
        `studio-access: the API address looks wrong: ${url} answered 403 "${said}" (API Gateway's answer for a stage or path the API does not have).`,
      );
    }
  }, 120_000);

  it("the new-password prompt states the pool's policy, read from the API's GET /settings (#20)", async () => {
    const apiUrl = sandbox.configureArgs[sandbox.configureArgs.indexOf("--api-url") + 1] ?? "";
    expect(await passwordPolicyLine(apiUrl)).toBe(
      "A new password needs at least 14 characters, with a lower-case letter, an upper-case letter, a digit and a symbol (such as ! or -).",
    );
  }, 120_000);

  it("open says it could not open the browser when the opener fails, and exits 6 (#20)", async () => {
    const dir = await signedIn();
    const opener = path.join(work, "failing-opener.sh");
    writeFileSync(opener, "#!/bin/sh\nexit 3\n");
    chmodSync(opener, 0o755);
    const run = await cli(dir, ["open", "lob-a"], { env: { BROWSER: opener } });
    expect(run.code).toBe(6);
    expect(run.stdout).toMatch(new RegExp(`^${sandbox.studioEndpoint}/auth\\?token=[\\w-]+\\n$`));
    expect(run.stderr).toContain(
      `studio-access: could not open a browser: ${opener} exited with status 3.`,
    );
    expect(run.stderr).toContain("or next time run studio-access open lob-a --print");
    expect(run.stderr).not.toContain("Opened");
  }, 120_000);

  it("open exits 2 for a malformed LOB, an app off the list, and a space without its app", async () => {
    const dir = await signedIn();
    expect(await cli(dir, ["open", "Lob_A"])).toMatchObject({
      code: 2,
      stderr: 'studio-access: "Lob_A" is not a LOB name (lower-case letters, digits and hyphens)\n',
    });
    expect(await cli(dir, ["open", "lob-a", "--app", "terminal"])).toMatchObject({
      code: 2,
      stderr: 'studio-access: --app "terminal" is not one of studio, jupyterlab, codeeditor\n',
    });
    // Checked by the API: the same list, the same message.
    expect(await cli(dir, ["open", "lob-a", "--space", "churn"])).toMatchObject({
      code: 2,
      stderr: "studio-access: space needs app=jupyterlab or app=codeeditor\n",
    });
  }, 120_000);

  it("exits 5, asking about the corporate network, when the API cannot be reached", async () => {
    const dir = await signedIn();
    const run = await cli(dir, ["list"], {
      env: { STUDIO_ACCESS_API_URL: "http://127.0.0.1:9/v1" },
    });
    expect(run).toEqual({
      code: 5,
      stdout: "",
      stderr:
        "studio-access: cannot reach the API at 127.0.0.1:9: are you on the corporate network?\n",
    });
  }, 120_000);

  it("refreshes an expired access token silently, and logout revokes the session (then 3)", async () => {
    const dir = await signedIn();
    const file = path.join(dir, "tokens.json");
    const before = JSON.parse(readFileSync(file, "utf8")) as { accessToken: string };
    writeFileSync(file, JSON.stringify({ ...before, expiresAt: 0 }));
    expect((await cli(dir, ["list"])).code).toBe(0);
    const after = JSON.parse(readFileSync(file, "utf8")) as {
      accessToken: string;
      expiresAt: number;
    };
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.expiresAt).toBeGreaterThan(Date.now());
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // A copy of the session, kept before logout: once revoked, its refresh token is refused.
    const copy = path.join(work, "copied-session");
    await cli(copy, sandbox.configureArgs);
    writeFileSync(path.join(copy, "tokens.json"), JSON.stringify({ ...after, expiresAt: 0 }));
    expect(await cli(dir, ["logout"])).toEqual({
      code: 0,
      stdout: "Signed out user-lob-a; the session is revoked.\n",
      stderr: "",
    });
    expect(statSafe(file)).toBe(false);
    expect(await cli(dir, ["list"])).toMatchObject({ code: 3 });
    expect(await cli(copy, ["list"])).toEqual({
      code: 3,
      stdout: "",
      stderr: "studio-access: your session has expired: run studio-access login\n",
    });
    expect(await cli(dir, ["logout"])).toEqual({
      code: 0,
      stdout: "Not signed in.\n",
      stderr: "",
    });
  }, 120_000);

  it("never printed a Cognito token, a password or a TOTP secret, in any run above", () => {
    const printed = outputs.join("\n");
    expect(outputs.length).toBeGreaterThan(40);
    for (const user of sandbox.users) {
      expect(printed).not.toContain(user.password);
      expect(printed).not.toContain(user.totpSecret);
    }
    expect(printed).not.toMatch(/eyJ[\w-]+\.eyJ/);
  }, 120_000);
});

function statSafe(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
