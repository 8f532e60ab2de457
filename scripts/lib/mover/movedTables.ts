/**
 * The tables a move carries: every base table of the game database with a gamedb_slot column, described on both
 * shards; they must match column for column (the copy writes the source's rows into the target's table).
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { SLOT_COLUMN } from "../../../infra/contracts/slotFence";
import { describeTable } from "../../../client/src/tableDefinition";
import { MovedTable, movedTable } from "./rowSql";

export async function shardedTableNames(conn: Pick<Connection, "query">, database: string): Promise<string[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT c.TABLE_NAME AS t FROM information_schema.COLUMNS c JOIN information_schema.TABLES b " +
      "ON b.TABLE_SCHEMA = c.TABLE_SCHEMA AND b.TABLE_NAME = c.TABLE_NAME AND b.TABLE_TYPE = 'BASE TABLE' " +
      "WHERE c.TABLE_SCHEMA = ? AND c.COLUMN_NAME = ? ORDER BY c.TABLE_NAME",
    [database, SLOT_COLUMN],
  );
  return rows.map((r) => String(r.t));
}

/** The moved tables as the target defines them; throws naming each table that differs or is missing. */
export async function movedTables(source: Connection, target: Connection, database: string): Promise<MovedTable[]> {
  const names = await shardedTableNames(source, database);
  const out: MovedTable[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const a = await describeTable(source, database, name);
    let b;
    try {
      b = await describeTable(target, database, name);
    } catch (e) {
      problems.push(`${database}.${name} is missing on the target (${(e as Error).message})`);
      continue;
    }
    const cols = (d: typeof a) =>
      d.columns.map((c) => `${c.name} ${c.columnType.replace(/\(\d+\)(?= unsigned| zerofill|$)/i, "")}`).join(", ");
    if (cols(a) !== cols(b)) problems.push(`${database}.${name} differs: source (${cols(a)}), target (${cols(b)})`);
    else out.push(movedTable(b));
  }
  if (problems.length > 0) throw new Error(`the shards' tables do not match: ${problems.join("; ")}`);
  return out;
}
