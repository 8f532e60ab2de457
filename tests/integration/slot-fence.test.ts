// The slot fence (infra/contracts/slotFence.ts) and the sharded-table check (infra/contracts/shardedTable.ts,
// client/src/tableDefinition.ts) on real servers: two MariaDB 10.11 stand-ins for two shards' primaries, each with
// gamedb_meta.slot_fence and a fenced `players` table, written to through mysql2 as a game server would. Shard 1
// (server 0) owns slots 0-8191, shard 2 (server 1) owns 8192-16383. Not MySQL 8.4: the SQL used is the subset both
// accept (see slotFence.ts's citations).
import * as mysql from "mysql2/promise";
import { describeTable } from "../../client/src/tableDefinition";
import { checkShardedTable } from "../../infra/contracts/shardedTable";
import {
  FENCE_ERRNO,
  FENCE_SQLSTATE,
  FenceSignal,
  MOVER_ACCOUNT,
  fenceRowsSql,
  fenceSchemaSql,
  fenceTriggersSql,
  ownedSlotsJoin,
  parseFenceSignal,
} from "../../infra/contracts/slotFence";
import { MariaDbFleet, MariaDbServer, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";

const MAP = [
  { from: 0, to: 8191, shard: 1 },
  { from: 8192, to: 16383, shard: 2 },
];
const PLAYERS =
  "CREATE TABLE IF NOT EXISTS game.players (player_id BIGINT UNSIGNED NOT NULL, gamedb_slot SMALLINT UNSIGNED " +
  "NOT NULL, name VARCHAR(64), PRIMARY KEY (gamedb_slot, player_id)) ENGINE=InnoDB";

let fleet: MariaDbFleet;
let root: mysql.Connection[] = [];
const opened: mysql.Connection[] = [];

async function run(conn: mysql.Connection, statements: string[]): Promise<void> {
  for (const sql of statements) await conn.query(sql);
}

/** Everything a shard's installation runs, in order; re-runnable. */
async function install(conn: mysql.Connection, shard: number): Promise<void> {
  await run(conn, fenceSchemaSql());
  await run(conn, fenceRowsSql(shard, MAP));
  await run(conn, ["CREATE DATABASE IF NOT EXISTS game", PLAYERS]);
  await run(conn, fenceTriggersSql("game", "players"));
}

async function connect(server: MariaDbServer, user = "root"): Promise<mysql.Connection> {
  const conn = await server.connect({ user });
  opened.push(conn);
  return conn;
}

/** The signal of a refused write; fails the test unless the server refused it the fence's way. */
async function refused(write: Promise<unknown>): Promise<FenceSignal | undefined> {
  try {
    await write;
  } catch (e) {
    const err = e as { errno?: number; sqlState?: string; sqlMessage?: string };
    expect([err.errno, err.sqlState]).toEqual([FENCE_ERRNO, FENCE_SQLSTATE]);
    return parseFenceSignal(err.sqlMessage ?? "");
  }
  throw new Error("the write was not refused");
}

async function setFence(slot: number, state: string, owner: number, epoch = 0, conn = root[0]!): Promise<void> {
  await conn.query("UPDATE gamedb_meta.slot_fence SET state = ?, owner_shard = ?, epoch = ? WHERE slot = ?", [
    state,
    owner,
    epoch,
    slot,
  ]);
}

async function count(conn: mysql.Connection, sql: string, params: unknown[] = []): Promise<number> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(sql, params);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  fleet = await startMariaDbFleet(2);
  root = await Promise.all(fleet.servers.map((s) => connect(s)));
  await install(root[0]!, 1);
  await install(root[1]!, 2);
  for (const conn of root) {
    // Test accounts without passwords (private loopback servers): the mover, a game server, and two names that
    // only look like the mover's.
    for (const user of [MOVER_ACCOUNT, "gameserver", "GAMEDB_MOVER", `${MOVER_ACCOUNT}@x`]) {
      await conn.query("CREATE USER IF NOT EXISTS ?@'%'", [user]);
      await conn.query("GRANT SELECT, INSERT, UPDATE, DELETE ON game.* TO ?@'%'", [user]);
    }
  }
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
  await fleet?.stopAll();
});

describe("slot fence on MariaDB 10.11 stand-ins: who may write where", () => {
  let game: mysql.Connection;
  beforeAll(async () => {
    game = await connect(fleet.servers[0]!, "gameserver");
  });

  it("lets writes to an owned slot through (the writer needs no privilege on gamedb_meta)", async () => {
    await game.query("INSERT INTO game.players VALUES (1, 100, 'ann'), (2, 101, 'bob')");
    await game.query("UPDATE game.players SET name = 'anna' WHERE gamedb_slot = 100 AND player_id = 1");
    await game.query("INSERT INTO game.players VALUES (2, 101, 'x') ON DUPLICATE KEY UPDATE name = 'bobby'");
    await game.query("DELETE FROM game.players WHERE gamedb_slot = 101");
    const [rows] = await game.query<mysql.RowDataPacket[]>(
      "SELECT player_id, name FROM game.players WHERE gamedb_slot IN (100, 101)",
    );
    expect(rows.map((r) => ({ ...r }))).toEqual([{ player_id: 1, name: "anna" }]);
    await expect(game.query("SELECT * FROM gamedb_meta.slot_fence LIMIT 1")).rejects.toMatchObject({ errno: 1142 });
  });

  it("refuses insert, update and delete on a moved slot with MOVED to its owner", async () => {
    expect(await refused(game.query("INSERT INTO game.players VALUES (3, 9000, 'cy')"))).toEqual({
      kind: "moved",
      slot: 9000,
      shard: 2,
      epoch: 0,
    });
    await game.query("INSERT INTO game.players VALUES (4, 200, 'dee')");
    await setFence(200, "moved", 2, 5);
    const moved = { kind: "moved", slot: 200, shard: 2, epoch: 5 };
    expect(await refused(game.query("UPDATE game.players SET name = 'd' WHERE gamedb_slot = 200"))).toEqual(moved);
    expect(await refused(game.query("DELETE FROM game.players WHERE player_id = 4"))).toEqual(moved);
    expect(await refused(game.query("REPLACE INTO game.players VALUES (4, 200, 'dd')"))).toEqual(moved);
    expect(
      await count(root[0]!, "SELECT COUNT(*) AS n FROM game.players WHERE gamedb_slot = 200 AND name = 'dee'"),
    ).toBe(1);
  });

  it("answers MOVED to the current owner for an importing slot, TRYAGAIN for a frozen one", async () => {
    await setFence(300, "importing", 2, 7);
    expect(await refused(game.query("INSERT INTO game.players VALUES (5, 300, 'e')"))).toEqual({
      kind: "moved",
      slot: 300,
      shard: 2,
      epoch: 7,
    });
    await game.query("INSERT INTO game.players VALUES (6, 301, 'f')");
    await setFence(301, "frozen", 1);
    expect(await refused(game.query("INSERT INTO game.players VALUES (7, 301, 'g')"))).toEqual({
      kind: "tryagain",
      slot: 301,
    });
    expect(await refused(game.query("UPDATE game.players SET name = 'h' WHERE gamedb_slot = 301"))).toEqual({
      kind: "tryagain",
      slot: 301,
    });
    expect(await refused(game.query("DELETE FROM game.players WHERE gamedb_slot = 301"))).toEqual({
      kind: "tryagain",
      slot: 301,
    });
  });

  it("refuses a slot without a fence row (UNFENCED), also above the slot space", async () => {
    await root[0]!.query("DELETE FROM gamedb_meta.slot_fence WHERE slot = 400");
    expect(await refused(game.query("INSERT INTO game.players VALUES (8, 400, 'i')"))).toEqual({
      kind: "unfenced",
      slot: 400,
    });
    expect(await refused(game.query("INSERT INTO game.players VALUES (8, 20000, 'i')"))).toEqual({
      kind: "unfenced",
      slot: 20000,
    });
  });

  it("refuses an update that changes gamedb_slot, for every account", async () => {
    await game.query("INSERT INTO game.players VALUES (9, 500, 'j')");
    const change = game.query("UPDATE game.players SET gamedb_slot = 501 WHERE player_id = 9");
    expect(await refused(change)).toEqual({ kind: "slotChange", from: 500, to: 501 });
    const mover = await connect(fleet.servers[0]!, MOVER_ACCOUNT);
    expect(await refused(mover.query("UPDATE game.players SET gamedb_slot = 9000 WHERE player_id = 9"))).toEqual({
      kind: "slotChange",
      from: 500,
      to: 9000,
    });
  });

  it("lets the mover account write anywhere, and nobody else under a look-alike name", async () => {
    const mover = await connect(fleet.servers[0]!, MOVER_ACCOUNT);
    await setFence(600, "importing", 2);
    await mover.query("INSERT INTO game.players VALUES (10, 600, 'copied'), (11, 9001, 'stray')");
    await mover.query("UPDATE game.players SET name = 'copied2' WHERE gamedb_slot = 600");
    await mover.query("DELETE FROM game.players WHERE gamedb_slot = 9001");
    expect(
      await count(root[0]!, "SELECT COUNT(*) AS n FROM game.players WHERE gamedb_slot = 600 AND name = 'copied2'"),
    ).toBe(1);
    for (const user of ["GAMEDB_MOVER", `${MOVER_ACCOUNT}@x`]) {
      const other = await connect(fleet.servers[0]!, user);
      const [[who]] = await other.query<mysql.RowDataPacket[]>("SELECT USER() AS u");
      expect(String(who!.u)).toMatch(/^(GAMEDB_MOVER|gamedb_mover@x)@127\.0\.0\.1$/);
      expect(await refused(other.query("INSERT INTO game.players VALUES (12, 600, 'no')"))).toMatchObject({
        kind: "moved",
      });
    }
  });
});

describe("slot fence on MariaDB 10.11 stand-ins: freezing a range is a barrier", () => {
  const S = 700;
  it("waits for an open writer of the range, then refuses writers after it; other slots stay writable", async () => {
    const server = fleet.servers[0]!;
    const [a, mover, late, other] = await Promise.all([
      connect(server, "gameserver"),
      connect(server),
      connect(server, "gameserver"),
      connect(server, "gameserver"),
    ]);
    await a.beginTransaction();
    await a.query("INSERT INTO game.players VALUES (20, ?, 'open')", [S]);

    const HOLD_MS = 800;
    const freezeStart = Date.now();
    let freezeDone = 0;
    const freeze = mover
      .query("UPDATE gamedb_meta.slot_fence SET state = 'frozen' WHERE slot BETWEEN ? AND ?", [S, S + 9])
      .then(() => (freezeDone = Date.now()));
    await new Promise((r) => setTimeout(r, 150));
    expect(freezeDone).toBe(0); // still waiting for A's shared lock on the fence row
    // A writer of the same slot arriving now queues behind the freeze and sees `frozen` once it runs. (The freeze
    // locks its rows in slot order as it reaches them: a write to S + 1 now would still pass, before the freeze.)
    const queued = refused(late.query("INSERT INTO game.players VALUES (21, ?, 'late')", [S]));
    const otherStart = Date.now();
    await other.query("INSERT INTO game.players VALUES (22, ?, 'elsewhere')", [S + 10]);
    const otherMs = Date.now() - otherStart;

    await new Promise((r) => setTimeout(r, HOLD_MS - (Date.now() - freezeStart)));
    expect(freezeDone).toBe(0);
    await a.commit();
    await freeze;
    const waited = freezeDone - freezeStart;
    expect(waited).toBeGreaterThanOrEqual(HOLD_MS - 50);
    expect(await queued).toEqual({ kind: "tryagain", slot: S });
    expect(await refused(late.query("INSERT INTO game.players VALUES (23, ?, 'after')", [S + 9]))).toEqual({
      kind: "tryagain",
      slot: S + 9,
    });
    expect(otherMs).toBeLessThan(HOLD_MS / 2);
    await other.query("UPDATE game.players SET name = 'still' WHERE gamedb_slot = ?", [S + 10]);
    // A's write committed before the freeze took effect.
    expect(await count(root[0]!, "SELECT COUNT(*) AS n FROM game.players WHERE gamedb_slot = ?", [S])).toBe(1);
  });
});

describe("slot fence on MariaDB 10.11 stand-ins: installation", () => {
  it("is idempotent and keeps rows a move changed", async () => {
    const conn = root[0]!;
    await setFence(800, "moved", 2, 9);
    await setFence(801, "frozen", 1, 3);
    await install(conn, 1); // restores slot 400's row, deleted above, as the map says
    expect(
      await count(conn, "SELECT COUNT(*) AS n FROM gamedb_meta.slot_fence WHERE slot = 400 AND state = 'owned'"),
    ).toBe(1);
    const [before] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT slot, state, owner_shard, epoch FROM gamedb_meta.slot_fence ORDER BY slot",
    );
    await install(conn, 1);
    await install(conn, 1);
    const [after] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT slot, state, owner_shard, epoch FROM gamedb_meta.slot_fence ORDER BY slot",
    );
    expect(after).toEqual(before);
    expect(after.find((r) => r.slot === 800)).toMatchObject({ state: "moved", owner_shard: 2, epoch: 9 });
    expect(after.find((r) => r.slot === 801)).toMatchObject({ state: "frozen", owner_shard: 1, epoch: 3 });
    expect(await count(conn, "SELECT COUNT(*) AS n FROM gamedb_meta.slot_fence")).toBe(16384);
    expect(
      await count(conn, "SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_TABLE = 'players'"),
    ).toBe(3);
    const game = await connect(fleet.servers[0]!, "gameserver");
    expect(await refused(game.query("INSERT INTO game.players VALUES (30, 800, 'x')"))).toEqual({
      kind: "moved",
      slot: 800,
      shard: 2,
      epoch: 9,
    });
  });

  it("gives a new shard that owns nothing only moved rows", async () => {
    const conn = root[1]!;
    await run(conn, [
      "CREATE DATABASE IF NOT EXISTS newshard",
      "CREATE TABLE IF NOT EXISTS newshard.f LIKE gamedb_meta.slot_fence",
    ]);
    await run(
      conn,
      fenceRowsSql(3, MAP).map((sql) => sql.replace("`gamedb_meta`.`slot_fence`", "newshard.f")),
    );
    expect(
      await count(
        conn,
        "SELECT COUNT(*) AS n FROM newshard.f WHERE state = 'moved' AND owner_shard = IF(slot < 8192, 1, 2)",
      ),
    ).toBe(16384);
  });
});

describe("scatter queries on MariaDB 10.11 stand-ins count a slot once during a move", () => {
  it("skip importing copies and moved leftovers with ownedSlotsJoin", async () => {
    const [s1, s2] = root as [mysql.Connection, mysql.Connection];
    const mover = await Promise.all(fleet.servers.map((s) => connect(s, MOVER_ACCOUNT)));
    const rows = "VALUES (40, 1000, 'a'), (41, 1000, 'b'), (42, 1001, 'c')";
    await s1.query(`INSERT INTO game.players ${rows}`); // shard 1 owns 1000-1001
    await setFence(1000, "importing", 1, 0, s2);
    await setFence(1001, "importing", 1, 0, s2);
    await mover[1]!.query(`INSERT INTO game.players ${rows}`); // the mover's copy on shard 2
    const scatter = `SELECT COUNT(*) AS n FROM game.players AS p ${ownedSlotsJoin("p")} WHERE p.gamedb_slot IN (1000, 1001)`;
    const naive = "SELECT COUNT(*) AS n FROM game.players WHERE gamedb_slot IN (1000, 1001)";
    const total = async (sql: string) => (await count(s1, sql)) + (await count(s2, sql));
    expect([await total(naive), await total(scatter)]).toEqual([6, 3]);
    for (const slot of [1000, 1001]) await setFence(slot, "frozen", 1, 0, s1);
    expect(await total(scatter)).toBe(3);
    // The switch: the source's rows stay until cleanup, the target owns the slots.
    for (const slot of [1000, 1001]) await setFence(slot, "moved", 2, 1, s1);
    for (const slot of [1000, 1001]) await setFence(slot, "owned", 2, 1, s2);
    expect([await total(naive), await total(scatter)]).toEqual([6, 3]);
  });
});

describe("sharded-table check on MariaDB 10.11 stand-ins", () => {
  beforeAll(async () => {
    await run(root[0]!, [
      "CREATE TABLE IF NOT EXISTS game.guilds (guild_id BIGINT UNSIGNED PRIMARY KEY, name VARCHAR(64))",
      "CREATE TABLE IF NOT EXISTS game.items (item_id BIGINT UNSIGNED PRIMARY KEY, gamedb_slot SMALLINT UNSIGNED NOT NULL)",
      "CREATE TABLE IF NOT EXISTS game.bag (item_id BIGINT UNSIGNED, gamedb_slot SMALLINT UNSIGNED NOT NULL, " +
        "PRIMARY KEY (item_id), KEY by_slot (gamedb_slot, item_id))",
      "CREATE TABLE IF NOT EXISTS game.loose (id BIGINT UNSIGNED PRIMARY KEY, gamedb_slot INT NULL)",
    ]);
    await run(root[0]!, fenceTriggersSql("game", "items"));
  });

  it("finds nothing wrong with the fenced players table", async () => {
    const def = await describeTable(root[0]!, "game", "players");
    expect(def.columns.find((c) => c.name === "gamedb_slot")).toEqual({
      name: "gamedb_slot",
      columnType: "smallint(5) unsigned",
      nullable: false,
    });
    expect(def.indexes).toEqual([{ name: "PRIMARY", columns: ["gamedb_slot", "player_id"], unique: true }]);
    expect(def.triggers).toEqual(["gamedb_fence_bd_players", "gamedb_fence_bi_players", "gamedb_fence_bu_players"]);
    expect(checkShardedTable(def)).toEqual([]);
  });

  it("names what a table lacks", async () => {
    const problemsOf = async (table: string) => checkShardedTable(await describeTable(root[0]!, "game", table));
    expect(await problemsOf("guilds")).toEqual([
      expect.stringMatching(/^game\.guilds has no gamedb_slot column/),
      expect.stringMatching(/^game\.guilds has no index beginning with gamedb_slot/),
      expect.stringMatching(/^game\.guilds has no fence trigger gamedb_fence_bi_guilds/),
      expect.stringMatching(/^game\.guilds has no fence trigger gamedb_fence_bu_guilds/),
      expect.stringMatching(/^game\.guilds has no fence trigger gamedb_fence_bd_guilds/),
    ]);
    expect(await problemsOf("items")).toEqual([
      expect.stringMatching(/^game\.items has no index beginning with gamedb_slot/),
    ]);
    expect(await problemsOf("bag")).toEqual([
      expect.stringMatching(/gamedb_fence_bi_bag/),
      expect.stringMatching(/gamedb_fence_bu_bag/),
      expect.stringMatching(/gamedb_fence_bd_bag/),
    ]);
    const loose = await problemsOf("loose");
    expect(loose.slice(0, 3)).toEqual([
      "game.loose.gamedb_slot is int(11): make it SMALLINT UNSIGNED (slots are 0-16383)",
      expect.stringMatching(/allows NULL/),
      expect.stringMatching(/no index beginning with gamedb_slot/),
    ]);
  });

  it("refuses a missing table and reads through a pool too", async () => {
    await expect(describeTable(root[0]!, "game", "nosuch")).rejects.toThrow(
      "table game.nosuch does not exist (or this account has no privilege on it)",
    );
    const pool = mysql.createPool({
      host: "127.0.0.1",
      port: fleet.servers[0]!.port,
      user: "root",
      connectionLimit: 1,
    });
    try {
      expect(checkShardedTable(await describeTable(pool, "game", "players"))).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
