/**
 * Shards for the migration runner's integration tests: private MariaDB 10.11 servers (STAND-INS for each shard's
 * Router rw port; scripts/lib/standins/mariadb.ts), empty until the runner migrates them, and a scratch migrations
 * directory that starts as a copy of the project's stacks/migrations.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as mysql from "mysql2/promise";
import { MigrateJobConfig, migrateJobConfigSchema } from "../../infra/contracts/migrations";
import { keySlot } from "../../infra/contracts/slots";
import { evenSlotRanges, formatRange } from "../../infra/plan/slots";
import { FleetOptions } from "../../scripts/lib/migrations/fleet";
import { readMigrations } from "../../scripts/lib/migrations/read";
import type { RunnerEvent } from "../../scripts/lib/migrations/runner";
import { MariaDbFleet, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";

export const DATABASE = "game";
const PROJECT_MIGRATIONS = path.join(__dirname, "../../stacks/migrations");

export interface MigrationShards {
  readonly fleet: MariaDbFleet;
  readonly config: MigrateJobConfig;
  readonly dir: string;
  /** Every runner event of the last fleetOptions() run. */
  readonly events: RunnerEvent[];
  /** A root connection to shard `id` (1-based), closed by stop(). */
  admin(id: number): Promise<mysql.Connection>;
  write(name: string, text: string): void;
  remove(name: string): void;
  /** Fleet options over the current directory; clears `events`. */
  fleetOptions(runner?: FleetOptions["runner"]): FleetOptions;
  /** A player id whose slot shard `id` owns (or does not own, with `owned` false). */
  playerOf(id: number, owned?: boolean, skip?: number): number;
  /** Global status counters of shard `id`. */
  status(id: number, names: string[]): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export async function startMigrationShards(count: number): Promise<MigrationShards> {
  const fleet = await startMariaDbFleet(count);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-migrations-"));
  for (const f of fs.readdirSync(PROJECT_MIGRATIONS)) {
    fs.copyFileSync(path.join(PROJECT_MIGRATIONS, f), path.join(dir, f));
  }
  const ranges = evenSlotRanges(count);
  const config = migrateJobConfigSchema.parse({
    database: DATABASE,
    concurrency: count,
    shards: ranges.map((_, i) => ({ id: i + 1, state: "active" })),
    slotMap: ranges.map((r, i) => ({ slots: formatRange(r), from: r.from, to: r.to, shard: i + 1 })),
  });
  const opened: mysql.Connection[] = [];
  const events: RunnerEvent[] = [];
  const server = (id: number) => {
    const s = fleet.servers[id - 1];
    if (!s) throw new Error(`no stand-in for shard ${id}`);
    return s;
  };
  const admin = async (id: number) => {
    const conn = await server(id).connect();
    opened.push(conn);
    return conn;
  };
  const owner = (slot: number) => config.slotMap.find((r) => r.from <= slot && slot <= r.to)!.shard;
  return {
    fleet,
    config,
    dir,
    events,
    admin,
    write: (name, text) => fs.writeFileSync(path.join(dir, name), text),
    remove: (name) => fs.rmSync(path.join(dir, name), { force: true }),
    fleetOptions(runner = {}) {
      events.length = 0;
      return {
        config,
        migrations: readMigrations(dir),
        connect: (shard) => server(shard.id).connect(),
        runner: {
          ...runner,
          onEvent: (e) => {
            events.push(e);
            runner.onEvent?.(e);
          },
        },
      };
    },
    playerOf(id, owned = true, skip = 0) {
      for (let p = 1; ; p++) {
        if ((owner(keySlot(p)) === id) === owned && skip-- <= 0) return p;
      }
    },
    async status(id, names) {
      const conn = await admin(id);
      const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS");
      const out: Record<string, number> = {};
      for (const r of rows) if (names.includes(String(r.Variable_name))) out[String(r.Variable_name)] = Number(r.Value);
      return out;
    },
    async stop() {
      await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
      await fleet.stopAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Inserts players (id, its real slot, a name, level) through `conn`. */
export async function insertPlayers(
  conn: mysql.Connection,
  players: { id: number; name?: string; level?: number }[],
): Promise<void> {
  for (let i = 0; i < players.length; i += 1000) {
    const rows = players.slice(i, i + 1000).map((p) => [p.id, keySlot(p.id), p.name ?? `p${p.id}`, p.level ?? 1]);
    await conn.query("INSERT INTO game.players (player_id, gamedb_slot, name, level) VALUES ?", [rows]);
  }
}
