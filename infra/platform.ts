/**
 * GameDbPlatform: the one top-level component. It owns the AWS provider (region and default tags from config)
 * and composes one component per concern from the plan. Components of features not built yet are absent, not
 * stubbed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Topology } from "./config/schema";
import type { PlatformPlan } from "./topology/plan";
import { Network } from "./network";
import { HostAccess, InnoDbCluster, ShardHosts, instanceArch, ubuntuAmi } from "./mysql";

export interface GameDbPlatformArgs {
  /** The expanded topology (infra/topology planPlatform). */
  plan: PlatformPlan;
  /** The validated config the plan came from: host, SSH and MySQL settings. */
  topology: Topology;
  /** `gamedb:sshPrivateKey` (secret). @default a generated key (required with static hosts) */
  privateKey?: pulumi.Output<string>;
  /**
   * Makes every shard's converge command re-run when it differs from the last run (mysql.converge: always).
   * @default undefined: converge runs only when the shard's config changes
   */
  convergeRequest?: string;
}

export interface ShardResources {
  hosts: ShardHosts;
  cluster: InnoDbCluster;
}

export class GameDbPlatform extends pulumi.ComponentResource {
  readonly network: Network;
  readonly hostAccess: HostAccess;
  /** By shard key (`shard7`). */
  readonly shards: Record<string, ShardResources>;

  constructor(name: string, args: GameDbPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:index:GameDbPlatform", name, {}, opts);
    const { plan, topology: t } = args;
    const provider = new aws.Provider(
      `${name}-aws`,
      {
        region: plan.region as aws.Region,
        defaultTags: { tags: { project: "gamedb", environment: plan.environment, stack: pulumi.getStack() } },
      },
      { parent: this },
    );
    const providers = { aws: provider };
    this.network = new Network(
      `${name}-network`,
      { plan: plan.network, region: plan.region, adminCidrs: t.ssh.adminCidrs },
      { parent: this, providers },
    );
    this.hostAccess = new HostAccess(
      `${name}-hosts`,
      { provider: t.hosts.provider, privateKey: args.privateKey },
      { parent: this, providers },
    );
    const amis = new Map<string, pulumi.Output<string>>();
    const ami = (arch: "amd64" | "arm64") => {
      if (!amis.has(arch)) amis.set(arch, ubuntuAmi(arch, { parent: this, provider }));
      return amis.get(arch)!;
    };
    const access = this.hostAccess;
    const settings =
      t.hosts.provider === "aws"
        ? {
            kind: "aws" as const,
            ami,
            subnetIds: this.network.privateSubnetIds,
            securityGroupIds: [this.network.shardHostsSecurityGroupId],
            keyName: access.keyName!,
            instanceProfileName: access.instanceProfileName!,
            rootVolumeGiB: t.hosts.rootVolumeGiB,
            dataVolume: t.mysql.dataVolume,
          }
        : { kind: "static" as const, dataDevice: t.hosts.staticDataDevice };

    this.shards = {};
    for (const shard of plan.shards) {
      const hosts = new ShardHosts(
        `${shard.key}-hosts`,
        {
          shard,
          environment: plan.environment,
          mysqlVersion: t.mysql.version,
          settings,
          sshUser: t.ssh.user,
          privateKey: access.privateKey,
          bastion: t.ssh.bastion,
          arch: instanceArch,
        },
        { parent: this, providers },
      );
      const cluster = new InnoDbCluster(
        `${shard.key}-cluster`,
        {
          shard,
          environment: plan.environment,
          hosts: hosts.hosts,
          mysqlVersion: t.mysql.version,
          pitrWindowHours: t.backup.pitrWindowHours,
          overrides: t.mysql.overrides,
          convergeRequest: args.convergeRequest,
        },
        { parent: this, providers },
      );
      this.shards[shard.key] = { hosts, cluster };
    }
    this.registerOutputs({ network: this.network, hostAccess: this.hostAccess });
  }
}
