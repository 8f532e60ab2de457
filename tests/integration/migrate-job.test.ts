/**
 * The migrate image's program (scripts/apps/migrate/main.ts) as the migration Job runs it: its own arguments
 * (--config, --migrations, --endpoints, --passwords), the project's stacks/migrations, three MariaDB 10.11 stand-ins
 * for the shards' Routers listed in routers.json, and the account gamedb_schema with exactly the grants
 * setup-accounts gives it on MySQL 8.4 (migrate-helpers.ts). Proves those grants are enough for the ledger, the
 * runner, the fence rows and triggers, rollback and partition maintenance, and that no password is ever printed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type * as mysql from "mysql2/promise";
import { FENCE_ERRNO, parseFenceSignal } from "../../infra/contracts/slotFence";
import { keySlot } from "../../infra/contracts/slots";
import { main } from "../../scripts/apps/migrate/main";
import type { MaintenanceReport } from "../../scripts/lib/partitions/maintenance";
import { s3Client } from "../../scripts/lib/restore/bucket";
import { type FakeS3, startFakeS3 } from "../helpers/backupFixtures";
import {
  MigrateStandins,
  PROJECT_DIR,
  PROJECT_MIGRATIONS,
  Run,
  capture,
  ledgerOf,
  schemaOf,
  startMigrateStandins,
} from "./migrate-helpers";

let shards: MigrateStandins;
const runs: Run[] = [];

beforeAll(async () => {
  shards = await startMigrateStandins();
}, 120_000);
afterAll(async () => {
  await shards?.stop();
});

/** The Job's program in-process with the Job's arguments; `over` replaces or adds options. */
async function job(command: string[], over: Record<string, string> = {}, extra: string[] = []): Promise<Run> {
  const options: Record<string, string> = {
    "--config": shards.configFile,
    // partitions reads no migrations.
    ...(command[0] === "partitions" ? {} : { "--migrations": PROJECT_MIGRATIONS }),
    "--endpoints": shards.endpoints,
    "--passwords": shards.passwordsFile,
    ...over,
  };
  const run = await capture(main, [...command, ...Object.entries(options).flat(), ...extra]);
  runs.push(run);
  return run;
}

const SHARDS = [1, 2, 3];
const definer = "gamedb_schema@%";
const FULL_SCHEMA = [
  "game_logs",
  "players",
  ...["bd", "bi", "bu"].map((t) => `game_logs:gamedb_fence_${t}_game_logs by ${definer}`),
  ...["bd", "bi", "bu"].map((t) => `players:gamedb_fence_${t}_players by ${definer}`),
];

async function rows(conn: mysql.Connection, sql: string, params: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const [r] = await conn.query<mysql.RowDataPacket[]>(sql, params);
  return r;
}

interface ShardJson {
  shard: number;
  outcome: string;
  applied: number[];
  pending: number[];
  message?: string;
}
const outcomes = (run: Run) =>
  (JSON.parse(run.out) as ShardJson[]).map((s) => ({ shard: s.shard, outcome: s.outcome, applied: s.applied }));

describe("apply, rerun, status, rollback as gamedb_schema", () => {
  it("applies V0001 and V0002 on every shard: tables, fence rows and fence triggers (defined by gamedb_schema)", async () => {
    const run = await job(["apply"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^1\s+active\s+applied\s+V0001-V0002\s+-\s+-$/m);
    for (const id of SHARDS) {
      const root = await shards.root(id);
      expect(await schemaOf(root)).toEqual(FULL_SCHEMA);
      expect(await ledgerOf(root)).toEqual({ 1: "applied", 2: "applied" });
      const fence = await rows(
        root,
        "SELECT owner_shard AS o, state, COUNT(*) AS n FROM gamedb_meta.slot_fence GROUP BY 1, 2 ORDER BY 1",
      );
      expect(fence.map((r) => [Number(r.o), r.state, Number(r.n)])).toEqual(
        shards.config.slotMap.map((r) => [r.shard, r.shard === id ? "owned" : "moved", r.to - r.from + 1]),
      );
      // Right after applying, game_logs has its days from today to aheadDays (3 here), so today's rows have a place.
      const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
      const days = [0, 1, 2, 3].map(
        (d) => `p${new Date(today + d * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "")}`,
      );
      const parts = await rows(
        root,
        "SELECT PARTITION_NAME AS p FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = 'game' " +
          "AND TABLE_NAME = 'game_logs' ORDER BY PARTITION_ORDINAL_POSITION",
      );
      expect(parts.map((r) => r.p)).toEqual(["p_start", ...days]);
    }
    const app = await shards.app(1);
    const own = shards.playerOf(1);
    await app.query(
      "INSERT INTO game.game_logs (player_id, gamedb_slot, logged_at, event) VALUES (?, ?, NOW(), 'today')",
      [own, keySlot(own)],
    );
  });

  it("the triggers enforce the fence for the game servers' account (they run as gamedb_schema)", async () => {
    const app = await shards.app(1);
    const own = shards.playerOf(1);
    const foreign = shards.playerOf(3);
    await app.query("INSERT INTO game.players (player_id, gamedb_slot, name) VALUES (?, ?, 'own')", [
      own,
      keySlot(own),
    ]);
    const refused = app.query("INSERT INTO game.players (player_id, gamedb_slot, name) VALUES (?, ?, 'x')", [
      foreign,
      keySlot(foreign),
    ]);
    await expect(refused).rejects.toMatchObject({ errno: FENCE_ERRNO });
    const e = (await refused.catch((x: { sqlMessage: string }) => x)) as { sqlMessage: string };
    expect(parseFenceSignal(e.sqlMessage)).toEqual({ kind: "moved", slot: keySlot(foreign), shard: 3, epoch: 0 });
    const log =
      "INSERT INTO game.game_logs (player_id, gamedb_slot, logged_at, event) VALUES (?, ?, '2024-06-01', 'x')";
    await app.query(log, [own, keySlot(own)]);
    await expect(app.query(log, [foreign, keySlot(foreign)])).rejects.toMatchObject({
      sqlMessage: `GAMEDB_MOVED slot=${keySlot(foreign)} shard=3 epoch=0`,
    });
    await expect(
      app.query("UPDATE game.players SET gamedb_slot = gamedb_slot + 1 WHERE player_id = ?", [own]),
    ).rejects.toMatchObject({ errno: FENCE_ERRNO });
  });

  it("a rerun changes nothing: every shard up to date, ledger and triggers untouched", async () => {
    const before = await Promise.all(SHARDS.map(async (id) => snapshot(await shards.root(id))));
    const run = await job(["apply"]);
    expect(run.code).toBe(0);
    expect(run.out.split("\n").filter((l) => /^\d /.test(l))).toEqual(
      SHARDS.map((id) => expect.stringMatching(new RegExp(`^${id}\\s+active\\s+up-to-date\\s+V0001-V0002\\s+-\\s+-$`))),
    );
    const after = await Promise.all(SHARDS.map(async (id) => snapshot(await shards.root(id))));
    expect(after).toEqual(before);
  });

  it("status (--json) reads every shard", async () => {
    const run = await job(["status"], {}, ["--json"]);
    expect(run.code).toBe(0);
    expect(outcomes(run)).toEqual(SHARDS.map((shard) => ({ shard, outcome: "up-to-date", applied: [1, 2] })));
  });

  it("runs as a child process: npx tsx scripts/apps/migrate/main.ts status", () => {
    const args = ["status", "--config", shards.configFile, "--migrations", PROJECT_MIGRATIONS];
    args.push(
      "--endpoints",
      path.join(shards.endpoints, "routers.json"),
      "--passwords",
      shards.passwordsFile,
      "--json",
    );
    const child = spawnSync("npx", ["tsx", "scripts/apps/migrate/main.ts", ...args], {
      cwd: PROJECT_DIR,
      encoding: "utf8",
      timeout: 90_000,
    });
    runs.push({ code: child.status ?? -1, out: child.stdout, err: child.stderr });
    expect(child.stderr).toBe("");
    expect(child.status).toBe(0);
    expect(outcomes({ code: 0, out: child.stdout, err: "" }).map((s) => s.outcome)).toEqual(
      SHARDS.map(() => "up-to-date"),
    );
  });

  it("rolls back the newest migration (0002) everywhere with its recorded U file, then a rerun re-applies it", async () => {
    const run = await job(["rollback", "0002"]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^2\s+active\s+rolled-back\s+V0001\s+V0002\s+-$/m);
    for (const id of SHARDS) {
      const root = await shards.root(id);
      expect(await schemaOf(root)).toEqual(FULL_SCHEMA.filter((t) => !t.startsWith("game_logs")));
      expect(await ledgerOf(root)).toEqual({ 1: "applied", 2: "rolled_back" });
    }
    const status = await job(["status"], {}, ["--json"]);
    expect((JSON.parse(status.out) as ShardJson[]).map((s) => s.pending)).toEqual([[2], [2], [2]]);
  });
});

describe("failures name the shard and print no password", () => {
  it("an unreachable shard: exit 1 naming it on stderr, the shards before it migrated; done once it is back", async () => {
    const one = shards.writeConfig("one-at-a-time.json", { ...shards.config, concurrency: 1 });
    const server = shards.fleet.servers[2]!;
    await server.stop();
    try {
      const run = await job(["apply"], { "--config": one });
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/^shard 3: failed: cannot connect to shard 3: .*ECONNREFUSED/m);
      expect(run.err).not.toMatch(/shard [12]/);
      expect(run.out).toMatch(/^1\s+active\s+applied\s+V0001-V0002/m);
      expect(run.out).toMatch(/^2\s+active\s+applied\s+V0001-V0002/m);
      expect(run.out).toMatch(/^3\s+active\s+failed\s+-/m);
    } finally {
      await server.start();
    }
    const again = await job(["apply"], { "--config": one });
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/^3\s+active\s+applied\s+V0001-V0002/m);
    expect(await schemaOf(await shards.root(3))).toEqual(FULL_SCHEMA);
  });

  it("a passwords file that is not JSON: a clear error naming the file, no shard touched", async () => {
    const bad = path.join(shards.dir, "bad-passwords.json");
    fs.writeFileSync(bad, `{"1": "${shards.passwords["1"]}", "2": ${shards.passwords["2"]}}`);
    const run = await job(["apply"], { "--passwords": bad });
    expect(run.code).toBe(1);
    expect(run.out).toBe("");
    expect(run.err).toBe(
      `migrate: ${bad}: not JSON (SyntaxError); it must be a JSON object of shard id -> password, such as {"1": "..."}`,
    );
  });

  it("a password key that is not a shard id is named by position, not by its text", async () => {
    const bad = path.join(shards.dir, "swapped-passwords.json");
    fs.writeFileSync(bad, JSON.stringify({ "1": shards.passwords["1"], [shards.passwords["2"]!]: "2" }));
    const run = await job(["status"], { "--passwords": bad });
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/the key of entry 2 is not a shard id/);
    expect(run.err).not.toContain(shards.passwords["2"]);
  });

  it("a shard missing from the passwords, and a wrong password: those shards fail by name, the others are read", async () => {
    const partial = path.join(shards.dir, "partial-passwords.json");
    fs.writeFileSync(partial, JSON.stringify({ "1": shards.passwords["1"], "2": shards.passwords["3"] }));
    const run = await job(["status"], { "--passwords": partial }, ["--json"]);
    expect(run.code).toBe(1);
    expect(outcomes(run).map((s) => s.outcome)).toEqual(["up-to-date", "failed", "failed"]);
    expect(run.err.split("\n")).toEqual([
      expect.stringMatching(/^shard 2: failed: cannot connect to shard 2: Access denied for user 'gamedb_schema'@/),
      `shard 3: failed: cannot connect to shard 3: no password for shard 3 in ${partial}`,
    ]);
  });

  it("no run printed any password", () => {
    expect(runs.length).toBeGreaterThan(8);
    for (const pw of Object.values(shards.passwords)) {
      for (const r of runs) expect(`${r.out}\n${r.err}`).not.toContain(pw);
    }
  });
});

describe("partitions: the CronJob's command as gamedb_schema, with s3rver as the backup bucket", () => {
  const BUCKET = "gamedb-backups";
  let s3: FakeS3;
  beforeAll(async () => {
    s3 = await startFakeS3([BUCKET]);
    process.env.AWS_ACCESS_KEY_ID = "S3RVER";
    process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it("creates days ahead, archives the old days of every shard and drops them", async () => {
    // apply (above) created game_logs' days from today to today + 3; rows of today go in today's partition. The
    // CronJob then runs "60 days later": those 4 days are past keepDays (30), the next 60 are created.
    const DAY = 86_400_000;
    const now = new Date();
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const iso = (d: number) => new Date(today + d * DAY).toISOString().slice(0, 10);
    const pname = (d: number) => `p${iso(d).replace(/-/g, "")}`;
    for (const id of SHARDS) {
      const app = await shards.app(id);
      const p = shards.playerOf(id);
      await app.query(
        "INSERT INTO game.game_logs (player_id, gamedb_slot, logged_at, event) VALUES (?, ?, ?, 'a'), (?, ?, ?, 'b')",
        [p, keySlot(p), `${iso(0)} 10:00:00`, p, keySlot(p), `${iso(0)} 11:00:00`],
      );
    }

    const run = await job(["partitions"], {}, [
      "--bucket",
      BUCKET,
      "--region",
      "us-east-1",
      "--s3-endpoint",
      s3.endpoint,
      "--today",
      iso(60),
      "--json",
    ]);
    expect(run.code).toBe(0);
    expect(run.err).toMatch(new RegExp(`^shard 1 game.game_logs: dropped ${pname(0)}$`, "m")); // stdout: the JSON
    const report = JSON.parse(run.out) as MaintenanceReport;
    expect(report.shards.map((s) => s.shard)).toEqual(SHARDS);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    for (const { shard, tables } of report.shards) {
      const [t] = tables;
      // Created: every day after the newest (today + 3) through the run's today + aheadDays (3); archived and
      // dropped: the days past keepDays (30) that existed when the run read the table, oldest first.
      expect(t?.created).toEqual(range(4, 63).map(pname));
      expect(t?.archived.map((a) => [a.date, a.rows])).toEqual([
        [iso(0), 2],
        [iso(1), 0],
        [iso(2), 0],
        [iso(3), 0],
      ]);
      expect(t?.dropped).toEqual(range(0, 3).map(pname));
      const parts = await rows(
        await shards.root(shard),
        "SELECT PARTITION_NAME AS n FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = 'game' AND TABLE_NAME = 'game_logs' ORDER BY PARTITION_ORDINAL_POSITION",
      );
      expect(parts.map((r) => String(r.n))).toEqual(["p_start", ...(t?.created ?? [])]);
    }
    const listed = await s3Client({ bucket: BUCKET, endpoint: s3.endpoint }).send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "archive/" }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
    expect(keys.filter((k) => k?.endsWith("manifest.json"))).toEqual(
      SHARDS.flatMap((id) => range(0, 3).map((d) => `archive/shard${id}/game_logs/${iso(d)}/manifest.json`)),
    );
  });
});

/** What a rerun must not change: the ledger rows and the triggers' creation times. */
async function snapshot(conn: mysql.Connection) {
  return {
    ledger: await rows(conn, "SELECT * FROM gamedb_meta.schema_migrations ORDER BY version"),
    triggers: await rows(
      conn,
      "SELECT TRIGGER_NAME, CREATED, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'game' ORDER BY 1",
    ),
    fence: await rows(conn, "SELECT state, COUNT(*) AS n, SUM(epoch) AS e FROM gamedb_meta.slot_fence GROUP BY state"),
  };
}
