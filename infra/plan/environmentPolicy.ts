/**
 * What an environment means for safety and recovery, decided once: every component reads it from the plan instead
 * of comparing the environment's name itself. Pure.
 */
import type { Environment } from "../config/defaults";

export interface EnvironmentPolicy {
  /**
   * Resources that hold player data or the keys to it (data volumes, backup buckets, the backup key, ElastiCache)
   * are `protect`ed and `retainOnDelete`: removing them from the program leaves them in the account.
   */
  readonly protectData: boolean;
  /** Times a member that lost the group tries to rejoin it on its own (createCluster autoRejoinTries). */
  readonly autoRejoinTries: number;
  /**
   * Days a created VPC's flow logs stay in CloudWatch Logs: a year in prod, for an investigation that starts
   * late; a month in dev. Both are values CloudWatch Logs accepts for retentionInDays.
   */
  readonly flowLogRetentionDays: number;
}

export function environmentPolicy(environment: Environment): EnvironmentPolicy {
  const prod = environment === "prod";
  return { protectData: prod, autoRejoinTries: prod ? 3 : 1, flowLogRetentionDays: prod ? 365 : 30 };
}
