import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { main, USAGE, type Io } from "../../cli/main";

/** #21 review: each admin subcommand prints its own usage with --help, exit 0, nothing read. */
let dir: string;
beforeEach(() => {
  // An empty config folder: any subcommand that went past its help would fail (no admin configure).
  dir = mkdtempSync(path.join(tmpdir(), "studio-access-admin-help-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdin: process.stdin,
    stdout: { write: (s: string) => ((stdout += s), true), isTTY: false },
    stderr: { write: (s: string) => ((stderr += s), true), isTTY: false },
    env: { STUDIO_ACCESS_CONFIG_DIR: dir },
  } as unknown as Io;
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const FOOTER = [
  "",
  "Run with AWS credentials among the hub's admins (the shared stack's adminConfigure line first).",
  "Exit codes: see studio-access --help.",
  "",
];

const SYNOPSIS = {
  configure:
    "  studio-access admin configure --role-arn ARN --entitlements-table T --lobs-table T --region R",
  grant: "  studio-access admin grant USER LOB [--team TEAM] [--enable]",
  revoke: "  studio-access admin revoke USER LOB [--team TEAM]",
  disable: "  studio-access admin disable USER [--idp-only]",
  list: "  studio-access admin list [--lob LOB] [--user USER] [--json]",
  usage: "  studio-access admin usage [--lob LOB] [--idle-over 2h] [--json]",
};

describe("studio-access admin SUB --help", () => {
  it("admin usage --help prints admin usage's own usage, exit 0", async () => {
    expect(await cli(["admin", "usage", "--help"])).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "Usage:",
        "  studio-access admin usage [--lob LOB] [--idle-over 2h] [--json]",
        "      running Studio apps by LOB, team, user, app type, instance type, age and idle time",
        "      (read-only); --idle-over keeps apps idle longer than that (90m, 2h, 1d)",
        ...FOOTER,
      ].join("\n"),
    });
  });

  it("admin grant --help prints admin grant's own usage, exit 0", async () => {
    expect(await cli(["admin", "grant", "--help"])).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "Usage:",
        "  studio-access admin grant USER LOB [--team TEAM] [--enable]",
        "      entitle a user (their profile comes on first sign-in); --enable lifts an admin disable",
        ...FOOTER,
      ].join("\n"),
    });
  });

  it.each(Object.entries(SYNOPSIS))(
    "admin %s --help (and -h, anywhere among its arguments) prints only its own usage",
    async (sub, synopsis) => {
      for (const args of [["--help"], ["-h"], ["USER", "--help"], ["--json", "-h"]]) {
        const { code, stdout, stderr } = await cli(["admin", sub, ...args]);
        expect([code, stderr]).toEqual([0, ""]);
        const lines = stdout.split("\n");
        expect(lines.slice(0, 2)).toEqual(["Usage:", synopsis]);
        for (const [other, line] of Object.entries(SYNOPSIS))
          if (other !== sub) expect(lines).not.toContain(line);
      }
    },
  );

  it("admin --help, admin -h and admin help list every admin subcommand, exit 0", async () => {
    for (const args of [["--help"], ["-h"], ["help"]]) {
      const { code, stdout, stderr } = await cli(["admin", ...args]);
      expect([code, stderr]).toEqual([0, ""]);
      const lines = stdout.split("\n");
      expect(lines[0]).toBe(
        "studio-access admin: entitlements and usage, through the hub's admin role",
      );
      for (const line of Object.values(SYNOPSIS)) expect(lines).toContain(line);
    }
  });

  it("after --, --help is an argument, not a request for help", async () => {
    const { code, stdout, stderr } = await cli(["admin", "grant", "--", "--help"]);
    expect([code, stdout]).toEqual([2, ""]);
    expect(stderr).toBe(
      "studio-access: admin grant takes a user and a LOB: studio-access admin grant USER LOB [--team TEAM] [--enable]\n",
    );
  });

  it("an unknown subcommand with --help is still refused (exit 2)", async () => {
    const { code, stderr } = await cli(["admin", "frobnicate", "--help"]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      "studio-access: admin needs configure, grant, revoke, disable, list or usage; see studio-access --help\n",
    );
  });

  it("the top-level usage keeps every subcommand's lines", () => {
    for (const line of Object.values(SYNOPSIS)) expect(USAGE.split("\n")).toContain(line);
  });
});
