/**
 * The movers' live status in the offline plan (`npm run plan -- --move-status FILE`): the status documents
 * (infra/contracts/slotMoves.ts moveStatusSchema, one per move) matched to the plan's moves, and the switches they
 * refuse. A move at phase switch whose mover is not caught up and verified fails the preview with the reason
 * (switchRefusal), before `pulumi up` would wait on a gate that cannot pass.
 */
import { readFileSync } from "node:fs";
import { MoveStatus, moveStatusSchema, switchRefusal } from "../../infra/contracts/slotMoves";
import type { MovePlan } from "../../infra/plan/moves";
import { formatRange } from "../../infra/plan/slots";
import { UsageError } from "./stackFile";

export interface LiveMove {
  move: MovePlan;
  status?: MoveStatus;
  /** Why the switch this config asks for cannot start now; only for moves at phase switch. */
  refusal?: string;
}

export interface LiveStatus {
  file: string;
  moves: LiveMove[];
  /** Ids of status documents that match no move of the config. */
  unmatched: number[];
}

/** `[1].slots.from`: where in the file a problem is. */
const fieldPath = (segments: readonly PropertyKey[]) =>
  segments.map((s) => (typeof s === "number" ? `[${s}]` : `.${String(s)}`)).join("");

/** Parses the file's text: a JSON array of status documents, each checked against the contract, ids unique. */
export function parseMoveStatuses(text: string, file: string): MoveStatus[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw))
    throw new UsageError(`${file}: expected a JSON array of move status documents (one per move), got ${typeof raw}`);
  const seen = new Map<number, number>();
  return raw.map((doc, i) => {
    const parsed = moveStatusSchema.safeParse(doc);
    if (!parsed.success) {
      const where = parsed.error.issues.map((issue) => `${fieldPath([i, ...issue.path])}: ${issue.message}`).join("; ");
      throw new UsageError(`${file}: ${where}`);
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined)
      throw new UsageError(`${file}: [${i}].id: move ${parsed.data.id} already has a status document at [${first}]`);
    seen.set(parsed.data.id, i);
    return parsed.data;
  });
}

export function readMoveStatusFile(file: string): MoveStatus[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read move status file ${file}`);
  }
  return parseMoveStatuses(text, file);
}

function refusal(move: MovePlan, status: MoveStatus | undefined, file: string): string | undefined {
  if (move.phase !== "switch") return undefined;
  if (!status)
    return `${file} has no status of move ${move.id}; a switch needs its mover's status (GET /status) showing it caught up and verified`;
  const same =
    status.slots.from === move.range.from &&
    status.slots.to === move.range.to &&
    status.source === move.from &&
    status.target === move.to;
  if (!same)
    return (
      `the status of move ${move.id} in ${file} is for slots ${formatRange(status.slots)} from shard ${status.source} ` +
      `to shard ${status.target}, but the config moves ${formatRange(move.range)} from shard ${move.from} to shard ${move.to}`
    );
  return switchRefusal(status, move.switch);
}

/** Each move with its status and, at phase switch, the refusal. Pure. */
export function liveStatus(moves: readonly MovePlan[], statuses: readonly MoveStatus[], file: string): LiveStatus {
  const byId = new Map(statuses.map((s) => [s.id, s]));
  const ids = new Set(moves.map((m) => m.id));
  return {
    file,
    moves: moves.map((move) => {
      const status = byId.get(move.id);
      const why = refusal(move, status, file);
      return { move, ...(status ? { status } : {}), ...(why ? { refusal: why } : {}) };
    }),
    unmatched: statuses.map((s) => s.id).filter((id) => !ids.has(id)),
  };
}
