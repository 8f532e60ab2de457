/**
 * The comparison: the seed's three strategies as its code behaves (with the ring also given a real key hash) and
 * gamedb's slots, over one id mix, at n shards and growing to n+1.
 */
import { buildRing, ringSharding } from "./ring";
import { addShardLayout, evenLayout, slotSharding } from "./slots";
import { maxOverMean, movedShare, populationStdDev, shardCounts, shares } from "./stats";
import { stdHashInteger, stdHashString } from "./stdHash";
import { type ShardOf, moduloSharding, rangeBounds, rangeSharding } from "./strategies";

export interface Strategy {
  /** Short name, the table's and the chart's label. */
  id: string;
  /** What it is, one line. */
  title: string;
  /** The layout at n shards. */
  layout(n: number): ShardOf;
  /** The layout after growing from n to n+1 shards the way this strategy grows. */
  grown(n: number): ShardOf;
  /** Another way to grow, shown for contrast. */
  contrast?: { label: string; title: string; grown(n: number): ShardOf };
}

const keyText = (key: number): bigint => stdHashString(String(key));

export const STRATEGIES: readonly Strategy[] = [
  {
    id: "modulo",
    title: "seed's hash sharding: std::hash<uint64_t>(id) % n, and std::hash is the identity, so id % n",
    layout: moduloSharding,
    grown: (n) => moduloSharding(n + 1),
  },
  {
    id: "ranges",
    title: "seed's range sharding: upper bounds 125000, 250000, ... 875000, then open (1,000,000 / n steps)",
    layout: (n) => rangeSharding(rangeBounds(n)),
    grown: (n) => rangeSharding(rangeBounds(n + 1)),
  },
  {
    id: "ring-identity",
    title: "seed's consistent hashing as written: 150 vnodes/shard at std::hash<string>, keys at std::hash(id) = id",
    layout: (n) => ringSharding(buildRing(n, stdHashString), stdHashInteger),
    grown: (n) => ringSharding(buildRing(n + 1, stdHashString), stdHashInteger),
  },
  {
    id: "ring-hashed",
    title: "the same ring, keys at std::hash<string> (libstdc++ murmur2-64) of the id's decimal text",
    layout: (n) => ringSharding(buildRing(n, stdHashString), keyText),
    grown: (n) => ringSharding(buildRing(n + 1, stdHashString), keyText),
  },
  {
    id: "gamedb-slots",
    title: "gamedb: CRC16 key slot (Redis Cluster's), even slot ranges; a new shard takes a piece off each range",
    layout: (n) => slotSharding(evenLayout(n)),
    grown: (n) => slotSharding(addShardLayout(evenLayout(n)).layout),
    contrast: {
      label: "naive re-split",
      title: "for contrast, not what gamedb does: the slots re-split into n+1 even ranges",
      grown: (n) => slotSharding(evenLayout(n + 1)),
    },
  },
];

export interface StrategyResult {
  id: string;
  title: string;
  counts: number[];
  shares: number[];
  /** Population standard deviation of keys per shard. */
  stdDev: number;
  maxOverMean: number;
  /** Share of keys (0..1) on another shard after growing from n to n+1. */
  moved: number;
  contrast?: { label: string; title: string; moved: number };
}

export interface Analysis {
  shards: number;
  keys: number;
  strategies: StrategyResult[];
}

export function analyze(keys: readonly number[], n: number, strategies = STRATEGIES): Analysis {
  return {
    shards: n,
    keys: keys.length,
    strategies: strategies.map((s) => {
      const before = s.layout(n);
      const counts = shardCounts(keys, before, n);
      const result: StrategyResult = {
        id: s.id,
        title: s.title,
        counts,
        shares: shares(counts),
        stdDev: populationStdDev(counts),
        maxOverMean: maxOverMean(counts),
        moved: movedShare(keys, before, s.grown(n)),
      };
      if (s.contrast)
        result.contrast = {
          label: s.contrast.label,
          title: s.contrast.title,
          moved: movedShare(keys, before, s.contrast.grown(n)),
        };
      return result;
    }),
  };
}
