/**
 * The daily partition job (the CronJob's entry point): on every shard, for every declared table, create the
 * partitions ahead (plan.ts), then archive (archive.ts) and drop each partition past keepDays, oldest first.
 *
 * Failures are reported, never thrown past a table: a table whose layout is refused, whose creation fails, or whose
 * archive does not verify keeps every partition it has (a failed creation skips that table's archiving; an archive
 * failure stops that table's archiving there, so drops stay oldest first), and the other tables and shards go on.
 * The caller alerts when `ok` is false. Reruns are no-ops: everything is re-read from information_schema and S3.
 */
import type { Connection } from "mysql2/promise";
import type { ArchiveBucket } from "./bucket";
import { ARCHIVE_TIME_ZONE, archivePartition } from "./archive";
import { dayOf, formatDay } from "./dates";
import { checkConnectionOptions } from "./export";
import { defaultDatabase, readTable, serverDialect } from "./inspect";
import { archiveColumns } from "./jsonLines";
import { type Dialect, PartitionLayoutError, dropSql, planPartitions } from "./plan";
import { type PartitionedTable, resolveTables } from "./spec";

export interface ShardHandle {
  id: number;
  /** A new connection to the shard's primary, created with ARCHIVE_CONNECTION_OPTIONS (export.ts). */
  connect(): Promise<Connection>;
}

export interface MaintenanceOptions {
  shards: readonly ShardHandle[];
  /** As config declares them ({table, column, aheadDays?, keepDays?}); checked by resolveTables (throws). */
  tables: readonly unknown[];
  /** Today, UTC: a Date (its UTC day) or YYYY-MM-DD. */
  today: Date | string;
  /**
   * Where archives go. Absent: partitions are only created (the migration Job does this right after applying, so a
   * newly created partitioned table takes today's rows before the first CronJob run); nothing is archived or dropped.
   */
  s3?: ArchiveBucket;
  log: (line: string) => void;
  /** The tables' database. @default each connection's default database */
  database?: string;
  /** Shards worked on at once. @default 4 */
  concurrency?: number;
  /** Uncompressed bytes per archive part. @default DEFAULT_PART_BYTES (32 MiB) */
  partBytes?: number;
  /**
   * Seconds a partition DDL waits for the table's metadata lock. Kept short: a waiting ALTER queues every later
   * query on the table behind it, and the next day's run tries again. @default 5
   */
  lockWaitSeconds?: number;
  /**
   * Seconds the server waits on a paused result stream while a part uploads (net_write_timeout, default 60 on both
   * servers). @default 600
   */
  netWriteSeconds?: number;
}

export interface ArchivedPartition {
  partition: string;
  date: string;
  rows: number;
  keys: string[];
  reused: boolean;
  exportMs: number;
  verifyMs: number;
}

export interface TableReport {
  table: string;
  created: string[];
  archived: ArchivedPartition[];
  dropped: string[];
  errors: string[];
  notes: string[];
}

export interface ShardReport {
  shard: number;
  tables: TableReport[];
  /** Failures before any table (connection, options, database). */
  errors: string[];
}

export interface MaintenanceReport {
  today: string;
  shards: ShardReport[];
  /** No errors anywhere. */
  ok: boolean;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

interface Session {
  conn: Connection;
  dialect: Dialect;
  schema: string;
}

async function openSession(shard: ShardHandle, o: MaintenanceOptions): Promise<Session> {
  const conn = await shard.connect();
  try {
    checkConnectionOptions(conn);
    await conn.query("SET SESSION time_zone = ?, lock_wait_timeout = ?, net_write_timeout = ?", [
      ARCHIVE_TIME_ZONE,
      o.lockWaitSeconds ?? 5,
      o.netWriteSeconds ?? 600,
    ]);
    const schema = o.database ?? (await defaultDatabase(conn));
    if (!schema) throw new Error("the connection has no default database and no database was given");
    return { conn, dialect: await serverDialect(conn), schema };
  } catch (e) {
    conn.destroy();
    throw e;
  }
}

async function maintainTable(
  s: Session,
  shard: number,
  table: PartitionedTable,
  o: MaintenanceOptions,
  report: TableReport,
): Promise<void> {
  const where = `shard ${shard} ${s.schema}.${table.table}`;
  const info = await readTable(s.conn, s.schema, table.table);
  if (!info) throw new PartitionLayoutError(`table ${table.table}: not found in ${s.schema}`);
  const columnType = info.columns.find((c) => c.name.toLowerCase() === table.column.toLowerCase())?.dataType;
  const plan = planPartitions({
    schema: s.schema,
    table,
    columnType,
    partitions: info.partitions,
    today: dayOf(o.today),
    dialect: s.dialect,
  });
  report.notes.push(...plan.notes);
  if (plan.createSql) {
    await s.conn.query(plan.createSql);
    report.created = plan.create.map((p) => p.name);
    o.log(`${where}: created ${report.created.join(", ")}`);
  }
  if (plan.archive.length === 0) return;
  if (!o.s3) {
    report.notes.push(`${plan.archive.length} partition(s) past keepDays left for the archiving run`);
    return;
  }
  const s3 = o.s3;
  if (info.primaryKey.length === 0)
    throw new PartitionLayoutError(`table ${table.table}: no PRIMARY KEY, so no row order to archive in`);
  const source = { schema: s.schema, table: table.table, columns: archiveColumns(table.table, info.columns) };
  for (const partition of plan.archive) {
    const outcome = await archivePartition({
      conn: s.conn,
      shard,
      source: { ...source, partition: partition.name, primaryKey: info.primaryKey },
      partition,
      s3,
      partBytes: o.partBytes,
    });
    const { partition: name, date, rows, keys, reused, exportMs, verifyMs } = outcome;
    report.archived.push({ partition: name, date, rows, keys, reused, exportMs, verifyMs });
    if (outcome.strays.length > 0) report.notes.push(`${name}: not in its manifest: ${outcome.strays.join(", ")}`);
    o.log(
      `${where}: ${reused ? "found" : "archived"} ${name} (${rows} rows, ${keys.length - 1} part(s)) at ` +
        `${outcome.manifestKey}, verified`,
    );
    await s.conn.query(dropSql(s.dialect, s.schema, table.table, name));
    report.dropped.push(name);
    o.log(`${where}: dropped ${name}`);
  }
}

async function maintainShard(shard: ShardHandle, tables: PartitionedTable[], o: MaintenanceOptions) {
  const report: ShardReport = { shard: shard.id, tables: [], errors: [] };
  for (const table of tables) {
    const t: TableReport = { table: table.table, created: [], archived: [], dropped: [], errors: [], notes: [] };
    report.tables.push(t);
    // A connection per table: one whose export broke off is still draining its result, so it is dropped, not reused.
    let session: Session;
    try {
      session = await openSession(shard, o);
    } catch (e) {
      report.errors.push(`shard ${shard.id}: ${message(e)}`);
      o.log(`shard ${shard.id}: ${message(e)}`);
      report.tables.pop();
      break;
    }
    try {
      await maintainTable(session, shard.id, table, o, t);
      await session.conn.end();
    } catch (e) {
      t.errors.push(message(e));
      o.log(`shard ${shard.id} ${table.table}: ERROR ${message(e)}`);
      session.conn.destroy();
    }
  }
  return report;
}

/** Runs the job on every shard (at most `concurrency` at once); throws only on a bad table declaration. */
export async function runPartitionMaintenance(o: MaintenanceOptions): Promise<MaintenanceReport> {
  const tables = resolveTables(o.tables);
  const today = formatDay(dayOf(o.today));
  const reports: ShardReport[] = new Array<ShardReport>(o.shards.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < o.shards.length; i = next++) {
      const shard = o.shards[i] as ShardHandle;
      reports[i] = await maintainShard(shard, tables, o);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, o.shards.length)) }, worker));
  const ok = reports.every((r) => r.errors.length === 0 && r.tables.every((t) => t.errors.length === 0));
  return { today, shards: reports, ok };
}

/** One line per failure, for the alert: `shard 2 game_logs: ...`. */
export function failures(report: MaintenanceReport): string[] {
  return report.shards.flatMap((s) => [
    ...s.errors,
    ...s.tables.flatMap((t) => t.errors.map((e) => `shard ${s.shard} ${t.table}: ${e}`)),
  ]);
}
