import { mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { describeWith } from "../helpers/tools";
import { totpCode } from "../helpers/totp";
import {
  SANDBOX_START_MS,
  SANDBOX_TEARDOWN_MS,
  startKeptSandbox,
  type KeptSandbox,
} from "../helpers/kept-sandbox";

/**
 * The portal in a real browser: Debian's Chromium driven by playwright-core (nothing downloaded),
 * against `npm run sandbox -- --keep`, as people use it: new.scientist's first sign-in (new
 * password, authenticator enrolment read off the page, a wrong code asked again), the list, a first
 * open answered 202 that opens on its own, a deep link that asks first, a refused LOB, sign-out (the old refresh
 * token is refused by Cognito afterwards); dana.scientist choosing one of her two teams. Every page
 * state is checked with axe-core in the same browser (no serious or critical violation) and
 * photographed into test-results/portal/; no Content-Security-Policy violation and no console
 * error (other than the refusals the steps ask for) during the whole run.
 */
const SHOTS = path.join(__dirname, "../../test-results/portal");
/** Sized for a 2-core machine doing other work: a sign-in, a 202 (8 s) and Studio's page. */
const STEP_MS = 240_000;
/** New Studio profiles start this slowly after the rehearsal: past the presigner's 5 s, a 202. */
const PROFILE_START_MS = 8_000;
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

let sandbox: KeptSandbox;
let browser: Browser;
const problems: string[] = [];
/** Console errors that are the browser reporting a refusal a step asked for (by status). */
const expectedRefusals: string[] = [];
const timings: Record<string, number> = {};

const chromiumPath = () =>
  ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => {
    try {
      readFileSync(p);
      return true;
    } catch {
      return false;
    }
  }) ?? "chromium";

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  // 320 px wide: the narrowest screen the portal is made for.
  const context = await browser.newContext({
    viewport: { width: 320, height: 900 },
    ignoreHTTPSErrors: true,
  });
  // Not subject to the page's CSP (DevTools injects it): reports every violation to the console.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(
        `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${String(event.lineNumber)}`,
      );
    });
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    const resource = message.location().url.split("?")[0] ?? "";
    // The browser's own line for an answer of 4xx: the favicon (the API has none), or a refusal a
    // step asks for (Cognito's 400 for a wrong code, the API's 403): listed, not an error.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) {
      if (!resource.endsWith("/favicon.ico")) expectedRefusals.push(`${resource}: ${text}`);
    } else problems.push(`console error on ${page.url()}: ${text}`);
  });
  page.on("pageerror", (error) => problems.push(`page error on ${page.url()}: ${error.message}`));
  return { context, page };
}

/** axe-core on the page as it is now (injected through DevTools, so the CSP allows it). */
async function checkAccessibility(page: Page, state: string): Promise<void> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: Document) => Promise<unknown> } }).axe;
    const result = (await axe.run(document)) as {
      violations: { id: string; impact: string; nodes: unknown[] }[];
    };
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect({ state, serious }).toEqual({ state, serious: [] });
  // 320 px wide: nothing scrolls sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** Waits until `read` gives something `accept` takes (or the last value, for the assertion). */
async function until<T>(read: () => Promise<T>, accept: (v: T) => boolean, timeout = 60_000) {
  const end = Date.now() + timeout;
  let value = await read();
  while (!accept(value) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

const text = (page: Page, selector: string) => async () =>
  (await page
    .locator(selector)
    .first()
    .textContent()
    .catch(() => "")) ?? "";

async function screen(page: Page, title: string, timeout = 60_000): Promise<void> {
  expect(await until(text(page, "h1"), (t) => t === title, timeout)).toBe(title);
  // The new screen's heading has the focus (keyboard and screen-reader users start there).
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
}

/** A code the authenticator shows now, not one just used (Cognito refuses a code twice). */
async function freshCode(secret: string, used: Set<string>): Promise<string> {
  for (;;) {
    const code = totpCode(secret);
    if (!used.has(code)) {
      used.add(code);
      return code;
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function cognito(
  operation: string,
  body: unknown,
): Promise<{ status: number; type: string }> {
  const response = await fetch(sandbox.cognitoUrl, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `AWSCognitoIdentityProviderService.${operation}`,
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { __type?: string };
  return { status: response.status, type: json.__type ?? "" };
}

describeWith("chromium")("the portal in Chromium against the kept sandbox", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    sandbox = await startKeptSandbox(SANDBOX_START_MS, [
      `--profile-start-ms=${String(PROFILE_START_MS)}`,
    ]);
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // A presigned URL is https://d-….studio.us-east-1.sagemaker.aws: sent to the hub Studio
        // endpoint's TLS listener (self-signed), as the company's DNS would.
        `--host-resolver-rules=MAP *.studio.us-east-1.sagemaker.aws ${sandbox.studioTls}`,
      ],
    });
  }, SANDBOX_START_MS + 60_000);

  afterAll(async () => {
    await browser.close().catch(() => undefined);
    if (typeof sandbox !== "undefined") expect(await sandbox.stop()).toBe(0);
    console.log(
      `portal timings (ms): ${JSON.stringify(timings)}; refusals the browser logged: ${JSON.stringify(expectedRefusals)}`,
    );
  }, SANDBOX_TEARDOWN_MS + 30_000);

  it("the banner prints the portal and a never-signed-in user", () => {
    expect(sandbox.portalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/$/);
    expect(sandbox.newcomers.map((u) => u.username)).toEqual(["new.scientist"]);
  });

  it(
    "new.scientist: first sign-in, list, a 202 that opens on its own, a deep link that asks first, a refused LOB, sign-out",
    async () => {
      const newcomer = sandbox.newcomers[0]!;
      const { context, page } = await newPage();
      const used = new Set<string>();
      await page.goto(sandbox.portalUrl);
      await screen(page, "Sign in to Studio");
      await checkAccessibility(page, "sign-in");
      await shot(page, "01-sign-in");

      // Keyboard only: labels lead to the fields, Enter submits.
      await page.getByLabel("Username").fill(newcomer.username);
      await page.getByLabel("Password", { exact: true }).fill(newcomer.temporaryPassword);
      await page.keyboard.press("Enter");
      await screen(page, "Choose a new password");
      // The pool's policy is stated before the person types.
      expect(await page.locator("#policy").textContent()).toMatch(/^At least \d+ characters/);
      await checkAccessibility(page, "new password");
      await shot(page, "02-new-password");
      const password = `${newcomer.temporaryPassword}Portal9`;
      await page.getByLabel("New password", { exact: true }).fill(password);
      await page.getByLabel("New password again").fill(password);
      await page.keyboard.press("Enter");

      await screen(page, "Set up your authenticator app");
      const key = ((await page.locator("#totp-key").textContent()) ?? "").replace(/\s/g, "");
      expect(key).toMatch(/^[A-Z2-7]{16,}$/);
      expect(await page.locator("svg.qr path").getAttribute("d")).toMatch(/^M\d/);
      await checkAccessibility(page, "authenticator enrolment");
      await shot(page, "03-enrol");
      // A wrong code asks again, on the same screen.
      const wrong = totpCode(key) === "000000" ? "111111" : "000000";
      await page.getByLabel("Authenticator code", { exact: true }).fill(wrong);
      await page.keyboard.press("Enter");
      expect(await until(text(page, "#alert"), (t) => t.includes("wrong"), 30_000)).toBe(
        "That authenticator code is wrong or has expired: type the code the app shows now.",
      );
      await screen(page, "Set up your authenticator app");
      await checkAccessibility(page, "wrong code");
      await shot(page, "04-wrong-code");
      await page.getByLabel("Authenticator code", { exact: true }).fill(await freshCode(key, used));
      await page.keyboard.press("Enter");

      await screen(page, "Your Studios");
      const rows = page.locator("li.studio h2");
      expect(await rows.allTextContents()).toEqual(["lob-a team analytics"]);
      expect(await page.locator("li.studio .status").allTextContents()).toEqual([
        "Status: available",
      ]);
      await checkAccessibility(page, "list");
      await shot(page, "05-list");

      // A reload keeps the session (sessionStorage, this tab): page load to the list.
      let started = Date.now();
      await page.reload();
      await screen(page, "Your Studios");
      timings.reloadToList = Date.now() - started;
      expect(
        await page.evaluate(() => [localStorage.length, document.cookie, sessionStorage.length]),
      ).toEqual([0, "", 1]);

      // The first open: the profile starts slowly, the API answers 202, the page says so and
      // asks again on its own, then lands on Studio through the hub Studio endpoint.
      started = Date.now();
      await page.getByRole("button", { name: "Open lob-a (analytics)" }).click();
      expect(
        await until(text(page, "#progress"), (t) => t.includes("being created"), 60_000),
      ).toMatch(/^Your Studio profile is being created .*: trying again in \d+ s\.$/);
      await checkAccessibility(page, "202 progress");
      await shot(page, "06-profile-being-created");
      await page.waitForURL(/studio\.us-east-1\.sagemaker\.aws/, { timeout: 120_000 });
      await page.waitForLoadState();
      timings.firstOpen202ToStudio = Date.now() - started;
      expect(await page.title()).toBe("SageMaker Studio");
      expect(await page.locator("#who").textContent()).toMatch(/^analytics--new-scientist-/);
      await shot(page, "07-studio");

      // A deep link (bookmarkable) only asks: it names the LOB, team and app, and the API is
      // called on the click alone. `space` is never taken from the address.
      const studioCalls: string[] = [];
      page.on("request", (request) => {
        if (/\/studios\/[^/?]+/.test(new URL(request.url()).pathname))
          studioCalls.push(request.url().slice(sandbox.portalUrl.length));
      });
      await page.goto(
        `${sandbox.portalUrl}?lob=lob-a&team=analytics&app=jupyterlab&space=someone-elses`,
      );
      await screen(page, "Open lob-a (team analytics) in JupyterLab?");
      expect(new URL(page.url()).search).toBe("");
      await checkAccessibility(page, "deep link confirmation");
      await shot(page, "08-deep-link-confirm");
      // Time enough for a call the page should not make.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(studioCalls).toEqual([]);
      await page.getByRole("button", { name: "Open", exact: true }).click();
      await page.waitForURL(/studio\.us-east-1\.sagemaker\.aws/, { timeout: 120_000 });
      expect(studioCalls).toEqual(["studios/lob-a?team=analytics&app=jupyterlab"]);
      await page.waitForLoadState();
      expect(await page.title()).toBe("JupyterLab - SageMaker Studio");
      await shot(page, "08-deep-link-jupyterlab");

      // "Show all my Studios" leaves a deep link for the list, still without a call for the LOB.
      await page.goto(`${sandbox.portalUrl}?lob=lob-a&team=analytics&app=not-an-app`);
      await screen(page, "Open lob-a (team analytics)?");
      expect(await page.locator("#alert").textContent()).toBe(
        "The link asked for an app this page does not know; it opens Studio's default instead (apps: studio, jupyterlab, codeeditor).",
      );
      await page.getByRole("button", { name: "Show all my Studios" }).click();
      await screen(page, "Your Studios");
      expect(studioCalls).toEqual(["studios/lob-a?team=analytics&app=jupyterlab"]);

      // The same, chosen on the list: Code Editor.
      await page.goto(sandbox.portalUrl);
      await screen(page, "Your Studios");
      await page.getByLabel("Open in").selectOption("codeeditor");
      await page.getByRole("button", { name: "Open lob-a (analytics)" }).click();
      await page.waitForURL(/studio\.us-east-1\.sagemaker\.aws/, { timeout: 120_000 });
      await page.waitForLoadState();
      expect(await page.title()).toBe("CodeEditor - SageMaker Studio");

      // A LOB the user is not entitled to: the API's own message, on the list.
      await page.goto(`${sandbox.portalUrl}?lob=lob-b`);
      await screen(page, "Open lob-b?");
      await page.getByRole("button", { name: "Open", exact: true }).click();
      await screen(page, "Your Studios");
      expect(await page.locator("#alert").textContent()).toBe(
        "lob-b: You are not entitled to this Studio.",
      );
      await checkAccessibility(page, "refused LOB");
      await shot(page, "09-refused-lob");

      // Sign-out: revoked at Cognito, nothing left in the browser.
      const stored = await page.evaluate(() => sessionStorage.getItem("studio-access.session"));
      const { refreshToken } = JSON.parse(stored ?? "{}") as { refreshToken?: string };
      expect(refreshToken).toBeTruthy();
      expect(
        (
          await cognito("InitiateAuth", {
            ClientId: sandbox.clientId,
            AuthFlow: "REFRESH_TOKEN_AUTH",
            AuthParameters: { REFRESH_TOKEN: refreshToken },
          })
        ).status,
      ).toBe(200);
      await page.getByRole("button", { name: "Sign out" }).click();
      await screen(page, "Sign in to Studio");
      expect(await page.locator("#progress").textContent()).toBe("You are signed out.");
      expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([
        0, 0,
      ]);
      await checkAccessibility(page, "signed out");
      await shot(page, "10-signed-out");
      expect(
        await cognito("InitiateAuth", {
          ClientId: sandbox.clientId,
          AuthFlow: "REFRESH_TOKEN_AUTH",
          AuthParameters: { REFRESH_TOKEN: refreshToken },
        }),
      ).toEqual({ status: 400, type: "NotAuthorizedException" });
      await context.close();
    },
    STEP_MS * 2,
  );

  it(
    "dana.scientist: signs in with her authenticator and opens one of her two teams",
    async () => {
      const dana = sandbox.users.find((u) => u.username === "dana.scientist")!;
      const { context, page } = await newPage();
      const started = Date.now();
      await page.goto(sandbox.portalUrl);
      await screen(page, "Sign in to Studio");
      await page.getByLabel("Username").fill(dana.username);
      await page.getByLabel("Password", { exact: true }).fill(dana.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await screen(page, "Enter your authenticator code");
      await checkAccessibility(page, "authenticator code");
      await shot(page, "11-totp-code");
      await page
        .getByLabel("Authenticator code", { exact: true })
        .fill(await freshCode(dana.totpSecret, new Set()));
      await page.keyboard.press("Enter");
      await screen(page, "Your Studios");
      timings.danaLoadToList = Date.now() - started;
      expect(await page.locator("li.studio h2").allTextContents()).toEqual([
        "lob-a team analytics",
        "lob-a team forecasting",
      ]);
      await checkAccessibility(page, "two teams");
      await shot(page, "12-two-teams");
      // Keyboard only: from the heading, Tab walks each line's choices in order; Enter opens.
      const stops: string[] = [];
      for (let i = 0; i < 12 && stops.at(-1) !== "BUTTON Open lob-a (forecasting)"; i++) {
        await page.keyboard.press("Tab");
        stops.push(
          await page.evaluate(() => {
            const active = document.activeElement as HTMLElement | null;
            const label = active?.id ? document.querySelector(`label[for="${active.id}"]`) : null;
            return `${active?.tagName ?? ""} ${(label ?? active)?.textContent ?? ""}`;
          }),
        );
      }
      expect(stops).toEqual([
        "SELECT Open in",
        "INPUT Space (optional)",
        "BUTTON Open lob-a (analytics)",
        "A Link to open lob-a, team analytics",
        "SELECT Open in",
        "INPUT Space (optional)",
        "BUTTON Open lob-a (forecasting)",
      ]);
      await page.keyboard.press("Enter");
      await page.waitForURL(/studio\.us-east-1\.sagemaker\.aws/, { timeout: 120_000 });
      await page.waitForLoadState();
      expect(await page.locator("#who").textContent()).toMatch(/^forecasting--dana-scientist-/);
      await shot(page, "13-dana-forecasting");
      await context.close();
    },
    STEP_MS,
  );

  it("a script that does not load leaves the page's static message, not a blank page", async () => {
    // Its own context, without the run's console checks: the blocked script is the point.
    const context = await browser.newContext({ viewport: { width: 320, height: 900 } });
    await context.route(/\/assets\/main\.[0-9a-f]+\.js$/, (route) =>
      route.abort("blockedbyclient"),
    );
    const page = await context.newPage();
    await page.goto(sandbox.portalUrl);
    expect(await page.locator("main#app").textContent()).toBe(
      "Loading… If this stays, reload the page; if it persists, tell your platform team (the page's script did not load).",
    );
    await shot(page, "14-script-blocked");
    await context.close();
  });

  it("no CSP violation and no console error during the whole run", () => {
    expect(problems).toEqual([]);
    // The only failed loads: Cognito's refusal of the wrong code and the API's of lob-b.
    for (const line of expectedRefusals)
      expect(line).toMatch(
        new RegExp(`^(${sandbox.cognitoUrl}/?: .* 400 |.*/studios/lob-b: .* 403 )`),
      );
  });
});
