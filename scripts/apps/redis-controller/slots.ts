/**
 * Slot arithmetic for the planner: even shares, and the moves that bring every master to its share taking the
 * fewest slots off each (donors give from their highest slots, receivers take in order).
 */
import { SLOT_COUNT, slotCount, type SlotRange } from "../../lib/redis/clusterNodes";

export function* slotsOf(ranges: readonly SlotRange[]): Generator<number> {
  for (const r of ranges) for (let s = r.from; s <= r.to; s++) yield s;
}

/** "0-5460 5461" style, for logs. */
export function formatRanges(ranges: readonly SlotRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(" ");
}

/** Sorted, merged ranges. */
export function normalize(ranges: readonly SlotRange[]): SlotRange[] {
  const out: { from: number; to: number }[] = [];
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    const last = out[out.length - 1];
    if (last !== undefined && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ from: r.from, to: r.to });
  }
  return out;
}

/** Ranges plus ranges. */
export function plus(ranges: readonly SlotRange[], add: readonly SlotRange[]): SlotRange[] {
  return normalize([...ranges, ...add]);
}

/** Ranges minus ranges. */
export function without(ranges: readonly SlotRange[], remove: readonly SlotRange[]): SlotRange[] {
  const cut = normalize(remove);
  const out: SlotRange[] = [];
  for (const r of normalize(ranges)) {
    let from = r.from;
    for (const c of cut) {
      if (c.to < from || c.from > r.to) continue;
      if (c.from > from) out.push({ from, to: c.from - 1 });
      from = c.to + 1;
    }
    if (from <= r.to) out.push({ from, to: r.to });
  }
  return out;
}

/** The slots no range covers, as ranges. */
export function uncovered(ranges: readonly SlotRange[]): SlotRange[] {
  return without([{ from: 0, to: SLOT_COUNT - 1 }], ranges);
}

/** The `count` highest slots of the ranges. */
export function highest(ranges: readonly SlotRange[], count: number): SlotRange[] {
  const out: SlotRange[] = [];
  let left = count;
  for (const r of normalize(ranges).reverse()) {
    if (left <= 0) break;
    const n = Math.min(left, r.to - r.from + 1);
    out.push({ from: r.to - n + 1, to: r.to });
    left -= n;
  }
  return normalize(out);
}

/** `count` masters' shares of the 16384 slots: the first `16384 % count` get one more. */
export function evenShares(count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(SLOT_COUNT / count) + (i < SLOT_COUNT % count ? 1 : 0));
}

/** Contiguous ranges for `count` masters in order (a new cluster). */
export function evenRanges(count: number): SlotRange[] {
  let from = 0;
  return evenShares(count).map((n) => {
    const r = { from, to: from + n - 1 };
    from += n;
    return r;
  });
}

/**
 * Within 10% of an even share over `masters`: what a finished balance leaves. (reconcile.sh's slots_fair: a
 * rebalance interrupted halfway leaves less.)
 */
export function fairShare(slots: number, masters: number): boolean {
  return Math.abs(slots * masters - SLOT_COUNT) * 10 <= SLOT_COUNT;
}

export interface Holder<K> {
  readonly key: K;
  readonly slots: readonly SlotRange[];
  /** The slots it should hold in the end. */
  readonly target: number;
}

export interface SlotMove<K> {
  readonly from: K;
  readonly to: K;
  readonly slots: SlotRange[];
}

/**
 * Moves from holders above their target to those below, the fewest slots possible. Targets must add up to the
 * slots held. Donors are taken in order, each giving its highest slots; receivers filled in order.
 */
export function balanceMoves<K>(holders: readonly Holder<K>[]): SlotMove<K>[] {
  const held = holders.reduce((n, h) => n + slotCount(h.slots), 0);
  const wanted = holders.reduce((n, h) => n + h.target, 0);
  if (held !== wanted) throw new Error(`slot targets add up to ${wanted}, but ${held} slots are held`);
  const excess = holders
    .filter((h) => slotCount(h.slots) > h.target)
    .map((h) => ({ key: h.key, give: highest(h.slots, slotCount(h.slots) - h.target) }));
  const moves: SlotMove<K>[] = [];
  for (const r of holders) {
    let need = r.target - slotCount(r.slots);
    for (const d of excess) {
      if (need <= 0) break;
      // The donor's highest slots first: they lie at the end of its ranges.
      const taken = highest(d.give, need);
      if (taken.length === 0) continue;
      d.give = without(d.give, taken);
      need -= slotCount(taken);
      moves.push({ from: d.key, to: r.key, slots: taken });
    }
  }
  return moves;
}
