import { encode } from "uqr";
import { LANDING_APPS } from "../functions/shared/landing";
import { cognitoRefusal } from "../functions/shared/cognito-messages";
import { passwordNeeds, type PasswordPolicy } from "../functions/shared/password-policy";
import { AccessApi, ApiRefusal, type OpenRequest, type Studio } from "./api";
import { deepLinkOf, type DeepLink } from "./deep-link";
import { Cognito, CognitoError, CognitoUnreachable, type Prompter, type Tokens } from "./cognito";

/**
 * The portal: sign in to the Cognito pool (SRP, new password, authenticator), list the user's
 * Studios and open one. No framework: a few screens built with the DOM, no inline script or style
 * (the page's Content-Security-Policy forbids both), tokens in sessionStorage only (this tab).
 */

interface Config {
  readonly apiBase: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly cognitoEndpoint: string;
  readonly passwordPolicy?: PasswordPolicy;
  readonly urlExpiresSeconds?: number;
}

interface Session extends Tokens {
  readonly username: string;
}

const STORE = "studio-access.session";
/** An access token this close to expiry is refreshed first (as the CLI). */
const REFRESH_MARGIN_MS = 60_000;
const APP_NAMES: Record<string, string> = {
  studio: "Studio home",
  jupyterlab: "JupyterLab",
  codeeditor: "Code Editor",
};
const SPACE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

// ---- The DOM --------------------------------------------------------------------------------

type Child = Node | string | null | undefined | false;
function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

const root = document.getElementById("app") ?? document.body;
const header = el("header", { class: "bar" });
const alertBox = el("div", { id: "alert", class: "alert", role: "alert" });
const progress = el("p", {
  id: "progress",
  class: "progress",
  role: "status",
  "aria-live": "polite",
});
const screen = el("section", { id: "screen", "aria-labelledby": "screen-title" });

function say(text: string): void {
  progress.textContent = text;
}

function warn(text: string): void {
  alertBox.textContent = "";
  alertBox.hidden = text === "";
  if (text) alertBox.append(el("p", {}, text));
}

/** A new screen: its heading gets the focus, so keyboard and screen-reader users start there. */
function show(title: string, ...content: Child[]): void {
  const heading = el("h1", { id: "screen-title", tabindex: "-1" }, title);
  screen.replaceChildren(heading, ...content.filter((c): c is Node | string => !!c));
  document.title = `${title} - Studio access`;
  heading.focus();
}

function field(
  id: string,
  label: string,
  attributes: Record<string, string | boolean>,
  hint?: string,
): HTMLElement {
  return el(
    "div",
    { class: "field" },
    el("label", { for: id }, label),
    hint ? el("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
    el("input", {
      id,
      name: id,
      required: true,
      ...(hint ? { "aria-describedby": `${id}-hint` } : {}),
      ...attributes,
    }),
  );
}

/** A form whose submit resolves with its named values (the button is disabled while busy). */
function form(
  label: string,
  fields: Child[],
  onSubmit: (values: Record<string, string>, done: () => void) => void,
  id = "form",
): HTMLFormElement {
  const button = el("button", { type: "submit" }, label);
  const node = el("form", { id, novalidate: false }, ...fields, button);
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    const values: Record<string, string> = {};
    new FormData(node).forEach((value, key) => {
      if (typeof value === "string") values[key] = value;
    });
    button.disabled = true;
    onSubmit(values, () => (button.disabled = false));
  });
  return node;
}

/** The authenticator key as an app shows it: groups of four. */
export function spelled(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

/** The QR code of the otpauth URI, as SVG built with the DOM (one path; no inline style). */
function qrCode(uri: string): SVGSVGElement {
  const { data, size } = encode(uri, { ecc: "M", border: 4 });
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${String(size)} ${String(size)}`);
  svg.setAttribute("class", "qr");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "QR code of your authenticator key");
  const background = document.createElementNS(ns, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  let d = "";
  data.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${String(x)} ${String(y)}h1v1h-1z`;
    });
  });
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "#000");
  svg.append(background, path);
  return svg;
}

function policyText(policy: PasswordPolicy | undefined): string {
  if (!policy) return "Choose a password your platform team's rules accept.";
  const needs = passwordNeeds(policy);
  return `${needs.charAt(0).toUpperCase()}${needs.slice(1)}.`;
}

// ---- The session ------------------------------------------------------------------------------

let config: Config;
let cognito: Cognito;
let api: AccessApi;
let session: Session | undefined;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

function keep(next: Session | undefined): void {
  session = next;
  clearTimeout(refreshTimer);
  if (!next) {
    sessionStorage.removeItem(STORE);
    return;
  }
  sessionStorage.setItem(STORE, JSON.stringify(next));
  // Refreshed before it expires, so a call never carries a dying token.
  refreshTimer = setTimeout(
    () => void accessToken(true).catch(() => undefined),
    Math.max(5_000, next.expiresAt - REFRESH_MARGIN_MS - Date.now()),
  );
}

function stored(): Session | undefined {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORE) ?? "null") as Session | null;
    return value && typeof value.refreshToken === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

async function accessToken(force: boolean): Promise<string> {
  const current = session;
  if (!current) throw new ApiRefusal("you are signed out: sign in again", undefined, true);
  if (!force && current.expiresAt - REFRESH_MARGIN_MS > Date.now()) return current.accessToken;
  try {
    const tokens = await cognito.refresh(current.refreshToken);
    keep({ username: current.username, ...tokens });
    return tokens.accessToken;
  } catch (error) {
    keep(undefined);
    throw new ApiRefusal(cognitoMessage(error, "refresh"), undefined, true);
  }
}

function cognitoMessage(error: unknown, during: "sign-in" | "refresh"): string {
  if (error instanceof CognitoUnreachable)
    return "cannot reach Cognito: check your network connection and try again";
  if (error instanceof CognitoError) {
    if (error.code === "UnsupportedChallenge" || error.code === "") return error.message;
    return cognitoRefusal(error.code, error.message, during, "sign in again").text;
  }
  return `the ${during} failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** A message as a sentence: a full stop, and a capital unless it starts with a name (a LOB's). */
const sentence = (text: string, capital = true) =>
  `${capital ? text.charAt(0).toUpperCase() : text.charAt(0)}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;

// ---- The screens ------------------------------------------------------------------------------

function signInScreen(message = ""): void {
  header.replaceChildren();
  say("");
  show(
    "Sign in to Studio",
    el("p", {}, "Use the username and password your platform team gave you."),
    form(
      "Sign in",
      [
        field("username", "Username", {
          autocomplete: "username",
          autocapitalize: "none",
          spellcheck: "false",
        }),
        field("password", "Password", { type: "password", autocomplete: "current-password" }),
      ],
      (values, done) => void signIn(values.username ?? "", values.password ?? "").finally(done),
    ),
  );
  warn(message);
}

/** A prompter whose questions are the page's forms. */
const prompter: Prompter = {
  newPassword: () =>
    new Promise((resolve) => {
      say("");
      const policy = policyText(config.passwordPolicy);
      show(
        "Choose a new password",
        el("p", {}, "This is your first sign-in: replace the temporary password."),
        el("p", { id: "policy", class: "policy" }, policy),
        form(
          "Set password",
          [
            field("new-password", "New password", {
              type: "password",
              autocomplete: "new-password",
              "aria-describedby": "policy",
            }),
            field("confirm-password", "New password again", {
              type: "password",
              autocomplete: "new-password",
            }),
          ],
          (values, done) => {
            done();
            if (values["new-password"] !== values["confirm-password"]) {
              warn("The two passwords differ: type the same one twice.");
              return;
            }
            warn("");
            resolve(values["new-password"] ?? "");
          },
        ),
      );
    }),
  enrolTotp: (secret, uri, retry) =>
    new Promise((resolve) => {
      say("");
      show(
        "Set up your authenticator app",
        el(
          "ol",
          { class: "steps" },
          el("li", {}, "Open an authenticator app on your phone (any TOTP app)."),
          el(
            "li",
            {},
            "Scan this QR code, or add the key by hand:",
            el("div", { class: "qr-box" }, qrCode(uri)),
            el("p", {}, "Key: ", el("code", { id: "totp-key", class: "key" }, spelled(secret))),
          ),
          el("li", {}, "Type the six-digit code the app shows."),
        ),
        codeForm("Verify", resolve),
      );
      warn(
        retry
          ? "That authenticator code is wrong or has expired: type the code the app shows now."
          : "",
      );
    }),
  totpCode: (retry) =>
    new Promise((resolve) => {
      say("");
      show(
        "Enter your authenticator code",
        el(
          "p",
          {},
          "Open your authenticator app and type the six-digit code it shows for studio-access.",
        ),
        codeForm("Continue", resolve),
      );
      warn(
        retry
          ? "That authenticator code is wrong or has expired: type the code the app shows now."
          : "",
      );
    }),
};

function codeForm(label: string, resolve: (code: string) => void): HTMLFormElement {
  return form(
    label,
    [
      field("code", "Authenticator code", {
        inputmode: "numeric",
        autocomplete: "one-time-code",
        pattern: "[0-9]{6}",
        maxlength: "6",
      }),
    ],
    (values, done) => {
      done();
      const code = (values.code ?? "").replace(/\s/g, "");
      if (!/^\d{6}$/.test(code)) {
        warn("An authenticator code is six digits.");
        return;
      }
      warn("");
      say("Checking the code…");
      resolve(code);
    },
  );
}

async function signIn(username: string, password: string): Promise<void> {
  warn("");
  say("Signing in…");
  try {
    const tokens = await cognito.signIn(username.trim(), password, prompter);
    keep({ username: username.trim(), ...tokens });
    say("");
    await home();
  } catch (error) {
    signInScreen(sentence(cognitoMessage(error, "sign-in")));
  }
}

function signedInBar(): void {
  const out = el("button", { type: "button", class: "link" }, "Sign out");
  out.addEventListener("click", () => void signOut());
  header.replaceChildren(
    el("p", { class: "who" }, "Signed in as ", el("strong", {}, session?.username ?? "")),
    out,
  );
}

function forgetBookmark(): void {
  if (location.search) history.replaceState(null, "", location.pathname);
}

async function home(): Promise<void> {
  signedInBar();
  const wanted = deepLinkOf(location.search);
  if (wanted) {
    forgetBookmark();
    await confirmScreen(wanted);
    return;
  }
  await listScreen();
}

/** A LOB or team name that is not one, said on the list (undefined when both are names). */
function badName(request: { lob: string; team?: string }): string | undefined {
  if (NAME.test(request.lob) && (request.team === undefined || NAME.test(request.team)))
    return undefined;
  return `${request.lob}: that is not a LOB or team name (lower-case letters, digits and hyphens).`;
}

/**
 * A deep link is only a question: the page names the LOB, team and app and calls the API on the
 * person's click, so a link someone else sent opens nothing by itself.
 */
async function confirmScreen(link: DeepLink): Promise<void> {
  const bad = badName(link);
  if (bad) {
    await listScreen(bad);
    return;
  }
  say("");
  const where = `${link.lob}${link.team ? ` (team ${link.team})` : ""}`;
  const app = link.app ? APP_NAMES[link.app] : undefined;
  const openButton = el("button", { type: "button" }, "Open");
  const allButton = el("button", { type: "button", class: "link" }, "Show all my Studios");
  openButton.addEventListener("click", () => {
    openButton.disabled = true;
    void open({ lob: link.lob, team: link.team, app: link.app });
  });
  allButton.addEventListener("click", () => void listScreen());
  show(
    `Open ${where}${app ? ` in ${app}` : ""}?`,
    el("p", {}, "You followed a link to this Studio. Open it, or see all your Studios first."),
    el("div", { class: "actions" }, openButton, allButton),
  );
  warn(link.notice);
}

async function listScreen(message = ""): Promise<void> {
  say("Loading your Studios…");
  let studios: Studio[];
  try {
    studios = await api.list();
  } catch (error) {
    failed(error);
    return;
  }
  say("");
  show(
    "Your Studios",
    studios.length === 0
      ? el("p", {}, "You have no Studio yet: ask your platform team to grant you one.")
      : el(
          "p",
          {},
          "Each line is a line of business (LOB) and a team you may work in. Choose where to land, then open it.",
        ),
    el("ul", { class: "studios" }, ...studios.map(studioRow)),
  );
  warn(message);
}

function studioRow(studio: Studio, index: number): HTMLElement {
  const id = `s${String(index)}`;
  const title = `${studio.lob}, team ${studio.team}`;
  const status = studio.enabled ? "available" : "disabled: ask your platform team";
  const item = el(
    "li",
    { class: "studio" },
    el("h2", {}, studio.lob, el("span", { class: "team" }, ` team ${studio.team}`)),
    el("p", { class: studio.enabled ? "status ok" : "status off" }, `Status: ${status}`),
  );
  if (!studio.enabled) return item;
  const select = el(
    "select",
    { id: `${id}-app`, name: "app" },
    ...Object.keys(LANDING_APPS).map((app) => el("option", { value: app }, APP_NAMES[app] ?? app)),
  );
  const bookmark = el(
    "a",
    { class: "bookmark", href: `?${new URLSearchParams({ lob: studio.lob, team: studio.team })}` },
    `Link to open ${title}`,
  );
  item.append(
    form(
      `Open ${studio.lob} (${studio.team})`,
      [
        el("div", { class: "field" }, el("label", { for: `${id}-app` }, "Open in"), select),
        el(
          "div",
          { class: "field" },
          el("label", { for: `${id}-space` }, "Space (optional)"),
          el(
            "p",
            { id: `${id}-space-hint`, class: "hint" },
            "A JupyterLab or Code Editor space's name, to open it directly.",
          ),
          el("input", {
            id: `${id}-space`,
            name: "space",
            autocapitalize: "none",
            spellcheck: "false",
            "aria-describedby": `${id}-space-hint`,
          }),
        ),
      ],
      (values, done) => {
        done();
        const space = (values.space ?? "").trim();
        const app = values.app === "studio" ? undefined : values.app;
        if (space && !SPACE_NAME.test(space)) {
          warn("A space name has letters, digits and hyphens only.");
          return;
        }
        if (space && !app) {
          warn("A space opens in JupyterLab or Code Editor: choose one of them.");
          return;
        }
        void open({ lob: studio.lob, team: studio.team, app, space: space || undefined });
      },
      `${id}-form`,
    ),
    bookmark,
  );
  return item;
}

async function open(request: OpenRequest): Promise<void> {
  warn("");
  const bad = badName(request);
  if (bad) {
    await listScreen(bad);
    return;
  }
  show(
    `Opening ${request.lob}`,
    el(
      "p",
      {},
      `Asking for a sign-in link to ${request.lob}${request.team ? `, team ${request.team}` : ""}…`,
    ),
  );
  say(`Opening ${request.lob}…`);
  try {
    const url = await api.open(
      request,
      (seconds) => {
        say(
          `Your Studio profile is being created (a first visit takes a few minutes): trying again in ${String(seconds)} s.`,
        );
      },
      (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    );
    say(`Opening ${request.lob} in Studio…`);
    location.assign(url);
  } catch (error) {
    if (error instanceof ApiRefusal && !error.signIn) {
      await listScreen(sentence(error.message, false));
      return;
    }
    failed(error);
  }
}

function failed(error: unknown): void {
  say("");
  if (error instanceof ApiRefusal && error.signIn) {
    keep(undefined);
    signInScreen(sentence(error.message));
    return;
  }
  show("Something went wrong", el("p", {}, "Reload the page to try again."));
  warn(sentence(error instanceof Error ? error.message : String(error)));
}

async function signOut(): Promise<void> {
  const current = session;
  keep(undefined);
  sessionStorage.clear();
  let message = "";
  if (current) {
    try {
      await cognito.revoke(current.refreshToken);
    } catch (error) {
      message = `Signed out in this browser, but the session could not be revoked (${cognitoMessage(error, "refresh")}); it lapses at its own expiry.`;
    }
  }
  signInScreen(message);
  say(message ? "" : "You are signed out.");
}

function readConfig(): Config {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="studio-access-config"]');
  const value = JSON.parse(meta?.content ?? "null") as Partial<Config> | null;
  if (
    !value ||
    typeof value.apiBase !== "string" ||
    !value.apiBase.startsWith("/") ||
    !value.apiBase.endsWith("/") ||
    typeof value.userPoolId !== "string" ||
    typeof value.clientId !== "string" ||
    typeof value.cognitoEndpoint !== "string"
  )
    throw new Error("this page's settings are missing: ask your platform team");
  return value as Config;
}

function start(): void {
  root.replaceChildren(header, alertBox, progress, screen);
  alertBox.hidden = true;
  try {
    config = readConfig();
  } catch (error) {
    show("Studio access is not available");
    warn(error instanceof Error ? error.message : String(error));
    return;
  }
  cognito = new Cognito(config.cognitoEndpoint, config.clientId, config.userPoolId);
  api = new AccessApi(config.apiBase, accessToken);
  const resumed = stored();
  if (resumed) {
    keep(resumed);
    void home();
  } else signInScreen();
}

start();
