/**
 * Prod-shaped stack configs of any size, for the plan benchmark (and for tests that want a big valid topology).
 *
 * Everything except the shard list is Pulumi.prod.yaml's: eu-west-1 over three zones, a created network with a NAT
 * gateway per zone, r6i.2xlarge hosts with 500 GiB gp3 volumes, and so on. Shards get ids 1..N, names s1..sN,
 * 3 nodes each, state active, and slots 0-16383 split into N contiguous ranges whose sizes differ by at most one
 * (the first `16384 % N` shards take one extra slot).
 *
 * Pure: no file is read, nothing is validated here (the program validates it like any other config).
 */
import type { StackConfig } from "../lib/stackFile";
import { evenSlotRanges as evenRanges, formatRange } from "../../infra/topology/slots";

export { SLOT_COUNT } from "../../infra/topology/slots";

/** The shard counts `npm run bench` measures unless told otherwise. */
export const DEFAULT_BENCH_SIZES: readonly number[] = [8, 64, 256];

export interface BenchTopologyOptions {
  /** Nodes per shard. @default 3 */
  nodesPerShard?: number;
  /** Stack name; "prod" makes the environment prod without a gamedb:environment key. @default "prod" */
  stack?: string;
}

/** Inclusive slot ranges ("from-to", or "n" for one slot) splitting the slot space evenly over `count` shards. */
export function evenSlotRanges(count: number): string[] {
  return evenRanges(count).map(formatRange);
}

/** The `gamedb:` sections of a prod-shaped stack with `shardCount` shards, as plain values (not yet JSON text). */
export function benchTopologySections(shardCount: number, nodesPerShard = 3): Record<string, unknown> {
  const ranges = evenSlotRanges(shardCount);
  return {
    aws: { region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
    network: { mode: "create", cidr: "10.50.0.0/16", natGateways: "perAz" },
    mysql: {
      version: "8.4.3",
      instanceType: "r6i.2xlarge",
      dataVolume: { sizeGiB: 500, type: "gp3", iops: 6000, throughput: 250 },
    },
    shards: ranges.map((slots, i) => ({
      id: i + 1,
      name: `s${i + 1}`,
      nodes: nodesPerShard,
      state: "active",
      slots: [slots],
    })),
    router: { replicas: 2 },
    redis: { engine: "kubernetes", masters: 3, replicasPerMaster: 1 },
    backup: { retentionDays: 30, pitrWindowHours: 168, binlogShipMinutes: 5 },
    ssh: { adminCidrs: ["10.0.0.0/8"] },
  };
}

/**
 * A StackConfig as readStackConfig would return it for a Pulumi.prod.yaml with `shardCount` shards: flat
 * `gamedb:key` -> JSON text, no secrets.
 */
export function benchTopology(shardCount: number, options: BenchTopologyOptions = {}): StackConfig {
  const project = "gamedb";
  const sections = benchTopologySections(shardCount, options.nodesPerShard ?? 3);
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(sections)) config[`gamedb:${key}`] = JSON.stringify(value);
  return { project, stack: options.stack ?? "prod", config, secretKeys: [] };
}
