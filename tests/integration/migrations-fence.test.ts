// The slot fence and the sharded-table contract as the migration runner installs them, on three MariaDB 10.11
// stand-ins for three shards (migrations-helpers.ts): fence rows from the slot map (never overwriting a slot that
// is mid-move), triggers on every sharded table that refuse a write to a slot the shard does not own, triggers
// refreshed when missing or stale (never leaving the table unfenced), a table declared sharded without gamedb_slot
// stopping its migration, and one runner per shard at a time.
import type * as mysql from "mysql2/promise";
import { FENCE_ERRNO, parseFenceSignal } from "../../infra/contracts/slotFence";
import { keySlot } from "../../infra/contracts/slots";
import { migrateFleet } from "../../scripts/lib/migrations/fleet";
import { LOCK_NAME } from "../../scripts/lib/migrations/runner";
import { MigrationShards, insertPlayers, startMigrationShards } from "./migrations-helpers";

let shards: MigrationShards;

beforeAll(async () => {
  shards = await startMigrationShards(3);
  const report = await migrateFleet(shards.fleetOptions());
  expect(report.ok).toBe(true);
});
afterAll(async () => {
  await shards?.stop();
});

async function rows(conn: mysql.Connection, sql: string, params: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const [r] = await conn.query<mysql.RowDataPacket[]>(sql, params);
  return r;
}

describe("the fence on every shard", () => {
  it("has a row per slot: the shard's own slots owned, every other slot moved to its owner", async () => {
    for (const id of [1, 2, 3]) {
      const conn = await shards.admin(id);
      const byState = await rows(
        conn,
        "SELECT state, owner_shard AS owner, COUNT(*) AS n, MIN(slot) AS lo, MAX(slot) AS hi FROM gamedb_meta.slot_fence GROUP BY state, owner_shard ORDER BY owner_shard",
      );
      const range = shards.config.slotMap.find((r) => r.shard === id)!;
      expect(byState.map((r) => [r.state, Number(r.owner), Number(r.n)])).toEqual(
        shards.config.slotMap.map((r) => [r.shard === id ? "owned" : "moved", r.shard, r.to - r.from + 1]),
      );
      expect(byState.find((r) => r.state === "owned")).toMatchObject({ lo: range.from, hi: range.to });
      const triggers = await rows(
        conn,
        "SELECT EVENT_OBJECT_TABLE AS t, TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = 'game' ORDER BY 1, 2",
      );
      expect(triggers.map((r) => `${r.t}:${r.n}`)).toEqual([
        "game_logs:gamedb_fence_bd_game_logs",
        "game_logs:gamedb_fence_bi_game_logs",
        "game_logs:gamedb_fence_bu_game_logs",
        "players:gamedb_fence_bd_players",
        "players:gamedb_fence_bi_players",
        "players:gamedb_fence_bu_players",
      ]);
    }
  });

  it("refuses a write to a slot the shard does not own with GAMEDB_MOVED naming the owner", async () => {
    const s1 = await shards.admin(1);
    const own = shards.playerOf(1);
    await insertPlayers(s1, [{ id: own }]);
    const foreign = shards.playerOf(2);
    let error: { errno?: number; sqlMessage?: string } | undefined;
    try {
      await insertPlayers(s1, [{ id: foreign }]);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error?.errno).toBe(FENCE_ERRNO);
    expect(parseFenceSignal(error!.sqlMessage!)).toEqual({ kind: "moved", slot: keySlot(foreign), shard: 2, epoch: 0 });
    // The partitioned game log is fenced too.
    await expect(
      s1.query(
        "INSERT INTO game.game_logs (player_id, gamedb_slot, logged_at, event) VALUES (?, ?, '2024-06-01', 'x')",
        [foreign, keySlot(foreign)],
      ),
    ).rejects.toMatchObject({ sqlMessage: `GAMEDB_MOVED slot=${keySlot(foreign)} shard=2 epoch=0` });
    await s1.query(
      "INSERT INTO game.game_logs (player_id, gamedb_slot, logged_at, event) VALUES (?, ?, '2024-06-01', 'x')",
      [own, keySlot(own)],
    );
  });

  it("a rerun never overwrites a fence row a slot move changed, and refreshes a missing trigger", async () => {
    const s1 = await shards.admin(1);
    const slot = keySlot(shards.playerOf(1));
    await s1.query("UPDATE gamedb_meta.slot_fence SET state = 'frozen', epoch = 7 WHERE slot = ?", [slot]);
    await s1.query("DROP TRIGGER game.gamedb_fence_bu_players");
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.shards.map((s) => s.outcome)).toEqual(["up-to-date", "up-to-date", "up-to-date"]);
    expect(shards.events).toEqual([{ type: "fence", shard: 1, table: "players" }]);
    expect(await rows(s1, "SELECT state, epoch FROM gamedb_meta.slot_fence WHERE slot = ?", [slot])).toEqual([
      { state: "frozen", epoch: 7 },
    ]);
    expect(
      await rows(
        s1,
        "SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_NAME = 'gamedb_fence_bu_players'",
      ),
    ).toHaveLength(1);
    await s1.query("UPDATE gamedb_meta.slot_fence SET state = 'owned', epoch = 0 WHERE slot = ?", [slot]);
  });

  it("refreshes a trigger whose body differs without a moment when the table is unfenced", async () => {
    const s1 = await shards.admin(1);
    await s1.query("DROP TRIGGER game.gamedb_fence_bi_players");
    await s1.query("CREATE TRIGGER game.gamedb_fence_bi_players BEFORE INSERT ON game.players FOR EACH ROW SET @x = 1");
    const foreign = shards.playerOf(1, false, 100);
    const probes: unknown[] = [];
    const base = shards.fleetOptions();
    // Right after the runner drops the stale trigger, another session writes to a slot the shard does not own.
    const watched = (conn: mysql.Connection) =>
      new Proxy(conn, {
        get(target, key) {
          const value = Reflect.get(target, key, target) as unknown;
          if (key !== "query") return typeof value === "function" ? value.bind(target) : value;
          return async (...args: Parameters<mysql.Connection["query"]>) => {
            const result = await target.query(...args);
            if ((args[0] as unknown) === "DROP TRIGGER IF EXISTS `game`.`gamedb_fence_bi_players`") {
              probes.push(
                await insertPlayers(s1, [{ id: foreign }]).then(
                  () => "written",
                  (e) => e.errno,
                ),
              );
            }
            return result;
          };
        },
      });
    const report = await migrateFleet({ ...base, connect: async (s) => watched(await base.connect(s)) });
    expect(report.shards.map((s) => s.outcome)).toEqual(["up-to-date", "up-to-date", "up-to-date"]);
    expect(shards.events).toEqual([{ type: "fence", shard: 1, table: "players" }]);
    expect(probes).toEqual([FENCE_ERRNO]);
    const triggers = await rows(
      s1,
      "SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_TABLE = 'players' ORDER BY 1",
    );
    expect(triggers.map((r) => r.n)).toEqual([
      "gamedb_fence_bd_players",
      "gamedb_fence_bi_players",
      "gamedb_fence_bu_players",
    ]);
  });
});

describe("the sharded-table contract", () => {
  const BAD =
    "-- gamedb:sharded inventory key=player_id\nCREATE TABLE inventory (player_id BIGINT UNSIGNED NOT NULL, item INT NOT NULL, PRIMARY KEY (player_id, item));\n";

  it("stops the migration that leaves a sharded table without gamedb_slot, naming table and fix", async () => {
    shards.write("V0003__inventory.sql", BAD);
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.ok).toBe(false);
    const failed = report.shards.find((s) => s.outcome === "failed")!;
    expect(failed.failed).toMatchObject({ version: 3, statement: 2 });
    expect(failed.message).toBe(
      "after its statements: table inventory does not honour the sharded-table contract: game.inventory has no " +
        "gamedb_slot column: add gamedb_slot SMALLINT UNSIGNED NOT NULL (the key's slot); game.inventory has no " +
        "index beginning with gamedb_slot: make the primary key (gamedb_slot, <id>) or add an index on " +
        "(gamedb_slot, ...) (the mover and the checksums read the table slot by slot)",
    );
    const conn = await shards.admin(failed.shard);
    const r = (
      await rows(conn, "SELECT state, statements_done FROM gamedb_meta.schema_migrations WHERE version = 3")
    )[0]!;
    expect([r.state, r.statements_done]).toEqual(["failed", 1]);
  });

  it("resumes once the file adds what the contract needs, and fences the table", async () => {
    shards.write(
      "V0003__inventory.sql",
      `${BAD}ALTER TABLE inventory ADD COLUMN gamedb_slot SMALLINT UNSIGNED NOT NULL DEFAULT 0, ADD KEY gamedb_slot (gamedb_slot, player_id);\n`,
    );
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.ok).toBe(true);
    expect(report.shards.map((s) => s.applied)).toEqual([1, 2, 3].map(() => [1, 2, 3]));
    expect(
      shards.events
        .filter((e) => e.type === "fence")
        .map((e) => e.shard)
        .sort(),
    ).toEqual([1, 2, 3]);
    const s3 = await shards.admin(3);
    const foreign = shards.playerOf(1);
    await expect(
      s3.query("INSERT INTO game.inventory VALUES (?, 1, ?)", [foreign, keySlot(foreign)]),
    ).rejects.toMatchObject({
      errno: FENCE_ERRNO,
    });
  });

  it("refuses a shard key that is not a column of the table", async () => {
    shards.write(
      "V0004__badges.sql",
      "-- gamedb:sharded badges key=owner_id\nCREATE TABLE badges (player_id BIGINT UNSIGNED NOT NULL, gamedb_slot SMALLINT UNSIGNED NOT NULL, PRIMARY KEY (gamedb_slot, player_id));\n",
    );
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.shards.find((s) => s.outcome === "failed")!.message).toContain(
      "table badges does not honour the sharded-table contract: game.badges has no column owner_id, its declared shard key",
    );
    shards.remove("V0004__badges.sql");
  });
});

describe("one runner per shard", () => {
  it("refuses to run while another session holds the migration lock", async () => {
    const holder = await shards.fleet.servers[1]!.connect();
    try {
      await holder.query("SELECT GET_LOCK(?, 0)", [LOCK_NAME]);
      const report = await migrateFleet(shards.fleetOptions());
      expect(report.shards.find((s) => s.shard === 2)).toMatchObject({
        outcome: "refused",
        message: `another migration run holds the lock ${LOCK_NAME} on shard 2`,
      });
    } finally {
      await holder.end();
    }
  });
});
