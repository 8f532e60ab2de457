/**
 * Slot moves in the text plan: each move (range, share of keys, source -> target, phase) with its mover's live
 * status when --move-status gave it, and in the diff, each move's phase change against the base and the review
 * check's violations (infra/plan/moveTransitions.ts).
 */
import type { MoveStatus } from "../../infra/contracts/slotMoves";
import type { MoveChange, MoveViolation } from "../../infra/plan/moveTransitions";
import type { MovePlan } from "../../infra/plan/moves";
import { SLOT_COUNT, formatRange, rangeSize } from "../../infra/plan/slots";
import type { LiveStatus } from "./moveStatus";

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/** "move 7: slots 14336-16383 (2048 slots, 12.50% of keys), shard 4 -> shard 5" */
export function moveHeadline(m: Pick<MovePlan, "id" | "range" | "from" | "to">): string {
  const size = rangeSize(m.range);
  return (
    `move ${m.id}: slots ${formatRange(m.range)} (${size} slot${size === 1 ? "" : "s"}, ` +
    `${pct(size / SLOT_COUNT)} of keys), shard ${m.from} -> shard ${m.to}`
  );
}

/** "copy", or "copy -> switch" when the phase changes against the base; "new" and "removed" as such. */
export function phaseLabel(c: Pick<MoveChange, "before" | "after">): string {
  return c.before === c.after ? c.after : `${c.before} -> ${c.after}`;
}

export function statusLine(s: MoveStatus): string {
  const lag = s.lagSeconds === null ? "unknown" : `${s.lagSeconds} s`;
  const pause = s.pauseMs === null ? "" : `, write pause ${s.pauseMs} ms`;
  return (
    `state ${s.state}, ${s.rowsCopied} rows copied${s.copyDone ? " (copy done)" : ""}, ${s.rowsStreamed} streamed, ` +
    `lag ${lag}, ${s.verifiedSlots} of ${rangeSize(s.slots)} slots verified (${s.verifyPasses} passes), ` +
    `${s.dirtySlots} dirty${pause}, last error: ${s.lastError ?? "none"}`
  );
}

/** The "Slot moves" section of the text plan; [] without moves. `live` undefined: --move-status was not given. */
export function renderMoves(moves: readonly MovePlan[] | undefined, live?: LiveStatus): string[] {
  if (!moves || moves.length === 0) return [];
  const lines = [`Slot moves (gamedb:slotMoves): ${moves.length}`];
  for (const m of moves) {
    lines.push(`  ${moveHeadline(m)}, phase ${m.phase}`);
    const l = live?.moves.find((x) => x.move.id === m.id);
    if (live) lines.push(l?.status ? `    live: ${statusLine(l.status)}` : `    live: no status in ${live.file}`);
    if (l?.refusal) lines.push(`    the switch is refused: ${l.refusal}`);
  }
  if (!live)
    lines.push("  live status not read: give --move-status FILE (the movers' status documents) to show and check it");
  else if (live.unmatched.length > 0)
    lines.push(`  ${live.file} also has status of move ${live.unmatched.join(", ")}, not in gamedb:slotMoves`);
  return lines;
}

/** The moves and the review check in the diff against a base; [] when neither side has moves or violations. */
export function renderMoveDiff(changes: readonly MoveChange[], violations: readonly MoveViolation[]): string[] {
  const lines: string[] = [];
  if (changes.length > 0) {
    lines.push("slot moves:");
    for (const c of changes) lines.push(`  ${moveHeadline(c)}: ${phaseLabel(c)}`);
  }
  if (violations.length > 0) {
    lines.push(`slot move check: ${violations.length} violation${violations.length === 1 ? "" : "s"}`);
    for (const v of violations) lines.push(`  ✗ ${v.message}`);
  }
  return lines;
}
