/**
 * Every shard of the migrate Job's config at once: shards in parallel under `concurrency`, each in version order.
 * When a shard fails (or refuses: drift, a changed statement already run, an unreachable shard), the others finish
 * the migration they are on and stop, and shards not started yet are not started. The report lists every shard.
 * Connections come from the caller (the Job reads the routers document and the gamedb_schema secret); each is
 * closed here.
 */
import type { Connection } from "mysql2/promise";
import type { MigrateJobConfig, MigrateShard } from "../../../infra/contracts/migrations";
import { formatDrift } from "../../../infra/plan/migrations/pending";
import { formatFleetReport } from "./report";
import { RunnerOptions, ShardResult, ShardRunner } from "./runner";
import type { Migration } from "../../../infra/plan/migrations/types";

export interface FleetOptions {
  config: MigrateJobConfig;
  migrations: readonly Migration[];
  connect: (shard: MigrateShard) => Promise<Connection>;
  /** Runner settings shared by every shard (load source, sleep, waits, events). */
  runner?: Pick<
    RunnerOptions,
    "threadsRunning" | "sleep" | "pauseMs" | "maxPauseMs" | "lockWaitTimeoutSeconds" | "onEvent"
  >;
}

export interface ShardReport extends ShardResult {
  state: MigrateShard["state"];
}

export interface FleetReport {
  /** Every shard ended without failure or refusal. */
  ok: boolean;
  shards: ShardReport[];
  /** formatFleetReport(shards). */
  text: string;
}

const FAILING: ShardResult["outcome"][] = ["failed", "refused"];

/** Runs `work` on each shard under the config's concurrency; a failing shard stops the start of others. */
async function eachShard(
  opts: FleetOptions,
  work: (runner: ShardRunner) => Promise<ShardResult>,
  stopOnFailure = true,
): Promise<FleetReport> {
  const { config } = opts;
  const queue = [...config.shards].sort((a, b) => a.id - b.id);
  const reports = new Map<number, ShardReport>();
  let stopped = false;
  const slotMap = config.slotMap.map(({ from, to, shard }) => ({ from, to, shard }));

  const runOne = async (shard: MigrateShard): Promise<ShardResult> => {
    let conn: Connection;
    try {
      conn = await opts.connect(shard);
    } catch (e) {
      return failure(shard.id, `cannot connect to shard ${shard.id}: ${(e as Error).message}`);
    }
    try {
      const runner = new ShardRunner(conn, opts.migrations, {
        ...opts.runner,
        shard: shard.id,
        database: config.database,
        slotMap,
        batch: config.batch,
        shouldStop: () => stopped,
      });
      return await work(runner);
    } catch (e) {
      return failure(shard.id, `shard ${shard.id}: ${(e as Error).message}`);
    } finally {
      await conn.end().catch(() => undefined);
    }
  };

  const worker = async () => {
    for (let shard = queue.shift(); shard; shard = queue.shift()) {
      if (stopped) {
        reports.set(shard.id, { ...notStarted(shard.id), state: shard.state });
        continue;
      }
      const result = await runOne(shard);
      if (stopOnFailure && FAILING.includes(result.outcome)) stopped = true;
      reports.set(shard.id, { ...result, state: shard.state });
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, config.shards.length) }, worker));
  const shards = [...config.shards].sort((a, b) => a.id - b.id).map((s) => reports.get(s.id)!);
  return { ok: shards.every((s) => !FAILING.includes(s.outcome)), shards, text: formatFleetReport(shards) };
}

const failure = (shard: number, message: string): ShardResult => ({
  shard,
  outcome: "failed",
  applied: [],
  changed: [],
  pending: [],
  message,
});

const notStarted = (shard: number): ShardResult => ({
  shard,
  outcome: "stopped",
  applied: [],
  changed: [],
  pending: [],
  message: "not started: another shard failed",
});

/** Applies pending migrations on every shard. */
export function migrateFleet(opts: FleetOptions): Promise<FleetReport> {
  return eachShard(opts, (runner) => runner.migrate());
}

/** Rolls back `version` on every shard where it is applied (and the newest there). */
export function rollbackFleet(opts: FleetOptions, version: number): Promise<FleetReport> {
  return eachShard(opts, (runner) => runner.rollback(version));
}

/** What every shard has and needs, changing nothing (but creating the ledger where missing); every shard is read. */
export function fleetStatus(opts: FleetOptions): Promise<FleetReport> {
  return eachShard(
    opts,
    async (runner) => {
      const { plan } = await runner.status();
      const refused = [...plan.drift.map((d) => formatDrift(runner.shard, d)), ...plan.problems];
      const outcome: ShardResult["outcome"] =
        refused.length > 0 ? "refused" : plan.failed ? "failed" : plan.pending.length > 0 ? "pending" : "up-to-date";
      return {
        shard: runner.shard,
        outcome,
        applied: plan.applied,
        changed: [],
        pending: plan.pending.map((p) => p.migration.version),
        ...(plan.failed ? { failed: plan.failed } : {}),
        ...(refused.length > 0 ? { message: refused.join("; ") } : {}),
      };
    },
    false,
  );
}
