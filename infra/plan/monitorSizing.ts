/** Decisions about the monitoring worker, from config and the fleet's size. Pure. */

/**
 * The fewest checks in flight that keep a cycle in which every member times out inside the interval: each wave of
 * checks takes up to `timeout`, and the waves must fit in `interval`. Pure.
 */
export function minimumConcurrency(members: number, intervalSeconds: number, timeoutSeconds: number): number {
  const waves = Math.max(1, Math.ceil(intervalSeconds / timeoutSeconds) - 1);
  return Math.max(1, Math.ceil(members / waves));
}

/**
 * Checks in flight: monitoring.concurrency, or by default 64, raised when a cycle in which every member times out
 * would not fit the interval. Pure.
 */
export function workerConcurrency(
  m: { concurrency?: number; intervalSeconds: number; checkTimeoutSeconds: number },
  members: number,
): number {
  return m.concurrency ?? Math.max(64, minimumConcurrency(members, m.intervalSeconds, m.checkTimeoutSeconds));
}
