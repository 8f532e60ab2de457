/**
 * Defaults that differ by environment. `dev` is small and cheap (one NAT gateway, single-node shards allowed,
 * burstable instances); `prod` is highly available (a NAT gateway per zone, replicas everywhere, longer windows).
 * Everything not listed here has one default for every environment, written next to its key in schema.ts.
 */
export const ENVIRONMENTS = ["dev", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface EnvironmentDefaults {
  natGateways: "none" | "single" | "perAz";
  mysqlInstanceType: string;
  dataVolumeSizeGiB: number;
  routerReplicas: number;
  redisReplicasPerMaster: number;
  redisStorageGiB: number;
  redisNodeType: string;
  redisSnapshotRetentionDays: number;
  backupAccessLogs: boolean;
  snapshotRetainCount: number;
  pitrWindowHours: number;
  redisTls: boolean;
}

export const ENVIRONMENT_DEFAULTS: Record<Environment, EnvironmentDefaults> = {
  dev: {
    natGateways: "single",
    mysqlInstanceType: "t3.large",
    dataVolumeSizeGiB: 50,
    routerReplicas: 1,
    redisReplicasPerMaster: 0,
    redisStorageGiB: 5,
    redisNodeType: "cache.t4g.small",
    redisSnapshotRetentionDays: 1,
    backupAccessLogs: false,
    snapshotRetainCount: 3,
    pitrWindowHours: 24,
    redisTls: false,
  },
  prod: {
    natGateways: "perAz",
    mysqlInstanceType: "r6i.2xlarge",
    dataVolumeSizeGiB: 500,
    routerReplicas: 2,
    redisReplicasPerMaster: 1,
    redisStorageGiB: 50,
    redisNodeType: "cache.r7g.large",
    redisSnapshotRetentionDays: 7,
    backupAccessLogs: true,
    snapshotRetainCount: 14,
    pitrWindowHours: 7 * 24,
    redisTls: true,
  },
};
