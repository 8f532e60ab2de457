/** The stack outputs that come from declared resources (the plan's own are in infra/plan/outputs.ts). */
import type { ShardResources } from "./platform";

/** Per shard: the cluster name, its members ("host:3306") and the seed member. */
export function clusterOutputs(shards: Record<string, ShardResources>) {
  return Object.fromEntries(
    Object.entries(shards).map(([key, s]) => [
      key,
      {
        clusterName: s.cluster.clusterName,
        memberAddresses: s.cluster.memberAddresses,
        seedMember: s.cluster.seedAddress,
      },
    ]),
  );
}
