/**
 * The gamedb-endpoints ConfigMap (infra/contracts/endpoints.ts): routers, members, Redis and the slot map. With slot
 * moves its update waits for the slot map gate (publishAfter), so a map is published only after the gate passed;
 * the Jobs that must run before the gate then read the Routers from gamedb-routers instead, which holds routers.json
 * alone and waits for nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { instanceVcpus } from "../catalog/instanceTypes";
import { endpointsConfigMap, shardMembers } from "../kubernetes";
import { MANAGED_BY } from "../kubernetes/labels";
import {
  ENDPOINT_FILES,
  RedisDocument,
  RouterEndpoint,
  ShardMembers,
  endpointsData,
  parseDocument,
  routersSchema,
} from "../contracts/endpoints";
import { slotMapOutput } from "../plan/outputs";
import type { KubernetesContext, PlatformContext, ShardResources } from "./context";

export function declareEndpoints(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: {
    shards: Record<string, ShardResources>;
    routers: pulumi.Output<Record<string, RouterEndpoint>>;
    redis: pulumi.Output<RedisDocument>;
    /** What must have succeeded before the map is published (the slot map gate). @default [] */
    publishAfter?: pulumi.Resource[];
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
    .all([deps.routers, members, deps.redis, ctx.certificateAuthority().certPem])
    .apply(([r, m, redis, ca]) =>
      endpointsData({ routers: r, members: m, redis, slotMap: slotMapOutput(plan), mysqlTls: { ca } }),
    );
  const publishAfter = deps.publishAfter ?? [];
  const configMap = endpointsConfigMap(`${ctx.name}-endpoints`, kube.namespace, data, {
    parent: ctx.parent,
    provider: kube.provider,
    ...(publishAfter.length > 0 ? { dependsOn: publishAfter } : {}),
  });
  return { data, configMap };
}

/**
 * gamedb-routers: routers.json alone (the same document, checked with the same schema), for the migration Job and
 * the partition CronJob when the endpoints ConfigMap waits for the slot map gate, which itself runs after the
 * migration Job: reading gamedb-endpoints there would make the three wait for each other.
 */
export function declareRoutersConfigMap(
  ctx: PlatformContext,
  kube: KubernetesContext,
  routers: pulumi.Output<Record<string, RouterEndpoint>>,
): k8s.core.v1.ConfigMap {
  const text = routers.apply((r) =>
    JSON.stringify(parseDocument(routersSchema, ENDPOINT_FILES.routers, JSON.stringify(r)), null, 2),
  );
  return new k8s.core.v1.ConfigMap(
    `${ctx.name}-routers`,
    {
      metadata: { name: "gamedb-routers", namespace: kube.namespace, labels: { ...MANAGED_BY } },
      data: { [ENDPOINT_FILES.routers]: text },
    },
    { parent: ctx.parent, provider: kube.provider },
  );
}
