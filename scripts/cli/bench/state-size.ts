/**
 * How big the Pulumi state of a fleet gets: `npm run bench:state [-- --sizes 8,64,256] [--json FILE]`.
 *
 * For each size N, evaluates (scripts/lib/evaluate.ts) the prod-shaped topology of topologies.ts at N and N + 1
 * shards of 3 nodes and reports the recorded inputs one more shard adds, by resource type and name pattern (new
 * resources and the growth of existing ones), and an estimated state size at N (the rule is in
 * scripts/lib/bench/stateSize.ts). It measures whatever the program registers. Issue 17's target: one more shard
 * adds at most 40 KB.
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { USAGE_EXIT, parseOptions, runMain } from "../../lib/cli";
import { evaluate } from "../../lib/evaluate";
import { intListOption } from "../../lib/bench/stats";
import {
  CONNECTION_PLAINTEXT_BYTES,
  ENVELOPE_BYTES,
  PASSWORD_PLAINTEXT_BYTES,
  SHARD_GROWTH_TARGET_BYTES,
  StatePoint,
  resourceSizes,
  statePoint,
} from "../../lib/bench/stateSize";
import { renderStateReport } from "../../lib/bench/stateReport";
import { DEFAULT_BENCH_SIZES, benchTopology } from "./topologies";

/** N + 1 shards must still fit the 16384 slots. */
const MAX_SIZE = 16383;

interface Flags {
  sizes: string;
  json?: string;
}

function sizesOption(text: string): number[] {
  const sizes = intListOption("sizes", text);
  const bad = sizes.find((n) => n > MAX_SIZE);
  if (bad !== undefined) throw new Error(`--sizes: shard counts go from 1 to ${MAX_SIZE}, got ${bad}`);
  return sizes;
}

/** The plan of `shards` shards, reduced to what the figures need. */
async function sizesAt(shards: number) {
  return resourceSizes(await evaluate(benchTopology(shards)));
}

export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  const program = new Command("bench:state")
    .description("Recorded inputs one more shard adds, and the estimated Pulumi state, per shard count")
    .option("--sizes <list>", "shard counts, comma-separated", DEFAULT_BENCH_SIZES.join(","))
    .option("--json <file>", "also write the figures as JSON to this file");
  const flags = parseOptions<Flags>(program, argv, out, err);
  if (typeof flags === "number") return flags;
  let sizes: number[];
  try {
    sizes = sizesOption(flags.sizes);
  } catch (e) {
    err(`bench:state: ${(e as Error).message}\n`);
    return USAGE_EXIT;
  }

  const points: StatePoint[] = [];
  for (const n of sizes) {
    out(`evaluating ${n} and ${n + 1} shards\n`);
    points.push(statePoint(n, await sizesAt(n), await sizesAt(n + 1)));
  }
  out(`\n${renderStateReport(points)}\n`);
  if (flags.json) {
    const doc = {
      generatedAt: new Date().toISOString(),
      rules: {
        bytes: "UTF-8 bytes of JSON.stringify of each resource's recorded inputs",
        state: "per custom resource: inputs + outputs, outputs estimated as the inputs; secrets as envelopes",
        envelopeBytes: ENVELOPE_BYTES,
        connectionPlaintextBytes: CONNECTION_PLAINTEXT_BYTES,
        passwordPlaintextBytes: PASSWORD_PLAINTEXT_BYTES,
        shardGrowthTargetBytes: SHARD_GROWTH_TARGET_BYTES,
      },
      points,
    };
    writeFileSync(flags.json, JSON.stringify(doc, null, 2) + "\n");
    out(`wrote ${flags.json}\n`);
  }
  return 0;
}

runMain(module, () => main(process.argv.slice(2)));
