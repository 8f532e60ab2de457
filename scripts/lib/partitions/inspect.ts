/**
 * What the partition job reads from a shard: the server's dialect, the default database, a table's partitions,
 * columns and primary key (information_schema), and a partition's row count.
 *
 * Every information_schema column is aliased: MySQL 8's information_schema views name their result columns in
 * upper case whatever case the query wrote (MySQL 8.0 release notes, data dictionary), MariaDB keeps the query's.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import type { ColumnInfo } from "./jsonLines";
import type { Dialect, PartitionRow } from "./plan";
import { quoteId } from "./export";

async function rows(conn: Connection, sql: string, params: unknown[] = []): Promise<RowDataPacket[]> {
  const [result] = await conn.query<RowDataPacket[]>(sql, params);
  return result;
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** "mariadb" when VERSION() says so (the stand-ins), else "mysql". */
export async function serverDialect(conn: Connection): Promise<Dialect> {
  const [r] = await rows(conn, "SELECT VERSION() AS version");
  return /mariadb/i.test(String(r?.version ?? "")) ? "mariadb" : "mysql";
}

export async function defaultDatabase(conn: Connection): Promise<string | undefined> {
  const [r] = await rows(conn, "SELECT DATABASE() AS db");
  return text(r?.db) ?? undefined;
}

export interface TableInfo {
  partitions: PartitionRow[];
  columns: ColumnInfo[];
  primaryKey: string[];
}

/** The table's partitions, columns and primary key; undefined when it does not exist (or is not visible). */
export async function readTable(conn: Connection, schema: string, table: string): Promise<TableInfo | undefined> {
  const where = [schema, table];
  const found = await rows(
    conn,
    "SELECT TABLE_TYPE AS tableType FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    where,
  );
  if (found.length === 0) return undefined;
  const partitions = await rows(
    conn,
    "SELECT PARTITION_NAME AS name, PARTITION_METHOD AS method, PARTITION_EXPRESSION AS expression, " +
      "PARTITION_DESCRIPTION AS description, SUBPARTITION_METHOD AS subpartitionMethod " +
      "FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? " +
      "ORDER BY PARTITION_ORDINAL_POSITION, SUBPARTITION_ORDINAL_POSITION",
    where,
  );
  const columns = await rows(
    conn,
    "SELECT COLUMN_NAME AS name, DATA_TYPE AS dataType, COLUMN_TYPE AS columnType " +
      "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    where,
  );
  const primaryKey = await rows(
    conn,
    "SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS " +
      "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
    where,
  );
  // A subpartitioned table lists each partition once per subpartition: keep one row per partition.
  const seen = new Set<string | null>();
  const unique = partitions.filter((p) => !seen.has(text(p.name)) && seen.add(text(p.name)));
  return {
    partitions: unique.map((p) => ({
      name: text(p.name),
      method: text(p.method),
      expression: text(p.expression),
      description: text(p.description),
      subpartitionMethod: text(p.subpartitionMethod),
    })),
    columns: columns.map((c) => ({
      name: String(c.name),
      dataType: String(c.dataType),
      columnType: String(c.columnType),
    })),
    primaryKey: primaryKey.map((k) => String(k.name)),
  };
}

/** COUNT(*) of one partition. */
export async function countRows(conn: Connection, schema: string, table: string, partition: string): Promise<number> {
  const [r] = await rows(
    conn,
    `SELECT COUNT(*) AS n FROM ${quoteId(schema)}.${quoteId(table)} PARTITION (${quoteId(partition)})`,
  );
  return Number(r?.n);
}
