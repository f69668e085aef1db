import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { REPO_ROOT } from "../../functions/build";
import { kindProblems, loadStackConfig, PROJECT, StackFileError } from "./mock-stack";
import { readHubLobs } from "../../stacks/config/lobs-file";

/**
 * The project's `Pulumi.<stack>.yaml` files checked as one set, before `plan`, `sandbox`, `deploy`
 * or `destroy` acts on any of them. Every such file in the folder is a stack to these commands (and
 * to Pulumi), so a copy kept aside or a file edited in the wrong place changes what they do: a
 * second hub, a LOB deployed twice into its one account, settings Pulumi never reads. Each problem
 * is one line naming the file (and line), the key and the fix.
 */

/** The keys Pulumi reads at the top of a stack settings file (its stack settings file reference); it ignores any other. */
const STACK_FILE_KEYS = [
  "config",
  "environment",
  "secretsprovider",
  "encryptedkey",
  "encryptionsalt",
];

/** Pulumi's rule for a stack name: letters, digits, hyphens, underscores and periods, at most 100. */
const STACK_NAME = /^[\w.-]{1,100}$/;

/**
 * Names a copy kept aside takes: an editor's or a person's suffix (shared.orig, lob-a.bak, lob-b~),
 * or git mergetool's (shared_BACKUP_1234, shared_BASE_1234, shared_LOCAL_1234, shared_REMOTE_1234).
 */
const KEPT_ASIDE =
  /(\.(orig|bak|backup|old|copy|save|tmp|swp|rej)|~|_(BACKUP|BASE|LOCAL|REMOTE)_\d+)$/i;

/** Settings that hold account ids (hubAccountId, lobs.<lob>.accountId, aws:allowedAccountIds). */
const ACCOUNT_KEY = /accountids?$/i;

const STACK_FILE = /^Pulumi\.(.+)\.yaml$/;

const fileOf = (stack: string) => `Pulumi.${stack}.yaml`;

const COUNT_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const countWord = (n: number) => COUNT_WORDS[n] ?? String(n);

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} and ${items.at(-1) ?? ""}`;
}

const bothOrAll = (items: readonly unknown[]) => (items.length === 2 ? "both" : "all");

/** A stack file that could be read: its flat config (as Pulumi hands it to the program). */
interface ReadStack {
  readonly stack: string;
  readonly config: Record<string, string>;
}

/**
 * Every problem of the folder's stack files, one line each: files that look like copies kept aside
 * or whose name is no stack name, files that cannot be read, keys Pulumi would ignore, account ids
 * YAML reads as numbers, stacks that do not say what they are, and then the set as a whole (one hub,
 * one stack per LOB, every LOB stack's LOB listed by the hub). Empty when the set may be acted on.
 */
export function stackSetProblems(dir = REPO_ROOT): string[] {
  const problems: string[] = [];
  const read: ReadStack[] = [];
  const stacks = readdirSync(dir)
    .flatMap((file) => STACK_FILE.exec(file)?.slice(1, 2) ?? [])
    .sort();
  for (const stack of stacks) {
    problems.push(...nameProblems(stack));
    let config: Record<string, string>;
    try {
      config = loadStackConfig(stack, dir);
    } catch (error) {
      if (!(error instanceof StackFileError)) throw error;
      problems.push(error.message);
      continue;
    }
    problems.push(
      ...sourceProblems(stack, readFileSync(path.join(dir, fileOf(stack)), "utf8")),
      ...kindProblems([{ stack, kind: config[`${PROJECT}:kind`] ?? "" }]),
    );
    read.push({ stack, config });
  }
  const kind = (s: ReadStack) => s.config[`${PROJECT}:kind`];
  const hubs = read.filter((s) => kind(s) === "shared");
  const lobStacks = read.filter((s) => kind(s) === "lob");
  problems.push(
    ...hubProblems(hubs),
    ...lobProblems(lobStacks, hubs.length === 1 ? hubs[0] : undefined, dir),
  );
  return problems;
}

function nameProblems(stack: string): string[] {
  const kept = KEPT_ASIDE.exec(stack)?.[0];
  if (kept !== undefined)
    return [
      `${fileOf(stack)} looks like a copy kept aside (${kept}), but plan, sandbox, deploy and destroy would act on it as a stack named ${stack}: move it out of this folder`,
    ];
  if (!STACK_NAME.test(stack))
    return [
      `${fileOf(stack)}: "${stack}" is not a stack name Pulumi accepts (letters, digits, -, _ and . only, at most 100): rename the file, or move it out of this folder`,
    ];
  return [];
}

/** What only the file's text shows: keys outside `config:`, and account ids written as numbers. */
function sourceProblems(stack: string, text: string): string[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const at = (node: Node | null | undefined) =>
    node?.range ? ` line ${String(lineCounter.linePos(node.range[0]).line)}` : "";
  const contents = doc.contents;
  if (contents === null) return [];
  if (!isMap(contents))
    return [`${fileOf(stack)}${at(contents)}: expected the settings as a map under config:`];
  const problems: string[] = [];
  for (const pair of contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (STACK_FILE_KEYS.includes(key)) continue;
    const keyNode = isScalar(pair.key) ? pair.key : undefined;
    problems.push(
      STACK_FILE_KEYS.includes(key.toLowerCase())
        ? `${fileOf(stack)}${at(keyNode)}: ${key}: is not read by Pulumi, whose keys are lower case: write ${key.toLowerCase()}:`
        : `${fileOf(stack)}${at(keyNode)}: ${key} is outside config:, where Pulumi ignores it (a stack file's top level holds only ${listed(STACK_FILE_KEYS)}): indent it under config:`,
    );
  }
  const config = contents.get("config", true);
  if (isMap(config)) {
    for (const pair of config.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      problems.push(
        ...numericAccountIds(key.includes(":") ? key : `${PROJECT}:${key}`, pair.value as Node).map(
          ({ key: where, node }) => {
            const written = node.source ?? String(node.value);
            const read = String(node.value);
            return `${fileOf(stack)}${at(node)}: ${where} is ${written} without quotes, which YAML reads as a number${read === written ? "" : ` (${read})`}: quote it ("${written}"), as an account id is text`;
          },
        ),
      );
    }
  }
  return problems;
}

type NumberScalar = Node & { source?: string; value: unknown };

/** The account-id settings at or under `key` whose value YAML read as a number. */
function numericAccountIds(key: string, node: Node | null): { key: string; node: NumberScalar }[] {
  const isNumber = (n: unknown): n is NumberScalar =>
    isScalar(n) && (typeof n.value === "number" || typeof n.value === "bigint");
  const found: { key: string; node: NumberScalar }[] = [];
  if (ACCOUNT_KEY.test(key)) {
    if (isNumber(node)) found.push({ key, node });
    if (isSeq(node))
      node.items.forEach((item, i) => {
        if (isNumber(item)) found.push({ key: `${key}[${String(i)}]`, node: item });
      });
  }
  if (isMap(node))
    for (const pair of node.items)
      if (isScalar(pair.key))
        found.push(...numericAccountIds(`${key}.${String(pair.key.value)}`, pair.value as Node));
  return found;
}

function hubProblems(hubs: readonly ReadStack[]): string[] {
  if (hubs.length < 2) return [];
  const files = hubs.map((s) => fileOf(s.stack));
  return [
    `${countWord(hubs.length)} hub stacks: ${listed(files)} ${bothOrAll(files)} set ${PROJECT}:kind: shared, but a project has one hub (deploy would make another, and destroy would lift the user pool's deletion protection of each): keep one and move ${hubs.length === 2 ? "the other" : "the others"} out of this folder`,
  ];
}

function lobProblems(
  lobStacks: readonly ReadStack[],
  hub: ReadStack | undefined,
  dir: string,
): string[] {
  const problems: string[] = [];
  const hubLobs = hub ? registeredLobs(hub, dir) : undefined;
  const byLob = new Map<string, string[]>();
  for (const { stack, config } of lobStacks) {
    const lob = config[`${PROJECT}:lob`];
    if (lob !== undefined) byLob.set(lob, [...(byLob.get(lob) ?? []), stack]);
  }
  for (const [lob, stacks] of byLob) {
    if (stacks.length < 2) continue;
    const account = hubLobs && Object.hasOwn(hubLobs, lob) ? hubLobs[lob]?.accountId : undefined;
    problems.push(
      `${listed(stacks.map(fileOf))} ${bothOrAll(stacks)} set ${PROJECT}:lob: ${lob}, so ${countWord(stacks.length)} stacks would deploy ${lob} into its one account${typeof account === "string" ? ` (${account})` : ""}: give each file its own LOB of ${hubLobsWhere(hub)}, or move the copy out of this folder`,
    );
  }
  if (hub && hubLobs)
    for (const [lob, stacks] of byLob)
      if (!Object.hasOwn(hubLobs, lob))
        for (const stack of stacks)
          problems.push(
            `${fileOf(stack)}: ${PROJECT}:lob is "${lob}", which ${hubLobsWhere(hub)} does not list (it lists ${listed(Object.keys(hubLobs)) || "none"}): add ${lob} there (its accountId, vpcCidr and deployer), or correct the name`,
          );
  // Each LOB stack reads the hub's outputs from the stack its sharedStack names: this folder's hub.
  if (hub)
    for (const { stack, config } of lobStacks) {
      const sharedStack = config[`${PROJECT}:sharedStack`];
      const [organization, project, hubStack, ...rest] = sharedStack?.split("/") ?? [];
      if (hubStack && rest.length === 0 && (project !== PROJECT || hubStack !== hub.stack))
        problems.push(
          `${fileOf(stack)}: ${PROJECT}:sharedStack is "${sharedStack ?? ""}", but this folder's hub stack is ${hub.stack} (${fileOf(hub.stack)}): expected ${organization}/${PROJECT}/${hub.stack}`,
        );
    }
  return problems;
}

/** Where the hub's LOBs are written: its lobsFile, or its inline lobs in its stack file. */
function hubLobsWhere(hub: ReadStack | undefined): string {
  const file = hub?.config[`${PROJECT}:lobsFile`];
  return file === undefined
    ? `the hub's ${PROJECT}:lobs in ${hub ? fileOf(hub.stack) : "the hub's stack file"}`
    : `the hub's ${PROJECT}:lobsFile ${file}`;
}

/**
 * The hub's LOB map (inline `lobs` or its `lobsFile`), or undefined when it is not one (its own
 * config check says so).
 */
function registeredLobs(
  hub: ReadStack,
  dir: string,
): Record<string, { accountId?: unknown }> | undefined {
  return readHubLobs(hub.config, dir).lobs;
}
