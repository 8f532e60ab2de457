/**
 * gamedb's scheme: a key's slot is Redis Cluster's key slot (infra/contracts/slots.ts), shards own slot ranges
 * (infra/plan/slots.ts), a new cluster splits the 16384 slots evenly. Adding a shard moves slots, not a formula:
 * existing shards keep their ranges and each gives the new one a contiguous piece off its end, so only those
 * slots' keys move (README "Add a shard"; scripts/apps/redis-controller/slots.ts balanceMoves plans Redis the
 * same way, donors giving their highest slots).
 */
import { keySlot } from "../../../infra/contracts/slots";
import { SLOT_COUNT, type SlotRange, evenSlotRanges, ownerTable, rangeSize } from "../../../infra/plan/slots";
import type { ShardOf } from "./strategies";

/** Slot ranges per shard, index = shard id. */
export type SlotLayout = readonly (readonly SlotRange[])[];

/** A new cluster of n shards: shard i owns evenSlotRanges(n)[i]. */
export function evenLayout(n: number): SlotRange[][] {
  return evenSlotRanges(n).map((r) => [r]);
}

/** key -> shard through the key's slot; throws if the layout leaves a slot unowned or owned twice. */
export function slotSharding(layout: SlotLayout): ShardOf {
  const { owner, overlaps } = ownerTable(new Map(layout.map((ranges, shard) => [shard, ranges])));
  if (overlaps.length > 0) throw new Error(`slot ${overlaps[0]!.slot} is owned by two shards`);
  const free = owner.indexOf(-1);
  if (free !== -1) throw new Error(`slot ${free} is owned by no shard`);
  return (key) => owner[keySlot(key)]!;
}

/** The `count` highest slots of ranges (ascending ranges), as ranges. */
function highestSlots(ranges: readonly SlotRange[], count: number): SlotRange[] {
  const out: SlotRange[] = [];
  let left = count;
  for (const r of [...ranges].sort((a, b) => b.from - a.from)) {
    if (left === 0) break;
    const n = Math.min(left, rangeSize(r));
    out.unshift({ from: r.to - n + 1, to: r.to });
    left -= n;
  }
  return out;
}

function withoutSlots(ranges: readonly SlotRange[], cut: readonly SlotRange[]): SlotRange[] {
  const out: SlotRange[] = [];
  for (const r of ranges) {
    let pieces: SlotRange[] = [r];
    for (const c of cut) {
      pieces = pieces.flatMap((p) =>
        c.to < p.from || c.from > p.to
          ? [p]
          : [
              ...(c.from > p.from ? [{ from: p.from, to: c.from - 1 }] : []),
              ...(c.to < p.to ? [{ from: c.to + 1, to: p.to }] : []),
            ],
      );
    }
    out.push(...pieces);
  }
  return out;
}

/**
 * The layout after adding shard n to n shards: the shares of n+1 shards are those of evenSlotRanges(n+1) (the
 * first 16384 % (n+1) one slot more, the new shard last), and every existing shard gives what it holds above its
 * share from the end of its ranges. Throws if a shard holds less than its share (that is a rebalance, not this).
 */
export function addShardLayout(layout: SlotLayout): { layout: SlotRange[][]; moved: SlotRange[] } {
  const n = layout.length;
  const shares = evenSlotRanges(n + 1).map(rangeSize);
  const moved: SlotRange[] = [];
  const kept = layout.map((ranges, shard) => {
    const held = ranges.reduce((sum, r) => sum + rangeSize(r), 0);
    const give = held - shares[shard]!;
    if (give < 0) throw new Error(`shard ${shard} holds ${held} slots, fewer than its share ${shares[shard]}`);
    const piece = highestSlots(ranges, give);
    moved.push(...piece);
    return withoutSlots(ranges, piece);
  });
  moved.sort((a, b) => a.from - b.from);
  return { layout: [...kept, moved], moved };
}

export { SLOT_COUNT };
