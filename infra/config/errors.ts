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

export function configPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
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
  schema: z.core.$ZodType,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  base: readonly PathSegment[] = [],
): Problem[] {
  return issues.flatMap((issue) => {
    const segs = [...base, ...(issue.path as PathSegment[])];
    return describeIssue(schema, issue, segs, valueAt(input, segs), input);
  });
}

function describeIssue(
  schema: z.core.$ZodType,
  issue: z.core.$ZodIssue,
  segs: PathSegment[],
  value: unknown,
  input: unknown,
): Problem[] {
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return [problem(segs, `is required (${issue.expected})`)];
      return [problem(segs, `${show(value)} is ${typeName(value)}; expected ${issue.expected}`)];
    case "invalid_value":
      return [
        problem(segs, `${show(value)} is not allowed; use one of ${issue.values.map((v) => show(v)).join(", ")}`),
      ];
    case "unrecognized_keys": {
      const allowed = objectKeysAt(schema, input, segs) ?? [];
      return issue.keys.map((k) => problem([...segs, k], `unknown key; allowed keys here: ${allowed.join(", ")}`));
    }
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
        const allowed = options.map((o) => show(o)).join(", ");
        if (value === undefined) return [problem(segs, `is required; use one of ${allowed}`)];
        return [problem(segs, `${show(value)} is not allowed; use one of ${allowed}`)];
      }
      const branches = issue.errors;
      const best = branches.find((b) => b.length > 0 && !(b[0]!.code === "invalid_type" && b[0]!.path.length === 0));
      if (best) return problemsFromZod(schema, best, input, segs);
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

/** The object schema that applies at a path of the input, to list its keys; unwraps defaults, lists and unions. */
function objectKeysAt(schema: z.core.$ZodType, input: unknown, path: readonly PathSegment[]): string[] | undefined {
  let cur: z.core.$ZodType | undefined = schema;
  let value: unknown = input;
  const unwrap = (): void => {
    for (;;) {
      const def = cur?._zod.def as { type: string; innerType?: z.core.$ZodType; options?: z.core.$ZodType[] };
      if (!def) return;
      if (def.innerType) cur = def.innerType;
      else if (def.type === "union" && def.options) {
        const mode = (value as { mode?: unknown } | undefined)?.mode;
        cur =
          def.options.find((o) => {
            const shape = (o._zod.def as { shape?: Record<string, z.core.$ZodType> }).shape;
            const lit = shape?.mode?._zod.def as { values?: unknown[] } | undefined;
            return lit?.values?.includes(mode);
          }) ?? def.options.find((o) => o._zod.def.type === "object" || o._zod.def.type === "array");
      } else return;
    }
  };
  unwrap();
  for (const key of path) {
    const def = cur?._zod.def as { type: string; element?: z.core.$ZodType; shape?: Record<string, z.core.$ZodType> };
    if (def?.type === "array") cur = def.element;
    else if (def?.type === "object") cur = def.shape?.[key as string];
    else return undefined;
    value = (value as Record<PropertyKey, unknown> | undefined)?.[key as string];
    unwrap();
  }
  const def = cur?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}
