/**
 * Runs `fn` with stack traces off. Nothing in the offline plan reads them, and they cost it a lot:
 * - @pulumi/pulumi stamps `new Error().stack` on each of its internal promises (for leak reports,
 *   runtime/debuggable.js); with source maps on, formatting those took three quarters of an offline plan's time.
 *   Error.stackTraceLimit = 0 makes them empty.
 * - Every Resource constructor records its source position: Resource.stackTrace (resource.js in 3.248.0) sets
 *   Error.stackTraceLimit to Infinity, formats the whole stack through the source maps and parses it back, and
 *   registerResource sends it to the monitor, which the mock monitor ignores (runtime/mocks.js). Deep component
 *   trees pay most. It returns no frames here, as it does when a stack is too short.
 * Errors keep their messages. GAMEDB_PLAN_STACKS=1 keeps stack traces and source positions.
 *
 * Calls may overlap (tests evaluate plans concurrently): the first one in turns traces off, the last one out
 * restores what was there before.
 */
import * as pulumi from "@pulumi/pulumi";

type StackTrace = (skip: number) => unknown[];
/** Resource.stackTrace is private in the type declarations; the runtime calls it as a static of the class. */
const resourceStatics = pulumi.Resource as unknown as { stackTrace?: StackTrace };

let active = 0;
let saved: { limit: number; stackTrace: StackTrace | undefined } | undefined;

function tracesOff(): void {
  if (active++ > 0) return;
  saved = { limit: Error.stackTraceLimit, stackTrace: resourceStatics.stackTrace };
  Error.stackTraceLimit = 0;
  if (typeof saved.stackTrace === "function") resourceStatics.stackTrace = () => [];
}

function tracesBack(): void {
  if (--active > 0 || !saved) return;
  Error.stackTraceLimit = saved.limit;
  if (typeof saved.stackTrace === "function") resourceStatics.stackTrace = saved.stackTrace;
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
