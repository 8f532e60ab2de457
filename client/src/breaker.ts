/**
 * A shard's circuit breaker (pure state; the pool runs the probes). Closed: requests go through. After
 * `failureThreshold` consecutive connection failures it opens: requests fail at once instead of each waiting for a
 * connect timeout, which keeps a dead shard from eating the game server's time and connections. While open, a
 * probe (a fresh connection and SELECT 1) runs every `probeIntervalMs`; its success closes the breaker. Any answer
 * from the server, even an SQL error, counts as success: only failing to reach it counts against it.
 */
export type BreakerState = "closed" | "open";

export interface BreakerOptions {
  failureThreshold: number;
  probeIntervalMs: number;
}

export class Breaker {
  private consecutive = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(private readonly options: BreakerOptions) {}

  get state(): BreakerState {
    return this.openedAt === undefined ? "closed" : "open";
  }

  get consecutiveFailures(): number {
    return this.consecutive;
  }

  /** May a request go to the shard now? */
  allows(): boolean {
    return this.openedAt === undefined;
  }

  /** The server answered (a result or an SQL error). */
  success(): void {
    this.consecutive = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  /** A connection attempt or an open connection failed; returns true when this failure opened the breaker. */
  failure(now: number): boolean {
    this.consecutive++;
    if (this.openedAt === undefined && this.consecutive >= this.options.failureThreshold) {
      this.openedAt = now;
      return true;
    }
    return false;
  }

  /** Should a probe start now? (open, none running, and the interval passed since opening or the last probe) */
  probeDue(now: number): boolean {
    return this.openedAt !== undefined && !this.probing && now - this.openedAt >= this.options.probeIntervalMs;
  }

  /** Milliseconds until a probe is due (0: now); undefined when closed or while a probe runs. */
  msUntilProbe(now: number): number | undefined {
    if (this.openedAt === undefined || this.probing) return undefined;
    return Math.max(0, this.openedAt + this.options.probeIntervalMs - now);
  }

  probeStarted(): void {
    this.probing = true;
  }

  /** A failed probe keeps the breaker open and waits another interval. */
  probeFailed(now: number): void {
    this.probing = false;
    if (this.openedAt !== undefined) this.openedAt = now;
  }
}
