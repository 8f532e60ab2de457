/**
 * A created VPC: one private subnet per zone for the shard hosts, and (unless natGateways is none) public subnets
 * with NAT gateways for package installs. An S3 gateway endpoint keeps backup traffic off the NAT gateways.
 * Every child's name carries the zone name, never a list position. The VPC's flow logs go to CloudWatch Logs
 * (flowLogs.ts), and its default security group is managed with no rules: anything that attaches to it by default
 * can neither send nor receive (checkov CKV2_AWS_12, FSBP EC2.2).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { NetworkPlan } from "../plan/plan";
import { natZoneFor, natZones } from "../plan/subnetLayout";
import { createFlowLog } from "./flowLogs";

type CreatePlan = Extract<NetworkPlan, { mode: "create" }>;

export interface CreatedVpc {
  vpcId: pulumi.Output<string>;
  privateSubnetIds: Record<string, pulumi.Output<string>>;
}

export interface VpcSettings {
  readonly region: string;
  /** The environment, which names the flow logs' group. */
  readonly environment: string;
  readonly flowLogRetentionDays: number;
}

export function createVpc(name: string, plan: CreatePlan, s: VpcSettings, parent: pulumi.Resource): CreatedVpc {
  const region = s.region;
  const opts = { parent };
  const zones = plan.zones.map((z) => z.az);
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: plan.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
    opts,
  );
  // Managing the default group with empty lists removes the allow-all rules AWS gives it.
  new aws.ec2.DefaultSecurityGroup(
    `${name}-default`,
    { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default` } },
    opts,
  );
  createFlowLog(
    name,
    { vpcId: vpc.id, vpcArn: vpc.arn, environment: s.environment, retentionDays: s.flowLogRetentionDays },
    parent,
  );

  const natByZone = new Map<string, aws.ec2.NatGateway>();
  const withNat = natZones(zones, plan.natGateways);
  if (withNat.length > 0) {
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: name } }, opts);
    const publicRt = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: `${name}-public` } },
      opts,
    );
    for (const az of withNat) {
      const zone = plan.zones.find((z) => z.az === az)!;
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${az}`,
        {
          vpcId: vpc.id,
          availabilityZone: az,
          cidrBlock: zone.publicCidr,
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-public-${az}`, tier: "public" },
        },
        opts,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${az}`,
        { subnetId: subnet.id, routeTableId: publicRt.id },
        opts,
      );
      const eip = new aws.ec2.Eip(`${name}-nat-${az}`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } }, opts);
      natByZone.set(
        az,
        new aws.ec2.NatGateway(
          `${name}-nat-${az}`,
          { allocationId: eip.id, subnetId: subnet.id, tags: { Name: `${name}-nat-${az}` } },
          { parent, dependsOn: [igw] },
        ),
      );
    }
  }

  const privateSubnetIds: Record<string, pulumi.Output<string>> = {};
  const privateRouteTableIds: pulumi.Output<string>[] = [];
  for (const zone of plan.zones) {
    const az = zone.az;
    const subnet = new aws.ec2.Subnet(
      `${name}-private-${az}`,
      {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: zone.privateCidr,
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-private-${az}`, tier: "private" },
      },
      opts,
    );
    const nat = natByZone.get(natZoneFor(az, zones, plan.natGateways) ?? "");
    const rt = new aws.ec2.RouteTable(
      `${name}-private-${az}`,
      {
        vpcId: vpc.id,
        routes: nat ? [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }] : [],
        tags: { Name: `${name}-private-${az}` },
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(`${name}-private-${az}`, { subnetId: subnet.id, routeTableId: rt.id }, opts);
    privateSubnetIds[az] = subnet.id;
    privateRouteTableIds.push(rt.id);
  }
  new aws.ec2.VpcEndpoint(
    `${name}-s3`,
    {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRouteTableIds,
      tags: { Name: `${name}-s3` },
    },
    opts,
  );
  return { vpcId: vpc.id, privateSubnetIds };
}
