/**
 * The Kubernetes side: the provider for the existing cluster, the namespace, and the shard hosts' security group
 * opened to the cluster's nodes (Routers reach the members).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Network, allowKubernetesNodes } from "../network";
import type { KubernetesContext, PlatformContext } from "./context";

export function declareKubernetes(ctx: PlatformContext, network: Network): KubernetesContext {
  const { name, parent } = ctx;
  const k = ctx.plan.kubernetes;
  const provider = new k8s.Provider(
    `${name}-k8s`,
    { kubeconfig: ctx.args.kubeconfig, enableServerSideApply: true },
    { parent },
  );
  const namespaceName = k.namespace;
  const namespace = k.createNamespace
    ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: namespaceName } }, { parent, provider })
        .metadata.name
    : pulumi.output(namespaceName);
  allowKubernetesNodes(
    `${name}-network`,
    network.shardHostsSecurityGroupId,
    { securityGroupIds: k.nodeSecurityGroupIds, cidrs: k.nodeCidrs },
    network,
  );
  return {
    provider,
    namespace,
    namespaceName,
    opts: { parent, providers: { kubernetes: provider, aws: ctx.aws } },
  };
}
