/**
 * The seed's analyzer's player ids (GameShardingAnalyzer::AnalyzeShardingStrategies in the seed's section 1.1), in
 * its order: early sign-ups 1..50,000; 30,000 later sign-ups drawn uniformly from 100,000..999,999; event bursts,
 * 20 consecutive ids from every base 1,000,000, 1,000,100, ..., 1,010,000 (the seed's `base <= 1010000`: 101 bases,
 * 2,020 ids). The seed draws from `std::mt19937 gen(rd())`, a new mix per run; here the engine gets MIX_SEED so the
 * figures repeat. The seed pushes every draw into a vector, so repeated random ids are kept (counted twice), as
 * there (29,531 distinct of 30,000 with this seed).
 */
import { MIX_SEED, mt19937, uniformInt } from "./prng";

export interface IdMixSpec {
  sequential: { from: number; to: number };
  random: { count: number; from: number; to: number; seed: number };
  burst: { firstBase: number; lastBase: number; step: number; run: number };
}

export const SEED_MIX: IdMixSpec = {
  sequential: { from: 1, to: 50_000 },
  random: { count: 30_000, from: 100_000, to: 999_999, seed: MIX_SEED },
  burst: { firstBase: 1_000_000, lastBase: 1_010_000, step: 100, run: 20 },
};

export interface IdSegment {
  name: "sequential" | "random" | "burst";
  count: number;
  min: number;
  max: number;
}

export interface IdMix {
  keys: number[];
  segments: IdSegment[];
}

function segment(name: IdSegment["name"], ids: number[]): IdSegment {
  let min = Infinity;
  let max = -Infinity;
  for (const id of ids) {
    if (id < min) min = id;
    if (id > max) max = id;
  }
  return { name, count: ids.length, min, max };
}

export function idMix(spec: IdMixSpec = SEED_MIX): IdMix {
  const sequential: number[] = [];
  for (let id = spec.sequential.from; id <= spec.sequential.to; id++) sequential.push(id);
  const next = mt19937(spec.random.seed);
  const random = Array.from({ length: spec.random.count }, () => uniformInt(next, spec.random.from, spec.random.to));
  const burst: number[] = [];
  for (let base = spec.burst.firstBase; base <= spec.burst.lastBase; base += spec.burst.step) {
    for (let i = 0; i < spec.burst.run; i++) burst.push(base + i);
  }
  return {
    keys: [...sequential, ...random, ...burst],
    segments: [segment("sequential", sequential), segment("random", random), segment("burst", burst)],
  };
}
