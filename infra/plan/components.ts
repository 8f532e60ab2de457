/**
 * The decisions the components take beyond shards and network, each component's slice of the plan: hosts, MySQL,
 * the router, Redis, Kubernetes, backups and monitoring. Values the config fixes pass through as they are; what is
 * derived (the router image, the bucket's lifecycle rules, the worker's concurrency, which shards a restore
 * verification covers) is decided here, once. Pure.
 */
import type { StackConfig } from "../config/schema";
import { routerImage } from "../catalog/images";
import { lifecycleRules } from "./backupLifecycle";
import { workerConcurrency } from "./monitorSizing";

/** Masters and replicas per master, as the Redis components take it. */
export interface RedisShapePlan {
  readonly masters: number;
  readonly replicasPerMaster: number;
}

export type RedisPlan =
  | {
      readonly engine: "kubernetes";
      readonly shape: RedisShapePlan;
      readonly image: string;
      readonly controllerImage: string;
      readonly nodeTimeoutMs: number;
      readonly storageGiB: number;
      /** redis.tls: clients, replication and the cluster bus over TLS, with a certificate from the stack's CA. */
      readonly tls: boolean;
    }
  | {
      readonly engine: "elasticache";
      readonly shape: RedisShapePlan;
      readonly nodeType: string;
      readonly snapshotRetentionDays: number;
    };

export interface RouterPlan {
  /** router.image, or Oracle's image of the server version. */
  readonly image: string;
  readonly replicas: number;
}

export interface BackupPlan {
  /** The backup section as configured (schedules, retention, KMS, Object Lock, access logs, snapshots). */
  readonly config: StackConfig["backup"];
  /** The bucket's lifecycle rules, from the retention settings. */
  readonly lifecycleRules: ReturnType<typeof lifecycleRules>;
  /** The weekly restore verification, when enabled: its settings, image and the shards it covers (the active ones). */
  readonly verification?: {
    readonly settings: StackConfig["backup"]["restoreVerification"];
    readonly image: string;
    readonly shardIds: readonly number[];
  };
}

export interface MonitoringPlan {
  readonly image: string;
  readonly alertEmails: readonly string[];
  readonly prometheusOperator: boolean;
  readonly prometheusLabels: Record<string, string>;
  /** The worker's settings, its concurrency sized to the fleet. */
  readonly worker: {
    readonly intervalSeconds: number;
    readonly failureThreshold: number;
    readonly checkTimeoutSeconds: number;
    readonly cpuPercent: number;
    readonly bufferPoolPercent: number;
    readonly lagSeconds: number;
    readonly concurrency: number;
    readonly redisTls: boolean;
  };
}

/** A value validation requires; its absence here is a bug in the validation, not a config error. */
function required<T>(value: T | undefined, key: string): T {
  if (value === undefined) throw new Error(`${key} passed validation without a value`);
  return value;
}

export function planRouter(t: StackConfig): RouterPlan {
  return { image: t.router.image ?? routerImage(t.mysql.version), replicas: t.router.replicas };
}

export function planRedis(t: StackConfig): RedisPlan {
  const r = t.redis;
  const shape = { masters: r.masters, replicasPerMaster: r.replicasPerMaster };
  if (r.engine === "kubernetes")
    return {
      engine: "kubernetes",
      shape,
      image: r.image,
      controllerImage: required(r.controllerImage, "redis.controllerImage"),
      nodeTimeoutMs: r.nodeTimeoutMs,
      storageGiB: r.storageGiB,
      tls: r.tls,
    };
  return { engine: "elasticache", shape, nodeType: r.nodeType, snapshotRetentionDays: r.snapshotRetentionDays };
}

export function planBackup(t: StackConfig, activeShardIds: readonly number[]): BackupPlan {
  const v = t.backup.restoreVerification;
  return {
    config: t.backup,
    lifecycleRules: lifecycleRules(t.backup),
    ...(v.enabled
      ? {
          verification: {
            settings: v,
            image: required(v.image, "backup.restoreVerification.image"),
            shardIds: activeShardIds,
          },
        }
      : {}),
  };
}

export function planMonitoring(t: StackConfig, members: number): MonitoringPlan {
  const m = t.monitoring;
  return {
    image: required(m.image, "monitoring.image"),
    alertEmails: m.alertEmails,
    prometheusOperator: m.prometheusOperator,
    prometheusLabels: m.prometheusLabels,
    worker: {
      intervalSeconds: m.intervalSeconds,
      failureThreshold: m.failureThreshold,
      checkTimeoutSeconds: m.checkTimeoutSeconds,
      cpuPercent: m.cpuPercent,
      bufferPoolPercent: m.bufferPoolPercent,
      lagSeconds: m.lagSeconds,
      concurrency: workerConcurrency(m, members),
      redisTls: t.redis.engine === "elasticache",
    },
  };
}
