/**
 * The copy: every sharded table's rows of the range, in (gamedb_slot, primary key) chunks, each read between a low
 * and a high watermark written to the source's gamedb_meta.move_watermarks, and written to the target by the
 * applier when its stream reaches the high one (applier.ts). One chunk is in flight at a time; the cursor is saved
 * with the chunk's rows, so a restart goes on after the last chunk written.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { FENCE_SCHEMA } from "../../../infra/contracts/slotFence";
import { WATERMARK_TABLE } from "../../../infra/contracts/slotMoves";
import type { TableCursor } from "./control";
import { PendingChunk, RangeApplier, chunkCursor } from "./applier";
import { MovedTable, chunkSelectSql } from "./rowSql";
import type { Row } from "./stream";

export interface CopyOptions {
  moveId: number;
  range: { from: number; to: number };
  chunkRows: number;
  /** Resolves when copying may go on (throttle.ts); called before every chunk. */
  throttle?: () => Promise<void>;
  /** Stops between chunks when true. */
  stopped?: () => boolean;
}

const WATERMARKS = `\`${FENCE_SCHEMA}\`.\`${WATERMARK_TABLE}\``;

/** The next watermark sequence number of this move (they only grow, across restarts too). */
async function lastSeq(source: Connection, moveId: number): Promise<number> {
  const [rows] = await source.query<RowDataPacket[]>(`SELECT seq FROM ${WATERMARKS} WHERE move_id = ?`, [moveId]);
  return rows[0] ? Number(rows[0].seq) : 0;
}

async function writeMark(source: Connection, moveId: number, seq: number): Promise<void> {
  await source.query(`INSERT INTO ${WATERMARKS} (move_id, seq) VALUES (?, ?) ON DUPLICATE KEY UPDATE seq = ?`, [
    moveId,
    seq,
    seq,
  ]);
}

/**
 * Copies every table whose cursor is not done; resolves when all are. `source` is a connection of its own (the
 * chunk SELECTs and watermark writes), `applier` the running forward stream's.
 */
export async function copyRange(
  source: Connection,
  applier: RangeApplier,
  tables: MovedTable[],
  options: CopyOptions,
): Promise<void> {
  let seq = await lastSeq(source, options.moveId);
  for (const table of tables) {
    const name = table.def.name;
    let cursor: TableCursor = applier.cursorsNow().find((c) => c.table === name) ?? {
      table: name,
      done: false,
      after: null,
    };
    while (!cursor.done) {
      if (options.stopped?.()) return;
      await options.throttle?.();
      const low = ++seq;
      const high = ++seq;
      const prior = cursor;
      let chunk!: PendingChunk;
      const written = new Promise<number>((applied, failed) => {
        chunk = { table: name, low, high, applied, failed };
      });
      applier.expect(chunk);
      await writeMark(source, options.moveId, low);
      const { sql, values } = chunkSelectSql(table, options.range, prior.after, options.chunkRows);
      const [rows] = await source.query<RowDataPacket[]>(sql, values);
      chunk.rows = rows as Row[];
      chunk.cursor = chunkCursor(table, chunk.rows, options.chunkRows, prior);
      await writeMark(source, options.moveId, high);
      await written;
      cursor = chunk.cursor;
    }
  }
}
