/**
 * Compares the seed's sharding strategies (as its C++ behaves) with gamedb's key slots on the seed's player-id mix
 * (scripts/lib/sharding/): keys per shard, standard deviation, max/mean and the keys moved by adding a shard.
 *
 *   npm run analyze-sharding                       table on stdout, chart to client/docs/sharding-analysis.svg
 *   npm run analyze-sharding -- --shards 16 --svg /tmp/chart.svg
 *   npm run analyze-sharding -- --json             the figures as JSON on stdout (the chart is still written)
 *
 * Exit codes: 0 ok, 2 bad usage.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { USAGE_EXIT, parseOptions, runMain } from "../lib/cli";
import { analyze } from "../lib/sharding/analysis";
import { SEED_MIX, idMix } from "../lib/sharding/idMix";
import { buildRing } from "../lib/sharding/ring";
import { stdHashString } from "../lib/sharding/stdHash";
import { renderSvg } from "../lib/sharding/svg";
import { describeMix, renderTable } from "../lib/sharding/table";

export const DEFAULT_SVG = "client/docs/sharding-analysis.svg";
export const MAX_SHARDS = 64;

/** Printed under the chart: what the seed's code does that its text does not say. */
export function chartNotes(shards: number): string[] {
  const first = buildRing(shards, stdHashString).points[0]!;
  return [
    "modulo and ring-identity are the seed's code as compiled: std::hash of an integer is the integer itself, so its",
    `hash sharding is id % n and its ring puts every id below the first virtual node (${Number(first).toExponential(2)}) on that node's shard.`,
  ];
}

interface Options {
  shards: string;
  svg: string;
  json?: boolean;
}

export function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = console.error,
): number {
  const program = new Command("analyze-sharding")
    .description("Keys per shard and keys moved on growth: the seed's strategies and gamedb's key slots")
    .option("--shards <n>", `shard count, 1 to ${MAX_SHARDS}`, "8")
    .option("--svg <path>", "where the chart is written", DEFAULT_SVG)
    .option("--json", "print the figures as JSON instead of the table");
  const opts = parseOptions<Options>(program, argv, out, err);
  if (typeof opts === "number") return opts;
  const shards = Number(opts.shards);
  if (!/^\d+$/.test(opts.shards) || shards < 1 || shards > MAX_SHARDS) {
    err(`--shards must be an integer from 1 to ${MAX_SHARDS}, got ${JSON.stringify(opts.shards)}`);
    return USAGE_EXIT;
  }
  const mix = idMix(SEED_MIX);
  const analysis = analyze(mix.keys, shards);
  const mixLine = describeMix(mix.segments, SEED_MIX.random.seed);
  // The default path is the repository's; a given one is taken as the user wrote it.
  const svgPath = opts.svg === DEFAULT_SVG ? join(__dirname, "..", "..", DEFAULT_SVG) : opts.svg;
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileSync(svgPath, renderSvg(analysis, `ids: ${mixLine}`, chartNotes(shards)));
  if (opts.json) {
    out(`${JSON.stringify({ mix: { spec: SEED_MIX, segments: mix.segments }, ...analysis }, null, 2)}\n`);
  } else {
    out(renderTable(analysis, mixLine));
    out(`chart: ${opts.svg}\n`);
  }
  return 0;
}

runMain(module, () => main(process.argv.slice(2)));
