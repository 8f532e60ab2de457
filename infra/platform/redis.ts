/** The Redis Cluster: on Kubernetes (StatefulSet and controller Jobs) or ElastiCache, and its endpoints document. */
import * as pulumi from "@pulumi/pulumi";
import type { Network } from "../network";
import { ElastiCacheRedis, RedisCluster } from "../redis";
import type { RedisDocument } from "../contracts/endpoints";
import type { KubernetesContext, PlatformContext, Redis } from "./context";

export function declareRedis(ctx: PlatformContext, kube: KubernetesContext, network: Network): Redis {
  const r = ctx.plan.redis;
  const k = ctx.plan.kubernetes;
  if (r.engine === "kubernetes")
    return new RedisCluster(
      `${ctx.name}-redis`,
      {
        namespace: kube.namespaceName,
        image: r.image,
        controllerImage: r.controllerImage,
        topology: r.shape,
        nodeTimeoutMs: r.nodeTimeoutMs,
        storageGiB: r.storageGiB,
        // Only a stack with Redis TLS on asks for the CA (a stack without TLS registers none).
        ...(r.tls ? { tls: ctx.certificateAuthority() } : {}),
      },
      kube.opts,
    );
  return new ElastiCacheRedis(
    `${ctx.name}-redis`,
    {
      topology: r.shape,
      nodeType: r.nodeType,
      snapshotRetentionDays: r.snapshotRetentionDays,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds.apply((ids) =>
        Object.keys(ids)
          .sort()
          .map((az) => ids[az]!),
      ),
      clientSecurityGroupIds: k.nodeSecurityGroupIds,
      clientCidrs: k.nodeCidrs,
      protect: ctx.plan.policy.protectData,
    },
    kube.opts,
  );
}

/** What redis.json says: the seeds clients and the worker start from, and with Redis TLS the CA they verify with. */
export function redisDocument(redis: Redis): pulumi.Output<RedisDocument> {
  if (!(redis instanceof RedisCluster))
    return redis.configurationEndpoint.apply((e): RedisDocument => ({ engine: "elasticache", seeds: [e] }));
  const seeds = redis.seeds;
  return redis.caPem === undefined
    ? pulumi.output<RedisDocument>({ engine: "kubernetes", seeds })
    : redis.caPem.apply((ca): RedisDocument => ({ engine: "kubernetes", seeds, tls: { ca } }));
}

/** The password clients give Redis. */
export function redisPassword(redis: Redis): pulumi.Output<string> {
  return redis instanceof RedisCluster ? redis.password : redis.authToken;
}
