/**
 * Reads and writes a shard's gamedb_meta.schema_migrations rows (infra/contracts/migrations.ts has the DDL). The
 * session runs in UTC (the runner sets time_zone), so UTC_TIMESTAMP and UNIX_TIMESTAMP agree.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import {
  MIGRATIONS_SCHEMA,
  MIGRATIONS_TABLE,
  MigrationState,
  schemaMigrationsSql,
} from "../../../infra/contracts/migrations";
import type { AppliedRow } from "../../../infra/plan/migrations/pending";

const TABLE = `\`${MIGRATIONS_SCHEMA}\`.\`${MIGRATIONS_TABLE}\``;
type Conn = Pick<Connection, "query">;

export async function ensureLedger(conn: Conn): Promise<void> {
  for (const sql of schemaMigrationsSql()) await conn.query(sql);
}

const ms = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v) * 1000));

export async function readLedger(conn: Conn): Promise<AppliedRow[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    "SELECT version, description, checksum, state, statements_done, statements_checksum, " +
      "UNIX_TIMESTAMP(executed_at) AS executed_at, duration_ms, rollback_sql, error, " +
      `UNIX_TIMESTAMP(rolled_back_at) AS rolled_back_at FROM ${TABLE} ORDER BY version`,
  );
  return rows.map((r) => ({
    version: Number(r.version),
    description: String(r.description),
    checksum: String(r.checksum),
    state: String(r.state) as MigrationState,
    statementsDone: Number(r.statements_done),
    statementsChecksum: r.statements_checksum === null ? null : String(r.statements_checksum),
    executedAt: ms(r.executed_at),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    rollbackSql: r.rollback_sql === null ? null : String(r.rollback_sql),
    error: r.error === null ? null : String(r.error),
    rolledBackAt: ms(r.rolled_back_at),
  }));
}

/** The row as the migration starts (or resumes at `done`): state running, the file's checksum and rollback. */
export async function markRunning(
  conn: Conn,
  m: { version: number; description: string; checksum: string; rollbackSql: string | null },
  done: number,
  doneChecksum: string,
): Promise<void> {
  // INSERT IGNORE then UPDATE: ON DUPLICATE KEY UPDATE ... VALUES() is deprecated in MySQL 8.4 and its row-alias
  // replacement is unknown to MariaDB.
  await conn.query(`INSERT IGNORE INTO ${TABLE} (version, description, checksum, state) VALUES (?, ?, ?, 'running')`, [
    m.version,
    m.description,
    m.checksum,
  ]);
  await conn.query(
    `UPDATE ${TABLE} SET description = ?, checksum = ?, state = 'running', statements_done = ?, ` +
      "statements_checksum = ?, executed_at = UTC_TIMESTAMP(3), duration_ms = NULL, rollback_sql = ?, error = NULL, " +
      "rolled_back_at = NULL WHERE version = ?",
    [m.description, m.checksum, done, doneChecksum, m.rollbackSql, m.version],
  );
}

export async function markProgress(conn: Conn, version: number, done: number, doneChecksum: string): Promise<void> {
  await conn.query(`UPDATE ${TABLE} SET statements_done = ?, statements_checksum = ? WHERE version = ?`, [
    done,
    doneChecksum,
    version,
  ]);
}

export async function markApplied(conn: Conn, version: number, durationMs: number): Promise<void> {
  await conn.query(
    `UPDATE ${TABLE} SET state = 'applied', executed_at = UTC_TIMESTAMP(3), duration_ms = ?, error = NULL ` +
      "WHERE version = ?",
    [Math.max(0, Math.round(durationMs)), version],
  );
}

/** TEXT holds 65535 bytes; a longer error keeps its start. */
const clip = (error: string) => (error.length > 16000 ? `${error.slice(0, 16000)}...` : error);

export async function markFailed(conn: Conn, version: number, error: string): Promise<void> {
  await conn.query(`UPDATE ${TABLE} SET state = 'failed', error = ? WHERE version = ?`, [clip(error), version]);
}

export async function markRolledBack(conn: Conn, version: number): Promise<void> {
  await conn.query(
    `UPDATE ${TABLE} SET state = 'rolled_back', rolled_back_at = UTC_TIMESTAMP(3), statements_done = 0, ` +
      "statements_checksum = NULL, error = NULL WHERE version = ?",
    [version],
  );
}

/** A rollback that failed part-way leaves the migration applied, with the error recorded. */
export async function markRollbackFailed(conn: Conn, version: number, error: string): Promise<void> {
  await conn.query(`UPDATE ${TABLE} SET error = ? WHERE version = ?`, [clip(`rollback failed: ${error}`), version]);
}
