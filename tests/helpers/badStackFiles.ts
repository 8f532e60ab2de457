/**
 * Generators of bad stack files for the property tests (tests/plan/bad-stack-files.test.ts): the `config:` map of
 * the shipped Pulumi.dev.yaml or Pulumi.prod.yaml with one to three mutations at any depth (a key dropped, an
 * unknown or optional key added, a value of the wrong type, a huge, negative, fractional or NaN-like number, an
 * empty, long, unicode, multi-line or shell-metacharacter string, nesting where a scalar belongs, a section as a
 * string or as broken JSON text), and corruptions of the YAML text itself.
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Path = (string | number)[];
export type StackName = "dev" | "prod";
export type ConfigMap = Record<string, Json>;

const ROOT = join(__dirname, "..", "..");

export function shippedText(stack: StackName): string {
  return readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
}

/** The `config:` map of a shipped stack file: `gamedb:aws` -> its YAML value. */
export function shippedConfig(stack: StackName): ConfigMap {
  return (parse(shippedText(stack)) as { config: ConfigMap }).config;
}

const isContainer = (v: Json | undefined): v is Json[] | { [key: string]: Json } => v !== null && typeof v === "object";

/** Every path below the root, parents before children. */
export function pathsOf(value: Json, at: Path = []): Path[] {
  if (!isContainer(value)) return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...at, k], ...pathsOf(v, [...at, k])]);
}

function valueAt(root: Json, path: Path): Json | undefined {
  let cur: Json | undefined = root;
  for (const k of path) {
    if (!isContainer(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  return cur;
}

/** Sets an own property, also `__proto__` (a plain assignment would change the prototype instead). */
function define(target: object, key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Names a plain object inherits: a lookup table indexed by config text must not find them. */
const INHERITED = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

/** Strings an operator or an attacker could write. */
const ODD_STRINGS = [
  ...["", " ", "\t", "\n", "a\nb", "line1\r\nline2", "\u0000", "\u202e", "\u200b", "ünïcødé", "🎮", "日本語"],
  ...["$(reboot)", "`id`", "; rm -rf /", "a && b", "' OR 1=1 --", '"', "\\", "${HOME}", "%s%n", "../../etc/passwd"],
  ...["null", "true", "3", "-1", "1e400", "NaN", "0x1F", "{}", "[]", '{"a":', "- a", "*alias", "!!binary aGk="],
  ...INHERITED,
];

/** Values of the enums and modes: they pass the schema and switch the rules and the plan to other branches. */
const PLAUSIBLE_STRINGS = [
  ...["static", "aws", "adopt", "create", "io2", "gp3", "elasticache", "kubernetes", "retired", "provisioning"],
  ...["GOVERNANCE", "onChange", "8.4.0", "none", "perAz", "a", "x.y", "stacks", "stacks/migrations", "."],
  ...["eu-west-1d", "us-east-1", "10.0.0.0/8", "0.0.0.0/0", "::/0", "0-16383", "16384", "8191-0", "42"],
  // Shapes the patterns accept, built from inherited names: the instance-type catalog looks types up by name.
  ...["constructor.large", "r6i.constructor", "t3.constructor", "constructor.metal", "constructor"],
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.constantFrom(...PLAUSIBLE_STRINGS),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(1_000, 100_000).map((n) => "x".repeat(n)),
);

export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.5, -0.5, 1.5, 2.9999999, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53)),
  fc.constantFrom(1e21, -1e21, 1e308, Number.MIN_VALUE, NaN, Infinity, -Infinity),
  // Near the schema's ranges: some pass it and reach the cross-key rules and the plan.
  fc.integer({ min: -10, max: 20_000 }),
  fc.double(),
);

/** Nesting where a scalar belongs, down to a hundred levels. */
const nested: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>([], {}, [[]], [{}], { "": null }, [null]),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.dictionary(
    fc.constantFrom(...INHERITED, "a", "max_connections"),
    fc.oneof(fc.constantFrom(...ODD_STRINGS), fc.integer()),
    { maxKeys: 3 },
  ),
  fc.integer({ min: 10, max: 100 }).map((depth) => {
    let v: Json = 1;
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
);

export const badValue: fc.Arbitrary<Json> = fc.oneof(
  oddString,
  oddNumber,
  fc.constantFrom<Json>(null, true, false),
  nested,
);

/**
 * `original` with one of its parts (between `.`, `-`, `/` and `:`) replaced: "t3.large" -> "constructor.large",
 * "10.40.0.0/16" -> "10.40.0.999/16". Such values often still pass the field's pattern and reach the code behind it.
 */
function reshaped(original: string): fc.Arbitrary<string> {
  const parts = original.split(/([.\-/:])/);
  const words = parts.flatMap((p, i) => (i % 2 === 0 ? [i] : []));
  const by = fc.oneof(fc.constantFrom("constructor", "0", "999", "99999999999", "", "x"), oddString);
  return fc.record({ at: fc.constantFrom(...words), by }).map(({ at, by }) => {
    const out = [...parts];
    out[at] = by;
    return out.join("");
  });
}

/** A value for `original`'s place: mostly of its own kind (a number for a number), else anything. */
function valueFor(original: Json | undefined): fc.Arbitrary<Json> {
  if (typeof original === "number") return fc.oneof(oddNumber, badValue);
  if (typeof original === "string") return fc.oneof(reshaped(original), oddString, badValue);
  if (typeof original === "boolean") return fc.oneof(fc.constant(!original), badValue);
  return badValue;
}

/** Keys the shipped files leave out (so their defaults apply), typos, and odd names. */
const KEYS = [
  ...["environment", "hosts", "kubernetes", "slotMoves", "sshPrivateKey", "kubeconfig", "migrations", "nodes"],
  ...["provider", "overrides", "bastion", "objectLock", "kmsKeyArn", "vpcId", "subnetIds", "staticDataDevice"],
  ...["concurrency", "batch", "prometheusLabels", "alertEmails", "address", "az", "index", "mode", "type", "iops"],
  ...["node", "Nodes", "replica", "a.b", "a b", "a\nb", "", " ", "ünï", "🎮", "x".repeat(1_000), ...INHERITED],
];
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...KEYS),
  fc.string({ unit: "binary", maxLength: 12 }),
);

export type Mutation =
  | { kind: "drop"; path: Path }
  | { kind: "set"; path: Path; value: Json }
  | { kind: "add"; path: Path; key: string; value: Json }
  | { kind: "duplicate"; path: Path }
  | { kind: "jsonText"; key: string; cut: number; insert: string };

/** One mutation of `config` at any depth. */
export function mutation(config: ConfigMap): fc.Arbitrary<Mutation> {
  const paths = pathsOf(config);
  const containers = [[], ...paths.filter((p) => isContainer(valueAt(config, p)))];
  const arrays = paths.filter((p) => Array.isArray(valueAt(config, p)));
  const sections = Object.keys(config);
  const at = fc.constantFrom(...paths);
  return fc.oneof(
    at.map((path): Mutation => ({ kind: "drop", path })),
    {
      weight: 3,
      arbitrary: at.chain((path) =>
        valueFor(valueAt(config, path)).map((value): Mutation => ({ kind: "set", path, value })),
      ),
    },
    {
      weight: 2,
      arbitrary: fc
        .record({ path: fc.constantFrom(...containers), key: oddKey, value: badValue })
        .map((r): Mutation => ({ kind: "add", ...r })),
    },
    fc.constantFrom(...arrays).map((path): Mutation => ({ kind: "duplicate", path })),
    fc
      .record({ key: fc.constantFrom(...sections), cut: fc.nat(), insert: fc.string({ maxLength: 3 }) })
      .map((r): Mutation => ({ kind: "jsonText", ...r })),
  );
}

/** The config with the mutations applied in order; one whose place an earlier one removed does nothing. */
export function applyMutations(config: ConfigMap, mutations: readonly Mutation[]): ConfigMap {
  const out = structuredClone(config);
  for (const m of mutations) applyOne(out, m);
  return out;
}

function applyOne(config: ConfigMap, m: Mutation): void {
  if (m.kind === "jsonText") {
    // The section as JSON text (as the engine passes it), cut short or with characters inserted: mostly not JSON.
    const text = JSON.stringify(config[m.key] ?? null);
    const cut = m.cut % (text.length + 1);
    config[m.key] = m.insert === "" ? text.slice(0, cut) : text.slice(0, cut) + m.insert + text.slice(cut);
    return;
  }
  if (m.kind === "add") {
    const target = m.path.length === 0 ? config : valueAt(config, m.path);
    if (Array.isArray(target)) target.push(m.value);
    else if (isContainer(target)) define(target, m.path.length === 0 ? `gamedb:${m.key}` : m.key, m.value);
    return;
  }
  const parent = m.path.length === 1 ? config : valueAt(config, m.path.slice(0, -1));
  const key = m.path[m.path.length - 1]!;
  if (!isContainer(parent) || !Object.hasOwn(parent, key)) return;
  const current = (parent as Record<string | number, Json>)[key]!;
  if (m.kind === "set") define(parent, key, m.value);
  else if (m.kind === "duplicate") {
    if (Array.isArray(current) && current.length > 0) current.push(structuredClone(current[0]!));
  } else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete (parent as Record<string, Json>)[key];
}

/** A shipped stack's config with one to three mutations. */
export const badStack: fc.Arbitrary<{ stack: StackName; mutations: Mutation[] }> = fc
  .constantFrom<StackName>("dev", "prod")
  .chain((stack) =>
    fc.record({
      stack: fc.constant(stack),
      mutations: fc.array(mutation(shippedConfig(stack)), { minLength: 1, maxLength: 3 }),
    }),
  );

export type TextEdit = { op: "truncate" | "insert" | "deleteLine" | "indent"; at: number; text: string };

/** A corruption of the YAML text: cut short, characters inserted, a line dropped or indented by one space. */
export const textEdit: fc.Arbitrary<TextEdit> = fc.record({
  op: fc.constantFrom("truncate", "insert", "deleteLine", "indent"),
  at: fc.nat(),
  text: fc.oneof(
    fc.constantFrom(":", "-", "[", "{", '"', "'", "#", "&a", "*a", "!!", "\t", " ", "\n"),
    fc.string({ maxLength: 4 }),
  ),
});

export function applyTextEdit(text: string, e: TextEdit): string {
  const at = e.at % (text.length + 1);
  const lines = text.split("\n");
  const line = e.at % lines.length;
  switch (e.op) {
    case "truncate":
      return text.slice(0, at);
    case "insert":
      return text.slice(0, at) + e.text + text.slice(at);
    case "deleteLine":
      return lines.filter((_, i) => i !== line).join("\n");
    case "indent":
      return lines.map((l, i) => (i === line ? ` ${l}` : l)).join("\n");
  }
}
