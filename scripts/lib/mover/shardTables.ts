/**
 * The tables a move carries: every base table of the game database with a gamedb_slot column
 * (infra/contracts/slotMoves.ts moveSpecSchema.database), as describeTable (client/src/tableDefinition.ts) reads them
 * on one shard, and the comparison of two shards' sets for preflight (a copy between different shapes would fail
 * half-way, or worse, succeed with columns shifted).
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { describeTable } from "../../../client/src/tableDefinition";
import { SLOT_COLUMN } from "../../../infra/contracts/slotFence";
import type { TableDefinition } from "../../../infra/contracts/shardedTable";

/** The base tables of `database` with a gamedb_slot column, by name, each described (triggers included). */
export async function shardedTables(conn: Connection, database: string): Promise<TableDefinition[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT c.TABLE_NAME AS name FROM information_schema.COLUMNS AS c JOIN information_schema.TABLES AS t " +
      "ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME " +
      "WHERE c.TABLE_SCHEMA = ? AND LOWER(c.COLUMN_NAME) = ? AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME",
    [database, SLOT_COLUMN],
  );
  const out: TableDefinition[] = [];
  for (const r of rows) out.push(await describeTable(conn, database, String(r.name)));
  return out;
}

const primaryKey = (def: TableDefinition): string[] | undefined =>
  def.indexes.find((i) => i.name === "PRIMARY")?.columns;

const columnText = (c: TableDefinition["columns"][number]): string =>
  `${c.name} ${c.columnType}${c.nullable ? " NULL" : " NOT NULL"}`;

/**
 * Pure: what differs between the sharded tables of two shards (`label`s name them in messages): tables on one side
 * only, and for a table on both, its columns (name, type, nullability, order) and its primary key. Other indexes and
 * triggers may differ: the copy writes by primary key, and checkShardedTable checks the rest on each side. [] when
 * the two match.
 */
export function compareShardTables(
  a: { label: string; tables: readonly TableDefinition[] },
  b: { label: string; tables: readonly TableDefinition[] },
): string[] {
  const problems: string[] = [];
  const byName = (tables: readonly TableDefinition[]) => new Map(tables.map((t) => [t.name, t]));
  const [ta, tb] = [byName(a.tables), byName(b.tables)];
  const onlyOn = (x: Map<string, TableDefinition>, y: Map<string, TableDefinition>, on: string, off: string) => {
    for (const [name, def] of x) {
      if (!y.has(name)) problems.push(`${def.schema}.${name} is on ${on} but not on ${off}: create it there first`);
    }
  };
  onlyOn(ta, tb, a.label, b.label);
  onlyOn(tb, ta, b.label, a.label);
  for (const [name, x] of ta) {
    const y = tb.get(name);
    if (!y) continue;
    const table = `${x.schema}.${name}`;
    const [cx, cy] = [x.columns.map(columnText).join(", "), y.columns.map(columnText).join(", ")];
    if (cx !== cy) {
      problems.push(
        `${table} has other columns on ${a.label} (${cx}) than on ${b.label} (${cy}): migrate both shards to the ` +
          "same schema before the move",
      );
    }
    const [kx, ky] = [primaryKey(x), primaryKey(y)];
    if ((kx ?? []).join(",") !== (ky ?? []).join(",")) {
      const show = (k: string[] | undefined) => (k ? `(${k.join(", ")})` : "none");
      problems.push(
        `${table} has primary key ${show(kx)} on ${a.label} but ${show(ky)} on ${b.label}: the copy writes by ` +
          "primary key, so both need the same one",
      );
    }
  }
  return problems;
}
