/**
 * The seed's first two strategies as key -> shard functions. Keys are player ids (non-negative safe integers).
 */

/** A sharding function: the shard (0..n-1) of a key. */
export type ShardOf = (key: number) => number;

export function checkShardCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`shard count must be a positive integer, got ${n}`);
}

/**
 * The seed's HashSharding: `std::hash<uint64_t>{}(key) % shard_count`. std::hash of an integer is the identity
 * (stdHash.ts), so this is plain `key % n`: even for ids that are even across residues, not for clustered ones.
 */
export function moduloSharding(n: number): ShardOf {
  checkShardCount(n);
  return (key) => key % n;
}

/** The seed's RangeSharding upper bound of the last shard: UINT64_MAX, i.e. everything above the others. */
export const OPEN_END = Infinity;

/** The id span the seed's bounds split evenly: 8 ranges of 125,000 up to 1,000,000, the last one open. */
export const RANGE_SPAN = 1_000_000;

/**
 * Upper bounds (inclusive) per shard. For 8 shards these are the seed's own {125000, 250000, ..., 875000,
 * UINT64_MAX}; the seed gives no others, so for n shards the same rule: floor(k * 1,000,000 / n) for k < n, and an
 * open last range.
 */
export function rangeBounds(n: number): number[] {
  checkShardCount(n);
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? OPEN_END : Math.floor(((k + 1) * RANGE_SPAN) / n)));
}

/**
 * The seed's RangeSharding::GetShardIndex: the first shard whose upper bound is >= key (a linear scan there, a
 * binary search here: same answer, bounds ascending).
 */
export function rangeSharding(bounds: readonly number[]): ShardOf {
  if (bounds.length === 0) throw new RangeError("range sharding needs at least one upper bound");
  for (let i = 1; i < bounds.length; i++) {
    if (!(bounds[i]! > bounds[i - 1]!)) throw new RangeError(`range bounds must ascend; bound ${i} is ${bounds[i]}`);
  }
  return (key) => {
    let lo = 0;
    let hi = bounds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (key <= bounds[mid]!) hi = mid;
      else lo = mid + 1;
    }
    // Above every bound: the seed returns shard_count - 1, unreachable with its UINT64_MAX last bound.
    return lo;
  };
}
