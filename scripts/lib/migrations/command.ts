/**
 * What the migrate image's program (scripts/apps/migrate/main.ts, the Job) and the operator's CLI
 * (scripts/cli/migrate.ts) share once each has its config, migrations and connector: the fleet command, the report
 * on stdout, the failing shards on stderr and the exit code. Both run the same code against the shards.
 */
import type { Connection } from "mysql2/promise";
import type { MigrateJobConfig } from "../../../infra/contracts/migrations";
import type { Migration } from "../../../infra/plan/migrations/types";
import { USAGE_EXIT } from "../cli";
import { FleetReport, fleetStatus, migrateFleet, rollbackFleet } from "./fleet";
import { failures, runPartitionMaintenance } from "../partitions/maintenance";

/** 0 done; 1 a shard failed or refused, or an input (file, stack config) is invalid; 2 bad command line. */
export const EXIT = { ok: 0, failed: 1, usage: USAGE_EXIT } as const;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const FLEET_COMMANDS = ["apply", "status", "rollback"] as const;
export type FleetCommand = (typeof FLEET_COMMANDS)[number];

/** "3" or "0003" -> 3; undefined for anything else. */
export function parseVersion(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  const version = Number(text);
  return version >= 1 ? version : undefined;
}

export const versionUsage = (text: string | undefined): string =>
  `rollback: ${text === undefined ? "no version given" : `"${text}" is not a migration version`}; ` +
  "give a positive integer such as 3 or 0003";

export interface FleetRun {
  config: MigrateJobConfig;
  migrations: readonly Migration[];
  /** A new connection to shard `id` as the migration account; the fleet closes it. */
  connect: (id: number) => Promise<Connection>;
}

/** Runs `command` on every shard of the config; `version` is rollback's. Never throws for a shard's failure. */
export function runFleetCommand(command: FleetCommand, run: FleetRun, version?: number): Promise<FleetReport> {
  const opts = { config: run.config, migrations: run.migrations, connect: (s: { id: number }) => run.connect(s.id) };
  if (command === "apply") return migrateFleet(opts);
  if (command === "status") return fleetStatus(opts);
  if (version === undefined) throw new Error("rollback needs a version");
  return rollbackFleet(opts, version);
}

/**
 * The report on stdout (text or JSON); each failing or refusing shard on stderr as `shard N: outcome: message`
 * (the last lines, which the Job's pod reports). Returns the exit code.
 */
export function printFleetReport(r: FleetReport, json: boolean, io: Io): number {
  io.out(json ? JSON.stringify(r.shards, null, 2) : r.text);
  if (r.ok) return EXIT.ok;
  for (const s of r.shards.filter((x) => x.outcome === "failed" || x.outcome === "refused")) {
    io.err(`shard ${s.shard}: ${s.outcome}: ${s.message ?? ""}`);
  }
  return EXIT.failed;
}

/**
 * Runs `read` (the inputs: files, documents, stack config); an error there is printed as `<name>: <message>` on
 * stderr, without a stack trace, and gives EXIT.failed. Nothing has touched a shard by then.
 */
export function readInputs<T>(name: string, io: Io, read: () => T): T | number {
  try {
    return read();
  } catch (e) {
    io.err(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT.failed;
  }
}

/**
 * After a successful apply: the partitioned tables' daily partitions from today to aheadDays on every shard, so a
 * table a migration just created takes today's rows before the partition CronJob's first run. No bucket: nothing is
 * archived or dropped. `connect` must open connections with ARCHIVE_CONNECTION_OPTIONS (partitions/export.ts).
 */
export async function createPartitionsAhead(
  config: MigrateJobConfig,
  connect: (id: number) => Promise<Connection>,
  io: Io,
  json = false,
): Promise<number> {
  if (config.partitioned.length === 0) return EXIT.ok;
  const report = await runPartitionMaintenance({
    shards: config.shards.map((s) => ({ id: s.id, connect: () => connect(s.id) })),
    tables: config.partitioned,
    database: config.database,
    today: new Date(),
    log: (line) => (json ? io.err(line) : io.out(line)),
  });
  if (report.ok) return EXIT.ok;
  for (const line of failures(report)) io.err(`partitions: ${line}`);
  return EXIT.failed;
}
