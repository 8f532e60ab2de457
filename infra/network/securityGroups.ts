/**
 * The security groups later components attach to. Rules are separate resources so that a component can add its
 * own (routers' Kubernetes nodes, monitoring) without modifying the group. No database or SSH port is open to
 * 0.0.0.0/0: members reach each other, the admin group reaches SSH, and nothing else is allowed in.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** Ports the shard hosts serve to each other: 3306 (SQL, Group Replication with the MYSQL stack, clone), 33060 (X). */
export const MEMBER_PORTS = [3306, 33060] as const;
export const SSH_PORT = 22;

export interface SecurityGroups {
  shardHostsId: pulumi.Output<string>;
  adminId: pulumi.Output<string>;
}

/** Rule name stem for a CIDR ("10.0.0.0/8" -> "10-0-0-0-8"): derived from the value, so list order never matters. */
export function cidrKey(cidr: string): string {
  return cidr.replace(/[^0-9a-fA-F]+/g, "-").replace(/^-|-$/g, "");
}

export function createSecurityGroups(
  name: string,
  vpcId: pulumi.Input<string>,
  adminCidrs: readonly string[],
  parent: pulumi.Resource,
): SecurityGroups {
  const opts = { parent };
  const shardHosts = new aws.ec2.SecurityGroup(
    `${name}-shard-hosts`,
    { vpcId, description: "gamedb shard hosts (MySQL InnoDB Cluster members)", tags: { Name: `${name}-shard-hosts` } },
    opts,
  );
  const admin = new aws.ec2.SecurityGroup(
    `${name}-admin`,
    { vpcId, description: "gamedb administration (bastion, operators)", tags: { Name: `${name}-admin` } },
    opts,
  );

  for (const port of MEMBER_PORTS) {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-shard-hosts-members-${port}`,
      {
        securityGroupId: shardHosts.id,
        referencedSecurityGroupId: shardHosts.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        description: `members to members on ${port}`,
      },
      opts,
    );
  }
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-shard-hosts-ssh-from-admin`,
    {
      securityGroupId: shardHosts.id,
      referencedSecurityGroupId: admin.id,
      ipProtocol: "tcp",
      fromPort: SSH_PORT,
      toPort: SSH_PORT,
      description: "SSH from the admin group",
    },
    opts,
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-shard-hosts-egress`,
    {
      securityGroupId: shardHosts.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "-1",
      description: "packages, S3 and AWS APIs",
    },
    opts,
  );

  for (const cidr of adminCidrs) {
    const v6 = cidr.includes(":");
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-admin-ssh-${cidrKey(cidr)}`,
      {
        securityGroupId: admin.id,
        ...(v6 ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
        ipProtocol: "tcp",
        fromPort: SSH_PORT,
        toPort: SSH_PORT,
        description: "SSH from an operator network",
      },
      opts,
    );
  }
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-admin-egress`,
    {
      securityGroupId: admin.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "-1",
      description: "onward SSH and package installs",
    },
    opts,
  );
  return { shardHostsId: shardHosts.id, adminId: admin.id };
}
