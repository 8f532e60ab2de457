/** The gamedb-endpoints ConfigMap (infra/contracts/endpoints.ts): routers, members, Redis and the slot map. */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { instanceVcpus } from "../catalog/instanceTypes";
import { endpointsConfigMap, shardMembers } from "../kubernetes";
import { RedisDocument, RouterEndpoint, ShardMembers, endpointsData } from "../contracts/endpoints";
import { slotMapOutput } from "../plan/outputs";
import type { KubernetesContext, PlatformContext, ShardResources } from "./context";

export function declareEndpoints(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: {
    shards: Record<string, ShardResources>;
    routers: pulumi.Output<Record<string, RouterEndpoint>>;
    redis: pulumi.Output<RedisDocument>;
  },
): { data: pulumi.Output<Record<string, string>>; configMap: k8s.core.v1.ConfigMap } {
  const { plan } = ctx;
  const vcpusOf = (type: string) => (plan.hosts.provider === "aws" ? instanceVcpus(type) : undefined);
  const members = pulumi.all(
    Object.fromEntries(
      plan.shards.map((shard) => {
        const { hosts, cluster } = deps.shards[shard.key]!;
        const addresses = pulumi.all(hosts.hosts.map((h) => h.address));
        const nodes = hosts.hosts.map((h) => h.node);
        return [shard.key, addresses.apply((a) => shardMembers(shard, cluster.clusterName, nodes, a, vcpusOf))];
      }),
    ),
  ) as pulumi.Output<Record<string, ShardMembers>>;
  const data = pulumi
    .all([deps.routers, members, deps.redis])
    .apply(([r, m, redis]) => endpointsData({ routers: r, members: m, redis, slotMap: slotMapOutput(plan) }));
  const configMap = endpointsConfigMap(`${ctx.name}-endpoints`, kube.namespace, data, {
    parent: ctx.parent,
    provider: kube.provider,
  });
  return { data, configMap };
}
