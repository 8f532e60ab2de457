import * as pulumi from "@pulumi/pulumi";
import type { NetworkPlan } from "../plan/plan";
import { createVpc } from "./vpc";
import { createSecurityGroups } from "./securityGroups";

export interface NetworkArgs {
  /** The network slice of the plan: create a VPC with these subnets, or adopt an existing VPC and its subnets. */
  readonly plan: NetworkPlan;
  /** The AWS region, which names the S3 gateway endpoint's service. */
  readonly region: string;
  /** The environment, which names a created VPC's flow-log group. */
  readonly environment: string;
  /** Days a created VPC's flow logs are kept (EnvironmentPolicy.flowLogRetentionDays). */
  readonly flowLogRetentionDays: number;
  /**
   * Operator networks (IPv4 or IPv6 CIDRs) allowed to SSH into the admin security group.
   * @default [] (no SSH from outside the VPC)
   */
  readonly adminCidrs?: readonly string[];
}

/** The VPC (created or adopted), a private subnet per zone, and the security groups. */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  /** Private subnet id by zone name. */
  readonly privateSubnetIds: pulumi.Output<Record<string, string>>;
  readonly shardHostsSecurityGroupId: pulumi.Output<string>;
  readonly adminSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:network:Network", name, {}, opts);
    if (args.plan.mode === "create") {
      const vpc = createVpc(name, args.plan, args, this);
      this.vpcId = vpc.vpcId;
      this.privateSubnetIds = pulumi.output(vpc.privateSubnetIds);
    } else {
      this.vpcId = pulumi.output(args.plan.vpcId);
      this.privateSubnetIds = pulumi.output(Object.fromEntries(args.plan.subnets.map((s) => [s.az, s.subnetId])));
    }
    const groups = createSecurityGroups(name, this.vpcId, args.adminCidrs ?? [], this);
    this.shardHostsSecurityGroupId = groups.shardHostsId;
    this.adminSecurityGroupId = groups.adminId;
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      shardHostsSecurityGroupId: this.shardHostsSecurityGroupId,
      adminSecurityGroupId: this.adminSecurityGroupId,
    });
  }
}
