/**
 * The restore verification's decisions, pure (no I/O): which dump of a shard to load, what the MySQL Shell run
 * printed, how the restored table counts compare with the manifest's, and the shard's result.
 */
import { z } from "zod";
import type { DumpEntry } from "../../lib/restore/plan";
import { type DumpManifest, fullPrefix } from "../../../infra/contracts/backupLayout";

/**
 * Schemas that are not user data: never in the manifest's counts (gamedb-backup.sh TABLES_SQL, the same list), never
 * counted after the load. The load does bring mysql_innodb_cluster_metadata: util.dumpInstance leaves out only
 * information_schema, mysql, ndbinfo, performance_schema and sys (mysql-shell 8.4.3 and 8.4.8
 * modules/util/common/dump/constants.h); the throwaway server is discarded, so it is left there, uncounted.
 */
export const SYSTEM_SCHEMAS = [
  "mysql",
  "sys",
  "information_schema",
  "performance_schema",
  "mysql_innodb_cluster_metadata",
] as const;

/** BASE TABLEs per schema; a schema with none is absent (as gamedb-backup.sh counts them). */
export type TableCounts = Record<string, number>;

export interface ChosenDump {
  prefix: string;
  ts: string;
  manifest: DumpManifest;
}

export interface DumpChoice {
  dump?: ChosenDump;
  /** Why there is none (only without a dump). */
  reason?: string;
  /** Newer folders passed over, each with why. */
  skipped: string[];
}

function whyUnusable(entry: DumpEntry): string | undefined {
  if (entry.problem) return entry.problem;
  const missing = [entry.done ? undefined : "@.done.json", entry.manifest ? undefined : "gamedb-manifest.json"].filter(
    (m) => m !== undefined,
  );
  return missing.length > 0 ? `no ${missing.join(" and ")}` : undefined;
}

/** The newest complete dump (MySQL Shell's @.done.json and a valid manifest) of the shard's `full/` folders. */
export function pickDump(shard: number, dumps: readonly DumpEntry[]): DumpChoice {
  const skipped: string[] = [];
  for (const entry of [...dumps].sort((a, b) => b.ts.localeCompare(a.ts))) {
    const why = whyUnusable(entry);
    if (why === undefined && entry.manifest) {
      return { dump: { prefix: entry.prefix, ts: entry.ts, manifest: entry.manifest }, skipped };
    }
    skipped.push(`${entry.prefix}: ${why ?? "unusable"}`);
  }
  const detail = dumps.length === 0 ? "" : ` (${dumps.length} folder(s), none complete: ${skipped.join("; ")})`;
  return { reason: `no complete dump under ${fullPrefix(shard)}${detail}`, skipped };
}

export interface TableMismatch {
  schema: string;
  expected: number;
  actual: number;
}

export interface TableComparison {
  ok: boolean;
  /** In the manifest, not restored. */
  missingSchemas: string[];
  /** Restored, not in the manifest. */
  extraSchemas: string[];
  mismatches: TableMismatch[];
  message: string;
}

const tables = (n: number): string => `${n} table${n === 1 ? "" : "s"}`;

/** Restored table counts against the manifest's: equal schema sets and equal counts, or what differs. */
export function compareTables(expected: TableCounts, actual: TableCounts): TableComparison {
  const want = new Map(Object.entries(expected));
  const got = new Map(Object.entries(actual));
  const missingSchemas = [...want.keys()].filter((s) => !got.has(s)).sort();
  const extraSchemas = [...got.keys()].filter((s) => !want.has(s)).sort();
  const mismatches = [...want.entries()]
    .filter(([s, n]) => got.has(s) && got.get(s) !== n)
    .map(([schema, n]) => ({ schema, expected: n, actual: got.get(schema) ?? 0 }))
    .sort((a, b) => a.schema.localeCompare(b.schema));
  const ok = missingSchemas.length === 0 && extraSchemas.length === 0 && mismatches.length === 0;
  if (ok) {
    const total = [...want.values()].reduce((a, b) => a + b, 0);
    return {
      ok,
      missingSchemas,
      extraSchemas,
      mismatches,
      message: `table counts match the manifest: ${want.size} schema(s), ${tables(total)}`,
    };
  }
  const parts = [
    ...(missingSchemas.length > 0
      ? [`missing schema(s): ${missingSchemas.map((s) => `${s} (${tables(want.get(s) ?? 0)})`).join(", ")}`]
      : []),
    ...(extraSchemas.length > 0
      ? [`extra schema(s): ${extraSchemas.map((s) => `${s} (${tables(got.get(s) ?? 0)})`).join(", ")}`]
      : []),
    ...mismatches.map((m) => `${m.schema}: ${tables(m.expected)} in the manifest, ${m.actual} restored`),
  ];
  return {
    ok,
    missingSchemas,
    extraSchemas,
    mismatches,
    message: `table counts differ from the manifest: ${parts.join("; ")}`,
  };
}

/** The markers the verification script prints (scripts/apps/restore-verify/script.ts) on its own lines. */
export const COUNTS_MARKER = "GAMEDB-VERIFY-COUNTS ";
export const ERROR_MARKER = "GAMEDB-VERIFY-ERROR ";

const countsSchema = z.record(z.string(), z.int().nonnegative());

export interface ShellReport {
  counts?: TableCounts;
  /** The error the script caught (util.loadDump's, or the connection's). */
  error?: string;
  /** The counts line was there but unreadable. */
  problem?: string;
}

/** What the verification script printed: the restored counts, or the error it caught. */
export function parseShellOutput(stdout: string): ShellReport {
  const report: ShellReport = {};
  for (const line of stdout.split(/\r?\n/)) {
    if (line.startsWith(ERROR_MARKER)) {
      try {
        report.error = String(JSON.parse(line.slice(ERROR_MARKER.length)));
      } catch {
        report.error = line.slice(ERROR_MARKER.length);
      }
    } else if (line.startsWith(COUNTS_MARKER)) {
      try {
        const parsed = countsSchema.safeParse(JSON.parse(line.slice(COUNTS_MARKER.length)));
        if (parsed.success) report.counts = parsed.data;
        else report.problem = `unreadable table counts: ${parsed.error.issues.map((i) => i.message).join("; ")}`;
      } catch (e) {
        report.problem = `unreadable table counts: ${(e as Error).message}`;
      }
    }
  }
  return report;
}

/** How the MySQL Shell process ended. */
export interface ShellOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed after the load timeout. */
  timedOut: boolean;
}

/** The last lines of a process's output, for a message (bounded). */
export function tail(text: string, lines = 3, max = 600): string {
  const kept = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(-lines)
    .join(" | ");
  return kept.length > max ? `...${kept.slice(-max)}` : kept;
}

/** Replaces every occurrence of these values (credentials in the environment) in text. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("[redacted]");
  return out;
}

export type ShardStage = "dump" | "start" | "load" | "compare";

export interface ShardResult {
  shard: number;
  ok: boolean;
  dump?: { prefix: string; finishedAt: string; tool: string };
  /** Where it failed. */
  stage?: ShardStage;
  /** Why it failed. */
  reason?: string;
  /** The comparison with the manifest (after a load, when the manifest has counts). */
  tables?: TableComparison;
  notes: string[];
  seconds: number;
}

export const NO_COUNTS_NOTE = "no table counts in manifest";

function dumpSummary(dump: ChosenDump): NonNullable<ShardResult["dump"]> {
  return { prefix: dump.prefix, finishedAt: dump.manifest.finishedAt, tool: dump.manifest.tool };
}

/** A shard whose verification ended without a MySQL Shell outcome: no dump, mysqld did not start, or the run broke. */
export function failedBeforeLoad(
  shard: number,
  stage: ShardStage,
  reason: string,
  seconds: number,
  choice: Pick<DumpChoice, "dump" | "skipped">,
): ShardResult {
  return {
    shard,
    ok: false,
    ...(choice.dump ? { dump: dumpSummary(choice.dump) } : {}),
    stage,
    reason,
    notes: choice.skipped.map((s) => `skipped ${s}`),
    seconds,
  };
}

/** The shard's result from the MySQL Shell run: a failed load, counts that differ, or verified. */
export function judgeLoad(
  shard: number,
  choice: DumpChoice & { dump: ChosenDump },
  outcome: ShellOutcome,
  seconds: number,
  secrets: readonly (string | undefined)[] = [],
): ShardResult {
  const base = {
    shard,
    dump: dumpSummary(choice.dump),
    notes: choice.skipped.map((s) => `skipped ${s}`),
    seconds,
  };
  const report = parseShellOutput(outcome.stdout);
  const loadFailed = (why: string): ShardResult => ({
    ...base,
    ok: false,
    stage: "load",
    reason: redact(`util.loadDump of ${choice.dump.prefix} failed: ${why}`, secrets),
  });
  if (outcome.timedOut) return loadFailed("it did not finish within the load timeout (mysqlsh was killed)");
  if (report.error !== undefined) return loadFailed(report.error);
  const exit = outcome.signal ? `mysqlsh was killed by ${outcome.signal}` : `mysqlsh exited with code ${outcome.code}`;
  if (outcome.code !== 0) return loadFailed(`${exit}${outcome.stderr.trim() ? `: ${tail(outcome.stderr)}` : ""}`);
  if (report.problem) return loadFailed(report.problem);
  if (!report.counts) return loadFailed("mysqlsh printed no table counts");
  const expected = choice.dump.manifest.tables;
  if (!expected) return { ...base, ok: true, notes: [...base.notes, NO_COUNTS_NOTE] };
  const tables = compareTables(expected, report.counts);
  return tables.ok
    ? { ...base, ok: true, tables }
    : { ...base, ok: false, stage: "compare", reason: tables.message, tables };
}
