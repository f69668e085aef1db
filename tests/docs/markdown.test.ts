/**
 * The documents stay navigable: every relative link in README.md and docs/*.md reaches a file
 * (and a heading, when it names one), every `npm run` it names is a script of package.json, and no
 * table row is too wide to read in a terminal.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const DOCS = join(ROOT, "docs");
const PAGES = [
  join(ROOT, "README.md"),
  ...readdirSync(DOCS)
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(DOCS, name)),
];
/** The scripts package.json defines: the commands a page may tell a reader to run. */
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: object }).scripts,
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
