import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/**
 * Every temporary folder a test makes in the system's temp folder is removed by that test file:
 * a folder made with `mkdtempSync(path.join(tmpdir(), …))` into a variable has an `rmSync` of that
 * variable in the same file. (cli-sandbox's admin tests once left two studio-access-admin-… folders,
 * each holding an admin session file, behind every run.) Folders made inside such a folder go with it.
 */
const TESTS = __dirname;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? testFiles(path.join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [path.join(dir, entry.name)]
        : [],
  );
}

/** The variables a file makes temp folders into, and the ones it removes with rmSync. */
function tempFolders(file: string): { made: string[]; removed: Set<string> } {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, "utf8"),
    ts.ScriptTarget.Latest,
    true,
  );
  const made: string[] = [];
  const removed = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const callee = node.expression.text;
      const [first] = node.arguments;
      if (callee === "rmSync" && first) removed.add(first.getText(source));
      if (callee === "mkdtempSync" && first?.getText(source).includes("tmpdir()")) {
        const parent = node.parent;
        if (ts.isVariableDeclaration(parent)) made.push(parent.name.getText(source));
        else if (ts.isBinaryExpression(parent)) made.push(parent.left.getText(source));
        else
          made.push(
            `(unnamed, line ${String(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1)})`,
          );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { made, removed };
}

it("every temp folder a test makes in the system's temp folder is removed by its file", () => {
  const leaks = testFiles(TESTS).flatMap((file) => {
    const { made, removed } = tempFolders(file);
    return made
      .filter((name) => !removed.has(name))
      .map((name) => `${path.relative(TESTS, file)}: ${name}`);
  });
  expect(leaks).toEqual([]);
});
