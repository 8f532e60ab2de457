/**
 * Builders of raw `gamedb:` config objects for tests.
 *
 * Each builder returns the keys WITHOUT the `gamedb:` namespace, as `parseStackConfig(raw, stack)` in
 * infra/config/load.ts takes them, and returns a fresh deep copy on every call, so a test may mutate the result
 * freely. The values mirror Pulumi.dev.yaml and Pulumi.prod.yaml.
 *
 *   validDev()                 valid for stack "dev"
 *   validProd()                valid for stack "prod"
 *   shardsCovering(count, n)   `count` active shards that split slots 0..16383 evenly
 */
import { evenSlotRanges, formatRange } from "../../infra/plan/slots";

/**
 * A raw config: the `gamedb:` keys without the namespace, as plain (JSON-like) values. Loosely typed on purpose:
 * tests write invalid values into it (`raw.shards[0].nodes = "3"`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawConfig = Record<string, any>;

/** A raw shard entry as written in a stack file. */
export interface RawShard {
  id: number;
  name: string;
  nodes: number;
  state: "active";
  slots: string[];
}

/**
 * `count` active shards with ids 1..count, names `s1`..`s<count>` and `nodes` nodes each, that split slots
 * 0..16383 into contiguous ranges (the first `16384 % count` shards get one slot more). Each shard owns one range.
 */
export function shardsCovering(count: number, nodes: number): RawShard[] {
  return evenSlotRanges(count).map((r, i) => ({
    id: i + 1,
    name: `s${i + 1}`,
    nodes,
    state: "active",
    slots: [formatRange(r)],
  }));
}

/** The images the stack files name (required keys: there is no public image to default to). */
export const IMAGES = {
  monitoring: { image: "registry.example.com/gamedb/gamedb-monitor:0.1.0" },
  backup: { restoreVerification: { image: "registry.example.com/gamedb/gamedb-restore-verify:0.1.0" } },
  redis: { controllerImage: "registry.example.com/gamedb/gamedb-redis-controller:0.1.0" },
};

/** The Kubernetes cluster the stack files name: EKS with Pod Identity, game servers in one namespace. */
export const KUBERNETES = {
  kubernetes: { awsAccess: { mode: "podIdentity", clusterName: "game-eks" }, gameNamespaces: ["game-servers"] },
};

/** A dev stack in a VPC the operator already has (network.mode adopt), one single-node shard. */
export function adoptedNetworkRaw(): RawConfig {
  return {
    aws: { region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"] },
    network: {
      mode: "adopt",
      vpcId: "vpc-0abc12345",
      subnetIds: { "eu-west-1a": "subnet-0aaa11111", "eu-west-1b": "subnet-0bbb22222" },
    },
    shards: [{ id: 1, name: "a", nodes: 1, slots: ["0-16383"] }],
    ...IMAGES,
    ...KUBERNETES,
  };
}

/** The dev stack: 2 zones of eu-west-1, 2 single-node shards owning 0-8191 and 8192-16383. Other keys defaulted. */
export function validDev(): RawConfig {
  return {
    aws: { region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b"] },
    network: { mode: "create", cidr: "10.40.0.0/16", natGateways: "single" },
    mysql: { instanceType: "t3.large", dataVolume: { sizeGiB: 50 } },
    shards: [
      { id: 1, name: "alpha", nodes: 1, state: "active", slots: ["0-8191"] },
      { id: 2, name: "bravo", nodes: 1, state: "active", slots: ["8192-16383"] },
    ],
    redis: { ...IMAGES.redis },
    monitoring: { ...IMAGES.monitoring },
    backup: { ...IMAGES.backup },
    ...KUBERNETES,
  };
}

/**
 * The prod stack: 3 zones eu-west-1a/b/c, 4 shards of 3 nodes owning 0-4095, 4096-8191, 8192-12287 and
 * 12288-16383, with router, redis, backup and ssh set as in Pulumi.prod.yaml.
 */
export function validProd(): RawConfig {
  return {
    aws: { region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
    network: { mode: "create", cidr: "10.50.0.0/16", natGateways: "perAz" },
    mysql: {
      version: "8.4.3",
      instanceType: "r6i.2xlarge",
      dataVolume: { sizeGiB: 500, type: "gp3", iops: 6000, throughput: 250 },
    },
    shards: [
      { id: 1, name: "alpha", nodes: 3, state: "active", slots: ["0-4095"] },
      { id: 2, name: "bravo", nodes: 3, state: "active", slots: ["4096-8191"] },
      { id: 3, name: "charlie", nodes: 3, state: "active", slots: ["8192-12287"] },
      { id: 4, name: "delta", nodes: 3, state: "active", slots: ["12288-16383"] },
    ],
    router: { replicas: 2 },
    redis: { engine: "kubernetes", masters: 3, replicasPerMaster: 1, ...IMAGES.redis },
    backup: { retentionDays: 30, pitrWindowHours: 168, binlogShipMinutes: 5, ...IMAGES.backup },
    monitoring: { ...IMAGES.monitoring },
    ...KUBERNETES,
    ssh: { adminCidrs: ["10.0.0.0/8"] },
  };
}
