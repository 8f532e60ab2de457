/**
 * The seed's ConsistentHashing: 150 virtual nodes per shard named "shard_<s>_vnode_<v>", each at the std::hash of
 * its name on a 64-bit ring, sorted; a key goes to the first virtual node at or after its hash (std::lower_bound),
 * wrapping to the first node past the end.
 */
import { type ShardOf, checkShardCount } from "./strategies";

export const VNODES_PER_SHARD = 150;

export interface Ring {
  /** Virtual-node positions, ascending. */
  points: BigUint64Array;
  /** The shard of each position. */
  shards: Int32Array;
}

export const vnodeName = (shard: number, vnode: number): string => `shard_${shard}_vnode_${vnode}`;

/**
 * The ring of shards 0..n-1. Growing from n to n+1 shards adds shard n's virtual nodes and leaves every other in
 * place, so buildRing(n + 1) is buildRing(n) with shard n's nodes added. Equal positions (none with these names)
 * are ordered by shard so the ring never depends on sort stability.
 */
export function buildRing(n: number, hashName: (name: string) => bigint, vnodes = VNODES_PER_SHARD): Ring {
  checkShardCount(n);
  const nodes: { point: bigint; shard: number }[] = [];
  for (let shard = 0; shard < n; shard++) {
    for (let v = 0; v < vnodes; v++) nodes.push({ point: hashName(vnodeName(shard, v)), shard });
  }
  nodes.sort((a, b) => (a.point < b.point ? -1 : a.point > b.point ? 1 : a.shard - b.shard));
  return {
    points: BigUint64Array.from(nodes.map((x) => x.point)),
    shards: Int32Array.from(nodes.map((x) => x.shard)),
  };
}

/** The shard owning a 64-bit hash: lower_bound, then wrap to the first node. */
export function ringLookup(ring: Ring, hash: bigint): number {
  let lo = 0;
  let hi = ring.points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ring.points[mid]! < hash) lo = mid + 1;
    else hi = mid;
  }
  return ring.shards[lo === ring.points.length ? 0 : lo]!;
}

/** Ring sharding with `hashKey` turning an id into its ring position. */
export function ringSharding(ring: Ring, hashKey: (key: number) => bigint): ShardOf {
  return (key) => ringLookup(ring, hashKey(key));
}
