/**
 * The comment's slot moves section (gamedb:slotMoves): each move with its range, source and target, its phase
 * change against the base and its share of keys, then the review check's violations (infra/plan/moveTransitions.ts),
 * which `npm run plan -- --against BASE --check` fails on. Absent when neither plan has a move or a violation.
 */
import type { MoveChange, MoveViolation } from "../../../infra/plan/moveTransitions";
import { SLOT_COUNT, formatRange, rangeSize } from "../../../infra/plan/slots";
import type { PlanDocument } from "../planDocument";
import { capped, cell, code, pct, plural } from "./markdown";

function shardLabel(base: PlanDocument, head: PlanDocument, id: number): string {
  const s = head.topology.shards.find((x) => x.id === id) ?? base.topology.shards.find((x) => x.id === id);
  return s ? `${id} ${code(s.name)}` : String(id);
}

const phase = (c: MoveChange) => (c.before === c.after ? c.after : `${c.before} → **${c.after}**`);

export function movesSection(
  base: PlanDocument,
  head: PlanDocument,
  moves: readonly MoveChange[],
  violations: readonly MoveViolation[],
  stack: string,
  max: number,
): string[] {
  if (moves.length === 0 && violations.length === 0) return [];
  const lines = ["#### Slot moves", ""];
  if (moves.length > 0)
    lines.push(
      "| move | slots | from → to | phase | share of keys |",
      "| ---: | --- | --- | --- | ---: |",
      ...capped(
        moves,
        max,
        (c) =>
          `| ${c.id} | ${formatRange(c.range)} | ${cell(`${shardLabel(base, head, c.from)} → ${shardLabel(base, head, c.to)}`)} | ` +
          `${phase(c)} | ${pct(rangeSize(c.range) / SLOT_COUNT)} |`,
      ),
      "",
    );
  if (violations.length === 0) lines.push("✅ The slot move check passes against the base.");
  else
    lines.push(
      `❌ **${plural(violations.length, "violation")} of the slot move check**: \`npm run plan -- --stack ${stack} --against BASE --check\` fails on them.`,
      "",
      ...capped(violations, max, (v) => `- ${v.message}`),
    );
  return lines;
}
