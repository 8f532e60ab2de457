/**
 * Migrates one shard over one mysql2 connection (the gamedb_schema account through the shard's Router rw port):
 * the ledger and the slot fence first, then each pending migration in version order, statement by statement (MySQL
 * DDL is not transactional), recording progress so a failed migration resumes at the statement that failed. After
 * each migration every sharded table is checked and fenced (fence.ts). One runner per shard at a time: a named lock
 * (GET_LOCK) refuses a second.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { formatVersion, statementsChecksum } from "../../../infra/contracts/migrations";
import type { SlotRun } from "../../../infra/contracts/slotFence";
import { BatchStopped, readThreadsRunning, runBatched } from "./batch";
import { checkShardedTables, ensureFence } from "./fence";
import { parseRecordedRollback } from "../../../infra/plan/migrations/files";
import * as ledger from "./ledger";
import { notOnlineMessage, refusedOnline } from "../../../infra/plan/migrations/online";
import {
  AppliedRow,
  FailedMigration,
  ShardPlan,
  formatDrift,
  pendingFor,
} from "../../../infra/plan/migrations/pending";
import type { Migration, MigrationFile, Statement } from "../../../infra/plan/migrations/types";

export type RunnerEvent =
  | { type: "migration"; shard: number; version: number; from: number }
  | { type: "statement"; shard: number; version: number; index: number; sql: string }
  | {
      type: "chunk";
      shard: number;
      version: number;
      index: number;
      chunk: number;
      affected: number;
      changed: number;
      /** The reading that let the chunk run. */
      threadsRunning: number;
    }
  | { type: "pause"; shard: number; version: number; threadsRunning: number }
  | { type: "applied"; shard: number; version: number; durationMs: number }
  | { type: "failed"; shard: number; version: number; statement: number; error: string }
  | { type: "fence"; shard: number; table: string };

export interface RunnerOptions {
  shard: number;
  /** The game's database: migrations run in it (created if missing). */
  database: string;
  slotMap: readonly SlotRun[];
  batch: { rows: number; pauseThreadsRunning: number; stopThreadsRunning: number };
  /** Threads_running source for batches; default SHOW GLOBAL STATUS on the connection. */
  threadsRunning?: (conn: Connection) => Promise<number>;
  sleep?: (ms: number) => Promise<void>;
  /** @default 1000 */
  pauseMs?: number;
  /** @default 600000 (10 minutes) */
  maxPauseMs?: number;
  /**
   * Session lock_wait_timeout: how long a DDL waits for the table's metadata lock. A waiting ALTER queues every
   * later query of the table behind it, so the wait is kept short (MySQL's default is a year). @default 30
   */
  lockWaitTimeoutSeconds?: number;
  /** Checked before each migration: true stops the shard there (the fleet's "another shard failed"). */
  shouldStop?: () => boolean;
  onEvent?: (event: RunnerEvent) => void;
}

export type Outcome =
  "up-to-date" | "applied" | "pending" | "rolled-back" | "skipped" | "failed" | "refused" | "stopped";

export interface ShardResult {
  shard: number;
  outcome: Outcome;
  /** Versions applied on the shard after the run. */
  applied: number[];
  /** Versions this run applied (or rolled back, for a rollback). */
  changed: number[];
  /** Versions still pending. */
  pending: number[];
  failed?: FailedMigration;
  message?: string;
}

export const LOCK_NAME = "gamedb_migrate";
const DATABASE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

interface SqlError {
  errno?: number;
  code?: string;
  sqlMessage?: string;
  message?: string;
}
const errorText = (e: unknown) => {
  const err = e as SqlError;
  return err.sqlMessage ? `${err.code ?? "error"} ${err.errno ?? ""}: ${err.sqlMessage}` : String(err.message ?? e);
};

/** A statement failed: carries its 1-based index for the report. */
class StatementFailed extends Error {
  constructor(
    readonly statement: number,
    message: string,
  ) {
    super(message);
  }
}

export class ShardRunner {
  readonly shard: number;

  constructor(
    private readonly conn: Connection,
    private readonly migrations: readonly Migration[],
    private readonly options: RunnerOptions,
  ) {
    if (!DATABASE.test(options.database)) {
      throw new Error(`database ${JSON.stringify(options.database)}: use 1-64 letters, digits and _`);
    }
    this.shard = options.shard;
  }

  private emit(event: RunnerEvent) {
    this.options.onEvent?.(event);
  }

  /** The rows and what the shard needs; changes nothing except creating the ledger if missing. */
  async status(): Promise<{ rows: AppliedRow[]; plan: ShardPlan }> {
    await ledger.ensureLedger(this.conn);
    return this.read();
  }

  private async read(): Promise<{ rows: AppliedRow[]; plan: ShardPlan }> {
    const rows = await ledger.readLedger(this.conn);
    return { rows, plan: pendingFor(rows, this.migrations) };
  }

  /** Applies every pending migration; never throws for a migration's failure (the result says). */
  async migrate(): Promise<ShardResult> {
    return this.locked(async () => {
      await this.prepare();
      const { plan } = await this.read();
      const result: ShardResult = {
        shard: this.shard,
        outcome: "up-to-date",
        applied: [...plan.applied],
        changed: [],
        pending: plan.pending.map((p) => p.migration.version),
        ...(plan.failed ? { failed: plan.failed } : {}),
      };
      const refusals = [...plan.drift.map((d) => formatDrift(this.shard, d)), ...plan.problems];
      if (refusals.length > 0) return { ...result, outcome: "refused", message: refusals.join("; ") };
      if (plan.pending.length === 0) {
        const check = await this.fence(new Set());
        return check ? { ...result, outcome: "failed", message: check } : result;
      }
      delete result.failed;
      for (const { migration: m, from } of plan.pending) {
        if (this.options.shouldStop?.()) return { ...result, outcome: "stopped", message: "another shard failed" };
        const failed = await this.apply(m, from);
        if (failed) return { ...result, outcome: "failed", failed, message: failed.error };
        result.applied.push(m.version);
        result.changed.push(m.version);
        result.pending = result.pending.filter((v) => v !== m.version);
        result.outcome = "applied";
      }
      return result;
    });
  }

  /** Rolls back `version`, which must be the newest applied, with the rollback recorded when it was applied. */
  async rollback(version: number): Promise<ShardResult> {
    return this.locked(async () => {
      await this.prepare();
      const { rows, plan } = await this.read();
      const result: ShardResult = {
        shard: this.shard,
        outcome: "refused",
        applied: [...plan.applied],
        changed: [],
        pending: plan.pending.map((p) => p.migration.version),
      };
      const applied = rows.filter((r) => r.state === "applied");
      const row = applied.find((r) => r.version === version);
      const newest = applied[applied.length - 1];
      const v = formatVersion(version);
      if (!row) return { ...result, outcome: "skipped", message: `${v} is not applied on shard ${this.shard}` };
      if (newest && newest.version !== version) {
        return {
          ...result,
          message:
            `${v} is not the newest migration applied on shard ${this.shard}: ${formatVersion(newest.version)} ` +
            `is; roll back ${formatVersion(newest.version)} first`,
        };
      }
      // A later migration that ran part-way was built on this one: undoing this one first would strand it.
      const started = rows.find((r) => r.version > version && (r.state === "failed" || r.state === "running"));
      if (started) {
        return {
          ...result,
          message:
            `${formatVersion(started.version)} is ${started.state} on shard ${this.shard} after ${v} (statements ` +
            `1-${started.statementsDone} ran): resume it or repair the shard before rolling back ${v}`,
        };
      }
      if (row.rollbackSql === null) {
        return { ...result, message: `${v} was applied on shard ${this.shard} without a U file: no rollback recorded` };
      }
      let file: MigrationFile;
      try {
        file = parseRecordedRollback(`rollback of ${v} (recorded when it was applied)`, row.rollbackSql);
      } catch (e) {
        return { ...result, message: (e as Error).message };
      }
      try {
        await this.useDatabase();
        for (const s of file.statements) await this.execute(version, file, s);
      } catch (e) {
        const error = (e as Error).message;
        await ledger.markRollbackFailed(this.conn, version, error).catch(() => undefined);
        return { ...result, outcome: "failed", message: `rollback of ${v}: ${error}` };
      }
      await ledger.markRolledBack(this.conn, version);
      const remaining = { ...result, applied: result.applied.filter((x) => x !== version), changed: [version] };
      const check = await this.fence(new Set());
      if (check) return { ...remaining, outcome: "failed", message: check };
      return { ...remaining, outcome: "rolled-back", pending: [...remaining.pending, version].sort((a, b) => a - b) };
    });
  }

  private async locked(work: () => Promise<ShardResult>): Promise<ShardResult> {
    const [rows] = await this.conn.query<RowDataPacket[]>("SELECT GET_LOCK(?, 0) AS got", [LOCK_NAME]);
    if (Number(rows[0]?.got) !== 1) {
      return {
        shard: this.shard,
        outcome: "refused",
        applied: [],
        changed: [],
        pending: [],
        message: `another migration run holds the lock ${LOCK_NAME} on shard ${this.shard}`,
      };
    }
    try {
      return await work();
    } finally {
      await this.conn.query("SELECT RELEASE_LOCK(?)", [LOCK_NAME]).catch(() => undefined);
    }
  }

  private async prepare(): Promise<void> {
    await this.conn.query("SET SESSION time_zone = '+00:00'");
    await this.conn.query(`SET SESSION lock_wait_timeout = ${Math.max(1, this.options.lockWaitTimeoutSeconds ?? 30)}`);
    await ledger.ensureLedger(this.conn);
    await ensureFence(this.conn, this.shard, this.options.slotMap);
    await this.conn.query(`CREATE DATABASE IF NOT EXISTS \`${this.options.database}\``);
  }

  private async useDatabase(): Promise<void> {
    await this.conn.query(`USE \`${this.options.database}\``);
  }

  /** Runs `m` from statement `from`; returns the failure, or undefined once applied. */
  private async apply(m: Migration, from: number): Promise<FailedMigration | undefined> {
    const texts = m.up.statements.map((s) => s.text);
    this.emit({ type: "migration", shard: this.shard, version: m.version, from });
    const started = Date.now();
    const record = { ...m, checksum: m.up.checksum, rollbackSql: m.down?.text ?? null };
    await ledger.markRunning(this.conn, record, from, statementsChecksum(texts, from));
    let at = from;
    try {
      await this.useDatabase();
      for (; at < m.up.statements.length; at++) {
        await this.execute(m.version, m.up, m.up.statements[at]!);
        await ledger.markProgress(this.conn, m.version, at + 1, statementsChecksum(texts, at + 1));
      }
      const check = await this.fence(new Set(m.sharded.map((s) => s.table)), m.version);
      if (check) throw new StatementFailed(at + 1, `after its statements: ${check}`);
    } catch (e) {
      const statement = e instanceof StatementFailed ? e.statement : at + 1;
      const error = e instanceof StatementFailed ? e.message : errorText(e);
      await ledger.markFailed(this.conn, m.version, error).catch(() => undefined);
      this.emit({ type: "failed", shard: this.shard, version: m.version, statement, error });
      const line = m.up.statements[statement - 1]?.line;
      return { version: m.version, statement, ...(line ? { line } : {}), error };
    }
    const durationMs = Date.now() - started;
    await ledger.markApplied(this.conn, m.version, durationMs);
    this.emit({ type: "applied", shard: this.shard, version: m.version, durationMs });
    return undefined;
  }

  /** Runs one statement as decided when the file was read; throws StatementFailed. */
  private async execute(version: number, file: MigrationFile, s: Statement): Promise<void> {
    const where = `statement ${s.index + 1} (line ${s.line})`;
    const send = async (sql: string) => {
      this.emit({ type: "statement", shard: this.shard, version, index: s.index, sql });
      await this.conn.query(sql);
    };
    try {
      if (s.run.mode === "as-written") return await send(s.text);
      if (s.run.mode === "batch") {
        this.emit({ type: "statement", shard: this.shard, version, index: s.index, sql: s.text });
        await runBatched(this.conn, s.text, this.batchSettings(s.run.rows), {
          threadsRunning: () => (this.options.threadsRunning ?? readThreadsRunning)(this.conn),
          sleep: this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
          onChunk: (c) => this.emit({ type: "chunk", shard: this.shard, version, index: s.index, ...c }),
          onPause: (t) => this.emit({ type: "pause", shard: this.shard, version, threadsRunning: t }),
        });
        return;
      }
      const reasons: string[] = [];
      for (const attempt of s.run.attempts) {
        try {
          return await send(attempt);
        } catch (e) {
          if (!refusedOnline((e as SqlError).errno, attempt)) throw e;
          reasons.push(errorText(e));
        }
      }
      if (s.run.fallback !== undefined) return await send(s.run.fallback);
      throw new StatementFailed(s.index + 1, `${file.file} ${notOnlineMessage(s.text, reasons, s.line)}`);
    } catch (e) {
      if (e instanceof StatementFailed) throw e;
      const stopped = e instanceof BatchStopped ? " (stopped for load)" : "";
      throw new StatementFailed(s.index + 1, `${file.file} ${where}${stopped}: ${errorText(e)}`);
    }
  }

  private batchSettings(rows: number | undefined) {
    return {
      ...this.options.batch,
      rows: rows ?? this.options.batch.rows,
      pauseMs: this.options.pauseMs ?? 1000,
      maxPauseMs: this.options.maxPauseMs ?? 600_000,
    };
  }

  /**
   * Checks and fences every table declared sharded by the applied migrations (and `version`, being applied);
   * returns the problems as one message, or undefined.
   */
  private async fence(declaredNow: ReadonlySet<string>, version?: number): Promise<string | undefined> {
    const rows = await ledger.readLedger(this.conn);
    const applied = new Set(rows.filter((r) => r.state === "applied").map((r) => r.version));
    if (version !== undefined) applied.add(version);
    const sharded = this.migrations.filter((m) => applied.has(m.version)).flatMap((m) => m.sharded);
    const check = await checkShardedTables(this.conn, this.options.database, sharded, declaredNow);
    for (const table of check.installed) this.emit({ type: "fence", shard: this.shard, table });
    return check.problems.length > 0 ? check.problems.join("; ") : undefined;
  }
}
