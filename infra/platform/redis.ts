/** The Redis Cluster: on Kubernetes (StatefulSet and controller Jobs) or ElastiCache, and its endpoints document. */
import * as pulumi from "@pulumi/pulumi";
import type { Network } from "../network";
import { ElastiCacheRedis, RedisCluster } from "../redis";
import type { RedisDocument } from "../contracts/endpoints";
import type { KubernetesContext, PlatformContext, Redis } from "./context";

export function declareRedis(ctx: PlatformContext, kube: KubernetesContext, network: Network): Redis {
  const t = ctx.topology;
  const topology = { masters: t.redis.masters, replicasPerMaster: t.redis.replicasPerMaster };
  if (t.redis.engine === "kubernetes")
    return new RedisCluster(
      `${ctx.name}-redis`,
      {
        namespace: kube.namespaceName,
        image: t.redis.image,
        // Validation requires it with the kubernetes engine.
        controllerImage: t.redis.controllerImage!,
        topology,
        nodeTimeoutMs: t.redis.nodeTimeoutMs,
        storageGiB: t.redis.storageGiB,
      },
      kube.opts,
    );
  return new ElastiCacheRedis(
    `${ctx.name}-redis`,
    {
      topology,
      nodeType: t.redis.nodeType,
      snapshotRetentionDays: t.redis.snapshotRetentionDays,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds.apply((ids) =>
        Object.keys(ids)
          .sort()
          .map((az) => ids[az]!),
      ),
      clientSecurityGroupIds: t.kubernetes.nodeSecurityGroupIds,
      clientCidrs: t.kubernetes.nodeCidrs,
      protect: ctx.plan.policy.protectData,
    },
    kube.opts,
  );
}

/** What redis.json says: the seeds clients and the worker start from. */
export function redisDocument(redis: Redis): pulumi.Output<RedisDocument> {
  return redis instanceof RedisCluster
    ? pulumi.output<RedisDocument>({ engine: "kubernetes", seeds: redis.seeds })
    : redis.configurationEndpoint.apply((e): RedisDocument => ({ engine: "elasticache", seeds: [e] }));
}

/** The password clients give Redis. */
export function redisPassword(redis: Redis): pulumi.Output<string> {
  return redis instanceof RedisCluster ? redis.password : redis.authToken;
}
