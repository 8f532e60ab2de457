/**
 * One move's lines in `npm run move -- status` (scripts/cli/move.ts): the phase the config asks for and what the
 * control rows say (control.ts). Pure.
 */
import { switchRefusal, type MoveState } from "../../../infra/contracts/slotMoves";
import type { MovePlan } from "../../../infra/plan/moves";
import { formatRange } from "../../../infra/plan/slots";
import type { ControlRow } from "./control";

/** States in which the reverse stream (target -> source) runs or should. */
const REVERSE_STREAM: readonly MoveState[] = ["switched", "reversing", "cleaning"];
const SWITCHED: readonly MoveState[] = ["switched", "cleaning", "cleaned"];

const count = (n: number) => n.toLocaleString("en-US");

export function describeMove(
  move: MovePlan,
  target: ControlRow | undefined,
  source: ControlRow | undefined,
  error?: string,
): string[] {
  const head =
    `move ${move.id}: slots ${formatRange(move.range)} (${(move.keyShare * 100).toFixed(1)}% of keys), ` +
    `shard ${move.from} -> shard ${move.to}`;
  if (error) return [`${head}: status cannot be read: ${error}`];
  if (!target) return [`${head}: not started (no control row on shard ${move.to}); phase asked: ${move.phase}`];
  const s = target.status;
  const lines = [head];
  const runs = s && s.phase !== move.phase ? ` (the mover was given phase ${s.phase})` : "";
  lines.push(`  phase asked: ${move.phase}${runs}`);
  lines.push(`  state: ${target.state}${s ? ` (status of ${s.updatedAt})` : " (no status document yet)"}`);
  if (s) {
    lines.push(
      `  rows: ${count(s.rowsCopied)} copied${s.copyDone ? " (copy done)" : ""}, ${count(s.rowsStreamed)} streamed`,
    );
    lines.push(`  lag: ${s.lagSeconds === null ? "not streaming yet" : `${s.lagSeconds} s`}`);
    lines.push(
      `  slots: ${count(s.verifiedSlots)} of ${count(move.slots)} verified, ${count(s.dirtySlots)} dirty, ` +
        `${s.verifyPasses} verification pass${s.verifyPasses === 1 ? "" : "es"}`,
    );
    lines.push(`  pause: ${s.pauseMs === null ? "none yet" : `${s.pauseMs} ms`}`);
    lines.push(`  last error: ${s.lastError ?? "none"}`);
    if (SWITCHED.includes(target.state)) {
      lines.push(`  switch: done (${target.state})`);
    } else {
      const refusal = switchRefusal({ ...s, state: target.state }, move.switch);
      lines.push(refusal ? `  switch: could not start now: ${refusal}` : "  switch: could start now");
    }
  }
  if (REVERSE_STREAM.includes(target.state)) {
    const at = source?.streamPosition;
    lines.push(`  reverse stream into shard ${move.from}: ${at ? `at ${at}` : "not started"}`);
  }
  return lines;
}
