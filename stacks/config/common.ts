/**
 * What every section of the stack config shares: the error, the problem lines, the value kinds.
 *
 * The config is described with zod 4 schemas. zod is maintained and widely used; its schemas are
 * also the TypeScript types (`z.output`), its issues carry the exact path (`lobs.lob-a.accountId`)
 * so a problem names the key, every check takes its own message (the expectation we print), it has
 * discriminated unions for `kind`, and `z.toJSONSchema()` is built in, so the JSON Schema that
 * editors use for the stack files comes from these same definitions. (valibot needs a separate
 * package for JSON Schema; typebox starts from JSON Schema and its messages are less precise.)
 *
 * Pulumi hands the program every value as text (YAML maps and lists as JSON), so each key is
 * decoded to the YAML value its schema describes, checked alone, and then the sections check what
 * holds between keys (overlapping ranges, quotas) among the values that passed.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { formatCidr, parseCidr } from "../../components/lib/cidr";

/** The config namespace: keys are written `studio-access:<key>` in the stack files. */
export const NAMESPACE = "studio-access";

/**
 * Every problem found in a stack's config, each naming the key, the value and what was expected.
 * A RunError, so `pulumi up` prints the message alone, without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
  /** @param file the stack file the problems are in, when known (`Pulumi.lob-a.yaml`) */
  constructor(
    readonly problems: readonly string[],
    readonly file?: string,
  ) {
    super(
      `invalid stack configuration${file === undefined ? "" : ` in ${file}`}:\n  - ${problems.join("\n  - ")}`,
    );
    this.name = "ConfigError";
  }
}

/** The longest value a message repeats whole; a longer one is cut, saying how long it was. */
const SHOWN_CHARACTERS = 300;

export const show = (value: unknown): string => {
  const shown = typeof value === "string" ? `"${value}"` : JSON.stringify(value);
  return shown.length <= SHOWN_CHARACTERS
    ? shown
    : `${shown.slice(0, SHOWN_CHARACTERS)}… (${shown.length} characters)`;
};

/** The problems of one stack's config, each a line naming `<namespace>:<key>`. */
export class Problems {
  readonly list: string[] = [];
  private readonly prefix = NAMESPACE;
  private readonly names = new Map<string, string>();

  /**
   * Names key `key`, and every key under it, as `as` in the lines that follow: a value read from a
   * file is named by the file (`lobs.lob-a.vpcCidr` as `lobsFile lobs.yaml: lob-a.vpcCidr`).
   */
  nameKey(key: string, as: string): void {
    this.names.set(key, as);
  }

  private named(key: string): string {
    for (const [from, as] of this.names) {
      if (key === from) return as;
      if (key.startsWith(`${from}.`)) return `${as}: ${key.slice(from.length + 1)}`;
    }
    return key;
  }

  /** `<key> is <value>: expected <expected>`. */
  at(key: string, value: unknown, expected: string): void {
    this.list.push(`${this.prefix}:${this.named(key)} is ${show(value)}: expected ${expected}`);
  }

  missing(key: string, expected: string): void {
    this.list.push(`${this.prefix}:${this.named(key)} is not set: expected ${expected}`);
  }

  /** `<key> <rest>`, for problems that are not a wrong value (an unknown key, a quota). */
  line(key: string, rest: string): void {
    this.list.push(`${this.prefix}:${this.named(key)} ${rest}`);
  }
}

/**
 * Marks a message that follows the key directly (`is not a setting ...`) instead of the usual
 * `is <value>: expected <message>`.
 */
const AFTER_KEY = "\u0000";

export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
export const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/[\w+=,.@/-]{1,64}$/;

/** A string matching `pattern`; anything else is refused with `expected`. */
export const matching = (pattern: RegExp, expected: string) =>
  z.string({ error: expected }).regex(pattern, { error: expected });

/** A whole number within bounds (YAML's `3`, which Pulumi hands over as "3"). */
export const integer = (min: number, max: number) => {
  const expected = `a whole number from ${min} to ${max}`;
  return z.int({ error: expected }).min(min, { error: expected }).max(max, { error: expected });
};

export const flag = () => z.boolean({ error: "true or false" });

/**
 * How the stack files should write a value whose run-time schema accepts more (a form chosen by a
 * key, a number that YAML made of an id): the JSON Schema for editors shows this one instead.
 */
export const writtenAs = new Map<z.core.$ZodType, z.ZodType>();

/**
 * The text of an IPv4 CIDR whose prefix is within bounds, as a pattern, for editors: octets up to
 * 255 and prefixes written as parseCidr reads them (`/08` too). Host bits need arithmetic, so a
 * range such as 10.0.0.1/16 is left to the program.
 */
const cidrPattern = (minPrefix: number, maxPrefix: number): RegExp => {
  const octet = "(25[0-5]|2[0-4]\\d|[01]?\\d?\\d)";
  const prefixes = Array.from({ length: maxPrefix - minPrefix + 1 }, (_, i) => minPrefix + i).map(
    (prefix) => (prefix < 10 ? `0?${prefix}` : String(prefix)),
  );
  return new RegExp(`^${octet}(\\.${octet}){3}\\/(${prefixes.join("|")})$`);
};

/** An IPv4 CIDR (no host bits) whose prefix is within bounds. */
/** `a.b.c.d/n` with its host bits cleared, for a value only they make invalid. */
function hostBitsCleared(value: string): ReturnType<typeof parseCidr> {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: base - (base % size), prefix };
}

export const cidr = (minPrefix: number, maxPrefix: number) => {
  const expected = `an IPv4 CIDR from /${minPrefix} to /${maxPrefix}, such as 10.0.0.0/${minPrefix}`;
  const schema = z.string({ error: expected }).superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (parsed !== undefined && parsed.prefix >= minPrefix && parsed.prefix <= maxPrefix) return;
    // A range within bounds but for its host bits: name the range it most likely means.
    const network = hostBitsCleared(value);
    ctx.addIssue({
      code: "custom",
      message:
        network !== undefined && network.prefix >= minPrefix && network.prefix <= maxPrefix
          ? `${expected}: the range's first address, ${formatCidr(network)} (${value} has host bits set)`
          : expected,
    });
  });
  // The refinement is code, which a JSON Schema cannot carry: editors get the pattern instead.
  writtenAs.set(schema, matching(cidrPattern(minPrefix, maxPrefix), expected));
  return schema;
};

/** Whether `cidr` is a valid range within bounds (for checks across keys, on passed values). */
export const within = (value: string, minPrefix: number, maxPrefix: number): boolean => {
  const parsed = parseCidr(value);
  return parsed !== undefined && parsed.prefix >= minPrefix && parsed.prefix <= maxPrefix;
};

/**
 * An account id. YAML reads an unquoted `012345678901` as the number 12345678901, dropping the
 * zero, so a number short of 12 digits is refused with the quoted id to write instead.
 */
export const accountId = (expected: string) => {
  const schema = z.union([z.string(), z.number()], { error: expected }).transform((value, ctx) => {
    const id = String(value);
    if (ACCOUNT_ID.test(id)) return id;
    const dropped = typeof value === "number" && /^\d{1,11}$/.test(id);
    ctx.addIssue({
      code: "custom",
      message: dropped
        ? `${expected}: YAML read an unquoted 0… as a number and dropped the leading zero; write "${id.padStart(12, "0")}"`
        : expected,
      params: { value },
    });
    return z.NEVER;
  });
  // In the stack files, quoted: an editor then flags the unquoted number before YAML drops a zero.
  writtenAs.set(schema, matching(ACCOUNT_ID, expected).describe(`${expected} ("012345678901")`));
  return schema;
};

/**
 * An object that refuses keys it does not know, naming them and the known ones; `expected` is
 * the message for a value that is not an object at all.
 */
export const strict = <S extends z.ZodRawShape>(
  shape: S,
  expected: string,
  unknown: "setting" | "value" = "setting",
) => {
  const known = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return expected;
      return unknown === "setting"
        ? `${AFTER_KEY}is not a setting (known: ${known})`
        : `no such setting (known: ${known})`;
    },
  });
};

/** Adds a problem at `path` of the value being checked, showing `value`. */
export function refuse(
  ctx: z.RefinementCtx,
  path: readonly (string | number)[],
  value: unknown,
  expected: string,
): void {
  ctx.addIssue({ code: "custom", path: [...path], message: expected, params: { value } });
}

/** Refuses repeats in a list, each named at its index (or at `field` of the item there). */
export const noRepeats =
  <T>(expected: string, field?: keyof T & string) =>
  (items: readonly T[], ctx: z.RefinementCtx) => {
    const seen = new Set<unknown>();
    items.forEach((item, i) => {
      const id = field === undefined ? item : item[field];
      if (seen.has(id)) refuse(ctx, field === undefined ? [i] : [i, field], id, expected);
      seen.add(id);
    });
  };

/**
 * Usernames that differ only by letter case: refused, naming the first spelling. People and
 * identity providers take `Ann` and `ann` for one person; two Cognito users and two profiles
 * for them split that person's access.
 */
export function sameButCase(
  usernames: readonly { key: string; username: string }[],
  problems: Problems,
): void {
  const first = new Map<string, { key: string; username: string }>();
  for (const entry of usernames) {
    const folded = entry.username.toLowerCase();
    const earlier = first.get(folded);
    if (earlier && earlier.username !== entry.username)
      problems.at(
        entry.key,
        entry.username,
        `a username that differs from ${earlier.key} ("${earlier.username}") by more than letter case: people and identity providers take them for one person; keep one spelling`,
      );
    else if (!earlier) first.set(folded, entry);
  }
}

type Shape = Readonly<Record<string, z.ZodType>>;

/** What each key of a section parsed to, for the keys that passed. */
export type Parsed<S extends Shape> = { -readonly [K in keyof S]?: z.output<S[K]> };

/** The kind of YAML value a schema describes, through optional, default and pipe wrappers. */
function valueKind(schema: z.ZodType): string {
  let def = schema._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
  for (;;) {
    const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined);
    if (inner === undefined) return def.type;
    def = inner._zod.def;
  }
}

/** Whether a kind of value reaches the program as JSON text (a YAML map or list). */
const isStructured = (kind: string): boolean =>
  !["number", "boolean", "string", "enum", "literal"].includes(kind);

/** Pulumi's text for a key, as the YAML value its schema describes; undefined if not JSON. */
function decode(kind: string, raw: string): { value: unknown } | undefined {
  switch (kind) {
    case "number":
      return { value: raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw };
    case "boolean":
      return { value: raw === "true" ? true : raw === "false" ? false : raw };
    case "string":
    case "enum":
    case "literal":
      return { value: raw };
    default:
      try {
        return { value: JSON.parse(raw) as unknown };
      } catch {
        return undefined;
      }
  }
}

type PathSegment = PropertyKey;

/** The paths of every own `__proto__` key in a decoded value (JSON.parse makes them own keys). */
function reservedKeyPaths(value: unknown, at: readonly PathSegment[] = []): PathSegment[][] {
  if (typeof value !== "object" || value === null) return [];
  const entries: [PathSegment, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  const own = !Array.isArray(value) && Object.hasOwn(value, "__proto__");
  return [
    ...(own ? [[...at, "__proto__"]] : []),
    ...entries.flatMap(([segment, item]) => reservedKeyPaths(item, [...at, segment])),
  ];
}

const render = (key: string, path: readonly PathSegment[]): string =>
  path.reduce<string>(
    (at, segment) =>
      typeof segment === "number" ? `${at}[${segment}]` : `${at}.${String(segment)}`,
    key,
  );

const valueAt = (value: unknown, path: readonly PathSegment[]): unknown =>
  path.reduce<unknown>(
    (at, segment) =>
      typeof at === "object" && at !== null
        ? (at as Record<PropertyKey, unknown>)[segment]
        : undefined,
    value,
  );

function report(problems: Problems, at: string, value: unknown, message: string): void {
  if (message.startsWith(AFTER_KEY)) problems.line(at, message.slice(AFTER_KEY.length));
  else if (value === undefined) problems.missing(at, message);
  else problems.at(at, value, message);
}

/** One zod issue of key `key` as problem lines. `shown` is the value a top-level issue shows. */
function reportIssue(
  problems: Problems,
  key: string,
  decoded: unknown,
  shown: unknown,
  issue: z.core.$ZodIssue,
): void {
  const path = issue.path;
  if (issue.code === "unrecognized_keys") {
    for (const unknownKey of issue.keys)
      report(
        problems,
        render(key, [...path, unknownKey]),
        valueAt(decoded, [...path, unknownKey]),
        issue.message,
      );
  } else if (issue.code === "invalid_key") {
    // A record's key refused: named at the record, the key shown as the value.
    report(
      problems,
      render(key, path.slice(0, -1)),
      path[path.length - 1],
      issue.issues[0]?.message ?? issue.message,
    );
  } else if (issue.code === "custom" && issue.params && "value" in issue.params) {
    report(problems, render(key, path), issue.params.value, issue.message);
  } else {
    report(
      problems,
      render(key, path),
      path.length === 0 ? shown : valueAt(decoded, path),
      issue.message,
    );
  }
}

/**
 * Checks each key of `shape` alone against its schema, reporting every issue as a problem line;
 * returns the values of the keys that passed (defaults filled).
 */
export function parseSection<S extends Shape>(
  shape: S,
  values: Readonly<Record<string, string>>,
  problems: Problems,
): Parsed<S> {
  const parsed: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const raw = values[key];
    const kind = valueKind(schema);
    const decoded = raw === undefined ? { value: undefined } : decode(kind, raw);
    if (decoded === undefined) {
      // Not JSON: the key's description says what was expected.
      problems.at(key, raw, schema.description ?? "a YAML value");
      continue;
    }
    const reserved = reservedKeyPaths(decoded.value);
    if (reserved.length > 0) {
      // zod's records skip a `__proto__` key without a word; JSON.parse keeps it as an own key.
      for (const at of reserved)
        problems.at(
          render(key, at),
          "__proto__",
          "a name other than __proto__, which JavaScript reserves",
        );
      continue;
    }
    const result = schema.safeParse(decoded.value);
    if (result.success) parsed[key] = result.data;
    else {
      // A scalar shows as written; a map or list as what it decoded to.
      const shown = isStructured(kind) ? decoded.value : raw;
      for (const issue of result.error.issues)
        reportIssue(problems, key, decoded.value, shown, issue);
    }
  }
  return parsed as Parsed<S>;
}

/** Refuses top-level keys the section does not know, naming what replaced a retired one. */
export function unknownKeys(
  values: Readonly<Record<string, string>>,
  known: readonly string[],
  retired: Readonly<Record<string, string>>,
  problems: Problems,
): void {
  for (const key of Object.keys(values)) {
    const instead = Object.hasOwn(retired, key) ? retired[key] : undefined;
    if (instead !== undefined) problems.line(key, `is no longer a setting: ${instead}`);
    else if (!known.includes(key))
      problems.line(key, `is not a setting of this stack kind (known: ${known.join(", ")})`);
  }
}
