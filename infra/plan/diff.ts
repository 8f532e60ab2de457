/**
 * What a topology edit does: shards and nodes added or removed, and slots that change owner with the share of
 * the key space that moves (keys are spread evenly over slots by the key-slot hash, so slots moved / 16384 is
 * the share of keys that must be copied).
 */
import type { PlatformPlan } from "./plan";
import { SLOT_COUNT, SlotRange, ownerTable, toRanges } from "./slots";

export interface SlotMove {
  from: number | null;
  to: number | null;
  ranges: SlotRange[];
  slots: number;
}

export interface TopologyDiff {
  shardsAdded: number[];
  shardsRemoved: number[];
  shardStateChanges: { shard: number; from: string; to: string }[];
  nodesAdded: string[];
  nodesRemoved: string[];
  slotMoves: SlotMove[];
  slotsMoved: number;
  /** slotsMoved / 16384 */
  keyspaceMoved: number;
}

function owners(plan: PlatformPlan): Int32Array {
  return ownerTable(new Map(plan.shards.map((s) => [s.id, s.slots]))).owner;
}

export function diffTopology(before: PlatformPlan, after: PlatformPlan): TopologyDiff {
  const beforeShards = new Map(before.shards.map((s) => [s.id, s]));
  const afterShards = new Map(after.shards.map((s) => [s.id, s]));
  const beforeNodes = new Set(before.shards.flatMap((s) => s.nodes.map((n) => n.name)));
  const afterNodes = new Set(after.shards.flatMap((s) => s.nodes.map((n) => n.name)));

  const a = owners(before);
  const b = owners(after);
  const moved = new Map<string, number[]>();
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (a[s] === b[s]) continue;
    const k = `${a[s]}>${b[s]}`;
    const list = moved.get(k) ?? [];
    list.push(s);
    moved.set(k, list);
  }
  const slotMoves = [...moved.entries()].map(([k, slots]) => {
    const [from, to] = k.split(">").map(Number) as [number, number];
    return { from: from === -1 ? null : from, to: to === -1 ? null : to, ranges: toRanges(slots), slots: slots.length };
  });
  const slotsMoved = slotMoves.reduce((n, m) => n + m.slots, 0);

  return {
    shardsAdded: [...afterShards.keys()].filter((id) => !beforeShards.has(id)),
    shardsRemoved: [...beforeShards.keys()].filter((id) => !afterShards.has(id)),
    shardStateChanges: [...afterShards.values()]
      .filter((s) => beforeShards.has(s.id) && beforeShards.get(s.id)!.state !== s.state)
      .map((s) => ({ shard: s.id, from: beforeShards.get(s.id)!.state, to: s.state })),
    nodesAdded: [...afterNodes].filter((n) => !beforeNodes.has(n)),
    nodesRemoved: [...beforeNodes].filter((n) => !afterNodes.has(n)),
    slotMoves,
    slotsMoved,
    keyspaceMoved: slotsMoved / SLOT_COUNT,
  };
}
