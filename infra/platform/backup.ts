/** Backups: the bucket, each shard's hosts allowed its own prefixes only, the host jobs, snapshots of every volume. */
import { BackupBucket, grantShardBackupAccess, installBackupJobs, snapshotPolicy } from "../backup";
import type { AlertTopic } from "../monitoring";
import type { PlatformContext, ShardResources } from "./context";

export function declareBackup(
  ctx: PlatformContext,
  deps: { shards: Record<string, ShardResources>; alerts: AlertTopic },
): BackupBucket {
  const { plan, name } = ctx;
  const b = plan.backup.config;
  const backup = new BackupBucket(
    `${name}-backup`,
    { backup: b, lifecycleRules: plan.backup.lifecycleRules, protect: plan.policy.protectData },
    { parent: ctx.parent, providers: { aws: ctx.aws } },
  );
  for (const shard of plan.shards) {
    const { hosts, cluster } = deps.shards[shard.key]!;
    const credentials = grantShardBackupAccess(
      {
        shardKey: shard.key,
        environment: plan.environment,
        roleName: hosts.roleName,
        bucketArn: backup.bucketArn,
        kmsKeyArn: backup.kmsKeyArn,
        alertTopicArn: deps.alerts.arn,
        alertKeyArn: deps.alerts.keyArn,
      },
      backup,
    );
    installBackupJobs(
      {
        shardKey: shard.key,
        environment: plan.environment,
        hosts: hosts.hosts,
        backup: b,
        region: plan.region,
        bucket: backup.bucketName,
        alertTopicArn: deps.alerts.arn,
        credentials,
        // The jobs log in as the backup account, which the shard's accounts step creates: until then every
        // timer run would fail and alert.
        after: [cluster],
      },
      backup,
    );
  }
  if (plan.hosts.provider === "aws") snapshotPolicy(`${name}-backup`, plan.environment, b.snapshots, backup);
  return backup;
}
