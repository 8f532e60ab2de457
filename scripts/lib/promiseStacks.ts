/**
 * Runs `fn` with stack traces off. @pulumi/pulumi stamps `new Error().stack` on each of its internal promises (for
 * leak reports, runtime/debuggable.js); with source maps on, formatting those took three quarters of an offline
 * plan's time, and nothing reads them here. Errors keep their messages. GAMEDB_PLAN_STACKS=1 keeps stack traces.
 */
export async function withoutPromiseStacks<T>(fn: () => Promise<T>): Promise<T> {
  if (process.env.GAMEDB_PLAN_STACKS === "1") return fn();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
