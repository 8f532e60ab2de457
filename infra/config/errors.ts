/**
 * Config problems: each names the config path, the bad value and what is allowed, and all of them are reported
 * together, so an operator fixes a stack file in one pass.
 */
import type { z } from "zod";

export const NAMESPACE = "gamedb";

export type PathSegment = string | number;

export interface Problem {
  /** e.g. `gamedb:shards[3].nodes` */
  path: string;
  /** e.g. `4 is even; use an odd count from 3 to 9 (prod)` */
  message: string;
}

/** A key written as it is: the namespace's keys, zone names, my.cnf settings, label names. */
const BARE_KEY = /^[A-Za-z0-9_$@/.:-]+$/;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * `gamedb:shards[3].nodes`. Any other key (empty, with spaces, newlines, quotes or brackets, not ASCII) is quoted
 * with what does not print escaped, `gamedb:mysql["a\nb"]`, so the path still shows it and stays on one line.
 */
export function configPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (!BARE_KEY.test(s)) out += `[${JSON.stringify(s).replace(/[^\x20-\x7e]/g, escapeChar)}]`;
    else out += out === "" ? s : `.${s}`;
  }
  return `${NAMESPACE}:${out}`;
}

export function problem(segments: readonly PathSegment[], message: string): Problem {
  return { path: configPath(segments), message };
}

export function formatProblem(p: Problem): string {
  return `${p.path}: ${p.message}`;
}

/** Thrown by the program before any resource is declared; the message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: Problem[]) {
    super(
      `invalid gamedb config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${formatProblem(p)}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** A value as it appears in an error message: short, and never a secret (config secrets are not in this tree). */
export function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, segments: readonly PathSegment[]): unknown {
  let cur: unknown = root;
  for (const s of segments) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[s as string];
  }
  return cur;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "an object";
  return `a ${typeof v}`;
}

/** Turns zod issues into problems that show the bad value and the allowed ones. */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  base: readonly PathSegment[] = [],
): Problem[] {
  return issues.flatMap((issue) => {
    const segs = [...base, ...(issue.path as PathSegment[])];
    return describeIssue(issue, segs, valueAt(input, segs), input);
  });
}

/** `"a"`, or `one of "a", "b"`. */
const oneOf = (values: readonly unknown[]) =>
  values.length === 1 ? show(values[0]) : `one of ${values.map((v) => show(v)).join(", ")}`;

function describeIssue(issue: z.core.$ZodIssue, segs: PathSegment[], value: unknown, input: unknown): Problem[] {
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return [problem(segs, `is required (${issue.expected})`)];
      return [problem(segs, `${show(value)} is ${typeName(value)}; expected ${issue.expected}`)];
    case "invalid_value":
      return [problem(segs, `${show(value)} is not allowed; use ${oneOf(issue.values)}`)];
    case "unrecognized_keys":
      // The message comes from schema.ts `strict()`, which knows the allowed keys.
      return issue.keys.map((k) => problem([...segs, k], issue.message));
    case "too_small":
    case "too_big": {
      const inclusive = issue.inclusive !== false;
      const bound =
        issue.code === "too_small"
          ? `${inclusive ? "at least" : "more than"} ${issue.minimum}`
          : `${inclusive ? "at most" : "less than"} ${issue.maximum}`;
      if (issue.origin === "array")
        return [problem(segs, `has ${(value as unknown[]).length} entries; needs ${bound}`)];
      if (issue.origin === "string") return [problem(segs, `${show(value)} must have ${bound} characters`)];
      return [problem(segs, `${show(value)} is out of range; use ${bound}`)];
    }
    case "invalid_format":
    case "custom":
      return [problem(segs, `${show(value)} ${issue.message}`)];
    case "invalid_union": {
      // A discriminated union names its options; a plain union reports the branch that got furthest: the one
      // whose first issue is not a type mismatch at the union itself.
      const options = (issue as { options?: unknown[] }).options;
      if (options) {
        if (value === undefined) return [problem(segs, `is required; use ${oneOf(options)}`)];
        return [problem(segs, `${show(value)} is not allowed; use ${oneOf(options)}`)];
      }
      const branches = issue.errors;
      const best = branches.find((b) => b.length > 0 && !(b[0]!.code === "invalid_type" && b[0]!.path.length === 0));
      if (best) return problemsFromZod(best, input, segs);
      return [problem(segs, `${show(value)} is ${typeName(value)}; expected ${branchKinds(branches)}`)];
    }
    default:
      return [problem(segs, `${show(value)}: ${issue.message}`)];
  }
}

function branchKinds(branches: z.core.$ZodIssue[][]): string {
  const kinds = branches.map((b) => (b[0]?.code === "invalid_type" ? b[0].expected : "?"));
  return [...new Set(kinds)].join(" or ");
}
