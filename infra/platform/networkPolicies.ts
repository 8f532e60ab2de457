/**
 * The NetworkPolicies of gamedb's namespace: the Routers and Redis admit the game namespaces the config names and
 * gamedb's own programs; the rest of the namespace denies ingress (infra/kubernetes/networkPolicies.ts).
 */
import { NetworkPolicies } from "../kubernetes/networkPolicies";
import type { KubernetesContext, PlatformContext } from "./context";

export function declareNetworkPolicies(ctx: PlatformContext, kube: KubernetesContext): NetworkPolicies {
  const { plan } = ctx;
  return new NetworkPolicies(
    `${ctx.name}-network-policies`,
    {
      namespace: kube.namespace,
      gameNamespaces: plan.kubernetes.gameNamespaces,
      redisOnKubernetes: plan.redis.engine === "kubernetes",
      prometheusOperator: plan.monitoring.prometheusOperator,
    },
    { parent: ctx.parent, providers: { kubernetes: kube.provider } },
  );
}
