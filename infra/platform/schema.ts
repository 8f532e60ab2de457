/**
 * gamedb:schema on the platform: the migration Job (every active and provisioning shard, through its Router, as
 * gamedb_schema), and the partition CronJob when tables are declared partitioned. Nothing without gamedb:schema.
 */
import type * as k8s from "@pulumi/kubernetes";
import { SchemaMigrations } from "../schema";
import type { KubernetesContext, PlatformContext, ShardResources } from "./context";

export function declareSchemaMigrations(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: { shards: Record<string, ShardResources>; endpoints: k8s.core.v1.ConfigMap },
): SchemaMigrations | undefined {
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
  return new SchemaMigrations(
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
}
