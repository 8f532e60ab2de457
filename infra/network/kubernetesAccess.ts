/**
 * Lets the Kubernetes nodes (where the routers run) reach the shard hosts on the member ports, and nothing else:
 * one rule per node security group or CIDR per port, named from the group id or CIDR so list order never matters.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { MEMBER_PORTS, cidrKey } from "./securityGroups";

export interface KubernetesNodes {
  securityGroupIds: readonly string[];
  cidrs: readonly string[];
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
