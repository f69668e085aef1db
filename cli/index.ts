import { main } from "./main";

// One line per failure: the AWS SDK's notice about future Node.js versions is not the user's concern.
process.removeAllListeners("warning");
process.on("warning", (warning) => {
  if (!`${warning.name} ${warning.message}`.includes("NodeVersionSupportWarning"))
    process.stderr.write(`studio-access: warning: ${warning.message}\n`);
});

// The `studio-access` command: bundled to dist/cli/studio-access.cjs by cli/build.ts.
main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
}).then(
  (code) => process.exit(code),
  () => process.exit(5),
);
