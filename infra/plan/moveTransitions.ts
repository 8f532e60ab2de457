/**
 * The review check of slot moves (`npm run plan -- --against BASE --check`): what a change does to the moves and
 * to the config's ownership between the base (what is deployed, or about to be) and this config. Pure, over the
 * two plans' moves and shards[].slots, so it also reads plan JSON written before moves existed (no moves there).
 *
 * A slot changes owner in shards[].slots only through a completed move: one at cleanup here that was already at
 * switch (or cleanup) in the base, from the base's owner to the new one. The switch has then been deployed, and
 * the gate refused it unless the target's fence rows owned the range (infra/contracts/slotMoves.ts).
 */
import { MovePhase, PHASE_NEXT, phaseChangeAllowed } from "../contracts/slotMoves";
import type { MovePlan } from "./moves";
import { SLOT_COUNT, SlotRange, formatRange, ownerTable, toRanges } from "./slots";

export type MoveView = Pick<MovePlan, "id" | "range" | "from" | "to" | "phase">;

/** What the check reads of a plan: the config's ownership per shard and the moves (absent in older plan JSON). */
export interface MoveSide {
  shards: readonly { id: number; slots: readonly SlotRange[] }[];
  moves?: readonly MoveView[];
}

export interface MoveChange {
  id: number;
  range: SlotRange;
  from: number;
  to: number;
  before: MovePhase | "new";
  after: MovePhase | "removed";
}

export interface MoveViolation {
  /** owner: a slot changes owner without a completed move; phase: a phase change PHASE_NEXT does not allow; id: a
   * new move reuses an id; changed: a deployed move's slots, source or target edited. */
  kind: "owner" | "phase" | "id" | "changed";
  /** The move it is about, when there is one. */
  move?: number;
  /** The slots it is about, for owner violations. */
  slots?: SlotRange;
  message: string;
}

/** Every move of either side with its phase in the base ("new" if absent) and here ("removed" if absent). */
export function moveTransitions(base: MoveSide, head: MoveSide): MoveChange[] {
  const before = new Map((base.moves ?? []).map((m) => [m.id, m]));
  const after = new Map((head.moves ?? []).map((m) => [m.id, m]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort((a, b) => a - b);
  return ids.map((id) => {
    const b = before.get(id);
    const a = after.get(id);
    const m = (a ?? b)!;
    return { id, range: m.range, from: m.from, to: m.to, before: b?.phase ?? "new", after: a?.phase ?? "removed" };
  });
}

/** Only the moves whose phase changes (a move new at copy and one removed after cleanup count). */
export function movePhaseChanges(base: MoveSide, head: MoveSide): MoveChange[] {
  return moveTransitions(base, head).filter((c) => c.before !== c.after);
}

const allowedNext = (p: MovePhase | "new") =>
  PHASE_NEXT[p].map((n) => (n === "removed" ? "removal from gamedb:slotMoves.moves" : n)).join(" or ");

function phaseViolation(c: MoveChange): MoveViolation | undefined {
  if (phaseChangeAllowed(c.before, c.after)) return undefined;
  const m = `move ${c.id} (slots ${formatRange(c.range)}, shard ${c.from} -> shard ${c.to})`;
  let message: string;
  if (c.before === "new")
    message = `${m} is new at phase ${c.after}: a move starts at copy, then goes to switch and cleanup, one deploy each`;
  else if (c.after === "removed")
    message =
      `${m} is removed at phase ${c.before}: a move leaves gamedb:slotMoves.moves only after cancel or cleanup ` +
      `has been deployed; from ${c.before} it goes to ${allowedNext(c.before)}`;
  else
    message = `${m} goes ${c.before} -> ${c.after}: from ${c.before} a move goes to ${allowedNext(c.before)}, one deploy each`;
  return { kind: "phase", move: c.id, message };
}

const sameMove = (a: MoveView, b: MoveView) =>
  a.from === b.from && a.to === b.to && a.range.from === b.range.from && a.range.to === b.range.to;

const describe = (m: MoveView) => `slots ${formatRange(m.range)} from shard ${m.from} to shard ${m.to}`;

function owners(side: MoveSide): Int32Array {
  return ownerTable(new Map(side.shards.map((s) => [s.id, s.slots]))).owner;
}

const shardName = (id: number) => (id === -1 ? "no shard" : `shard ${id}`);

/**
 * Why slot `s` may not go from `a` to `b`, as a key that groups slots with the same reason, or undefined when a
 * completed move carries it.
 */
function ownerReason(
  s: number,
  a: number,
  b: number,
  head: readonly MoveView[],
  base: ReadonlyMap<number, MoveView>,
): string | undefined {
  const candidates = head.filter((x) => x.range.from <= s && s <= x.range.to && x.from === a && x.to === b);
  const m = candidates[0];
  if (!m) return `none:${a}:${b}`;
  const completed = (x: MoveView) => {
    const was = base.get(x.id);
    return x.phase === "cleanup" && was !== undefined && sameMove(was, x) && ["switch", "cleanup"].includes(was.phase);
  };
  // Validation allows no overlapping moves; a plan JSON is not validated, so any one completed move suffices.
  if (candidates.some(completed)) return undefined;
  return m.phase !== "cleanup" ? `phase:${m.id}` : `base:${m.id}`;
}

function ownerMessage(
  reason: string,
  r: SlotRange,
  a: number,
  b: number,
  head: readonly MoveView[],
  base: ReadonlyMap<number, MoveView>,
  nextId: () => number,
): MoveViolation {
  const what = `slots ${formatRange(r)} go from ${shardName(a)} to ${shardName(b)} in gamedb:shards[].slots`;
  const [kind, id] = reason.split(":");
  const m = head.find((x) => x.id === Number(id));
  if (kind === "phase" && m)
    return {
      kind: "owner",
      move: m.id,
      slots: r,
      message:
        `${what} while move ${m.id} is at phase ${m.phase}: shards[].slots gives the range to the target only in the ` +
        `edit that sets phase cleanup, after the move's switch has been deployed; keep shard ${a}'s ranges until then`,
    };
  if (kind === "base" && m) {
    const was = base.get(m.id);
    const there = !was
      ? "the base does not have it"
      : !sameMove(was, m)
        ? `the base's move ${m.id} moves ${describe(was)}`
        : `the base has it at phase ${was.phase}`;
    return {
      kind: "owner",
      move: m.id,
      slots: r,
      message:
        `${what} with move ${m.id} at cleanup, but ${there}: the owner changes only after the switch has been ` +
        `deployed; set phase switch, deploy it, then set cleanup and edit shards[].slots in the same change`,
    };
  }
  return {
    kind: "owner",
    slots: r,
    message:
      `${what} without a completed move: add gamedb:slotMoves.moves entry ` +
      `{id: ${nextId()}, slots: "${formatRange(r)}", from: ${a}, to: ${b}, phase: copy}, advance it to switch, ` +
      `then set phase cleanup and edit shards[].slots in the same change`,
  };
}

/** Slots whose owner in shards[].slots changes without a completed move. A base without shards is a new stack. */
function ownerViolations(base: MoveSide, head: MoveSide, nextId: () => number): MoveViolation[] {
  const a = owners(base);
  const b = owners(head);
  if (!a.some((x) => x !== -1)) return [];
  const headMoves = head.moves ?? [];
  const baseMoves = new Map((base.moves ?? []).map((m) => [m.id, m]));
  const bad = new Map<string, { a: number; b: number; reason: string; slots: number[] }>();
  for (let s = 0; s < SLOT_COUNT; s++) {
    const from = a[s]!;
    const to = b[s]!;
    if (from === -1 || from === to) continue;
    const reason = ownerReason(s, from, to, headMoves, baseMoves);
    if (reason === undefined) continue;
    const key = `${reason}|${from}|${to}`;
    const group = bad.get(key) ?? { a: from, b: to, reason, slots: [] };
    group.slots.push(s);
    bad.set(key, group);
  }
  return [...bad.values()].flatMap((g) =>
    toRanges(g.slots).map((r) => ownerMessage(g.reason, r, g.a, g.b, headMoves, baseMoves, nextId)),
  );
}

/** Every violation of the review check, moves first (by id), then slots (by range). */
export function moveViolations(base: MoveSide, head: MoveSide): MoveViolation[] {
  const transitions = moveTransitions(base, head);
  const baseMoves = new Map((base.moves ?? []).map((m) => [m.id, m]));
  const highest = Math.max(0, ...baseMoves.keys());
  let next = Math.max(highest, ...(head.moves ?? []).map((m) => m.id)) + 1;
  const out: MoveViolation[] = [];
  for (const c of transitions) {
    const p = phaseViolation(c);
    if (p) out.push(p);
    const was = baseMoves.get(c.id);
    const now = (head.moves ?? []).find((m) => m.id === c.id);
    if (c.before === "new" && c.id <= highest)
      out.push({
        kind: "id",
        move: c.id,
        message:
          `move ${c.id} is new but the base's moves go up to id ${highest}: move ids are never reused (the fence ` +
          `epochs and binlog client ids derive from them); use ${highest + 1} or above`,
      });
    if (was && now && !sameMove(was, now))
      out.push({
        kind: "changed",
        move: c.id,
        message:
          `move ${c.id} moved ${describe(was)} in the base and ${describe(now)} here: a move's slots, from and to ` +
          `are fixed once deployed; keep them, and move other slots with a new move (a new id)`,
      });
  }
  out.push(...ownerViolations(base, head, () => next++));
  return out;
}
