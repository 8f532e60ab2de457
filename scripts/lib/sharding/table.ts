/** The analysis as terminal text: a summary row per strategy, then keys and share per shard. */
import type { Analysis } from "./analysis";
import type { IdSegment } from "./idMix";

export type Align = "l" | "r";

/** Columns padded to their widest cell, two spaces apart; trailing spaces trimmed. */
export function alignColumns(rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (align[i] === "r" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export const percent = (share: number): string => `${(share * 100).toFixed(2)}%`;
/** 82020 -> "82,020" (not toLocaleString: the output must not depend on the ICU data Node was built with). */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

export function describeMix(segments: readonly IdSegment[], seed: number): string {
  const part = (s: IdSegment): string =>
    `${thousands(s.count)} ${s.name} ${thousands(s.min)}..${thousands(s.max)}${s.name === "random" ? ` (mt19937 seed ${seed})` : ""}`;
  return segments.map(part).join("; ");
}

export function renderTable(a: Analysis, mixLine: string): string {
  const grow = `moved ${a.shards}->${a.shards + 1}`;
  const summary: string[][] = [["strategy", "std dev (keys)", "max/mean", grow]];
  for (const s of a.strategies) {
    summary.push([s.id, s.stdDev.toFixed(1), s.maxOverMean.toFixed(3), percent(s.moved)]);
    if (s.contrast) summary.push([`  ${s.contrast.label} *`, "", "", percent(s.contrast.moved)]);
  }
  const perShard: string[][] = [["shard", ...a.strategies.map((s) => s.id)]];
  for (let shard = 0; shard < a.shards; shard++) {
    perShard.push([
      String(shard),
      ...a.strategies.map((s) => `${thousands(s.counts[shard]!)} ${percent(s.shares[shard]!).padStart(6)}`),
    ]);
  }
  return [
    `Sharding analysis: ${thousands(a.keys)} player ids over ${a.shards} shards`,
    `ids: ${mixLine}`,
    "",
    alignColumns(summary, ["l", "r", "r", "r"]),
    "",
    "keys (share) per shard",
    alignColumns(perShard, ["r", ...a.strategies.map((): Align => "r")]),
    "",
    "std dev: population (divides by the shard count, as the seed does); max/mean: fullest shard over the mean",
    ...a.strategies.map((s) => `${s.id}: ${s.title}`),
    ...a.strategies.flatMap((s) => (s.contrast ? [`* ${s.contrast.label}: ${s.contrast.title}`] : [])),
    "",
  ].join("\n");
}
