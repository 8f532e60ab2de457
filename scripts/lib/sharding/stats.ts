/** Distribution figures of a sharding function over a key set. */
import type { ShardOf } from "./strategies";

/** Keys per shard; throws if the function answers outside 0..n-1. */
export function shardCounts(keys: readonly number[], shardOf: ShardOf, n: number): number[] {
  const counts = new Array<number>(n).fill(0);
  for (const key of keys) {
    const shard = shardOf(key);
    if (!Number.isInteger(shard) || shard < 0 || shard >= n) {
      throw new RangeError(`key ${key} went to shard ${shard}, outside 0..${n - 1}`);
    }
    counts[shard]!++;
  }
  return counts;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("mean of no values");
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Population standard deviation (divides by the number of shards, as the seed's analyzer does: every shard is
 * counted, it is not a sample of shards).
 */
export function populationStdDev(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / values.length);
}

/** The fullest shard over the mean: 1 is perfectly even, n is everything on one of n shards. */
export function maxOverMean(values: readonly number[]): number {
  return Math.max(...values) / mean(values);
}

/** Each count's share of the total (0..1). */
export function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

/** The share of keys (0..1) whose shard differs between two layouts. */
export function movedShare(keys: readonly number[], before: ShardOf, after: ShardOf): number {
  if (keys.length === 0) return 0;
  let moved = 0;
  for (const key of keys) if (before(key) !== after(key)) moved++;
  return moved / keys.length;
}
