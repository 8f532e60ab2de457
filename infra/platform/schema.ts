/**
 * gamedb:schema on the platform: the migration Job (every active and provisioning shard, through its Router, as
 * gamedb_schema), and the partition CronJob when tables are declared partitioned (archives to the backup bucket,
 * alerts to the alert topic). Nothing without gamedb:schema.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { BackupBucket } from "../backup";
import type { AlertTopic } from "../monitoring";
import { PartitionMaintenance, SchemaMigrations } from "../schema";
import type { KubernetesContext, PlatformContext, ShardResources } from "./context";

export function declareSchemaMigrations(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: {
    shards: Record<string, ShardResources>;
    endpoints: k8s.core.v1.ConfigMap;
    backup: BackupBucket;
    alerts: AlertTopic;
  },
): { migrations: SchemaMigrations; partitions?: PartitionMaintenance } | undefined {
  const schema = ctx.plan.schema;
  if (!schema) return undefined;
  const migrated = ctx.plan.shards.filter((s) => schema.jobConfig.shards.some((j) => j.id === s.id));
  const passwords = Object.fromEntries(
    migrated.map((s) => {
      const password = deps.shards[s.key]!.cluster.passwords.schema;
      if (!password) throw new Error(`shard ${s.id}: no gamedb_schema password (its cluster has no game database)`);
      return [s.id, password];
    }),
  );
  const migrations = new SchemaMigrations(
    `${ctx.name}-migrate`,
    {
      namespace: kube.namespace,
      image: schema.config.image,
      configJson: JSON.stringify(schema.jobConfig, null, 2),
      files: schema.files,
      contentHash: schema.contentHash,
      timeoutMinutes: schema.config.timeoutMinutes,
      endpointsConfigMap: deps.endpoints.metadata.name,
      passwords,
      dependsOn: [deps.endpoints, ...migrated.map((s) => deps.shards[s.key]!.cluster)],
    },
    { parent: ctx.parent, providers: { kubernetes: kube.provider } },
  );
  if (schema.config.partitioned.length === 0) return { migrations };
  const partitions = new PartitionMaintenance(
    `${ctx.name}-partitions`,
    {
      environment: ctx.plan.environment,
      region: ctx.plan.region,
      namespace: kube.namespace,
      namespaceName: kube.namespaceName,
      awsAccess: ctx.plan.kubernetes.awsAccess,
      image: schema.config.image,
      schedule: schema.config.partitionSchedule,
      configMap: migrations.configMapName,
      endpointsConfigMap: deps.endpoints.metadata.name,
      passwords,
      bucketName: deps.backup.bucketName,
      bucketArn: deps.backup.bucketArn,
      kmsKeyArn: deps.backup.kmsKeyArn,
      alertTopicArn: deps.alerts.arn,
      alertKeyArn: deps.alerts.keyArn,
      awsProvider: ctx.aws,
    },
    // The IAM role or user is an AWS resource: the Kubernetes options that also carry the AWS side (kube.opts).
    { ...kube.opts, parent: ctx.parent },
  );
  return { migrations, partitions };
}
