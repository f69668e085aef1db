import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { saveConfig } from "../../cli/config";
import { main, type Io } from "../../cli/main";
import { printable, printableJson } from "../../cli/printable";
import { TokenCache } from "../../cli/session";
import { terminalPrompter, withProgress } from "../../cli/terminal";

/**
 * What the CLI prints from a table, an API answer or AWS is someone else's data: a row or a name
 * holding terminal controls must print as visible text (`admin list`'s rows: cli-admin.test.ts).
 */
const EVIL = "x\u001b[2K\u001b[1Aevil";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "studio-access-printable-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The raw controls in printed text, line breaks between lines aside: \p{Cc} is C0, DEL and C1,
 * found here independently of the helper under test.
 */
const rawControls = (text: string) =>
  text.match(/[^\n\P{Cc}]|[\u202a-\u202e\u2066-\u2069]/gu) ?? [];

/** Runs the CLI in-process with its own config folder; returns what it printed. */
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

describe("printable: what the CLI prints from tables and AWS", () => {
  it.each([
    ["ESC (a CSI sequence)", "a\u001b[2Kb", "a\\u001b[2Kb"],
    ["BEL", "a\u0007b", "a\\u0007b"],
    ["CR", "a\rb", "a\\u000db"],
    ["LF", "a\nb", "a\\u000ab"],
    ["backspace", "a\bb", "a\\u0008b"],
    ["tab", "a\tb", "a\\u0009b"],
    ["NUL", "a\u0000b", "a\\u0000b"],
    ["DEL", "a\u007fb", "a\\u007fb"],
    ["C1 CSI (8-bit)", "a\u009b2Kb", "a\\u009b2Kb"],
    ["C1 NEL", "a\u0085b", "a\\u0085b"],
    ["right-to-left override", "a\u202eb", "a\\u202eb"],
    ["left-to-right embedding", "a\u202ab", "a\\u202ab"],
    ["first strong isolate", "a\u2068b", "a\\u2068b"],
    ["left-to-right isolate", "a\u2066b", "a\\u2066b"],
    ["pop directional isolate", "a\u2069b", "a\\u2069b"],
    ["right-to-left mark", "a\u200fb", "a\\u200fb"],
    ["line separator", "a\u2028b", "a\\u2028b"],
  ])("shows %s as a visible escape", (_, text, shown) => {
    expect(printable(text)).toBe(shown);
  });

  it("leaves printable text alone, Unicode included", () => {
    const text = "jane.doe é 中文 😀 ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./ ÿ\u00a0";
    expect(printable(text)).toBe(text);
  });

  it("keeps JSON parseable to the same data, with no raw control left", () => {
    const value = { u: `${EVIL}\u202e\u009b\u007f\n`, n: 1 };
    const json = printableJson(value);
    expect(JSON.parse(json)).toEqual(value);
    expect(rawControls(json)).toEqual([]);
  });
});

describe("studio-access list and open print the API's names as text", () => {
  let server: Server;
  let answer: { status: number; body: unknown };

  beforeEach(async () => {
    server = createServer((_, res) => {
      res.writeHead(answer.status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const config = {
      apiUrl: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v1`,
      userPoolId: "us-east-1_AbC123",
      clientId: "client1",
      region: "us-east-1",
    };
    saveConfig(dir, config);
    new TokenCache(dir, config, new CognitoIdentityProviderClient({ region: "us-east-1" })).save(
      "jane",
      { accessToken: "a", refreshToken: "r", expiresAt: Date.now() + 600_000 },
    );
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("list: escapes in a LOB, team or profile name", async () => {
    answer = {
      status: 200,
      body: {
        studios: [
          { lob: "lob-a", team: EVIL, profileName: "p\u202ex", domainId: "d-1", enabled: true },
        ],
      },
    };
    expect(await cli(["list"])).toEqual({
      code: 0,
      stdout:
        "LOB    TEAM                     PROFILE   STATUS\n" +
        "lob-a  x\\u001b[2K\\u001b[1Aevil  p\\u202ex  enabled\n",
      stderr: "",
    });
    const json = await cli(["list", "--json"]);
    expect(rawControls(json.stdout)).toEqual([]);
    expect((JSON.parse(json.stdout) as { studios: { team: string }[] }).studios[0]?.team).toBe(
      EVIL,
    );
  });

  it("open: escapes in the API's error message", async () => {
    answer = { status: 403, body: { message: "no\u001b]0;title\u0007\r\u001b[2Kpe" } };
    expect(await cli(["open", "lob-a", "--print"])).toEqual({
      code: 4,
      stdout: "",
      stderr: "studio-access: lob-a: no\\u001b]0;title\\u0007\\u000d\\u001b[2Kpe\n",
    });
  });
});

describe("the terminal's own prints of AWS- and argument-derived text", () => {
  it("withProgress shows its labels as text", async () => {
    let written = "";
    const output = { isTTY: false, write: (s: string) => ((written += s), true) };
    await withProgress(output as unknown as NodeJS.WriteStream, `Opening ${EVIL}…`, (show) => {
      show(`Creating in ${EVIL}\r`);
      return Promise.resolve();
    });
    expect(written).toBe("Creating in x\\u001b[2K\\u001b[1Aevil\\u000d\n");
  });

  it("the authenticator enrolment shows Cognito's secret and URI as text", async () => {
    const input = new PassThrough();
    let written = "";
    const output = { write: (s: string) => ((written += s), true) };
    const prompter = terminalPrompter(
      input as unknown as NodeJS.ReadStream,
      output as unknown as NodeJS.WriteStream,
    );
    const code = prompter.enrolTotp("ABCD\u001b[2K", `otpauth://x\u202e`);
    input.write("123456\n");
    expect(await code).toBe("123456");
    expect(written).toContain("  ABCD \\u001b[2K\n");
    expect(written).toContain("  otpauth://x\\u202e\n");
    expect(rawControls(written)).toEqual([]);
  });
});
