/**
 * The `gamedb-endpoints` ConfigMap that game servers and the monitoring workers read: every shard's router
 * Service and ports, every shard's members (for the worker), the Redis endpoints, and the slot map. Its format is
 * the contract infra/contracts/endpoints.ts (endpointsData); here, the members builder and the one resource.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MANAGED_BY } from "./labels";
import { MYSQL_PORT } from "../catalog/mysql";
import type { ShardMembers } from "../contracts/endpoints";

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
