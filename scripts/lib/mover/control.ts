/**
 * The control rows of a move (`gamedb_meta.slot_moves`, infra/contracts/slotMoves.ts moveControlSql), one per move
 * on each shard: the target's row holds the move's state, the forward stream's checkpoint and the copy cursor; the
 * source's row holds the reverse stream's checkpoint after a switch. Checkpoints are written in the transaction
 * that applied the rows they cover, so a restart resumes exactly where the last commit left off.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { FENCE_SCHEMA } from "../../../infra/contracts/slotFence";
import {
  MOVES_TABLE,
  MOVE_STATES,
  MoveState,
  MoveStatus,
  moveControlSql,
  moveStatusSchema,
} from "../../../infra/contracts/slotMoves";

type Queryable = Pick<Connection, "query">;

const TABLE = `\`${FENCE_SCHEMA}\`.\`${MOVES_TABLE}\``;

/** Where the copy of one table stands: the last (slot, primary key) applied, or done. */
export interface TableCursor {
  table: string;
  done: boolean;
  /** The last copied row's slot and primary-key values (as text), or null before the first chunk. */
  after: { slot: number; key: string[] } | null;
}

export interface ControlRow {
  moveId: number;
  role: "source" | "target";
  state: MoveState;
  slots: { from: number; to: number };
  sourceShard: number;
  targetShard: number;
  streamPosition: string | null;
  copyCursor: TableCursor[] | null;
  status: MoveStatus | null;
}

export async function ensureControlTables(conn: Queryable): Promise<void> {
  for (const sql of moveControlSql()) await conn.query(sql);
}

function parseJson<T>(field: string, id: number, text: unknown, check: (v: unknown) => T): T | null {
  if (text === null || text === undefined) return null;
  try {
    return check(JSON.parse(String(text)));
  } catch (e) {
    throw new Error(`${TABLE} row of move ${id}: ${field} is not readable (${(e as Error).message})`);
  }
}

function readRow(r: RowDataPacket): ControlRow {
  const id = Number(r.move_id);
  const state = String(r.state) as MoveState;
  if (!MOVE_STATES.includes(state)) throw new Error(`${TABLE} row of move ${id} has unknown state ${r.state}`);
  return {
    moveId: id,
    role: r.role === "source" ? "source" : "target",
    state,
    slots: { from: Number(r.slot_from), to: Number(r.slot_to) },
    sourceShard: Number(r.source_shard),
    targetShard: Number(r.target_shard),
    streamPosition: r.stream_position === null ? null : String(r.stream_position),
    copyCursor: parseJson("copy_cursor", id, r.copy_cursor, (v) => {
      if (!Array.isArray(v)) throw new Error("not an array");
      return v as TableCursor[];
    }),
    status: parseJson("status", id, r.status, (v) => moveStatusSchema.parse(v)),
  };
}

/** The move's control row on this shard, or undefined. `forUpdate` locks it (inside a transaction). */
export async function readControl(conn: Queryable, moveId: number, forUpdate = false): Promise<ControlRow | undefined> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT * FROM ${TABLE} WHERE move_id = ?${forUpdate ? " FOR UPDATE" : ""}`,
    [moveId],
  );
  return rows[0] ? readRow(rows[0]) : undefined;
}

/** Every move's control row on this shard (the gate and `npm run move -- status` read them). */
export async function readAllControl(conn: Queryable): Promise<ControlRow[]> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT * FROM ${TABLE} ORDER BY move_id`);
  return rows.map(readRow);
}

/** Creates the row if missing (a restart keeps the existing one). */
export async function initControl(
  conn: Queryable,
  row: Pick<ControlRow, "moveId" | "role" | "state" | "slots" | "sourceShard" | "targetShard">,
): Promise<void> {
  await conn.query(
    `INSERT IGNORE INTO ${TABLE} (move_id, role, state, slot_from, slot_to, source_shard, target_shard) ` +
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
    [row.moveId, row.role, row.state, row.slots.from, row.slots.to, row.sourceShard, row.targetShard],
  );
}

export async function setState(conn: Queryable, moveId: number, state: MoveState): Promise<void> {
  await conn.query(`UPDATE ${TABLE} SET state = ? WHERE move_id = ?`, [state, moveId]);
}

/** Inside the applying transaction: the stream position (and copy cursor) its rows bring this shard to. */
export async function saveCheckpoint(
  conn: Queryable,
  moveId: number,
  position: string,
  cursor?: TableCursor[],
): Promise<void> {
  if (cursor) {
    await conn.query(`UPDATE ${TABLE} SET stream_position = ?, copy_cursor = ? WHERE move_id = ?`, [
      position,
      JSON.stringify(cursor),
      moveId,
    ]);
  } else {
    await conn.query(`UPDATE ${TABLE} SET stream_position = ? WHERE move_id = ?`, [position, moveId]);
  }
}

export async function saveStatus(conn: Queryable, status: MoveStatus): Promise<void> {
  await conn.query(`UPDATE ${TABLE} SET status = ? WHERE move_id = ?`, [JSON.stringify(status), status.id]);
}
