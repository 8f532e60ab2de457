/**
 * GameDbPlatform: the one top-level component. It owns the AWS provider (region and default tags from config)
 * and composes one component per concern from the plan. Components of features not built yet are absent, not
 * stubbed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { Topology } from "./config/schema";
import type { PlatformPlan } from "./plan/plan";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { Network, allowKubernetesNodes } from "./network";
import { HostAccess, InnoDbCluster, MySqlRouter, ShardHosts, instanceArch, routerImage, ubuntuAmi } from "./mysql";
import { instanceVcpus } from "./catalog/instanceTypes";
import { passwordKeepers } from "./mysql/innodbCluster";
import { ElastiCacheRedis, RedisCluster } from "./redis";
import { endpointsConfigMap, shardMembers } from "./kubernetes";
import { RedisDocument, RouterEndpoint, ShardMembers, endpointsData } from "./contracts/endpoints";
import { slotMapOutput } from "./plan/outputs";
import { BackupBucket, RestoreVerification, grantShardBackupAccess, installBackupJobs, snapshotPolicy } from "./backup";
import { AlertTopic, MonitoringWorker, hostAlarms } from "./monitoring";
import { workerConcurrency } from "./plan/monitorSizing";

export interface GameDbPlatformArgs {
  /** The expanded topology (infra/plan planPlatform). */
  plan: PlatformPlan;
  /** The validated config the plan came from: host, SSH and MySQL settings. */
  topology: Topology;
  /** `gamedb:sshPrivateKey` (secret). @default a generated key (required with static hosts) */
  privateKey?: pulumi.Output<string>;
  /** `gamedb:kubeconfig` (secret). @default the ambient kubeconfig (KUBECONFIG or ~/.kube/config) */
  kubeconfig?: pulumi.Output<string>;
  /** `gamedb:alertWebhookUrl` (secret): a Slack-compatible webhook the monitoring worker also alerts. */
  alertWebhookUrl?: pulumi.Output<string>;
  /**
   * Makes every shard's converge command re-run when it differs from the last run (mysql.converge: always).
   * @default undefined: converge runs only when the shard's config changes
   */
  convergeRequest?: string;
}

/** A value validation has required; its absence here is a bug, not a config error. */
function validated<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`${key} passed validation without a value`);
  return value;
}

export interface ShardResources {
  hosts: ShardHosts;
  cluster: InnoDbCluster;
  /** Absent for retired shards: no client should reach them. */
  router?: MySqlRouter;
}

export class GameDbPlatform extends pulumi.ComponentResource {
  readonly network: Network;
  readonly hostAccess: HostAccess;
  /** By shard key (`shard7`). */
  readonly shards: Record<string, ShardResources>;
  readonly redis: RedisCluster | ElastiCacheRedis;
  readonly backup: BackupBucket;
  /** The environment's one alert topic. */
  readonly alerts: AlertTopic;
  /** The data of the gamedb-endpoints ConfigMap. */
  readonly endpoints: pulumi.Output<Record<string, string>>;

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
            rootVolumeGiB: t.hosts.rootVolumeGiB,
            dataVolume: t.mysql.dataVolume,
          }
        : { kind: "static" as const, dataDevice: t.hosts.staticDataDevice };

    // One monitoring password for every shard: the worker needs one Secret, not one per shard.
    const monitorPassword = new random.RandomPassword(
      `${name}-monitor-password`,
      { length: 40, special: false, ...passwordKeepers(t.mysql.passwordRotation) },
      { parent: this },
    ).result;
    this.alerts = new AlertTopic(
      `${name}-alerts`,
      { environment: plan.environment, emails: t.monitoring.alertEmails },
      { parent: this, providers },
    );

    this.shards = {};
    for (const shard of plan.shards) {
      const hosts = new ShardHosts(
        `${shard.key}-hosts`,
        {
          shard,
          environment: plan.environment,
          policy: plan.policy,
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
          policy: plan.policy,
          hosts: hosts.hosts,
          mysqlVersion: t.mysql.version,
          pitrWindowHours: t.backup.pitrWindowHours,
          overrides: t.mysql.overrides,
          convergeRequest: args.convergeRequest,
          monitorPassword,
          passwordRotation: t.mysql.passwordRotation,
        },
        { parent: this, providers },
      );
      this.shards[shard.key] = { hosts, cluster };
      // EC2 status checks per host, to the alert topic (the system check also recovers the instance).
      for (const [nodeName, instanceId] of Object.entries(hosts.instanceIds))
        hostAlarms(plan.environment, nodeName, instanceId, plan.region, this.alerts.arn, this.alerts);
    }

    // Backups: the bucket, each shard's hosts allowed its own prefixes only, snapshots of every data volume.
    this.backup = new BackupBucket(
      `${name}-backup`,
      { backup: t.backup, protect: plan.policy.protectData },
      { parent: this, providers },
    );
    const backup = this.backup;
    for (const shard of plan.shards) {
      const hosts = this.shards[shard.key]!.hosts;
      const credentials = grantShardBackupAccess(
        {
          shardKey: shard.key,
          environment: plan.environment,
          roleName: hosts.roleName,
          bucketArn: backup.bucketArn,
          kmsKeyArn: backup.kmsKeyArn,
          alertTopicArn: this.alerts.arn,
        },
        backup,
      );
      installBackupJobs(
        {
          shardKey: shard.key,
          environment: plan.environment,
          hosts: hosts.hosts,
          backup: t.backup,
          region: plan.region,
          bucket: backup.bucketName,
          alertTopicArn: this.alerts.arn,
          credentials,
          // The jobs log in as the backup account, which the shard's accounts step creates: until then every
          // timer run would fail and alert.
          after: [this.shards[shard.key]!.cluster],
        },
        backup,
      );
    }
    if (t.hosts.provider === "aws") snapshotPolicy(`${name}-backup`, plan.environment, t.backup.snapshots, backup);

    // Routers and Redis run on the existing Kubernetes cluster; the nodes reach the shard hosts' member ports.
    const kube = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: args.kubeconfig, enableServerSideApply: true },
      { parent: this },
    );
    const kubeOpts = { parent: this, providers: { kubernetes: kube, aws: provider } };
    const nsName = t.kubernetes.namespace;
    const namespace = t.kubernetes.createNamespace
      ? new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: nsName } }, { parent: this, provider: kube })
          .metadata.name
      : pulumi.output(nsName);
    allowKubernetesNodes(
      `${name}-network`,
      this.network.shardHostsSecurityGroupId,
      { securityGroupIds: t.kubernetes.nodeSecurityGroupIds, cidrs: t.kubernetes.nodeCidrs },
      this.network,
    );
    const routers: Record<string, pulumi.Output<RouterEndpoint>> = {};
    for (const shard of plan.shards) {
      if (shard.state === "retired") continue;
      const s = this.shards[shard.key]!;
      s.router = new MySqlRouter(
        `${shard.key}-router`,
        {
          shardKey: shard.key,
          namespace,
          image: t.router.image ?? routerImage(t.mysql.version),
          replicas: t.router.replicas,
          members: s.cluster.memberAddresses,
          password: s.cluster.passwords.router,
          passwordRotation: t.mysql.passwordRotation,
          cluster: s.cluster,
        },
        kubeOpts,
      );
      const ports: Record<string, number> = { ...s.router.ports };
      routers[shard.key] = s.router.serviceHost.apply((host): RouterEndpoint => ({ host, ports }));
    }
    const topology = { masters: t.redis.masters, replicasPerMaster: t.redis.replicasPerMaster };
    if (t.redis.engine === "kubernetes") {
      this.redis = new RedisCluster(
        `${name}-redis`,
        {
          namespace: nsName,
          image: t.redis.image,
          // Validation requires it with the kubernetes engine.
          controllerImage: t.redis.controllerImage!,
          topology,
          nodeTimeoutMs: t.redis.nodeTimeoutMs,
          storageGiB: t.redis.storageGiB,
        },
        kubeOpts,
      );
    } else {
      this.redis = new ElastiCacheRedis(
        `${name}-redis`,
        {
          topology,
          nodeType: t.redis.nodeType,
          snapshotRetentionDays: t.redis.snapshotRetentionDays,
          vpcId: this.network.vpcId,
          subnetIds: this.network.privateSubnetIds.apply((ids) =>
            Object.keys(ids)
              .sort()
              .map((az) => ids[az]!),
          ),
          clientSecurityGroupIds: t.kubernetes.nodeSecurityGroupIds,
          clientCidrs: t.kubernetes.nodeCidrs,
          protect: plan.policy.protectData,
        },
        kubeOpts,
      );
    }
    const redisEndpoints: pulumi.Output<RedisDocument> =
      this.redis instanceof RedisCluster
        ? pulumi.output<RedisDocument>({ engine: "kubernetes", seeds: this.redis.seeds })
        : this.redis.configurationEndpoint.apply((e): RedisDocument => ({ engine: "elasticache", seeds: [e] }));
    const routerEndpoints = pulumi.all(routers) as pulumi.Output<Record<string, RouterEndpoint>>;
    const vcpusOf = (type: string) => (t.hosts.provider === "aws" ? instanceVcpus(type) : undefined);
    const members = pulumi.all(
      Object.fromEntries(
        plan.shards.map((shard) => {
          const { hosts, cluster } = this.shards[shard.key]!;
          const addresses = pulumi.all(hosts.hosts.map((h) => h.address));
          const nodes = hosts.hosts.map((h) => h.node);
          return [shard.key, addresses.apply((a) => shardMembers(shard, cluster.clusterName, nodes, a, vcpusOf))];
        }),
      ),
    ) as pulumi.Output<Record<string, ShardMembers>>;
    this.endpoints = pulumi
      .all([routerEndpoints, members, redisEndpoints])
      .apply(([r, m, redis]) => endpointsData({ routers: r, members: m, redis, slotMap: slotMapOutput(plan) }));
    const endpoints = endpointsConfigMap(`${name}-endpoints`, namespace, this.endpoints, {
      parent: this,
      provider: kube,
    });

    // The monitoring worker polls every member and Redis node from the endpoints and alerts the topic.
    const m = t.monitoring;
    new MonitoringWorker(
      `${name}-monitor`,
      {
        namespace,
        image: validated(m.image, "monitoring.image"),
        settings: {
          environment: plan.environment,
          region: plan.region,
          intervalSeconds: m.intervalSeconds,
          failureThreshold: m.failureThreshold,
          checkTimeoutSeconds: m.checkTimeoutSeconds,
          cpuPercent: m.cpuPercent,
          bufferPoolPercent: m.bufferPoolPercent,
          lagSeconds: m.lagSeconds,
          concurrency: workerConcurrency(
            m,
            plan.shards.reduce((n, s) => n + s.nodes.length, 0),
          ),
          redisTls: t.redis.engine === "elasticache",
        },
        alertTopicArn: this.alerts.arn,
        monitorPassword,
        passwordRotation: t.mysql.passwordRotation,
        redisPassword: this.redis instanceof RedisCluster ? this.redis.password : this.redis.authToken,
        webhookUrl: args.alertWebhookUrl,
        prometheusOperator: m.prometheusOperator,
        prometheusLabels: m.prometheusLabels,
        clusters: Object.values(this.shards).map((s) => s.cluster),
        endpoints,
        awsProvider: provider,
      },
      { parent: this, providers: { kubernetes: kube } },
    );
    if (t.backup.restoreVerification.enabled) {
      new RestoreVerification(
        `${name}-restore-verify`,
        {
          environment: plan.environment,
          region: plan.region,
          namespace,
          settings: t.backup.restoreVerification,
          image: validated(t.backup.restoreVerification.image, "backup.restoreVerification.image"),
          shardIds: plan.shards.filter((s) => s.state === "active").map((s) => s.id),
          bucketName: backup.bucketName,
          bucketArn: backup.bucketArn,
          kmsKeyArn: backup.kmsKeyArn,
          alertTopicArn: this.alerts.arn,
          awsProvider: provider,
        },
        { parent: this, providers: { kubernetes: kube } },
      );
    }
    this.registerOutputs({ network: this.network, hostAccess: this.hostAccess, endpoints: this.endpoints });
  }
}
