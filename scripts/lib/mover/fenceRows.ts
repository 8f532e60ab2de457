/**
 * Reading a shard's fence (`gamedb_meta.slot_fence`, infra/contracts/slotFence.ts) for the mover's checks: preflight
 * (does the source own the range, does the target not), the chunked deletes (never in a range the shard serves) and
 * the gate (do the fences agree with the slot map). Writing it is the switch's (fenceOps.ts).
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { FENCE_SCHEMA, FENCE_STATES, FENCE_TABLE, FenceState } from "../../../infra/contracts/slotFence";
import { SlotRange, checkSlotRange } from "./checksumSql";

type Queryable = Pick<Connection, "query">;

export const FENCE = `\`${FENCE_SCHEMA}\`.\`${FENCE_TABLE}\``;

export interface FenceRow {
  slot: number;
  state: FenceState;
  owner: number;
  epoch: number;
}

/** A run of consecutive slots whose fence rows agree; state "missing" for slots without a row. */
export interface FenceRun {
  from: number;
  to: number;
  state: FenceState | "missing";
  owner: number;
  epoch: number;
}

/** The fence rows of `range` (every slot when omitted), in slot order. */
export async function readFenceRows(conn: Queryable, range?: SlotRange): Promise<FenceRow[]> {
  if (range) checkSlotRange(range);
  const where = range ? " WHERE slot BETWEEN ? AND ?" : "";
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT slot, state, owner_shard, epoch FROM ${FENCE}${where} ORDER BY slot`,
    range ? [range.from, range.to] : [],
  );
  return rows.map((r) => {
    const state = String(r.state) as FenceState;
    if (!FENCE_STATES.includes(state)) throw new Error(`${FENCE} row of slot ${r.slot} has unknown state ${r.state}`);
    return { slot: Number(r.slot), state, owner: Number(r.owner_shard), epoch: Number(r.epoch) };
  });
}

/** `rows` of `range` as runs of equal (state, owner, epoch), slots without a row as "missing" runs. */
export function fenceRuns(rows: readonly FenceRow[], range: SlotRange): FenceRun[] {
  const bySlot = new Map(rows.map((r) => [r.slot, r]));
  const out: FenceRun[] = [];
  for (let slot = range.from; slot <= range.to; slot++) {
    const r = bySlot.get(slot);
    const key = r
      ? { state: r.state, owner: r.owner, epoch: r.epoch }
      : { state: "missing" as const, owner: -1, epoch: -1 };
    const last = out[out.length - 1];
    if (
      last &&
      last.to === slot - 1 &&
      last.state === key.state &&
      last.owner === key.owner &&
      last.epoch === key.epoch
    ) {
      last.to = slot;
    } else {
      out.push({ from: slot, to: slot, ...key });
    }
  }
  return out;
}

export const rangeText = (r: SlotRange): string => (r.from === r.to ? `slot ${r.from}` : `slots ${r.from}-${r.to}`);

/** "slots 0-99 owned (owner 1, epoch 0)", or "slots 5-6 have no fence row". */
export function describeRun(run: FenceRun): string {
  if (run.state === "missing") return `${rangeText(run)} ${run.from === run.to ? "has" : "have"} no fence row`;
  return `${rangeText(run)} ${run.state} (owner ${run.owner}, epoch ${run.epoch})`;
}
