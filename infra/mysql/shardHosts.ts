/**
 * The hosts of one shard, one per node, their toolkit and their bootstrap. aws: an EC2 instance in its zone's
 * private subnet with a separate encrypted data volume. static: hosts the operator already runs. Either way the host
 * gets the toolkit (infra/toolkit) over SSH, then the toolkit's bootstrap runs once per host.
 *
 * What changes over a host's life (my.cnf, scripts) is delivered by the toolkit and the cluster's steps, not here:
 * the image is ignored after creation, so no edit ever replaces a running database host.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import type { Environment } from "../config/defaults";
import type { NodePlan } from "../plan/nodes";
import type { ShardPlan } from "../plan/plan";
import type { EnvironmentPolicy } from "../plan/environmentPolicy";
import { bootstrapStepCommand } from "./bootstrapStep";
import { installHostToolkit } from "../toolkit/hostToolkit";
import { DATA_DIR } from "./mycnf";
import { Bastion, sshConnection } from "./connection";

/** EC2 hosts: gamedb creates each node's instance and data volume in its zone's private subnet. */
export interface AwsHostSettings {
  /** Selects EC2 hosts. */
  readonly kind: "aws";
  /** The image id for an architecture (ubuntuAmi); ignored after a host is created. */
  readonly ami: (arch: "amd64" | "arm64") => pulumi.Output<string>;
  /** Private subnet id by zone name (Network.privateSubnetIds). */
  readonly subnetIds: pulumi.Output<Record<string, string>>;
  /** The security groups every host joins (the network's shard-hosts group). */
  readonly securityGroupIds: readonly pulumi.Input<string>[];
  /** The EC2 key pair the hosts trust at first boot (HostAccess.keyName). */
  readonly keyName: pulumi.Output<string>;
  /** Size of the encrypted gp3 root volume (hosts.rootVolumeGiB). */
  readonly rootVolumeGiB: number;
  /** The separate encrypted data volume of each host (mysql.dataVolume); throughput applies to gp3 only. */
  readonly dataVolume: { sizeGiB: number; type: "gp3" | "io2"; iops?: number; throughput?: number };
}

/** Static hosts: each node's address (and SSH user, when not ssh.user) comes from its node entry. */
export interface StaticHostSettings {
  /** Selects hosts the operator already runs. */
  readonly kind: "static";
  /**
   * A block device for the data directory (hosts.staticDataDevice), formatted only if it holds no filesystem.
   * @default none: the data directory stays on the root filesystem
   */
  readonly dataDevice?: string;
}

export interface ShardHostsArgs {
  /** The shard's slice of the plan: its key, id and nodes (name, zone, instance type, address). */
  readonly shard: ShardPlan;
  /** The environment, which names and tags the hosts and selects their volumes for snapshots. */
  readonly environment: Environment;
  /** The environment's protection decisions: whether data volumes are protected and retained. */
  readonly policy: EnvironmentPolicy;
  /** The MySQL 8.4 version the bootstrap installs (mysql.version); a later change applies to new hosts only. */
  readonly mysqlVersion: string;
  /** EC2 hosts to create, or static hosts to bootstrap over SSH. */
  readonly settings: AwsHostSettings | StaticHostSettings;
  /** SSH login (ssh.user); a static node entry's sshUser wins. */
  readonly sshUser: string;
  /** The private key remote commands log in with (HostAccess.privateKey, secret). */
  readonly privateKey: pulumi.Output<string>;
  /**
   * The SSH jump host remote commands go through (ssh.bastion).
   * @default none: the machine running Pulumi reaches the hosts directly (VPN, peering)
   */
  readonly bastion?: Bastion;
  /** The CPU architecture of an instance type (instanceTypes.instanceArch), which picks the image. */
  readonly arch: (instanceType: string) => "amd64" | "arm64";
}

export interface ShardHost {
  node: NodePlan;
  /** The address members and gamedb reach the host at (private IP on aws). */
  address: pulumi.Output<string>;
  connection: command.types.input.remote.ConnectionArgs;
  /** Completes when the host is bootstrapped: MySQL installed, data volume mounted, mysqld running. */
  bootstrap: command.remote.Command;
}

/** The tag the Data Lifecycle Manager policy targets. */
export const SNAPSHOT_TAG = "gamedb-snapshots";

/** Tags of a shard host's resources; the provider adds project, environment and stack. */
export function hostTags(environment: Environment, node: NodePlan, role: string): Record<string, string> {
  return {
    Name: `gamedb-${environment}-${node.name}${role === "mysql" ? "" : `-${role}`}`,
    shard: String(node.shardId),
    node: String(node.index),
    role,
  };
}

const EC2_ASSUME_ROLE = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export class ShardHosts extends pulumi.ComponentResource {
  readonly hosts: ShardHost[];
  /** The shard's own instance role (aws only): the backup bucket grants it the shard's prefixes only. */
  readonly roleName?: pulumi.Output<string>;
  private instanceProfile?: aws.iam.InstanceProfile;
  /** Instance id by node name (aws only). */
  readonly instanceIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ShardHostsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:mysql:ShardHosts", name, {}, opts);
    this.instanceIds = {};
    if (args.settings.kind === "aws") {
      const role = new aws.iam.Role(
        `${args.shard.key}-host`,
        { assumeRolePolicy: EC2_ASSUME_ROLE, description: `gamedb ${args.shard.key} hosts` },
        { parent: this },
      );
      this.instanceProfile = new aws.iam.InstanceProfile(
        `${args.shard.key}-host`,
        { role: role.name },
        { parent: this },
      );
      this.roleName = role.name;
    }
    this.hosts = args.shard.nodes.map((node) =>
      args.settings.kind === "aws"
        ? this.awsHost(node, args, args.settings)
        : this.staticHost(node, args, args.settings),
    );
    this.registerOutputs({ addresses: this.hosts.map((h) => h.address), instanceIds: this.instanceIds });
  }

  private awsHost(node: NodePlan, args: ShardHostsArgs, s: AwsHostSettings): ShardHost {
    const prod = args.policy.protectData;
    // Player data: protected and retained in prod; a final snapshot whenever a volume is deleted.
    const volume = new aws.ebs.Volume(
      `${node.name}-data`,
      {
        availabilityZone: node.az,
        size: s.dataVolume.sizeGiB,
        type: s.dataVolume.type,
        iops: s.dataVolume.iops,
        throughput: s.dataVolume.type === "gp3" ? s.dataVolume.throughput : undefined,
        encrypted: true,
        finalSnapshot: true,
        // The environment's snapshot policy (Data Lifecycle Manager) selects volumes by this tag.
        tags: { ...hostTags(args.environment, node, "mysql-data"), [SNAPSHOT_TAG]: args.environment },
      },
      // A node's zone is fixed at creation: adding a zone to the config re-plans placement, never moves data.
      { parent: this, protect: prod, retainOnDelete: prod, ignoreChanges: ["availabilityZone"] },
    );
    const instance = new aws.ec2.Instance(
      node.name,
      {
        ami: s.ami(args.arch(node.instanceType)),
        instanceType: node.instanceType,
        availabilityZone: node.az,
        subnetId: s.subnetIds.apply((ids) => ids[node.az]!),
        vpcSecurityGroupIds: [...s.securityGroupIds],
        associatePublicIpAddress: false,
        keyName: s.keyName,
        iamInstanceProfile: this.instanceProfile!.name,
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
        rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: s.rootVolumeGiB, deleteOnTermination: true },
        // No user data: the bootstrap arrives with the toolkit (hosts made before it keep theirs, ignored below).
        userDataReplaceOnChange: false,
        tags: hostTags(args.environment, node, "mysql"),
      },
      // A new image, user data, key pair or zone plan never replaces a database host; an instance type change is an
      // in-place stop/start. (The key a host trusts is installed at first boot; rotate it by the runbook.)
      { parent: this, ignoreChanges: ["ami", "userData", "userDataBase64", "keyName", "availabilityZone", "subnetId"] },
    );
    const attachment = new aws.ec2.VolumeAttachment(
      `${node.name}-data`,
      { deviceName: "/dev/sdf", volumeId: volume.id, instanceId: instance.id, stopInstanceBeforeDetaching: true },
      { parent: this, retainOnDelete: prod },
    );
    this.instanceIds[node.name] = instance.id;
    const connection = sshConnection(instance.privateIp, args.sshUser, args.privateKey, args.bastion);
    const toolkit = installHostToolkit({ name: node.name, connection, hostId: instance.id, after: [attachment] }, this);
    const create = volume.id.apply((id) =>
      bootstrapStepCommand({
        mysqlVersion: args.mysqlVersion,
        dataDevice: `ebs:${id}`,
        dataDir: DATA_DIR,
        waitForCloudInit: true,
      }),
    );
    const bootstrap = new command.remote.Command(
      `${node.name}-bootstrap`,
      { connection, create, logging: "stdoutAndStderr" },
      { parent: this, dependsOn: [toolkit, attachment] },
    );
    return { node, address: instance.privateIp, connection, bootstrap };
  }

  private staticHost(node: NodePlan, args: ShardHostsArgs, s: StaticHostSettings): ShardHost {
    const address = node.address;
    if (address === undefined) throw new Error(`${node.name}: no address (validation requires one with static hosts)`);
    const connection = sshConnection(address, node.sshUser ?? args.sshUser, args.privateKey, args.bastion);
    const toolkit = installHostToolkit({ name: node.name, connection, hostId: address }, this);
    const create = bootstrapStepCommand({
      mysqlVersion: args.mysqlVersion,
      dataDevice: s.dataDevice,
      dataDir: DATA_DIR,
    });
    // Installs once per host (the launcher skips a bootstrapped host): a later mysql.version applies to new hosts;
    // re-running the install on every member at once would restart them all together.
    const bootstrap = new command.remote.Command(
      `${node.name}-bootstrap`,
      { connection, create, logging: "stdoutAndStderr" },
      { parent: this, dependsOn: [toolkit] },
    );
    return { node, address: pulumi.output(address), connection, bootstrap };
  }
}
