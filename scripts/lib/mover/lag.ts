/**
 * How far a stream is behind its origin, in seconds: the origin's position is sampled every few hundred ms, and the
 * lag is the age of the oldest sample the stream has not yet applied (0 when it has applied them all). Works the same
 * for MySQL GTID sets and MariaDB positions, and needs no clock agreement between servers.
 */
import { Position, reached } from "./position";

export class LagTracker {
  private samples: { position: Position; at: number }[] = [];
  private started = false;

  record(position: Position, at = Date.now()): void {
    this.samples.push({ position, at });
    this.started = true;
  }

  /** Seconds behind, given what the stream has applied; null before the first sample. */
  lagSeconds(applied: Position, now = Date.now()): number | null {
    if (!this.started) return null;
    while (this.samples.length > 0 && reached(applied, this.samples[0]!.position)) this.samples.shift();
    const oldest = this.samples[0];
    return oldest ? (now - oldest.at) / 1000 : 0;
  }
}
