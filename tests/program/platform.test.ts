/**
 * The program under Pulumi's mock runtime, for both shipped stack files: exact resources, key inputs and options.
 */
import * as pulumi from "@pulumi/pulumi";
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { gamedbProgram } from "../../infra/program";
import { stackOf } from "../helpers/stack";
import { planOf } from "../helpers/plan";
import { IMAGES, KUBERNETES as KUBERNETES_CONFIG, adoptedNetworkRaw } from "../helpers/configs";

const byName = (doc: PlanDocument, name: string): PlannedResource => {
  const r = doc.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource named ${name}`);
  return r;
};
/** `type name`, sorted; the migration Job's name ends in the digest of what it applies, written `<digest>` here. */
const pairs = (doc: PlanDocument) =>
  doc.resources.map((r) => `${r.type} ${r.name}`.replace(/(gamedb-migrate-)[0-9a-f]{10}$/, "$1<digest>")).sort();

function perZone(zones: string[]): string[] {
  return zones.flatMap((az) => [
    `aws:ec2/subnet:Subnet gamedb-network-private-${az}`,
    `aws:ec2/routeTable:RouteTable gamedb-network-private-${az}`,
    `aws:ec2/routeTableAssociation:RouteTableAssociation gamedb-network-private-${az}`,
  ]);
}
function natIn(zones: string[]): string[] {
  return zones.flatMap((az) => [
    `aws:ec2/subnet:Subnet gamedb-network-public-${az}`,
    `aws:ec2/routeTableAssociation:RouteTableAssociation gamedb-network-public-${az}`,
    `aws:ec2/eip:Eip gamedb-network-nat-${az}`,
    `aws:ec2/natGateway:NatGateway gamedb-network-nat-${az}`,
  ]);
}
const COMMON = [
  "gamedb:index:GameDbPlatform gamedb",
  "pulumi:providers:aws gamedb-aws",
  "gamedb:network:Network gamedb-network",
  "aws:ec2/securityGroup:SecurityGroup gamedb-network-shard-hosts",
  "aws:ec2/securityGroup:SecurityGroup gamedb-network-admin",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule gamedb-network-shard-hosts-members-3306",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule gamedb-network-shard-hosts-members-33060",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule gamedb-network-shard-hosts-ssh-from-admin",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule gamedb-network-shard-hosts-egress",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule gamedb-network-admin-egress",
  "gamedb:monitoring:AlertTopic gamedb-alerts",
  "aws:sns/topic:Topic gamedb-alerts",
  "aws:kms/key:Key gamedb-alerts",
  "aws:kms/keyPolicy:KeyPolicy gamedb-alerts",
  "aws:kms/alias:Alias gamedb-alerts",
  "random:index/randomPassword:RandomPassword gamedb-monitor-password",
  // The stack's CA: every stack has shards, whose members' certificates it signs.
  "tls:index/privateKey:PrivateKey gamedb-ca-key-0",
  "tls:index/selfSignedCert:SelfSignedCert gamedb-ca",
];
const CREATED_VPC = [
  "aws:ec2/vpc:Vpc gamedb-network-vpc",
  "aws:ec2/internetGateway:InternetGateway gamedb-network-igw",
  "aws:ec2/routeTable:RouteTable gamedb-network-public",
  "aws:ec2/vpcEndpoint:VpcEndpoint gamedb-network-s3",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup gamedb-network-default",
  "aws:cloudwatch/logGroup:LogGroup gamedb-network-flow-logs",
  "aws:iam/role:Role gamedb-network-flow-logs",
  "aws:iam/rolePolicy:RolePolicy gamedb-network-flow-logs",
  "aws:ec2/flowLog:FlowLog gamedb-network-flow-logs",
];
const PROD_ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
/** What every aws-hosted stack shares for its hosts: the SSH key and the key pair. */
const HOST_ACCESS = [
  "gamedb:mysql:HostAccess gamedb-hosts",
  "tls:index/privateKey:PrivateKey gamedb-hosts-ssh",
  "aws:ec2/keyPair:KeyPair gamedb-hosts-ssh",
];
/** The backup bucket and its controls, the snapshot policy; `logs` adds the access-log bucket (prod). */
function backupOf(shardIds: number[], logs: boolean): string[] {
  const hardened = (n: string) => [
    `aws:s3/bucket:Bucket ${n}`,
    `aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock ${n}`,
    `aws:s3/bucketOwnershipControls:BucketOwnershipControls ${n}`,
    `aws:s3/bucketPolicy:BucketPolicy ${n}`,
    `aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration ${n}`,
  ];
  return [
    "gamedb:backup:BackupBucket gamedb-backup",
    "aws:kms/key:Key gamedb-backup",
    ...hardened("gamedb-backup"),
    "aws:s3/bucketVersioning:BucketVersioning gamedb-backup",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration gamedb-backup",
    ...(logs
      ? [
          ...hardened("gamedb-backup-logs"),
          "aws:s3/bucketVersioning:BucketVersioning gamedb-backup-logs",
          "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration gamedb-backup-logs",
          "aws:s3/bucketLogging:BucketLogging gamedb-backup",
        ]
      : []),
    ...shardIds.map((id) => `aws:iam/rolePolicy:RolePolicy shard${id}-backup`),
    ...shardIds.flatMap((id) =>
      (shardIds.length === 4 ? [0, 1, 2] : [0]).map((i) => `command:remote:Command shard${id}-node${i}-backup-jobs`),
    ),
    "aws:iam/role:Role gamedb-backup-dlm",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment gamedb-backup-dlm",
    "aws:dlm/lifecyclePolicy:LifecyclePolicy gamedb-backup-snapshots",
  ];
}
/** Kubernetes: the provider, the namespace, the endpoints ConfigMap and the Redis Cluster (kubernetes engine). */
const KUBERNETES = [
  "pulumi:providers:kubernetes gamedb-k8s",
  "kubernetes:core/v1:Namespace gamedb-namespace",
  "kubernetes:core/v1:ConfigMap gamedb-endpoints",
  "gamedb:redis:RedisCluster gamedb-redis",
  "random:index/randomPassword:RandomPassword gamedb-redis-password",
  "kubernetes:core/v1:Secret gamedb-redis-password",
  "kubernetes:core/v1:ConfigMap gamedb-redis-config",
  "kubernetes:core/v1:Service gamedb-redis-headless",
  "kubernetes:policy/v1:PodDisruptionBudget gamedb-redis",
  "kubernetes:batch/v1:Job gamedb-redis-drain",
  "kubernetes:apps/v1:StatefulSet gamedb-redis",
  "kubernetes:batch/v1:Job gamedb-redis-reconcile",
  // The Routers' and Redis' allows and the namespace's default deny of ingress.
  "gamedb:kubernetes:NetworkPolicies gamedb-network-policies",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy gamedb-network-policies-routers",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy gamedb-network-policies-redis",
  "kubernetes:networking.k8s.io/v1:NetworkPolicy gamedb-network-policies-default-deny",
  "gamedb:monitoring:MonitoringWorker gamedb-monitor",
  "aws:iam/role:Role gamedb-monitor",
  "aws:iam/rolePolicy:RolePolicy gamedb-monitor",
  "kubernetes:core/v1:ServiceAccount gamedb-monitor",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation gamedb-monitor",
  "command:local:Command gamedb-monitor-association-settle",
  "kubernetes:core/v1:Secret gamedb-monitor",
  "kubernetes:core/v1:ConfigMap gamedb-monitor-config",
  "kubernetes:apps/v1:Deployment gamedb-monitor",
  "kubernetes:policy/v1:PodDisruptionBudget gamedb-monitor",
  "kubernetes:core/v1:Service gamedb-monitor",
  "gamedb:backup:RestoreVerification gamedb-restore-verify",
  "aws:iam/role:Role gamedb-restore-verify",
  "aws:iam/rolePolicy:RolePolicy gamedb-restore-verify",
  "kubernetes:core/v1:ServiceAccount gamedb-restore-verify",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation gamedb-restore-verify",
  "command:local:Command gamedb-restore-verify-association-settle",
  "kubernetes:batch/v1:CronJob gamedb-restore-verify",
];
/** redis.tls (on by default in prod): the pods' key and certificate from the stack's CA, their Secret, the CA. */
const REDIS_TLS = [
  "tls:index/privateKey:PrivateKey gamedb-redis-tls-key-0",
  "tls:index/certRequest:CertRequest gamedb-redis-tls-csr",
  "tls:index/locallySignedCert:LocallySignedCert gamedb-redis-tls-cert",
  "kubernetes:core/v1:Secret gamedb-redis-tls",
  "kubernetes:core/v1:ConfigMap gamedb-redis-ca",
];
/** gamedb:schema (both shipped stacks): the migration Job and, with partitioned tables, the partition CronJob. */
const SCHEMA = [
  "gamedb:schema:Migrations gamedb-migrate",
  "kubernetes:core/v1:ConfigMap gamedb-migrate-config",
  "kubernetes:core/v1:ConfigMap gamedb-migrate-files",
  "kubernetes:core/v1:Secret gamedb-migrate",
  "kubernetes:batch/v1:Job gamedb-migrate-<digest>",
  "gamedb:schema:PartitionMaintenance gamedb-partitions",
  "aws:iam/role:Role gamedb-partitions",
  "aws:iam/rolePolicy:RolePolicy gamedb-partitions",
  "kubernetes:core/v1:ServiceAccount gamedb-partitions",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation gamedb-partitions",
  "command:local:Command gamedb-partitions-association-settle",
  "kubernetes:core/v1:Secret gamedb-partitions",
  "kubernetes:batch/v1:CronJob gamedb-partitions",
];
/** The one ConfigMap of every shard's routers' bootstrap script. */
const ROUTER_BOOTSTRAP = "kubernetes:core/v1:ConfigMap gamedb-router-bootstrap";
/** The router of one shard. */
function routerOf(id: number): string[] {
  return [
    `gamedb:mysql:Router shard${id}-router`,
    `kubernetes:core/v1:Secret shard${id}-router-password`,
    `kubernetes:apps/v1:Deployment shard${id}-router`,
    `kubernetes:policy/v1:PodDisruptionBudget shard${id}-router`,
    `kubernetes:core/v1:Service shard${id}-router`,
    // The certificate the Router presents to clients that use TLS (the Service's names, from the stack's CA).
    `tls:index/privateKey:PrivateKey shard${id}-router-tls-key-0`,
    `tls:index/certRequest:CertRequest shard${id}-router-tls-csr`,
    `tls:index/locallySignedCert:LocallySignedCert shard${id}-router-tls-cert`,
  ];
}
/**
 * One shard on EC2: per node an instance, a data volume and its attachment, the toolkit's copy and install, four
 * more commands and two alarms; per shard two more commands.
 */
function shardOnAws(id: number, indexes: number[], gameDatabase = true): string[] {
  return [
    `gamedb:mysql:ShardHosts shard${id}-hosts`,
    `gamedb:mysql:InnoDbCluster shard${id}-cluster`,
    `aws:iam/role:Role shard${id}-host`,
    `aws:iam/instanceProfile:InstanceProfile shard${id}-host`,
    // The backup account has no password (auth_socket, local to each member); the game database's three accounts do.
    ...["cluster-admin", "router", ...(gameDatabase ? ["schema", "app", "mover"] : [])].map(
      (role) => `random:index/randomPassword:RandomPassword shard${id}-${role}-password`,
    ),
    `command:remote:Command shard${id}-converge`,
    `command:remote:Command shard${id}-accounts`,
    ...indexes.flatMap((i) => [
      `aws:ec2/instance:Instance shard${id}-node${i}`,
      `aws:ebs/volume:Volume shard${id}-node${i}-data`,
      `aws:ec2/volumeAttachment:VolumeAttachment shard${id}-node${i}-data`,
      `command:remote:CopyToRemote shard${id}-node${i}-toolkit-copy`,
      `command:remote:Command shard${id}-node${i}-toolkit`,
      `command:remote:Command shard${id}-node${i}-bootstrap`,
      `command:remote:Command shard${id}-node${i}-configure`,
      `command:remote:Command shard${id}-node${i}-member`,
      // The member's TLS key and certificate, signed by the stack's CA.
      `tls:index/privateKey:PrivateKey shard${id}-node${i}-mysql-key-0`,
      `tls:index/certRequest:CertRequest shard${id}-node${i}-mysql-csr`,
      `tls:index/locallySignedCert:LocallySignedCert shard${id}-node${i}-mysql-cert`,
      `aws:cloudwatch/metricAlarm:MetricAlarm shard${id}-node${i}-system-status`,
      `aws:cloudwatch/metricAlarm:MetricAlarm shard${id}-node${i}-instance-status`,
    ]),
  ];
}

describe("prod stack (Pulumi.prod.yaml)", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("prod");
  });

  it("declares exactly the platform, its provider and the network of three zones with a NAT gateway each", () => {
    expect(pairs(doc)).toEqual(
      [
        ...COMMON,
        ...CREATED_VPC,
        ...perZone(PROD_ZONES),
        ...natIn(PROD_ZONES),
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule gamedb-network-admin-ssh-10-0-0-0-8",
        ...HOST_ACCESS,
        ...[1, 2, 3, 4].flatMap((id) => shardOnAws(id, [0, 1, 2])),
        ...KUBERNETES,
        ...REDIS_TLS,
        ...SCHEMA,
        ...[1, 2, 3, 4].flatMap(routerOf),
        ROUTER_BOOTSTRAP,
        ...backupOf([1, 2, 3, 4], true),
      ].sort(),
    );
    // network 41 (with the default security group and the flow log's 4), host access 3, per shard 8 + 13 per node
    // (+3 game accounts' passwords), Redis 12 and its TLS 5, routers 8 per shard and their script 1, backup, alerts 3 and the
    // alert key's 3, worker 11, verify 7, schema 13 (each workload's role, role policy, ServiceAccount, Pod Identity
    // association and its settle wait), network policies 4, the CA 2
    expect(doc.resources).toHaveLength(
      41 + 3 + 3 + 4 * (8 + 3 + 3 * 13) + 12 + 5 + 4 * 8 + 1 + 9 + 6 + 2 + 4 + 12 + 3 + 3 + 11 + 7 + 13 + 4 + 2,
    );
  });

  it("parents every resource under the platform and names URNs by the parent chain", () => {
    const urns = new Set(doc.resources.map((r) => r.urn));
    for (const r of doc.resources) {
      if (r.name === "gamedb") expect(r.parent).toBeNull();
      else expect(urns.has(r.parent!)).toBe(true);
    }
    expect(byName(doc, "gamedb-network-vpc").urn).toBe(
      "urn:pulumi:prod::gamedb::gamedb:network:Network$aws:ec2/vpc:Vpc::gamedb-network-vpc",
    );
  });

  it("sets the provider's region and default tags", () => {
    const p = byName(doc, "gamedb-aws");
    expect(p.inputs.region).toBe("eu-west-1");
    expect(JSON.parse(p.inputs.defaultTags as string)).toEqual({
      tags: { project: "gamedb", environment: "prod", stack: "prod" },
    });
  });

  it("creates private subnets by zone letter, with no public IPs, each routed through its own zone's NAT gateway", () => {
    expect(byName(doc, "gamedb-network-vpc").inputs).toMatchObject({
      cidrBlock: "10.50.0.0/16",
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });
    PROD_ZONES.forEach((az, k) => {
      expect(byName(doc, `gamedb-network-private-${az}`).inputs).toMatchObject({
        availabilityZone: az,
        cidrBlock: `10.50.${16 * k}.0/20`,
        mapPublicIpOnLaunch: false,
        vpcId: "gamedb-network-vpc-id",
      });
      const rt = doc.resources.find(
        (r) => r.type === "aws:ec2/routeTable:RouteTable" && r.name === `gamedb-network-private-${az}`,
      )!;
      expect(rt.inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", natGatewayId: `gamedb-network-nat-${az}-id` }]);
    });
    for (const r of doc.resources.filter((x) => x.type === "aws:ec2/subnet:Subnet"))
      expect(r.inputs.mapPublicIpOnLaunch).toBe(false);
  });

  it("makes each NAT gateway wait for the internet gateway", () => {
    const igw = byName(doc, "gamedb-network-igw").urn;
    for (const az of PROD_ZONES) {
      const nat = doc.resources.find(
        (r) => r.type === "aws:ec2/natGateway:NatGateway" && r.name === `gamedb-network-nat-${az}`,
      )!;
      expect(nat.options.dependsOn).toEqual([igw]);
      expect(nat.inputs.allocationId).toBe(`gamedb-network-nat-${az}-id`);
    }
  });

  it("keeps S3 traffic on a gateway endpoint attached to every private route table", () => {
    expect(byName(doc, "gamedb-network-s3").inputs).toMatchObject({
      serviceName: "com.amazonaws.eu-west-1.s3",
      vpcEndpointType: "Gateway",
      routeTableIds: PROD_ZONES.map((az) => `gamedb-network-private-${az}-id`),
    });
  });

  it("opens member ports only to members and SSH only from the admin group and the listed networks", () => {
    const rule = (name: string) => byName(doc, name).inputs;
    expect(rule("gamedb-network-shard-hosts-members-3306")).toMatchObject({
      securityGroupId: "gamedb-network-shard-hosts-id",
      referencedSecurityGroupId: "gamedb-network-shard-hosts-id",
      ipProtocol: "tcp",
      fromPort: 3306,
      toPort: 3306,
    });
    expect(rule("gamedb-network-shard-hosts-members-33060")).toMatchObject({
      referencedSecurityGroupId: "gamedb-network-shard-hosts-id",
      fromPort: 33060,
      toPort: 33060,
    });
    expect(rule("gamedb-network-shard-hosts-ssh-from-admin")).toMatchObject({
      securityGroupId: "gamedb-network-shard-hosts-id",
      referencedSecurityGroupId: "gamedb-network-admin-id",
      fromPort: 22,
      toPort: 22,
    });
    expect(rule("gamedb-network-admin-ssh-10-0-0-0-8")).toMatchObject({
      securityGroupId: "gamedb-network-admin-id",
      cidrIpv4: "10.0.0.0/8",
      fromPort: 22,
      toPort: 22,
    });
  });

  it("exports the slot map, the shards with their nodes, and the network ids", () => {
    expect(doc.outputs.slotMap).toEqual([
      { slots: "0-4095", from: 0, to: 4095, shard: 1 },
      { slots: "4096-8191", from: 4096, to: 8191, shard: 2 },
      { slots: "8192-12287", from: 8192, to: 12287, shard: 3 },
      { slots: "12288-16383", from: 12288, to: 16383, shard: 4 },
    ]);
    const shards = doc.outputs.shards as { id: number; nodes: { name: string; serverId: number; az: string }[] }[];
    expect(shards.map((s) => s.id)).toEqual([1, 2, 3, 4]);
    expect(shards[0]!.nodes).toEqual([
      { name: "shard1-node0", index: 0, serverId: 1001, az: "eu-west-1b", instanceType: "r6i.2xlarge" },
      { name: "shard1-node1", index: 1, serverId: 1002, az: "eu-west-1c", instanceType: "r6i.2xlarge" },
      { name: "shard1-node2", index: 2, serverId: 1003, az: "eu-west-1a", instanceType: "r6i.2xlarge" },
    ]);
    expect(doc.outputs.network).toEqual({
      vpcId: "gamedb-network-vpc-id",
      privateSubnetIds: Object.fromEntries(PROD_ZONES.map((az) => [az, `gamedb-network-private-${az}-id`])),
      shardHostsSecurityGroupId: "gamedb-network-shard-hosts-id",
      adminSecurityGroupId: "gamedb-network-admin-id",
    });
  });
});

describe("dev stack (Pulumi.dev.yaml)", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("dev");
  });

  it("declares the network of two zones with one shared NAT gateway and no admin SSH networks", () => {
    expect(pairs(doc)).toEqual(
      [
        ...COMMON,
        ...CREATED_VPC,
        ...perZone(["eu-west-1a", "eu-west-1b"]),
        ...natIn(["eu-west-1a"]),
        ...HOST_ACCESS,
        ...shardOnAws(1, [0]),
        ...shardOnAws(2, [0]),
        ...KUBERNETES,
        ...SCHEMA,
        ...routerOf(1),
        ...routerOf(2),
        ROUTER_BOOTSTRAP,
        ...backupOf([1, 2], false),
      ].sort(),
    );
    expect(doc.resources).toHaveLength(
      29 + 3 + 3 + 2 * (8 + 3 + 13) + 12 + 2 * 8 + 1 + 9 + 2 + 2 + 3 + 3 + 11 + 7 + 13 + 4 + 2,
    );
  });

  it("routes both zones through the single NAT gateway", () => {
    for (const az of ["eu-west-1a", "eu-west-1b"]) {
      const rt = doc.resources.find(
        (r) => r.type === "aws:ec2/routeTable:RouteTable" && r.name === `gamedb-network-private-${az}`,
      )!;
      expect(rt.inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", natGatewayId: "gamedb-network-nat-eu-west-1a-id" }]);
    }
  });
});

describe("both stacks", () => {
  it.each(["dev", "prod"])("%s: no ingress from anywhere on the internet", async (stack) => {
    const doc = await planOf(stack);
    const ingress = doc.resources.filter((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(ingress.length).toBeGreaterThan(0);
    for (const r of ingress) {
      expect(r.inputs.cidrIpv4).not.toBe("0.0.0.0/0");
      expect(r.inputs.cidrIpv6).not.toBe("::/0");
    }
  });
});

describe("adopted network", () => {
  it("creates no VPC or subnets, puts the security groups in the given VPC and exports the given subnets", async () => {
    const doc = await evaluate(stackOf(adoptedNetworkRaw(), "dev"));
    expect(pairs(doc)).toEqual(
      [
        ...COMMON,
        ...HOST_ACCESS,
        ...shardOnAws(1, [0], false),
        ...KUBERNETES,
        ...routerOf(1),
        ROUTER_BOOTSTRAP,
        ...backupOf([1], false),
      ].sort(),
    );
    expect(byName(doc, "gamedb-network-shard-hosts").inputs.vpcId).toBe("vpc-0abc12345");
    expect(doc.outputs.network).toMatchObject({
      vpcId: "vpc-0abc12345",
      privateSubnetIds: { "eu-west-1a": "subnet-0aaa11111", "eu-west-1b": "subnet-0bbb22222" },
    });
  });
});

describe("invalid config", () => {
  it("registers no resource and fails with every problem", async () => {
    const registered: string[] = [];
    await pulumi.runtime.setMocks(
      { newResource: (a) => (registered.push(a.name), { id: a.name, state: a.inputs }), call: () => ({}) },
      "gamedb",
      "prod",
    );
    const { config } = stackOf(
      {
        aws: { region: "eu-west-1", availabilityZones: ["eu-west-1a"] },
        shards: [{ id: 1, name: "a", nodes: 4, slots: ["0-100"] }],
        ...IMAGES,
        ...KUBERNETES_CONFIG,
      },
      "prod",
    );
    pulumi.runtime.setAllConfig(config);
    expect(() => gamedbProgram()).toThrow(
      [
        "invalid gamedb config (3 problems):",
        "  - gamedb:shards[0].nodes: 4 is even; use an odd count from 3 to 9 (prod)",
        "  - gamedb:shards[0].nodes: placement puts 4 of 4 members in eu-west-1a, so losing that zone loses quorum; list at least 3 zones in gamedb:aws.availabilityZones or pin nodes[].az",
        "  - gamedb:shards: slots 101-16383 are owned by no active shard; every slot 0-16383 must be owned by exactly one active shard",
      ].join("\n"),
    );
    expect(registered).toEqual([]);
  });
});
