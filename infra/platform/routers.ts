/** MySQL Router in front of every shard that clients may reach (not retired ones). */
import * as pulumi from "@pulumi/pulumi";
import { MySqlRouter, routerBootstrapConfigMap } from "../mysql";
import { routerServiceNames } from "../mysql/router";
import { serverCertificate } from "../tls/ca";
import type { RouterEndpoint } from "../contracts/endpoints";
import type { KubernetesContext, PlatformContext, ShardResources } from "./context";

/** Declares the routers (recording each on its shard) and returns each shard's endpoint. */
export function declareRouters(
  ctx: PlatformContext,
  kube: KubernetesContext,
  shards: Record<string, ShardResources>,
): pulumi.Output<Record<string, RouterEndpoint>> {
  const routers: Record<string, pulumi.Output<RouterEndpoint>> = {};
  const serving = ctx.plan.shards.filter((s) => s.state !== "retired");
  // One script for every shard's routers: a shard added does not add another copy to the state.
  const bootstrap =
    serving.length > 0
      ? routerBootstrapConfigMap(kube.namespace, ctx.certificateAuthority().certPem, {
          parent: ctx.parent,
          provider: kube.provider,
        })
      : undefined;
  for (const shard of ctx.plan.shards) {
    if (shard.state === "retired") continue;
    const s = shards[shard.key]!;
    const names = routerServiceNames(shard.key, kube.namespaceName);
    // What the Router shows clients that use TLS: a certificate for its Service's names, so they can verify it.
    const clientTls = serverCertificate(
      `${shard.key}-router-tls`,
      ctx.certificateAuthority(),
      { commonName: names[0]!, dnsNames: names },
      { parent: ctx.parent },
    );
    s.router = new MySqlRouter(
      `${shard.key}-router`,
      {
        shardKey: shard.key,
        namespace: kube.namespace,
        image: ctx.plan.router.image,
        replicas: ctx.plan.router.replicas,
        members: s.cluster.memberAddresses,
        password: s.cluster.passwords.router,
        passwordRotation: ctx.plan.mysql.passwordRotation,
        cluster: s.cluster,
        bootstrap: bootstrap!,
        caPem: ctx.certificateAuthority().certPem,
        clientTls,
      },
      kube.opts,
    );
    const ports: Record<string, number> = { ...s.router.ports };
    routers[shard.key] = s.router.serviceHost.apply((host): RouterEndpoint => ({ host, ports }));
  }
  return pulumi.all(routers) as pulumi.Output<Record<string, RouterEndpoint>>;
}
