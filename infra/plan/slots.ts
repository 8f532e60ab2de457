/**
 * Slot ranges and slot maps: each active shard owns ranges of the slot space (infra/contracts/slots.ts, where a
 * shard key's slot is computed).
 */
import { MAX_SLOT, SLOT_COUNT, ShardKey, keySlot } from "../contracts/slots";

export { MAX_SLOT, SLOT_COUNT };

/** An inclusive range of slots. */
export interface SlotRange {
  from: number;
  to: number;
}

/** A run of consecutive slots owned by one shard. */
export interface SlotAssignment extends SlotRange {
  shard: number;
}

/** Parses "42" or "0-8191". Returns an error message for a malformed or out-of-range value. */
export function parseSlotRange(text: string): SlotRange | string {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return `${JSON.stringify(text)} is not a slot or range; write "42" or "0-8191"`;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from > MAX_SLOT || to > MAX_SLOT) return `${JSON.stringify(text)} is outside the slot space 0-${MAX_SLOT}`;
  if (from > to) return `${JSON.stringify(text)} is reversed; write the lower slot first ("${to}-${from}")`;
  return { from, to };
}

export function formatRange(r: SlotRange): string {
  return r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`;
}

export function rangeSize(r: SlotRange): number {
  return r.to - r.from + 1;
}

/**
 * The owner of every slot, from shard id -> ranges. `undefined` where no shard owns a slot; the owners that
 * claim a slot twice are reported through `overlaps`.
 */
export function ownerTable(owned: ReadonlyMap<number, readonly SlotRange[]>): {
  owner: Int32Array;
  overlaps: { slot: number; shards: [number, number] }[];
} {
  const owner = new Int32Array(SLOT_COUNT).fill(-1);
  const overlaps: { slot: number; shards: [number, number] }[] = [];
  for (const [shard, ranges] of owned) {
    for (const r of ranges) {
      for (let s = r.from; s <= r.to; s++) {
        const prev = owner[s]!;
        if (prev !== -1) overlaps.push({ slot: s, shards: [prev, shard] });
        else owner[s] = shard;
      }
    }
  }
  return { owner, overlaps };
}

/** Collapses consecutive slots with the same value into ranges; -1 (unowned) runs included as shard -1. */
export function runs(owner: Int32Array): SlotAssignment[] {
  const out: SlotAssignment[] = [];
  for (let s = 0; s < owner.length; s++) {
    const shard = owner[s]!;
    const last = out[out.length - 1];
    if (last && last.shard === shard && last.to === s - 1) last.to = s;
    else out.push({ from: s, to: s, shard });
  }
  return out;
}

/** Groups sorted integers into inclusive ranges. */
export function toRanges(slots: readonly number[]): SlotRange[] {
  const out: SlotRange[] = [];
  for (const s of slots) {
    const last = out[out.length - 1];
    if (last && last.to === s - 1) last.to = s;
    else out.push({ from: s, to: s });
  }
  return out;
}

/** The slot map of a valid topology: every slot's owning shard, as sorted runs. */
export function slotMap(owned: ReadonlyMap<number, readonly SlotRange[]>): SlotAssignment[] {
  return runs(ownerTable(owned).owner).filter((r) => r.shard !== -1);
}

/** Looks a slot up in a slot map (binary search over the sorted runs). */
export function shardForSlot(map: readonly SlotAssignment[], slot: number): number | undefined {
  let lo = 0;
  let hi = map.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = map[mid]!;
    if (slot < r.from) hi = mid - 1;
    else if (slot > r.to) lo = mid + 1;
    else return r.shard;
  }
  return undefined;
}

/** The shard that owns a shard key. */
export function shardForKey(map: readonly SlotAssignment[], key: ShardKey): number | undefined {
  return shardForSlot(map, keySlot(key));
}

/** Splits the slot space evenly into `count` contiguous ranges (the first `16384 % count` get one slot more). */
export function evenSlotRanges(count: number): SlotRange[] {
  if (!Number.isInteger(count) || count < 1 || count > SLOT_COUNT) {
    throw new RangeError(`shard count must be an integer from 1 to ${SLOT_COUNT}, got ${count}`);
  }
  const base = Math.floor(SLOT_COUNT / count);
  const extra = SLOT_COUNT % count;
  const out: SlotRange[] = [];
  for (let i = 0, from = 0; i < count; i++) {
    const to = from + base + (i < extra ? 1 : 0) - 1;
    out.push({ from, to });
    from = to + 1;
  }
  return out;
}
