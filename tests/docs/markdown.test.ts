/**
 * The documents stay navigable: every relative link in README.md, SECURITY.md and docs/*.md
 * reaches a file (and a heading, when it names one), every repository path and test file it names
 * in backquotes exists, every `npm run` it names is a script of package.json, and no table row is
 * too wide to read in a terminal.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const DOCS = join(ROOT, "docs");
const PAGES = [
  join(ROOT, "README.md"),
  join(ROOT, "SECURITY.md"),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(DOCS, name)),
];
/** The scripts package.json defines: the commands a page may tell a reader to run. */
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: object }).scripts,
);
/**
 * Backquoted paths a page names on purpose although this repository has no such file, each with
 * the reason. An entry whose file now exists fails the test: it is no longer an exception.
 */
const NAMED_BUT_ABSENT: Record<string, string> = {
  "src/function/callback-deprecation.ts": "the AWS Lambda Node.js runtime interface client's file",
  "packages/node-http-handler/src/set-request-timeout.ts": "smithy-typescript's file",
};
/** Every test file's base name: pages name a test by it (`presigner.test.ts`). */
const TEST_FILES = new Set(
  execFileSync("git", ["ls-files", "tests"], { cwd: ROOT, encoding: "utf8" })
    .split("\n")
    .map((path) => basename(path)),
);
/** Wider than this, a row wraps in an ordinary terminal and the table stops being one. */
const MAX_TABLE_ROW = 160;

/** The page's lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(text: string): { line: string; number: number }[] {
  let fenced = false;
  const lines: { line: string; number: number }[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trimStart().startsWith("```")) fenced = !fenced;
    else if (!fenced) lines.push({ line, number: index + 1 });
  });
  return lines;
}

/**
 * A heading's anchor as GitHub renders it: lower case, punctuation dropped, spaces to dashes
 * (the rule github-slugger implements; a repeated heading would get `-1`, which no page has).
 */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/ /g, "-");
}

/**
 * What the page's prose puts in backquotes (code spans may wrap across lines). A span that looks
 * like a file of this repository: it has a `/`, ends in a source, data or page extension, and is
 * neither a URL, nor a URL path (`/.well-known/jwks.json`), nor a glob or placeholder.
 */
function codeSpans(text: string): string[] {
  const prose = proseLines(text)
    .map(({ line }) => line)
    .join("\n");
  return [...prose.matchAll(/`([^`]+)`/g)].map((match) => (match[1] ?? "").replace(/\s+/g, " "));
}

function isRepositoryPath(span: string): boolean {
  return (
    span.includes("/") &&
    /\.(ts|js|json|ya?ml|md)$/.test(span) &&
    !span.includes("://") &&
    !span.startsWith("/") &&
    !/[*?<>{}[\]\s…]/.test(span)
  );
}

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  for (const { line } of proseLines(readFileSync(file, "utf8"))) {
    const heading = /^#+ (.*)$/.exec(line);
    if (heading?.[1] !== undefined) anchors.add(anchorOf(heading[1]));
  }
  return anchors;
}

describe.each(PAGES.map((page) => [page.slice(ROOT.length + 1), page]))("%s", (_name, page) => {
  const text = readFileSync(page, "utf8");

  it("links only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const { line, number } of proseLines(text)) {
      for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] ?? "";
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto: — not this repository's
        const [path = "", anchor] = target.split("#");
        const file = path === "" ? page : resolve(dirname(page), path);
        if (!existsSync(file)) broken.push(`line ${number}: ${target} (no such file)`);
        else if (anchor !== undefined && file.endsWith(".md") && !anchorsOf(file).has(anchor))
          broken.push(`line ${number}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("names only repository paths that exist", () => {
    const missing = codeSpans(text).filter(
      (span) =>
        isRepositoryPath(span) &&
        !existsSync(resolve(ROOT, span)) &&
        NAMED_BUT_ABSENT[span.replace(/^\.\//, "")] === undefined,
    );
    expect(missing).toEqual([]);
  });

  it("names only test files that exist", () => {
    const named = codeSpans(text).filter((span) => /^[\w.-]+\.test\.ts$/.test(span));
    expect(named.filter((name) => !TEST_FILES.has(name))).toEqual([]);
  });

  it(`has no table row longer than ${MAX_TABLE_ROW} characters`, () => {
    const wide = proseLines(text)
      .filter(({ line }) => line.startsWith("|") && line.length > MAX_TABLE_ROW)
      .map(({ line, number }) => `line ${number}: ${line.length} characters`);
    expect(wide).toEqual([]);
  });

  it("names only npm scripts that package.json defines", () => {
    const named = [...text.matchAll(/npm run ([\w:-]+)/g)].map((match) => match[1]);
    expect(named.filter((script) => !SCRIPTS.includes(script ?? ""))).toEqual([]);
  });
});

it("lists as named-but-absent only paths that are still absent", () => {
  expect(Object.keys(NAMED_BUT_ABSENT).filter((path) => existsSync(join(ROOT, path)))).toEqual([]);
});
