/** The concurrency helpers the worker needs: a deadline on one promise, and a limit on checks in flight. */

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = "TimeoutError";
  }
}

/**
 * Settles with `work`, or rejects with a TimeoutError after `ms`, calling `onTimeout` first (to destroy the socket
 * the work is stuck on; the work's own later rejection is then ignored).
 */
export function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void = () => undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new TimeoutError(ms));
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * A concurrency limit shared by every kind of check: `limit(task)` runs task when fewer than `n` are in flight,
 * else queues it (first come, first served).
 */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      const go = () => {
        active++;
        Promise.resolve().then(task).then(resolve, reject).finally(release);
      };
      if (active < Math.max(1, n)) go();
      else waiting.push(go);
    });
}

/** One check's outcome: the observation, or why there is none. */
export type CheckOutcome<T> = { ok: true; value: T; ms: number } | { ok: false; error: string; ms: number };

/** A short, single-line reason from whatever a driver threw (code first: ECONNREFUSED, ER_ACCESS_DENIED_ERROR). */
export function describeError(e: unknown): string {
  // Not `instanceof Error`: errors from another realm (a jest sandbox, a vm) fail that test.
  if (typeof e !== "object" || e === null || typeof (e as Error).message !== "string") return String(e);
  const code = (e as NodeJS.ErrnoException).code;
  const msg = (e as Error).message.split("\n")[0] ?? "";
  if (msg === "" && Array.isArray((e as AggregateError).errors)) {
    return describeError((e as AggregateError).errors[0]); // connect() to several addresses: the first reason
  }
  return code !== undefined && !msg.includes(code) ? `${code}: ${msg}` : msg;
}
