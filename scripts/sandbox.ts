/**
 * npm run sandbox: the offline rehearsal of the whole lifecycle (see docs/offline-and-aws.md). No AWS, no Pulumi CLI.
 */
import { constants } from "node:os";
import { pathToFileURL } from "node:url";
import { StackFileError } from "./lib/mock-stack";
import { stackSetProblems } from "./lib/stack-set";
import { rehearse, stepRunner, type Step } from "./sandbox/rehearsal";
import { teardownSignals } from "./sandbox/teardown-signals";
import { userLine } from "./sandbox/users";

process.removeAllListeners("warning");

// npm run sandbox is `node --import tsx` (no tsx process between the terminal and this one, so a
// Ctrl-C reaches the handler below however busy the sandbox is). Processes it forks (the functions')
// inherit that flag and start in their own folders, where the bare name does not resolve: name tsx's
// loader by its path.
for (const [i, arg] of process.execArgv.entries()) {
  if (arg === "tsx" && process.execArgv[i - 1] === "--import")
    process.execArgv[i] = pathToFileURL(require.resolve("tsx")).href;
  if (arg === "--import=tsx")
    process.execArgv[i] = `--import=${pathToFileURL(require.resolve("tsx")).href}`;
}

const HELP = `npm run sandbox [-- --keep [--profile-start-ms=N]]

Rehearses studio-access offline with the real program and the real Lambda code:
starts cognito-local, dynalite and a local AWS endpoint (STS, SageMaker, IAM,
Studio, API Gateway) on loopback; deploys shared, lob-a and lob-b into them
through Pulumi's mock runtime; serves the portal (the web page) through the hub
execute-api endpoint; signs user-lob-a in and opens Studio (also by deep link;
its profile is made on that first sign-in), dana.scientist into each of her two
teams (one profile each, one answered 202 while it starts), shows an ABAC
refusal between teams, signs user-lob-b in through the SAML entry with a local
IdP and dana through its chooser (one choice per LOB and team); shows the
refusals; grants, revokes and disables with the CLI's
admin commands and watches the lifecycle function drain and delete profiles;
destroys lob-b, lob-a, shared; checks nothing is left; stops.
Users set a password and enrol a TOTP authenticator on first sign-in (with the
studio-access CLI's code); the rehearsal plays their authenticator app.

  --keep   stop after the use steps and leave everything running: prints the
           portal's address, a ready studio-access configure line, the users
           (their passwords and TOTP secrets; those the rehearsal disabled
           marked so; new.scientist, never signed in, with a temporary
           password), where Studio answers (http and https), the IdP's SSO
           page, the function log file, a platform engineer's admin session
           and a ready curl line. Ctrl-C destroys the stacks and stops the
           services (it says so; a second Ctrl-C does not interrupt that).
  --profile-start-ms=N  with --keep: how long a new Studio profile takes to
           start once the rehearsal is done (1500 by default). Real ones take
           longer: past 5000 a first sign-in sees the API's 202 and its progress.
  --help   this text

Exit status: 0 when every step passed, 1 otherwise.`;

function print(step: Step): void {
  const seconds = (step.ms / 1000).toFixed(2).padStart(6);
  console.log(`${step.ok ? "✓" : "✗"} ${seconds} s  ${step.name}`);
  if (step.detail) console.log(`             ${step.ok ? "" : "FAILED: "}${step.detail}`);
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
type Signal = (typeof SIGNALS)[number];

/** Stops the run at once: exit 128 + the signal's number (130 for Ctrl-C); the exit hooks clean up. */
function interrupted(signal: Signal): void {
  if (signal !== "SIGHUP")
    console.error(
      `\ninterrupted (${signal}): stopping the services and removing their temporary folders`,
    );
  process.exit(128 + constants.signals[signal]);
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const startOption = argv.find((a) => a.startsWith("--profile-start-ms="));
  const profileStartMs = startOption ? Number(startOption.split("=")[1]) : undefined;
  const unknown = argv.filter((a) => a !== "--keep" && a !== startOption);
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(", ")}\n\n${HELP}`);
    return 2;
  }
  const keep = argv.includes("--keep");
  if (
    profileStartMs !== undefined &&
    (!keep || !Number.isInteger(profileStartMs) || profileStartMs < 0 || profileStartMs > 600_000)
  ) {
    console.error(
      `--profile-start-ms needs --keep and a number of milliseconds (0-600000)\n\n${HELP}`,
    );
    return 2;
  }
  // The stack files as a set, before any service starts: the rehearsal deploys them as they are.
  const problems = stackSetProblems();
  if (problems.length > 0) {
    for (const line of problems) console.error(line);
    console.error("nothing was started: fix the stack files above first");
    return 1;
  }
  // From the very start, before anything is started: Ctrl-C, SIGTERM or a closed terminal (SIGHUP)
  // during the run exits at once, and the services' exit hooks (sandbox/exit-cleanup.ts) stop
  // cognito-local, the functions' and dynamic providers' processes and the emulators, and remove
  // their temporary folders (the state folder, studio-access-efs-fs-…, studio-access-dynamic-…).
  let onSignal = interrupted;
  for (const signal of SIGNALS)
    process.on(signal, () => {
      onSignal(signal);
    });
  const started = performance.now();
  const { steps, sandbox } = await rehearse({ keep, report: print });
  const failed = steps.filter((s) => !s.ok).length;
  if (sandbox) {
    if (profileStartMs !== undefined) sandbox.emulator.profileStartMs = profileStartMs;
    // lob-a's one-team member: the curl line opens Studio without naming a team.
    const user = sandbox.users.find((u) => u.username === "user-lob-a");
    const c = sandbox.cliConfig;
    const configure = [
      "npx studio-access configure",
      `--api-url ${c.apiUrl}`,
      `--user-pool-id ${c.userPoolId}`,
      `--client-id ${c.clientId}`,
      `--region ${c.region}`,
      `--auth-flow ${c.authFlow ?? "srp"}`,
      `--cognito-endpoint ${c.cognitoEndpoint ?? ""}`,
      `--studio-endpoint ${c.studioEndpoint ?? ""}`,
    ].join(" ");
    console.log(`
Portal  ${sandbox.portalUrl}  (open it in a browser on this machine)

The sandbox is running. Use it as a data scientist would, from another terminal in this folder:
  ${configure}
  npx studio-access login          (a user below; for the code: npx tsx scripts/sandbox/totp.ts SECRET)
  npx studio-access open lob-a     (or --print; add --app jupyterlab)

${sandbox.users.map(userLine).join("\n")}
${sandbox.newcomers.map((u) => `  user        ${u.username}  never signed in: temporary password ${u.temporaryPassword}, no authenticator yet (a first sign-in to try)`).join("\n")}
  API         ${sandbox.apiUrl}  (answers only through its execute-api endpoint)
  Cognito     ${sandbox.cognitoUrl}  (app client ${sandbox.userPoolClientId})
  Studio      ${c.studioEndpoint ?? ""}  (the hub Studio endpoint: a presigned URL opens here)
  Studio TLS  ${sandbox.studioTls}  (the same over https, self-signed: a browser following a redirect to
              https://d-….studio.${c.region}.sagemaker.aws maps that host here, e.g. chromium
              --host-resolver-rules="MAP *.studio.${c.region}.sagemaker.aws ${sandbox.studioTls.replace("https://", "")}" --ignore-certificate-errors)
${
  sandbox.apiDomain
    ? `  Portal (custom domain)  ${sandbox.apiDomain.url}  (map ${sandbox.apiDomain.name} to ${sandbox.apiDomain.tls.replace("https://", "")}: chromium
              --host-resolver-rules="MAP ${sandbox.apiDomain.name} ${sandbox.apiDomain.tls.replace("https://", "")}" --ignore-certificate-errors)
`
    : ""
}  SSO         ${sandbox.idpUrl}/sso?user=user-lob-b  (the IdP's application tile: posts a signed SAML
              response to POST /saml; add &relay=LOB to pick a Studio)
  logs        ${sandbox.logFile}

As a platform engineer (sandbox credentials of a configured admin, valid 8 hours):
  export ${Object.entries(sandbox.admin.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ")}
  npx ${sandbox.admin.configure}
  npx studio-access admin list     (or grant / revoke USER LOB [--team TEAM], disable USER, usage)

A ready call (the access token is valid for 15 minutes):
  curl -i -H "Authorization: Bearer ${user?.accessToken ?? ""}" ${sandbox.apiUrl}/studios/lob-a
dana.scientist is in two teams of lob-a: add ?team=analytics or ?team=forecasting for her.

Press Ctrl-C to destroy the stacks and stop.`);
    // Kept: Ctrl-C (or SIGTERM) starts the orderly teardown; a closed terminal still exits at once.
    // The teardown runs to its end: later Ctrl-Cs are answered, not obeyed, and npm's forwarded
    // copy of the first one is not taken for a second (teardown-signals.ts).
    const signals = teardownSignals((line) => {
      console.log(line);
    });
    await new Promise<void>((resolve) => {
      onSignal = (signal) => {
        if (signal === "SIGHUP") interrupted(signal);
        else {
          signals.answer();
          resolve();
        }
      };
    });
    const teardownSteps: Step[] = [];
    await sandbox.teardown(stepRunner(print, teardownSteps)).catch(() => undefined);
    return failed + teardownSteps.filter((s) => !s.ok).length > 0 ? 1 : 0;
  }
  console.log(
    `\n${failed === 0 ? "rehearsal passed" : "rehearsal FAILED"}: ${String(steps.length - failed)} of ${String(steps.length)} steps in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A stack file that cannot be read says which, and where; anything else is a bug, in full.
    console.error(error instanceof StackFileError ? error.message : error);
    process.exit(1);
  },
);
