/** The stack outputs that describe the topology, and the slot map the endpoints publish: plain data from the plan. */
import type { PlatformPlan } from "./plan";
import { formatRange } from "./slots";

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
