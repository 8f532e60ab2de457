// The migration runner over three MariaDB 10.11 stand-ins for three shards (tests/integration/migrations-helpers.ts):
// apply, rerun, a failure on one shard and resume, checksum drift, rollback. The tests run in order and build on
// each other's state, as an operator's runs would.
import type * as mysql from "mysql2/promise";
import { fleetStatus, migrateFleet, rollbackFleet } from "../../scripts/lib/migrations/fleet";
import { formatDrift } from "../../infra/plan/migrations/pending";
import { readMigrations } from "../../scripts/lib/migrations/read";
import { DATABASE, MigrationShards, insertPlayers, startMigrationShards } from "./migrations-helpers";

let shards: MigrationShards;

beforeAll(async () => {
  shards = await startMigrationShards(3);
});
afterAll(async () => {
  await shards?.stop();
});

async function rows(conn: mysql.Connection, sql: string, params: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const [r] = await conn.query<mysql.RowDataPacket[]>(sql, params);
  return r;
}
const ledger = (conn: mysql.Connection) =>
  rows(
    conn,
    "SELECT version, state, statements_done, duration_ms, rollback_sql, error FROM gamedb_meta.schema_migrations ORDER BY version",
  );

const V3 = [
  "-- Guilds: a column, then a unique player name (duplicates on one shard make it fail there). The pauses keep",
  "-- the timing plain: every shard is inside this migration before the unique key fails on shard 2 (1 s), and the",
  "-- others are still in it when it does (2 s), so they finish it and stop.",
  "ALTER TABLE players ADD COLUMN guild VARCHAR(32) NULL;",
  "DO SLEEP(1);",
  "ALTER TABLE players ADD UNIQUE KEY player_name (name);",
  "DO SLEEP(2);",
  "",
].join("\n");
const V4 =
  "-- gamedb:sharded scores key=player_id\nCREATE TABLE scores (player_id BIGINT UNSIGNED NOT NULL, gamedb_slot SMALLINT UNSIGNED NOT NULL, score INT NOT NULL DEFAULT 0, PRIMARY KEY (player_id), KEY gamedb_slot (gamedb_slot, player_id));\n";
const U4 = "DROP TABLE scores;\n";

describe("migrating three shards", () => {
  it("applies the project's migrations on every shard and records them", async () => {
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.ok).toBe(true);
    expect(report.shards.map((s) => [s.shard, s.outcome, s.applied, s.changed, s.pending])).toEqual([
      [1, "applied", [1, 2], [1, 2], []],
      [2, "applied", [1, 2], [1, 2], []],
      [3, "applied", [1, 2], [1, 2], []],
    ]);
    for (const id of [1, 2, 3]) {
      const conn = await shards.admin(id);
      const recorded = await ledger(conn);
      expect(recorded.map((r) => [Number(r.version), r.state, r.statements_done, r.error])).toEqual([
        [1, "applied", 1, null],
        [2, "applied", 1, null],
      ]);
      expect(recorded.every((r) => Number(r.duration_ms) >= 0)).toBe(true);
      expect(recorded[0]!.rollback_sql).toContain("DROP TABLE IF EXISTS players;");
      const tables = await rows(
        conn,
        "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1",
        [DATABASE],
      );
      expect(tables.map((t) => t.t)).toEqual(["game_logs", "players"]);
    }
    expect(report.text.split("\n")[2]).toBe("1      active  applied  V0001-V0002  -        -");
  });

  it("a rerun is a no-op: no migration statement runs, no DDL or data change reaches the servers", async () => {
    const counters = [
      "Com_alter_table",
      "Com_create_trigger",
      "Com_drop_trigger",
      "Com_drop_table",
      "Com_update",
      "Com_delete",
      "Com_create_table",
    ];
    const before = await Promise.all([1, 2, 3].map((id) => shards.status(id, counters)));
    const ledgers = await Promise.all([1, 2, 3].map(async (id) => ledger(await shards.admin(id))));
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.shards.map((s) => s.outcome)).toEqual(["up-to-date", "up-to-date", "up-to-date"]);
    // No statement, no trigger refreshed: the runner only read.
    expect(shards.events).toEqual([]);
    const after = await Promise.all([1, 2, 3].map((id) => shards.status(id, counters)));
    for (const [i, b] of before.entries()) {
      // Only the runner's own CREATE TABLE IF NOT EXISTS of the ledger and the fence table (2) are counted.
      expect(after[i]).toEqual({ ...b, Com_create_table: b.Com_create_table! + 2 });
    }
    expect(await Promise.all([1, 2, 3].map(async (id) => ledger(await shards.admin(id))))).toEqual(ledgers);
  });

  it("a statement that fails on one shard stops it there; the others finish their migration and stop", async () => {
    const s2 = await shards.admin(2);
    const [a, b] = [shards.playerOf(2), shards.playerOf(2, true, 1)];
    await insertPlayers(s2, [
      { id: a, name: "twin" },
      { id: b, name: "twin" },
    ]);
    shards.write("V0003__guilds.sql", V3);
    shards.write("V0004__scores.sql", V4);
    shards.write("U0004__scores.sql", U4);
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.ok).toBe(false);
    const [one, two, three] = report.shards;
    expect(two).toMatchObject({
      shard: 2,
      outcome: "failed",
      applied: [1, 2],
      pending: [3, 4],
      failed: { version: 3, statement: 3, line: 6 },
    });
    expect(two!.failed!.error).toMatch(
      /^V0003__guilds\.sql statement 3 \(line 6\): ER_DUP_ENTRY 1062: Duplicate entry 'twin'/,
    );
    for (const other of [one, three]) {
      expect(other).toMatchObject({ outcome: "stopped", applied: [1, 2, 3], changed: [3], pending: [4] });
      expect(other!.message).toBe("another shard failed");
    }
    expect(report.text).toContain("2      active  failed   V0001-V0002  V0003-V0004  V0003 statement 3 (line 6)");
    // Shard 2 recorded the failure and what it had done.
    const r2 = (await ledger(s2)).find((r) => Number(r.version) === 3)!;
    expect([r2.state, r2.statements_done]).toEqual(["failed", 2]);
    expect(r2.error).toContain("Duplicate entry 'twin'");
    // The status read of every shard says the same without running anything.
    const status = await fleetStatus(shards.fleetOptions());
    expect(status.shards.map((s) => [s.outcome, s.pending])).toEqual([
      ["pending", [4]],
      ["failed", [3, 4]],
      ["pending", [4]],
    ]);
  });

  it("after the cause is fixed, the failed shard resumes at the statement that failed", async () => {
    const s2 = await shards.admin(2);
    await s2.query("DELETE FROM game.players WHERE player_id = ?", [shards.playerOf(2, true, 1)]);
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.ok).toBe(true);
    expect(report.shards.map((s) => [s.outcome, s.changed, s.applied])).toEqual([
      ["applied", [4], [1, 2, 3, 4]],
      ["applied", [3, 4], [1, 2, 3, 4]],
      ["applied", [4], [1, 2, 3, 4]],
    ]);
    // Statements 1-2 (ADD COLUMN guild, the pause) are not run again: shard 2 started V0003 at statement 3.
    const v3 = shards.events.filter((e) => e.shard === 2 && "version" in e && e.version === 3);
    expect(v3[0]).toEqual({ type: "migration", shard: 2, version: 3, from: 2 });
    const sent = v3.flatMap((e) => (e.type === "statement" ? [e.index] : []));
    expect(sent[0]).toBe(2);
    expect(sent).not.toContain(0);
    const columns = await rows(
      s2,
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'game' AND TABLE_NAME = 'players' AND COLUMN_NAME = 'guild'",
    );
    expect(columns).toHaveLength(1);
  });

  it("refuses an applied migration whose file changed, naming file, shard and both checksums", async () => {
    const original = readMigrations(shards.dir).find((m) => m.version === 1)!.up;
    shards.write("V0001__players.sql", `${original.text}-- an innocent-looking edit\n`);
    try {
      const report = await migrateFleet(shards.fleetOptions());
      expect(report.ok).toBe(false);
      const changed = readMigrations(shards.dir).find((m) => m.version === 1)!.up;
      for (const s of report.shards) {
        expect(s.outcome).toBe("refused");
        expect(s.message).toBe(
          formatDrift(s.shard, {
            version: 1,
            file: "V0001__players.sql",
            applied: original.checksum,
            current: changed.checksum,
          }),
        );
        expect(s.message).toContain(`V0001__players.sql on shard ${s.shard}`);
      }
      expect(shards.events.filter((e) => e.type === "statement")).toEqual([]);
    } finally {
      shards.write("V0001__players.sql", original.text);
    }
  });

  it("rolls back only the newest applied migration, with the U file recorded when it was applied", async () => {
    const refused = await rollbackFleet(shards.fleetOptions(), 2);
    expect(refused.shards.map((s) => [s.outcome, s.message])).toEqual(
      [1, 2, 3].map((id) => [
        "refused",
        `V0002 is not the newest migration applied on shard ${id}: V0004 is; roll back V0004 first`,
      ]),
    );
    // The U file on disk changes; the rollback runs what was recorded at apply time.
    shards.write("U0004__scores.sql", "SELECT 'not this';\n");
    const report = await rollbackFleet(shards.fleetOptions(), 4);
    expect(report.shards.map((s) => [s.outcome, s.applied, s.changed, s.pending])).toEqual(
      [1, 2, 3].map(() => ["rolled-back", [1, 2, 3], [4], [4]]),
    );
    expect(shards.events.filter((e) => e.type === "statement").map((e) => (e as { sql: string }).sql)).toEqual([
      "DROP TABLE scores",
      "DROP TABLE scores",
      "DROP TABLE scores",
    ]);
    for (const id of [1, 2, 3]) {
      const conn = await shards.admin(id);
      expect(await rows(conn, "SHOW TABLES FROM game LIKE 'scores'")).toEqual([]);
      const r4 = (
        await rows(conn, "SELECT state, rolled_back_at FROM gamedb_meta.schema_migrations WHERE version = 4")
      )[0]!;
      expect(r4.state).toBe("rolled_back");
      expect(r4.rolled_back_at).not.toBeNull();
    }
    // V0003 has no U file: nothing to run.
    const noU = await rollbackFleet(shards.fleetOptions(), 3);
    expect(noU.shards[0]!.message).toBe("V0003 was applied on shard 1 without a U file: no rollback recorded");
    // A rolled-back migration is pending again and re-applies.
    shards.write("U0004__scores.sql", U4);
    const again = await migrateFleet(shards.fleetOptions());
    expect(again.shards.map((s) => [s.outcome, s.changed])).toEqual([1, 2, 3].map(() => ["applied", [4]]));
  });

  it("refuses to roll back under a later migration that ran part-way", async () => {
    shards.write("V0005__broken.sql", "CREATE TABLE trophies (id INT PRIMARY KEY);\nSELECT * FROM no_such_table;\n");
    // Shard by shard: when one shard fails, the fleet starts no further migration elsewhere, so whether the others
    // reach V0005 in one run depends on timing. Each shard alone fails at V0005's statement 2.
    for (const id of [1, 2, 3]) {
      const opts = shards.fleetOptions();
      const one = { ...opts, config: { ...opts.config, shards: opts.config.shards.filter((s) => s.id === id) } };
      const failed = await migrateFleet(one);
      expect(failed.shards.map((s) => [s.shard, s.failed?.statement])).toEqual([[id, 2]]);
    }
    const report = await rollbackFleet(shards.fleetOptions(), 4);
    expect(report.shards.map((s) => [s.outcome, s.message])).toEqual(
      [1, 2, 3].map((id) => [
        "refused",
        `V0005 is failed on shard ${id} after V0004 (statements 1-1 ran): resume it or repair the shard before ` +
          "rolling back V0004",
      ]),
    );
  });
});
