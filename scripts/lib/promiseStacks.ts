/**
 * Runs `fn` with stack traces off. Nothing in the offline plan reads them, and they cost it a lot (@pulumi/pulumi
 * 3.248.0):
 * - runtime/debuggable.js debuggablePromise wraps each of Pulumi's internal promises for its leak check: it stamps
 *   `new Error().stack` and three properties on the promise and chains two more promises. With source maps on,
 *   formatting those stacks took three quarters of an offline plan's time; with Error.stackTraceLimit = 0 they are
 *   empty, but the wrapping still made about a quarter of the plan's CPU time and held its share of the peak
 *   memory. During the plan a lean wrapper keeps only the leak check's bookkeeping (the store's leakCandidates,
 *   which the check reads at exit) and one chained promise.
 * - Every Resource constructor records its source position: Resource.stackTrace (resource.js) sets
 *   Error.stackTraceLimit to Infinity, formats the whole stack through the source maps and parses it back, and
 *   registerResource sends it to the monitor, which the mock monitor ignores (runtime/mocks.js). Deep component
 *   trees pay most. It returns no frames here, as it does when a stack is too short.
 * Errors keep their messages. GAMEDB_PLAN_STACKS=1 keeps stack traces, source positions and Pulumi's wrapper.
 *
 * Calls may overlap (tests evaluate plans concurrently): the first one in makes the changes, the last one out
 * restores what was there before.
 */
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";

type StackTrace = (skip: number) => unknown[];
type Wrap = <T>(p: Promise<T>, ctx: unknown) => Promise<T>;

/**
 * Internal to @pulumi/pulumi's type declarations; the runtime calls them through these objects. The modules are
 * required, not imported: an ESM namespace or a transpiler's copy of it would not be the object Pulumi calls.
 */
const resourceStatics = pulumi.Resource as unknown as { stackTrace?: StackTrace };
const load = createRequire(__filename);
const debuggable = load("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise?: Wrap };
const state = load("@pulumi/pulumi/runtime/state") as {
  getStore?: () => { leakCandidates?: Set<Promise<unknown>> };
};

/** Pulumi's leak check without the stack, the debug properties and the second chained promise. */
function leanWrap(original: Wrap): Wrap {
  // The original registers the check that reads the candidates at exit, once per process.
  void original(Promise.resolve(), "gamedb offline plan");
  return <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
    const candidates = state.getStore?.().leakCandidates;
    if (!candidates) return original(p, ctx);
    candidates.add(p);
    return p.then(
      (value) => (candidates.delete(p), value),
      (err: unknown) => {
        candidates.delete(p);
        throw err;
      },
    );
  };
}

let active = 0;
let saved: { limit: number; stackTrace?: StackTrace; wrap?: Wrap } | undefined;

function tracesOff(): void {
  if (active++ > 0) return;
  saved = { limit: Error.stackTraceLimit, stackTrace: resourceStatics.stackTrace, wrap: debuggable.debuggablePromise };
  Error.stackTraceLimit = 0;
  if (typeof saved.stackTrace === "function") resourceStatics.stackTrace = () => [];
  if (typeof saved.wrap === "function" && typeof state.getStore === "function")
    debuggable.debuggablePromise = leanWrap(saved.wrap);
}

function tracesBack(): void {
  if (--active > 0 || !saved) return;
  Error.stackTraceLimit = saved.limit;
  if (typeof saved.stackTrace === "function") resourceStatics.stackTrace = saved.stackTrace;
  if (typeof saved.wrap === "function") debuggable.debuggablePromise = saved.wrap;
  saved = undefined;
}

export async function withoutPromiseStacks<T>(fn: () => Promise<T>): Promise<T> {
  if (process.env.GAMEDB_PLAN_STACKS === "1") return fn();
  tracesOff();
  try {
    return await fn();
  } finally {
    tracesBack();
  }
}
