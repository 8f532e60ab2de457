/**
 * The figures of `npm run bench:move` and their arithmetic: rates, the switch pauses' percentiles and the goal they
 * are judged by, verification time per million rows, and the fence triggers' cost as a ratio of throughputs, overall
 * and round by round. Pure: no I/O, so every figure's derivation can be read and tested on its own.
 */
import { percentile, spread } from "../../bench/stats";
import type { SlotSpan } from "./plan";

export interface CopyResult {
  chunkRows: number;
  slots: SlotSpan;
  rows: number;
  /** From the state copying to streaming. */
  seconds: number;
  rowsPerSec: number;
  /** CPU time of the bench process (where the mover runs) over the same interval. */
  moverCpuSeconds: number;
}

export interface CatchupResult {
  /** Single-row updates written while the mover was stopped. */
  changes: number;
  transactions: number;
  /** How long the source took to take them, and its rate (context: the load the stream must follow). */
  writeSeconds: number;
  writeRowsPerSec: number;
  /** Rows the mover applied from the stream (its status). */
  rowsStreamed: number;
  /** From the mover's start until the target's checkpoint reached the source's position. */
  seconds: number;
  rowsPerSec: number;
  /** CPU time of the bench process (where the mover runs) over the same interval. */
  moverCpuSeconds: number;
  /** When the mover's own status first showed lag 0 (after its first verification pass), or null. */
  statusLagZeroSeconds: number | null;
}

export interface VerifyPass {
  /** RangeVerifier.check(): both sides, one after the other. */
  seconds: number;
  sourceSeconds: number;
  targetSeconds: number;
  differingSlots: number;
}

export interface VerifyResult {
  rows: number;
  slots: SlotSpan;
  passes: VerifyPass[];
}

export interface SwitchSample {
  moveId: number;
  slots: SlotSpan;
  /** The mover's status.pauseMs: from the freeze to the release. */
  pauseMs: number;
  /** The longest write that met TRYAGAIN, first attempt to acknowledgement (0: none met it). */
  clientPauseMs: number;
  pausedWrites: number;
  acked: number;
  slowestWriteMs: number;
  /** From the mover's start (copy, follow, verify) to the switched state. */
  secondsToSwitch: number;
}

export interface PauseStats {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank p50 and p99 (values that were measured) and the maximum. */
export function pauseStats(values: readonly number[]): PauseStats {
  const sorted = Float64Array.from(values).sort();
  return {
    n: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/** The goal: p99 under 1 s, never over 3 s. */
export const PAUSE_GOAL = { p99UnderMs: 1000, neverOverMs: 3000 } as const;

export function pauseGoalMet(s: PauseStats, goal = PAUSE_GOAL): boolean {
  return s.n > 0 && s.p99Ms < goal.p99UnderMs && s.maxMs <= goal.neverOverMs;
}

/** Seconds per million rows, from a time over `rows` rows. */
export function perMillion(seconds: number, rows: number): number {
  return rows > 0 ? (seconds * 1e6) / rows : NaN;
}

export interface VerifySummary {
  /** Median over the passes, scaled to a million rows in the range. */
  bothSidesPerMillion: number;
  sourcePerMillion: number;
  targetPerMillion: number;
  differingSlots: number;
}

const medianOf = (xs: readonly number[]): number => spread(xs).median;

export function verifySummary(v: VerifyResult): VerifySummary {
  const scaled = (pick: (p: VerifyPass) => number) => perMillion(medianOf(v.passes.map(pick)), v.rows);
  return {
    bothSidesPerMillion: scaled((p) => p.seconds),
    sourcePerMillion: scaled((p) => p.sourceSeconds),
    targetPerMillion: scaled((p) => p.targetSeconds),
    differingSlots: Math.max(0, ...v.passes.map((p) => p.differingSlots)),
  };
}

/** One variant's rounds: rows written and the seconds they took. */
export interface VariantRounds {
  rounds: { rows: number; seconds: number }[];
}

export interface FenceComparison {
  rowsPerStatement: number;
  /** Rows per second over every round (total rows / total time). */
  withRowsPerSec: number;
  withoutRowsPerSec: number;
  /** with / without: under 1 means the triggers slow writes down. */
  ratio: number;
  /** The same ratio in each round (both variants measured back to back): median, min, max. */
  perRoundRatio: { median: number; min: number; max: number };
}

const rateOf = (v: VariantRounds): number => {
  const rows = v.rounds.reduce((a, r) => a + r.rows, 0);
  const seconds = v.rounds.reduce((a, r) => a + r.seconds, 0);
  return seconds > 0 ? rows / seconds : NaN;
};

export function compareVariants(
  rowsPerStatement: number,
  withTriggers: VariantRounds,
  without: VariantRounds,
): FenceComparison {
  if (withTriggers.rounds.length !== without.rounds.length || withTriggers.rounds.length === 0) {
    throw new Error("both variants need the same number of rounds, at least one");
  }
  const perRound = withTriggers.rounds.map((w, i) => {
    const o = without.rounds[i]!;
    return w.rows / w.seconds / (o.rows / o.seconds);
  });
  const withRowsPerSec = rateOf(withTriggers);
  const withoutRowsPerSec = rateOf(without);
  return {
    rowsPerStatement,
    withRowsPerSec,
    withoutRowsPerSec,
    ratio: withRowsPerSec / withoutRowsPerSec,
    perRoundRatio: spread(perRound),
  };
}

export interface FenceResult {
  rounds: number;
  single: FenceComparison;
  batched: FenceComparison;
}

export interface SwitchResult {
  writers: number;
  samples: SwitchSample[];
  mover: PauseStats;
  client: PauseStats;
}

export function switchResult(writers: number, samples: SwitchSample[]): SwitchResult {
  return {
    writers,
    samples,
    mover: pauseStats(samples.map((s) => s.pauseMs)),
    client: pauseStats(samples.map((s) => s.clientPauseMs)),
  };
}
