/**
 * A live table's definition from information_schema, for checkShardedTable (infra/contracts/shardedTable.ts).
 *
 * information_schema shows only what the account may see. On MySQL 8.4, TRIGGERS lists a table's triggers only to an
 * account with the TRIGGER privilege on it (manual 28.3.44, "The INFORMATION_SCHEMA TRIGGERS Table"), so a
 * game-server account without it gets `triggers: []` and checkShardedTable reports them missing; check with the
 * installing account. (MariaDB 10.11, the stand-ins, lists them to any account with a privilege on the table, so
 * this is not tested there.)
 */
import type { Connection, Pool, RowDataPacket } from "mysql2/promise";
import type { TableDefinition } from "../../infra/contracts/shardedTable";

type Queryable = Pick<Connection, "query"> | Pick<Pool, "query">;

async function rows(conn: Queryable, sql: string, params: unknown[]): Promise<RowDataPacket[]> {
  const [result] = await (conn as Pick<Connection, "query">).query<RowDataPacket[]>(sql, params);
  return result;
}

/** Reads `schema`.`table`'s columns, indexes and triggers; throws when the table does not exist (or is invisible). */
export async function describeTable(conn: Connection | Pool, schema: string, table: string): Promise<TableDefinition> {
  const where = [schema, table];
  const found = await rows(
    conn,
    "SELECT TABLE_TYPE AS tableType FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    where,
  );
  if (found.length === 0) {
    throw new Error(
      `table ${schema}.${table} does not exist (or this account has no privilege on it): check the schema and ` +
        `table names`,
    );
  }
  const columns = await rows(
    conn,
    "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS columnType, IS_NULLABLE AS nullable " +
      "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    where,
  );
  const indexRows = await rows(
    conn,
    "SELECT INDEX_NAME AS indexName, COLUMN_NAME AS columnName, NON_UNIQUE AS nonUnique " +
      "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? " +
      "ORDER BY INDEX_NAME, SEQ_IN_INDEX",
    where,
  );
  const triggers = await rows(
    conn,
    "SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS " +
      "WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME",
    where,
  );
  const indexes = new Map<string, { name: string; columns: string[]; unique: boolean }>();
  for (const r of indexRows) {
    const name = String(r.indexName);
    const index = indexes.get(name) ?? { name, columns: [], unique: Number(r.nonUnique) === 0 };
    // A functional key part (MySQL 8) has no column name.
    index.columns.push(r.columnName === null ? "(expression)" : String(r.columnName));
    indexes.set(name, index);
  }
  return {
    schema,
    name: table,
    columns: columns.map((c) => ({
      name: String(c.name),
      columnType: String(c.columnType),
      nullable: String(c.nullable) === "YES",
    })),
    indexes: [...indexes.values()],
    triggers: triggers.map((t) => String(t.name)),
  };
}
