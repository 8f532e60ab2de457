/** Per shard: its hosts, its InnoDB Cluster, and the EC2 status alarms of its hosts. */
import * as pulumi from "@pulumi/pulumi";
import type { Network } from "../network";
import { HostAccess, InnoDbCluster, ShardHosts, instanceArch, ubuntuAmi } from "../mysql";
import { hostAlarms } from "../monitoring";
import type { AlertTopic } from "../monitoring";
import type { PlatformContext, ShardResources } from "./context";

/** The host access (SSH key pair) every shard host is reached with. */
export function declareHostAccess(ctx: PlatformContext): HostAccess {
  return new HostAccess(
    `${ctx.name}-hosts`,
    { provider: ctx.plan.hosts.provider, privateKey: ctx.args.privateKey },
    { parent: ctx.parent, providers: { aws: ctx.aws } },
  );
}

export function declareShards(
  ctx: PlatformContext,
  deps: { network: Network; access: HostAccess; monitorPassword: pulumi.Output<string>; alerts: AlertTopic },
): Record<string, ShardResources> {
  const { plan, parent } = ctx;
  const { hosts: h, mysql, ssh } = plan;
  const providers = { aws: ctx.aws };
  const amis = new Map<string, pulumi.Output<string>>();
  const ami = (arch: "amd64" | "arm64") => {
    if (!amis.has(arch)) amis.set(arch, ubuntuAmi(arch, { parent, provider: ctx.aws }));
    return amis.get(arch)!;
  };
  const settings =
    h.provider === "aws"
      ? {
          kind: "aws" as const,
          ami,
          subnetIds: deps.network.privateSubnetIds,
          securityGroupIds: [deps.network.shardHostsSecurityGroupId],
          keyName: deps.access.keyName!,
          rootVolumeGiB: h.rootVolumeGiB,
          dataVolume: mysql.dataVolume,
        }
      : { kind: "static" as const, dataDevice: h.staticDataDevice };
  const shards: Record<string, ShardResources> = {};
  for (const shard of plan.shards) {
    const hosts = new ShardHosts(
      `${shard.key}-hosts`,
      {
        shard,
        environment: plan.environment,
        policy: plan.policy,
        mysqlVersion: mysql.version,
        settings,
        sshUser: ssh.user,
        privateKey: deps.access.privateKey,
        bastion: ssh.bastion,
        arch: instanceArch,
      },
      { parent, providers },
    );
    const cluster = new InnoDbCluster(
      `${shard.key}-cluster`,
      {
        shard,
        policy: plan.policy,
        hosts: hosts.hosts,
        mysqlVersion: mysql.version,
        pitrWindowHours: plan.backup.config.pitrWindowHours,
        overrides: mysql.overrides,
        convergeRequest: ctx.args.convergeRequest,
        monitorPassword: deps.monitorPassword,
        passwordRotation: mysql.passwordRotation,
        schemaDatabase: plan.schema?.config.database,
        certificateAuthority: ctx.certificateAuthority(),
      },
      { parent, providers },
    );
    shards[shard.key] = { hosts, cluster };
    // EC2 status checks per host, to the alert topic (the system check also recovers the instance).
    for (const [nodeName, instanceId] of Object.entries(hosts.instanceIds))
      hostAlarms(plan.environment, nodeName, instanceId, plan.region, deps.alerts.arn, deps.alerts);
  }
  return shards;
}
