/** The stack outputs that describe the topology, and the slot map the endpoints publish: plain data from the plan. */
import type { PlatformPlan } from "./plan";
import { formatRange } from "./slots";

/** The published map (plan.publishedSlotMap): where a move has switched or reversed a range, with its epoch. */
export function slotMapOutput(plan: PlatformPlan) {
  return plan.publishedSlotMap.map((r) => ({
    slots: formatRange(r),
    from: r.from,
    to: r.to,
    shard: r.shard,
    ...(r.epoch === undefined ? {} : { epoch: r.epoch }),
  }));
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
