/**
 * The plan of a platform: the validated topology expanded into plain data (no Pulumi types) that the
 * components wire up and that the offline plan prints.
 */
import { EnvironmentPolicy, environmentPolicy } from "./environmentPolicy";
import {
  BackupPlan,
  MonitoringPlan,
  RedisPlan,
  RouterPlan,
  planBackup,
  planMonitoring,
  planRedis,
  planRouter,
} from "./components";
import type { StackConfig, ShardState } from "../config/schema";
import { NodePlan, planNodes, shardKey } from "./nodes";
import { sortedZones } from "./placement";
import { SlotAssignment, SlotRange, parseSlotRange, slotMap } from "./slots";
import { subnetLayout, ZoneSubnets } from "./subnetLayout";
import { SchemaPlan, planSchema } from "./gameSchemaPlan";
import type { SourceFile } from "./migrations/files";
import { MovePlan, PublishedSlot, planMoves, publishedSlotMap } from "./moves";

export interface ShardPlan {
  id: number;
  /** Resource-name stem, e.g. `shard7`. */
  key: string;
  name: string;
  state: ShardState;
  slots: SlotRange[];
  nodes: NodePlan[];
}

export type NetworkPlan =
  | { mode: "create"; cidr: string; natGateways: "none" | "single" | "perAz"; zones: ZoneSubnets[] }
  | { mode: "adopt"; vpcId: string; subnets: { az: string; subnetId: string }[] };

export interface PlatformPlan {
  environment: StackConfig["environment"];
  /** What the environment means for protection and recovery. */
  policy: EnvironmentPolicy;
  region: string;
  zones: string[];
  network: NetworkPlan;
  /** Sorted by id. */
  shards: ShardPlan[];
  /** The config's ownership (shards[].slots): the fence rows the migrate Job writes. */
  slotMap: SlotAssignment[];
  /** What the endpoints publish: slotMap with each move's range given to the shard its phase names (moves.ts). */
  publishedSlotMap: PublishedSlot[];
  /** gamedb:slotMoves, by id; [] without it. */
  moves: MovePlan[];
  /** Shard hosts: EC2 or static, root volume, static data device. */
  hosts: StackConfig["hosts"];
  /** How gamedb reaches the hosts: user, bastion, admin networks. */
  ssh: StackConfig["ssh"];
  /** The MySQL version, data volume, my.cnf overrides, converge mode and password rotation. */
  mysql: StackConfig["mysql"];
  router: RouterPlan;
  redis: RedisPlan;
  /** The existing cluster: namespace, and the nodes that reach the shard hosts. */
  kubernetes: StackConfig["kubernetes"];
  /** The stack's certificate authority: rotation and validity. */
  tls: StackConfig["tls"];
  backup: BackupPlan;
  monitoring: MonitoringPlan;
  /** gamedb:schema: the game database, its checked migrations and the migration Job's config; absent without it. */
  schema?: SchemaPlan;
}

/** What the plan reads beyond config: the migration files (gamedb:schema.migrations), read by the program. */
export interface PlanInputs {
  migrationFiles?: readonly SourceFile[];
}

/** Parses slot strings that validation has already accepted. */
export function shardSlots(slots: readonly string[]): SlotRange[] {
  return slots
    .map((s) => parseSlotRange(s))
    .filter((r): r is SlotRange => typeof r !== "string")
    .sort((a, b) => a.from - b.from);
}

export function planNetwork(t: StackConfig): NetworkPlan {
  const zones = sortedZones(t.aws.availabilityZones);
  if (t.network.mode === "adopt") {
    const ids = t.network.subnetIds;
    return { mode: "adopt", vpcId: t.network.vpcId, subnets: zones.map((az) => ({ az, subnetId: ids[az]! })) };
  }
  return {
    mode: "create",
    cidr: t.network.cidr,
    natGateways: t.network.natGateways,
    zones: subnetLayout(t.network.cidr, zones),
  };
}

export function planPlatform(t: StackConfig, inputs: PlanInputs = {}): PlatformPlan {
  const zones = sortedZones(t.aws.availabilityZones);
  const shards = [...t.shards]
    .sort((a, b) => a.id - b.id)
    .map((s) => ({
      id: s.id,
      key: shardKey(s.id),
      name: s.name,
      state: s.state,
      slots: s.state === "active" ? shardSlots(s.slots) : [],
      nodes: planNodes(s, zones, t.mysql.instanceType),
    }));
  const slots = slotMap(new Map(shards.map((s) => [s.id, s.slots])));
  const schema = planSchema(t, shards, slots, inputs.migrationFiles ?? []);
  const moves = planMoves(t.slotMoves);
  return {
    environment: t.environment,
    policy: environmentPolicy(t.environment),
    region: t.aws.region,
    zones,
    network: planNetwork(t),
    shards,
    slotMap: slots,
    publishedSlotMap: publishedSlotMap(slots, moves),
    moves,
    hosts: t.hosts,
    ssh: t.ssh,
    mysql: t.mysql,
    router: planRouter(t),
    redis: planRedis(t),
    kubernetes: t.kubernetes,
    tls: t.tls,
    backup: planBackup(
      t,
      shards.filter((s) => s.state === "active").map((s) => s.id),
    ),
    monitoring: planMonitoring(
      t,
      shards.reduce((n, s) => n + s.nodes.length, 0),
    ),
    ...(schema ? { schema } : {}),
  };
}
