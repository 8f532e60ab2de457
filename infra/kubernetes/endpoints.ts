/**
 * The `gamedb-endpoints` ConfigMap that game servers and the monitoring workers read: every shard's router
 * Service and ports, every shard's members (for the worker), the Redis endpoints, and the slot map. Pure data
 * builders plus the one resource.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MANAGED_BY } from "./labels";
import { MYSQL_PORT } from "../mysql/clusterParams";

export interface RouterEndpoint {
  host: string;
  ports: Readonly<Record<string, number>>;
}

export type RedisEndpoints = { engine: "kubernetes"; seeds: string[] } | { engine: "elasticache"; seeds: string[] };

/** One shard's members, as the monitoring worker polls them. */
export interface ShardMembers {
  shardId: number;
  clusterName: string;
  state: string;
  members: { node: string; host: string; port: number; vcpus: number | null }[];
}

/**
 * One shard's entry of members.json, from its nodes and their addresses (same order). vCPUs come from the instance
 * type on EC2 (the worker's CPU proxy divides by them); on static hosts they are unknown (null). Pure.
 */
export function shardMembers(
  shard: { id: number; state: string },
  clusterName: string,
  nodes: readonly { name: string; instanceType: string }[],
  addresses: readonly string[],
  vcpusOf: (instanceType: string) => number | undefined,
): ShardMembers {
  return {
    shardId: shard.id,
    clusterName,
    state: shard.state,
    members: nodes.map((node, i) => ({
      node: node.name,
      host: addresses[i]!,
      port: MYSQL_PORT,
      vcpus: vcpusOf(node.instanceType) ?? null,
    })),
  };
}

export interface EndpointsInput {
  routers: Record<string, RouterEndpoint>;
  members: Record<string, ShardMembers>;
  redis: RedisEndpoints;
  slotMap: unknown;
}

/** The ConfigMap's data: one JSON document per key. */
export function endpointsData(input: EndpointsInput): Record<string, string> {
  return {
    "routers.json": JSON.stringify(input.routers, null, 2),
    "members.json": JSON.stringify(input.members, null, 2),
    "redis.json": JSON.stringify(input.redis, null, 2),
    "slot-map.json": JSON.stringify(input.slotMap, null, 2),
  };
}

export function endpointsConfigMap(
  name: string,
  namespace: pulumi.Input<string>,
  data: pulumi.Input<Record<string, string>>,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
  return new k8s.core.v1.ConfigMap(
    name,
    { metadata: { name: "gamedb-endpoints", namespace, labels: { ...MANAGED_BY } }, data },
    opts,
  );
}
