/**
 * What a shard still needs, from its schema_migrations rows and the files: pure, so `plan`, `status` and the runner
 * decide alike.
 *
 * - applied, same checksum: done. Applied with another checksum: drift, refused (the file must not change once
 *   applied; write a new migration instead).
 * - failed or running (a crash) after k statements: resumes at statement k+1, if the first k statements are
 *   unchanged (their checksum was recorded); the rest of the file may have been fixed.
 * - rolled back, or no row: pending from the first statement.
 * - a row with no file, or a pending version below an applied one: refused (versions only grow).
 */
import { MigrationState, formatVersion, statementsChecksum } from "../../contracts/migrations";
import type { Migration } from "./types";

/** A schema_migrations row, as the runner reads it. */
export interface AppliedRow {
  version: number;
  description: string;
  checksum: string;
  state: MigrationState;
  statementsDone: number;
  statementsChecksum: string | null;
  executedAt: Date | null;
  durationMs: number | null;
  rollbackSql: string | null;
  error: string | null;
  rolledBackAt: Date | null;
}

export interface PendingMigration {
  migration: Migration;
  /** Statements already run (a resumed migration starts at index `from`). */
  from: number;
}

export interface Drift {
  version: number;
  file: string;
  /** The checksum recorded when it was applied. */
  applied: string;
  /** The file's checksum now. */
  current: string;
}

export interface FailedMigration {
  version: number;
  /** 1-based index of the statement that failed. */
  statement: number;
  /** Its line in the file, when the file is known. */
  line?: number;
  error: string;
}

export interface ShardPlan {
  /** Versions applied, ascending. */
  applied: number[];
  pending: PendingMigration[];
  drift: Drift[];
  failed?: FailedMigration;
  /** Reasons nothing may run (besides drift). */
  problems: string[];
}

/** The shard's plan; never throws. */
export function pendingFor(rows: readonly AppliedRow[], migrations: readonly Migration[]): ShardPlan {
  const byVersion = new Map(rows.map((r) => [r.version, r]));
  const known = new Set(migrations.map((m) => m.version));
  const plan: ShardPlan = { applied: [], pending: [], drift: [], problems: [] };
  for (const row of [...rows].sort((a, b) => a.version - b.version)) {
    if (!known.has(row.version) && row.state !== "rolled_back") {
      plan.problems.push(
        `${formatVersion(row.version)} (${row.description}) is recorded as ${row.state} on this shard but has no ` +
          "file: restore its V file (applied migrations stay in the directory)",
      );
    }
  }
  for (const m of migrations) {
    const row = byVersion.get(m.version);
    if (!row || row.state === "rolled_back") {
      plan.pending.push({ migration: m, from: 0 });
      continue;
    }
    if (row.state === "applied") {
      if (row.checksum === m.up.checksum) plan.applied.push(m.version);
      else plan.drift.push({ version: m.version, file: m.up.file, applied: row.checksum, current: m.up.checksum });
      continue;
    }
    const done = row.statementsDone;
    const failed: FailedMigration = {
      version: m.version,
      statement: done + 1,
      ...(m.up.statements[done] ? { line: m.up.statements[done].line } : {}),
      error: row.error ?? (row.state === "running" ? "interrupted while running" : "failed"),
    };
    plan.failed = failed;
    const texts = m.up.statements.map((s) => s.text);
    const unchanged =
      done === 0 ||
      row.checksum === m.up.checksum ||
      (done <= texts.length && row.statementsChecksum === statementsChecksum(texts, done));
    if (unchanged) plan.pending.push({ migration: m, from: done });
    else {
      plan.problems.push(
        `${m.up.file}: statements 1-${done} already ran on this shard, but the file changed them since: restore ` +
          "them (only the failed statement and those after it may change), or repair the shard by hand",
      );
    }
  }
  const newest = Math.max(-1, ...rows.filter((r) => r.state === "applied").map((r) => r.version));
  for (const p of plan.pending) {
    if (p.migration.version < newest) {
      plan.problems.push(
        `${p.migration.up.file} is not applied on this shard, but ${formatVersion(newest)} is: a new migration ` +
          `needs a version above the newest applied (rename it above ${formatVersion(newest)})`,
      );
    }
  }
  return plan;
}

/** `V0001__players.sql on shard 3 changed after it was applied: applied with sha256 ..., the file now has ...`. */
export function formatDrift(shard: number, d: Drift): string {
  return (
    `${d.file} on shard ${shard} changed after it was applied: applied with checksum ${d.applied}, the file now ` +
    `has ${d.current}; restore the file and put the change in a new migration`
  );
}
