/**
 * Prod-shaped stack configs of any size, for the plan benchmark (and for tests that want a big valid topology).
 *
 * Everything except the shard list is Pulumi.prod.yaml's: eu-west-1 over three zones, a created network with a NAT
 * gateway per zone, r6i.2xlarge hosts with 500 GiB gp3 volumes, and so on. Shards get ids 1..N, names s1..sN,
 * 3 nodes each, state active, and slots 0-16383 split into N contiguous ranges whose sizes differ by at most one
 * (the first `16384 % N` shards take one extra slot).
 *
 * Nothing is validated here: the program validates it like any other config.
 */
import { join } from "node:path";
import { StackConfig, readStackConfig } from "../../lib/stackFile";
import { evenSlotRanges, formatRange } from "../../../infra/plan/slots";

/** The shard counts `npm run bench` measures unless told otherwise. */
export const DEFAULT_BENCH_SIZES: readonly number[] = [8, 64, 256];

export interface BenchTopologyOptions {
  /** Nodes per shard. @default 3 */
  nodesPerShard?: number;
  /** Stack name; "prod" makes the environment prod without a gamedb:environment key. @default "prod" */
  stack?: string;
}

/**
 * The shipped Pulumi.prod.yaml with its shards replaced by `shardCount` active shards (ids 1..N, names s1..sN,
 * `nodesPerShard` nodes each) that split the slot space evenly: a StackConfig as readStackConfig returns it.
 */
export function benchTopology(shardCount: number, options: BenchTopologyOptions = {}): StackConfig {
  const prod = readStackConfig(join(__dirname, "..", "..", "..", "Pulumi.prod.yaml"), {
    stack: options.stack ?? "prod",
  });
  const shards = evenSlotRanges(shardCount).map((r, i) => ({
    id: i + 1,
    name: `s${i + 1}`,
    nodes: options.nodesPerShard ?? 3,
    state: "active",
    slots: [formatRange(r)],
  }));
  return { ...prod, config: { ...prod.config, "gamedb:shards": JSON.stringify(shards) } };
}
