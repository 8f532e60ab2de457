/**
 * The ElastiCache alternative (redis.engine: elasticache): a cluster-mode replication group with the same
 * masters/replicas keys, multi-AZ with automatic failover, encryption at rest and in transit, an auth token from
 * @pulumi/random, snapshots, its own subnet group and a security group open only to the Kubernetes nodes.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import type { RedisShape } from "./cluster";
import { REDIS_PORT } from "./cluster";
import { cidrKey } from "../network/securityGroups";

export interface ElastiCacheRedisArgs {
  /** Masters (node groups) and replicas per master of the replication group. */
  readonly topology: RedisShape;
  /** The ElastiCache node type of every node (redis.nodeType), e.g. "cache.r7g.large". */
  readonly nodeType: string;
  /** How many days of daily snapshots ElastiCache keeps (redis.snapshotRetentionDays); 0 takes none. */
  readonly snapshotRetentionDays: number;
  /** The VPC of the replication group's security group. */
  readonly vpcId: pulumi.Input<string>;
  /** The private subnets of the replication group's subnet group. */
  readonly subnetIds: pulumi.Input<string[]>;
  /** Security groups of the Kubernetes nodes, the only clients: one ingress rule each; may be empty. */
  readonly clientSecurityGroupIds: readonly string[];
  /** CIDRs (IPv4 or IPv6) of the Kubernetes nodes, the only clients: one ingress rule each; may be empty. */
  readonly clientCidrs: readonly string[];
  /** Protect the replication group from deletion (prod). */
  readonly protect: boolean;
}

export class ElastiCacheRedis extends pulumi.ComponentResource {
  readonly configurationEndpoint: pulumi.Output<string>;
  readonly authToken: pulumi.Output<string>;

  constructor(name: string, args: ElastiCacheRedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:redis:ElastiCache", name, {}, opts);
    const child = { parent: this };
    const t = args.topology;
    const subnets = new aws.elasticache.SubnetGroup(`${name}`, { subnetIds: args.subnetIds }, child);
    const sg = new aws.ec2.SecurityGroup(
      `${name}`,
      { vpcId: args.vpcId, description: "gamedb ElastiCache Redis: Kubernetes nodes only" },
      child,
    );
    for (const id of args.clientSecurityGroupIds)
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-${id}`,
        {
          securityGroupId: sg.id,
          referencedSecurityGroupId: id,
          ipProtocol: "tcp",
          fromPort: REDIS_PORT,
          toPort: REDIS_PORT,
        },
        child,
      );
    for (const cidr of args.clientCidrs)
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-from-${cidrKey(cidr)}`,
        {
          securityGroupId: sg.id,
          ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
          ipProtocol: "tcp",
          fromPort: REDIS_PORT,
          toPort: REDIS_PORT,
        },
        child,
      );
    const params = new aws.elasticache.ParameterGroup(
      `${name}`,
      { family: "redis7", parameters: [{ name: "cluster-enabled", value: "yes" }] },
      child,
    );
    this.authToken = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, child).result;
    const group = new aws.elasticache.ReplicationGroup(
      `${name}`,
      {
        description: "gamedb Redis Cluster",
        engine: "redis",
        engineVersion: "7.1",
        nodeType: args.nodeType,
        port: REDIS_PORT,
        numNodeGroups: t.masters,
        replicasPerNodeGroup: t.replicasPerMaster,
        automaticFailoverEnabled: true,
        multiAzEnabled: t.replicasPerMaster > 0,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authToken: this.authToken,
        parameterGroupName: params.name,
        subnetGroupName: subnets.name,
        securityGroupIds: [sg.id],
        snapshotRetentionLimit: args.snapshotRetentionDays,
        applyImmediately: false,
      },
      { parent: this, protect: args.protect },
    );
    this.configurationEndpoint = pulumi.interpolate`${group.configurationEndpointAddress}:${REDIS_PORT}`;
    this.registerOutputs({ configurationEndpoint: this.configurationEndpoint });
  }
}
