/**
 * Pure helpers of the benchmarks (scripts/cli/bench: client-bench.ts, move-bench.ts): option parsing, percentiles, summaries of latency samples,
 * client/baseline comparisons and the report's tables. No I/O here, so the figures' arithmetic can be read (and checked) on its own.
 */

/** A whole number option from `min`; a clear error naming the option otherwise. */
export function intOption(name: string, text: string, min = 1): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new Error(`--${name}: must be a whole number from ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** "1,16" -> [1, 16]: each concurrency level is measured as its own phase. */
export function intListOption(name: string, text: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) {
    throw new Error(`--${name}: must be whole numbers from 1 separated by commas (e.g. 1,16), got ${text}`);
  }
  return parts.map((p) => intOption(name, p));
}

/** Nearest-rank percentile (p in 0..100) of ascending samples: a value that was really measured. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  /** Requests measured. */
  n: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  /** Requests per second of measured wall time (closed loop: all workers busy for the whole round). */
  opsPerSec: number;
  /** The bench process's CPU time per request (µs), when measured. */
  cpuUsPerOp?: number;
}

/** Latency samples (µs) and the wall time (ns) they took together. */
export function summarize(samplesUs: ArrayLike<number>, wallNs: number): Summary {
  const sorted = Float64Array.from(samplesUs).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    n: sorted.length,
    meanUs: sorted.length ? sum / sorted.length : NaN,
    p50Us: percentile(sorted, 50),
    p99Us: percentile(sorted, 99),
    opsPerSec: wallNs > 0 ? sorted.length / (wallNs / 1e9) : NaN,
  };
}

/** Middle value (mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The spread of per-round ratios: each round measured both sides under the same machine noise. */
export function spread(xs: readonly number[]): { median: number; min: number; max: number } {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/**
 * Round r's order of the variants: a rotation, reversed every other round, so each variant runs first equally often
 * AND follows each other one as often as it precedes it (A B, B A, B A, A B...; all 6 orders of 3). A plain rotation
 * would always run one variant right after the same other one, which leaves it that one's after-effects (InnoDB
 * purge and flushing after writes).
 */
export function rotation<T>(items: readonly T[], round: number): T[] {
  const k = Math.floor(round / 2) % items.length;
  const order = [...items.slice(k), ...items.slice(0, k)];
  return round % 2 === 1 ? order.reverse() : order;
}

export const us = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : "-");
export const ratioText = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : "-");
export const pct = (ratio: number): string =>
  Number.isFinite(ratio) ? `${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)}%` : "-";

/** Left-aligned first column, right-aligned figures. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  return all
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "))
    .join("\n");
}

/** A summary's columns for table(): p50, p99, mean (µs), ops/s. */
export const summaryCells = (s: Summary): string[] => [
  us(s.p50Us),
  us(s.p99Us),
  us(s.meanUs),
  Number.isFinite(s.opsPerSec) ? s.opsPerSec.toFixed(0) : "-",
  us(s.cpuUsPerOp ?? NaN),
];
export const SUMMARY_HEADER = ["p50 µs", "p99 µs", "mean µs", "ops/s", "cpu µs/op"];

/** Per round: p50 of `a` over p50 of `b` (both measured in that round). */
export function roundRatios(a: Float64Array, b: Float64Array, rounds: number): number[] {
  const n = a.length / rounds;
  return Array.from({ length: rounds }, (_, r) => {
    const p50 = (x: Float64Array) => percentile(x.slice(r * n, (r + 1) * n).sort(), 50);
    return p50(a) / p50(b);
  });
}

export interface Comparison {
  what: string;
  client: string;
  baseline: string;
  /** client p50 / baseline p50 over every round's samples. */
  p50Ratio: number;
  p99Ratio: number;
  perRoundP50Ratio: { median: number; min: number; max: number };
}

export function compare(
  what: string,
  a: [string, Float64Array, Summary],
  b: [string, Float64Array, Summary],
  rounds: number,
): Comparison {
  return {
    what,
    client: a[0],
    baseline: b[0],
    p50Ratio: a[2].p50Us / b[2].p50Us,
    p99Ratio: a[2].p99Us / b[2].p99Us,
    perRoundP50Ratio: spread(roundRatios(a[1], b[1], rounds)),
  };
}

export interface PhaseResult {
  concurrency: number;
  summaries: Record<string, Summary>;
  comparisons: Comparison[];
}

/** A phase's summaries and its comparisons, as two tables. */
export function formatPhase(r: PhaseResult): string {
  const rows = Object.entries(r.summaries).map(([name, s]) => [name, ...summaryCells(s)]);
  const ratios = r.comparisons.map((c) => [
    c.what,
    `${ratioText(c.p50Ratio)} (${pct(c.p50Ratio)})`,
    ratioText(c.p99Ratio),
    `${ratioText(c.perRoundP50Ratio.median)} [${ratioText(c.perRoundP50Ratio.min)}, ` +
      `${ratioText(c.perRoundP50Ratio.max)}]`,
  ]);
  return (
    table(["", ...SUMMARY_HEADER], rows) +
    "\n" +
    table(["", "p50 ratio", "p99 ratio", "per-round p50 ratio median [min, max]"], ratios)
  );
}

/** The single-key target: the client's p50 within `bound` (1.1 = +10%) of the bare pool's, in every case. */
export function verdict(phases: readonly PhaseResult[], bound: number): string {
  const all = phases.flatMap((r) => r.comparisons.map((c) => ({ ...c, concurrency: r.concurrency })));
  const worst = all.reduce((a, b) => (b.p50Ratio > a.p50Ratio ? b : a));
  const worstRound = Math.max(...all.map((c) => c.perRoundP50Ratio.median));
  return (
    `verdict: client p50 overhead, worst single-key case ${pct(worst.p50Ratio)} (${worst.what}, concurrency ` +
    `${worst.concurrency}; worst per-round median ${pct(worstRound)}), target within ${pct(bound)}: ` +
    (worst.p50Ratio <= bound ? "MET" : "NOT MET")
  );
}
