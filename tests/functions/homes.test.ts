import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createHandler } from "../../functions/homes/handler";

/** A stand-in for the domain's EFS, mounted at its root: one directory per profile's UID. */
let root: string;
let outside: string;
let lines: string[];
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "homes-"));
  outside = mkdtempSync(path.join(tmpdir(), "outside-"));
  writeFileSync(path.join(outside, "keep.txt"), "not a home");
  for (const uid of ["200001", "200002"]) {
    mkdirSync(path.join(root, uid, "notebooks"), { recursive: true });
    writeFileSync(path.join(root, uid, "notebooks", "a.ipynb"), "{}");
    writeFileSync(path.join(root, uid, ".bashrc"), "");
  }
  lines = [];
  jest.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe("the home-directory function", () => {
  it("removes exactly the UID's directory and logs what it removed", async () => {
    const handler = createHandler({ homeRoot: root });
    await expect(
      handler({ uid: "200001", profile: "analytics--user-lob-a", domainId: "d-1" }),
    ).resolves.toEqual({ uid: "200001", outcome: "removed", entries: 2 });
    expect(readdirSync(root)).toEqual(["200002"]);
    expect(readdirSync(path.join(root, "200002")).sort()).toEqual([".bashrc", "notebooks"]);
    expect(JSON.parse(lines.join(""))).toMatchObject({
      message: "home",
      uid: "200001",
      profile: "analytics--user-lob-a",
      domainId: "d-1",
      outcome: "removed",
      entries: 2,
    });
  });

  it("answers absent for a UID without a directory (never opened an app, or removed before)", async () => {
    const handler = createHandler({ homeRoot: root });
    await expect(handler({ uid: "200009" })).resolves.toEqual({
      uid: "200009",
      outcome: "absent",
      entries: 0,
    });
    await handler({ uid: "200001" });
    await expect(handler({ uid: "200001" })).resolves.toMatchObject({ outcome: "absent" });
    expect(readdirSync(root)).toEqual(["200002"]);
  });

  it.each([
    ["the root", "0"],
    ["a system UID", "1000"],
    ["the parent", ".."],
    ["a path", "200001/../200002"],
    ["an absolute path", "/etc"],
    ["an empty value", ""],
    ["a negative number", "-200001"],
    ["a leading zero", "0200001"],
  ])("refuses %s (%s), removing nothing", async (_name, uid) => {
    const handler = createHandler({ homeRoot: root });
    await expect(handler({ uid })).rejects.toThrow("is not a home directory's UID");
    expect(readdirSync(root).sort()).toEqual(["200001", "200002"]);
  });

  it("accepts a numeric UID as SageMaker's JSON gives it", async () => {
    const handler = createHandler({ homeRoot: root });
    await expect(handler({ uid: 200002 })).resolves.toMatchObject({
      uid: "200002",
      outcome: "removed",
    });
  });

  it("refuses a UID whose entry is a link, never following it out of the file system", async () => {
    symlinkSync(outside, path.join(root, "200003"));
    const handler = createHandler({ homeRoot: root });
    await expect(handler({ uid: "200003" })).rejects.toThrow("refused: /200003 is not a directory");
    expect(readdirSync(outside)).toEqual(["keep.txt"]);
  });
});
