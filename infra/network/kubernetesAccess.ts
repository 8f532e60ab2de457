/**
 * Lets the Kubernetes nodes (where the routers run) reach the shard hosts on the member ports, and nothing else:
 * one rule per node security group or CIDR per port, named from the group id or CIDR so list order never matters.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { MEMBER_PORTS, cidrKey } from "./securityGroups";

/** The Kubernetes nodes that may reach the shard hosts' member ports (kubernetes.nodeSecurityGroupIds, nodeCidrs). */
export interface KubernetesNodes {
  /** Security groups of the nodes: one ingress rule per group and port; may be empty. */
  readonly securityGroupIds: readonly string[];
  /** CIDRs (IPv4 or IPv6) of the nodes: one ingress rule per CIDR and port; may be empty. */
  readonly cidrs: readonly string[];
}

export function allowKubernetesNodes(
  name: string,
  shardHostsSecurityGroupId: pulumi.Input<string>,
  nodes: KubernetesNodes,
  parent: pulumi.Resource,
): void {
  for (const port of MEMBER_PORTS) {
    const rule = { securityGroupId: shardHostsSecurityGroupId, ipProtocol: "tcp", fromPort: port, toPort: port };
    for (const id of nodes.securityGroupIds)
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-shard-hosts-k8s-${id}-${port}`,
        { ...rule, referencedSecurityGroupId: id },
        { parent },
      );
    for (const cidr of nodes.cidrs)
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-shard-hosts-k8s-${cidrKey(cidr)}-${port}`,
        { ...rule, ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }) },
        { parent },
      );
  }
}
