/** The stack outputs that describe the topology: plain data, derived from the plan only. */
import type { PlatformPlan } from "./topology/plan";
import { formatRange } from "./topology/slots";
import type { ShardResources } from "./platform";

export function slotMapOutput(plan: PlatformPlan) {
  return plan.slotMap.map((r) => ({ slots: formatRange(r), from: r.from, to: r.to, shard: r.shard }));
}

export function shardsOutput(plan: PlatformPlan) {
  return plan.shards.map((s) => ({
    id: s.id,
    name: s.name,
    state: s.state,
    slots: s.slots.map(formatRange),
    nodes: s.nodes.map((n) => ({
      name: n.name,
      index: n.index,
      serverId: n.serverId,
      az: n.az,
      instanceType: n.instanceType,
    })),
  }));
}

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
