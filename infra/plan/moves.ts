/**
 * The moves slice of the plan (gamedb:slotMoves, infra/contracts/slotMoves.ts) and the slot map the endpoints
 * publish while moves run. Pure.
 *
 * `shards[].slots` is the ownership before a move until its cleanup, so the config's map (plan.slotMap, which the
 * migrate Job's fence rows use) differs from the published one exactly where a move has switched: from the switch
 * until cleanup the target serves the range, at the epoch the switch wrote in the fence rows.
 */
import type { SlotMovesConfig } from "../config/slotMoves";
import {
  MovePhase,
  SwitchLimits,
  Throttle,
  reverseEpoch,
  switchEpoch,
  switchLimitsSchema,
  throttleSchema,
} from "../contracts/slotMoves";
import { SLOT_COUNT, SlotAssignment, SlotRange, parseSlotRange, rangeSize } from "./slots";

export interface MovePlan {
  id: number;
  range: SlotRange;
  /** Source shard: owns the range in shards[].slots until cleanup. */
  from: number;
  /** Target shard. */
  to: number;
  phase: MovePhase;
  /** How many slots the range holds. */
  slots: number;
  /** slots / 16384: keys spread evenly over slots, so this is the share of keys (and of rows) that moves. */
  keyShare: number;
  /** The fence epoch the switch writes (and cleanup keeps). */
  switchEpoch: number;
  /** The fence epoch a reverse writes. */
  reverseEpoch: number;
  throttle: Throttle;
  switch: SwitchLimits;
}

/** A run of the published map: its owner and, where a move has switched or reversed it, the fence epoch. */
export interface PublishedSlot extends SlotAssignment {
  epoch?: number;
}

/** The moves of a validated config, sorted by id, with the throttle and switch defaults applied. */
export function planMoves(config: SlotMovesConfig | undefined): MovePlan[] {
  return (config?.moves ?? [])
    .map((m) => {
      const range = parseSlotRange(m.slots);
      // Validation (validate/moves.ts) refuses a malformed range before a plan is made.
      if (typeof range === "string") throw new Error(`gamedb:slotMoves move ${m.id}: ${range}`);
      return {
        id: m.id,
        range,
        from: m.from,
        to: m.to,
        phase: m.phase,
        slots: rangeSize(range),
        keyShare: rangeSize(range) / SLOT_COUNT,
        switchEpoch: switchEpoch(m.id),
        reverseEpoch: reverseEpoch(m.id),
        throttle: m.throttle ?? throttleSchema.parse({}),
        switch: m.switch ?? switchLimitsSchema.parse({}),
      };
    })
    .sort((a, b) => a.id - b.id);
}

/** Who serves a move's range in the published map, and at which epoch (undefined: the config's, no epoch). */
export function publishedOwner(m: Pick<MovePlan, "phase" | "from" | "to" | "id">): {
  shard: number;
  epoch?: number;
} {
  switch (m.phase) {
    case "switch":
    case "cleanup":
      return { shard: m.to, epoch: switchEpoch(m.id) };
    case "reverse":
      return { shard: m.from, epoch: reverseEpoch(m.id) };
    case "copy":
    case "cancel":
      return { shard: m.from };
  }
}

/**
 * The map the endpoints publish: the config's ownership with each move's range given to the shard its phase names.
 * Runs split wherever the owner or the epoch changes.
 */
export function publishedSlotMap(
  slotMap: readonly SlotAssignment[],
  moves: readonly Pick<MovePlan, "phase" | "from" | "to" | "id" | "range">[],
): PublishedSlot[] {
  const owner = new Int32Array(SLOT_COUNT).fill(-1);
  const epoch = new Int32Array(SLOT_COUNT).fill(-1);
  for (const r of slotMap) owner.fill(r.shard, r.from, r.to + 1);
  for (const m of moves) {
    const p = publishedOwner(m);
    owner.fill(p.shard, m.range.from, m.range.to + 1);
    epoch.fill(p.epoch ?? -1, m.range.from, m.range.to + 1);
  }
  const out: PublishedSlot[] = [];
  for (let s = 0; s < SLOT_COUNT; s++) {
    if (owner[s] === -1) continue;
    const last = out[out.length - 1];
    const e = epoch[s]!;
    if (last && last.to === s - 1 && last.shard === owner[s] && (last.epoch ?? -1) === e) last.to = s;
    else out.push({ from: s, to: s, shard: owner[s]!, ...(e === -1 ? {} : { epoch: e }) });
  }
  return out;
}
