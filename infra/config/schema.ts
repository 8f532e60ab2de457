/**
 * The `gamedb:` config namespace as one zod schema: the single source of the `StackConfig` type.
 *
 * Shapes, types, ranges and per-key defaults live here. Rules that relate several keys (unique ids, slot
 * coverage, node counts per environment, placement) live in validate.ts, so that every problem is reported at once.
 * Objects are strict: an unknown key (a typo such as `node: 3`) is an error that lists the allowed keys.
 */
import { z } from "zod";
import { ENVIRONMENTS, ENVIRONMENT_DEFAULTS, Environment } from "./defaults";
import { MYSQL_84_RELEASES } from "../catalog/mysqlReleases";
import {
  CRON,
  ON_CALENDAR,
  availabilityZone,
  cidr,
  dnsName,
  hostAddress,
  image,
  instanceType,
  slotRange,
  strict,
  unixUser,
} from "./fields";
import { gameSchemaSection } from "./gameSchema";
import { slotMovesSection } from "./slotMoves";
import { awsAccessSection, k8sNamespace, staticAwsAccess, tlsSection } from "./security";
import { MAX_SHARD_ID } from "./fields";

/** Highest shard id (fields.ts): server_id = id * 1000 + node index + 1 must stay below 2^32 (see plan/nodes.ts). */
export { MAX_SHARD_ID };

/** Highest node index within a shard, for the same reason. */
export const MAX_NODE_INDEX = 998;

/** A node given one by one, so that a node can be removed without renumbering the others. */
const nodeSpec = strict({
  /** Permanent index of the node within its shard; names and server_id derive from it. Never reuse one. */
  index: z.int().min(0).max(MAX_NODE_INDEX),
  /** @default placement spreads the shard over `aws.availabilityZones` by shard id and node index. */
  az: availabilityZone.optional(),
  /** @default `mysql.instanceType` */
  instanceType: instanceType.optional(),
  /** Address gamedb reaches the node at, with `hosts.provider: static` (required there, not allowed with aws). */
  address: hostAddress.optional(),
  /** SSH login on this static host. @default `ssh.user` */
  sshUser: unixUser.optional(),
});

const shard = strict({
  /** Permanent integer id. Never reused: names, server ids and backup prefixes derive from it. */
  id: z.int().min(0).max(MAX_SHARD_ID),
  /** DNS-safe name, used in host names and the cluster name. */
  name: dnsName,
  /** A node count, or per-node entries with permanent indexes. @default 3 */
  nodes: z.union([z.int().min(1).max(9), z.array(nodeSpec).min(1).max(9)]).default(3),
  /**
   * provisioning: hosts and cluster are built, the shard owns no slots yet. active: serves its slots.
   * retired: owns no slots; its hosts are kept (and their data) until the shard is removed from config.
   * @default "active"
   */
  state: z.enum(["provisioning", "active", "retired"]).default("active"),
  /** Inclusive slot ranges this shard owns ("0-8191", or a single slot "42"). @default [] */
  slots: z.array(slotRange).default([]),
});

/** The schema for one environment: the defaults that differ by environment are filled in from defaults.ts. */
export function stackConfigSchema(environment: Environment) {
  const d = ENVIRONMENT_DEFAULTS[environment];
  return strict({
    environment: z.enum(ENVIRONMENTS),
    aws: strict({
      /** AWS region for every resource of the stack. */
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as eu-west-1" }),
      /** Zones the shard hosts spread over. Subnets are created (or adopted) in each. */
      availabilityZones: z.array(availabilityZone).min(1).max(6),
    }),
    network: z
      .discriminatedUnion("mode", [
        strict({
          mode: z.literal("create"),
          /** @default "10.40.0.0/16" */
          cidr: cidr.default("10.40.0.0/16"),
          /** Egress for package installs: none, one shared NAT gateway, or one per zone. @default dev single, prod perAz */
          natGateways: z.enum(["none", "single", "perAz"]).default(d.natGateways),
        }),
        strict({
          mode: z.literal("adopt"),
          /** The existing VPC. */
          vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { error: "must be a VPC id such as vpc-0abc1234" }),
          /** The existing private subnet of each zone, by zone name. */
          subnetIds: z.record(
            z.string(),
            z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: "must be a subnet id such as subnet-0abc1234" }),
          ),
        }),
      ])
      .prefault({ mode: "create" }),
    hosts: strict({
      /** aws: gamedb creates an EC2 instance per node. static: hosts you already run, listed per node. @default "aws" */
      provider: z.enum(["aws", "static"]).default("aws"),
      /** Encrypted root volume of each EC2 host, GiB. @default 30 */
      rootVolumeGiB: z.int().min(20).max(1024).default(30),
      /** Block device of the data volume on static hosts; formatted only when it holds no filesystem. @default none (the data directory stays on the root filesystem) */
      staticDataDevice: z
        .string()
        .regex(/^\/dev\/[A-Za-z0-9/_-]+$/, { error: "must be a block device path such as /dev/nvme1n1" })
        .optional(),
      /**
       * How static hosts reach the backup bucket: {mode: accessKeys}, an IAM user per shard whose key its hosts keep.
       * Required with provider static (they have no instance role), not allowed with aws.
       */
      awsAccess: staticAwsAccess.optional(),
    }).prefault({}),
    mysql: strict({
      /** MySQL 8.4 LTS server, Shell and Router version, pinned: one of MYSQL_84_RELEASES. @default "8.4.3" */
      version: z
        .string()
        .refine((v) => (MYSQL_84_RELEASES as readonly string[]).includes(v), {
          error: `must be a MySQL 8.4 LTS release with a server, MySQL Shell and MySQL Router: ${MYSQL_84_RELEASES.join(", ")}`,
        })
        .default("8.4.3"),
      /** @default dev t3.large, prod r6i.2xlarge */
      instanceType: instanceType.default(d.mysqlInstanceType),
      dataVolume: strict({
        /** @default dev 50, prod 500 */
        sizeGiB: z.int().min(20).max(16384).default(d.dataVolumeSizeGiB),
        /** @default "gp3" */
        type: z.enum(["gp3", "io2"]).default("gp3"),
        /** @default 3000 (the gp3 baseline); required for io2 */
        iops: z.int().positive().optional(),
        /** MiB/s, gp3 only. @default 125 (the gp3 baseline) */
        throughput: z.int().positive().optional(),
      }).prefault({}),
      /** my.cnf settings to override, from the allowlist in infra/config/mycnfOverrides.ts. @default {} */
      overrides: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
      /**
       * always: every `pulumi up` re-runs each shard's converge script (rejoins lost members, reboots after an outage);
       * onChange: only when the shard's config changes. @default "always"
       */
      converge: z.enum(["always", "onChange"]).default("always"),
      /**
       * Raise it by one to rotate the router, monitor and backup accounts' passwords: new passwords are generated,
       * each shard's accounts command sets them, and the router and worker pods roll. @default 0
       */
      passwordRotation: z.int().min(0).max(1_000_000).default(0),
    }).prefault({}),
    shards: z.array(shard).min(1),
    router: strict({
      /** MySQL Router pods per shard. @default dev 1, prod 2 */
      replicas: z.int().min(1).max(16).default(d.routerReplicas),
      /** @default Oracle's community router image at mysql.version (container-registry.oracle.com/mysql/community-router:<version>) */
      image: image.optional(),
    }).prefault({}),
    redis: strict({
      /** @default "kubernetes" */
      engine: z.enum(["kubernetes", "elasticache"]).default("kubernetes"),
      /** @default 3 (the Redis Cluster minimum) */
      masters: z.int().min(3).max(100).default(3),
      /** @default dev 0, prod 1 */
      replicasPerMaster: z.int().min(0).max(5).default(d.redisReplicasPerMaster),
      /** @default 5000 */
      nodeTimeoutMs: z.int().min(1000).max(60000).default(5000),
      /** Persistent volume per pod (kubernetes engine). @default dev 5, prod 50 */
      storageGiB: z.int().min(1).max(16384).default(d.redisStorageGiB),
      /** TLS between clients and Redis and between its nodes (kubernetes engine). @default dev false, prod true */
      tls: z.boolean().default(d.redisTls),
      /** Redis 7 image (kubernetes engine), pinned. @default "redis:7.2.7-bookworm" */
      image: image.default("redis:7.2.7-bookworm"),
      /**
       * The Redis Cluster controller image built from the repo's Dockerfile, target redis-controller: the drain and
       * reconcile Jobs run it. Required with the kubernetes engine.
       */
      controllerImage: image.optional(),
      /** ElastiCache node type (elasticache engine). @default dev cache.t4g.small, prod cache.r7g.large */
      nodeType: z
        .string()
        .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { error: "must be an ElastiCache node type such as cache.r7g.large" })
        .default(d.redisNodeType),
      /** Days of ElastiCache snapshots kept (elasticache engine). @default dev 1, prod 7 */
      snapshotRetentionDays: z.int().min(0).max(35).default(d.redisSnapshotRetentionDays),
    }).prefault({}),
    backup: strict({
      /** systemd OnCalendar expression of the full logical dump. @default "*-*-* 02:00:00" (daily, UTC) */
      fullSchedule: z
        .string()
        .regex(ON_CALENDAR, {
          error: 'must be a systemd OnCalendar expression such as "*-*-* 02:00:00", "Sun *-*-* 03:30" or "daily"',
        })
        .default("*-*-* 02:00:00"),
      /** Days a full dump is kept. @default 30 */
      retentionDays: z.int().min(1).max(3650).default(30),
      /** How far back point-in-time restore reaches. @default dev 24, prod 168 */
      pitrWindowHours: z
        .int()
        .min(1)
        .max(24 * 90)
        .default(d.pitrWindowHours),
      /** How often closed binlogs ship to S3: the RPO bound. @default 5 */
      binlogShipMinutes: z.int().min(1).max(60).default(5),
      /** Move full dumps to STANDARD_IA after this many days (S3 requires 30 or more). @default none */
      infrequentAccessAfterDays: z.int().min(1).max(3650).optional(),
      /** Move full dumps to Glacier Instant Retrieval after this many days (90 or more). @default none */
      glacierInstantAfterDays: z.int().min(1).max(3650).optional(),
      /** A KMS key of yours for the bucket. @default a key gamedb creates (rotation on) */
      kmsKeyArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/, {
          error: "must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/...",
        })
        .optional(),
      /**
       * Object Lock on the backup objects: only when the bucket is created (S3 cannot add or remove it later).
       * @default none
       */
      objectLock: strict({
        mode: z.enum(["GOVERNANCE", "COMPLIANCE"]),
        days: z.int().min(1).max(36500),
      }).optional(),
      /** S3 server access logs to a separate bucket. @default dev false, prod true */
      accessLogs: z.boolean().default(d.backupAccessLogs),
      /** EBS snapshots of every data volume (Data Lifecycle Manager). */
      snapshots: strict({
        /** Hours between snapshots. @default 24 */
        intervalHours: z
          .int()
          .refine((h) => [1, 2, 3, 4, 6, 8, 12, 24].includes(h), {
            error: "is not an interval DLM accepts; use 1, 2, 3, 4, 6, 8, 12 or 24",
          })
          .default(24),
        /** First snapshot time of day, UTC. @default "03:00" */
        time: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a UTC time of day such as "03:00"' })
          .default("03:00"),
        /** Snapshots kept per volume. @default dev 3, prod 14 */
        retainCount: z.int().min(1).max(1000).default(d.snapshotRetainCount),
      }).prefault({}),
      /** The weekly test restore of every shard's newest dump into a throwaway MySQL (a Kubernetes CronJob). */
      restoreVerification: strict({
        /** @default true */
        enabled: z.boolean().default(true),
        /** Kubernetes CronJob schedule, UTC. @default "0 4 * * 0" (Sundays 04:00) */
        schedule: z
          .string()
          .regex(CRON, { error: 'must be a five-field cron expression such as "0 4 * * 0"' })
          .default("0 4 * * 0"),
        /** The image built from the repo's Dockerfile, target restore-verify. Required when enabled. */
        image: image.optional(),
        /** Scratch space for the throwaway MySQL (an ephemeral volume per run). @default 100 */
        storageGiB: z.int().min(10).max(16384).default(100),
      }).prefault({}),
    }).prefault({}),
    monitoring: strict({
      /** @default 10 */
      intervalSeconds: z.int().min(1).max(300).default(10),
      /** Consecutive failed checks before a node alarm. @default 3 */
      failureThreshold: z.int().min(1).max(20).default(3),
      /** @default 3 */
      checkTimeoutSeconds: z.int().min(1).max(60).default(3),
      /** @default 80 */
      cpuPercent: z.number().min(1).max(100).default(80),
      /** @default 85 */
      bufferPoolPercent: z.number().min(1).max(100).default(85),
      /** @default 5 */
      lagSeconds: z.number().min(0).max(3600).default(5),
      /** The worker image built from the repo's Dockerfile, target monitor. Required. */
      image: image.optional(),
      /**
       * Checks in flight at once. @default 64, or more when the fleet needs it: enough that a cycle in which every
       * member times out still fits the interval
       */
      concurrency: z.int().min(1).max(1024).optional(),
      /** Create a ServiceMonitor and a PrometheusRule (needs the Prometheus Operator CRDs). @default false */
      prometheusOperator: z.boolean().default(false),
      /** Labels on the ServiceMonitor and PrometheusRule, e.g. {release: kube-prometheus-stack}. @default {} */
      prometheusLabels: z
        .record(
          z.string(),
          z.string().regex(/^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/, {
            error: "must be a Kubernetes label value (63 characters at most: letters, digits, -, _ and .)",
          }),
        )
        .default({}),
      /** E-mail addresses subscribed to the alert topic. @default [] */
      alertEmails: z.array(z.email({ error: "must be an e-mail address such as ops@example.com" })).default([]),
    }).prefault({}),
    /** Required: `awsAccess` has no default. */
    kubernetes: strict({
      /** @default "gamedb" */
      namespace: dnsName.default("gamedb"),
      /** Create the namespace, or use an existing one. @default true */
      createNamespace: z.boolean().default(true),
      /** Security groups of the Kubernetes nodes that reach the routers' backends. @default [] */
      nodeSecurityGroupIds: z
        .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, { error: "must be a security group id" }))
        .default([]),
      /** CIDRs of the Kubernetes nodes, when they are not in this account. @default [] */
      nodeCidrs: z.array(cidr).default([]),
      /** How gamedb's pods that call AWS get credentials (security.ts). Required. */
      awsAccess: awsAccessSection,
      /** Namespaces whose pods may reach the Routers and Redis; NetworkPolicies deny every other. @default [] */
      gameNamespaces: z.array(k8sNamespace).default([]),
    }),
    /** The stack's certificate authority, which signs the servers' certificates (security.ts). */
    tls: tlsSection.prefault({}),
    /** The game's database, its migrations and partitioned tables (gameSchema.ts). @default none */
    schema: gameSchemaSection.optional(),
    /** Slot ranges moving between shards with their rows (slotMoves.ts). @default none */
    slotMoves: slotMovesSection.optional(),
    ssh: strict({
      /** Login user on the shard hosts. @default "ubuntu" */
      user: unixUser.default("ubuntu"),
      /** CIDRs allowed to reach SSH on the admin security group (a bastion). Never 0.0.0.0/0. @default [] */
      adminCidrs: z.array(cidr).default([]),
      /** A jump host the SSH connections go through (remote commands use it as their proxy). @default none */
      bastion: strict({
        host: hostAddress,
        /** @default "ubuntu" */
        user: unixUser.default("ubuntu"),
        /** @default 22 */
        port: z.int().min(1).max(65535).default(22),
      }).optional(),
    }).prefault({}),
  });
}

/** The validated topology with every default filled in. */
export type StackConfig = z.output<ReturnType<typeof stackConfigSchema>>;
export type ShardConfig = StackConfig["shards"][number];
export type NodeSpec = z.output<typeof nodeSpec>;
export type ShardState = ShardConfig["state"];
/** The sections of the namespace, in the order the reference documents them. */
export const CONFIG_KEYS = Object.keys(stackConfigSchema("dev").shape) as (keyof StackConfig)[];
