// The mover's preflight (scripts/lib/mover/preflight.ts, shardTables.ts) on MariaDB 10.11 stand-ins, as the mover
// account with the grants the brief gives it: the binlog variables as the stand-ins set them (and as MariaDB's
// defaults leave them), the decision to accept MariaDB's log_bin_compress checked by decoding a compressed binlog
// with zongji 0.9.0, and each shard's tables, fence and range for a move's source and target.
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as mysql from "mysql2/promise";
import { MOVER_ACCOUNT, fenceTriggersSql } from "../../infra/contracts/slotFence";
import { initControl } from "../../scripts/lib/mover/control";
import { epochProblems, preflight, shardProblems } from "../../scripts/lib/mover/preflight";
import { compareShardTables, shardedTables } from "../../scripts/lib/mover/shardTables";
import { MOVER_PASSWORD, MoverStandins, fillPlayers, setFence, startMoverStandins } from "./mover-standins";

const MAP = [
  { from: 0, to: 8191, shard: 1 },
  { from: 8192, to: 16383, shard: 2 },
];
const RANGE = { from: 1000, to: 1999 };

let s: MoverStandins;
/** One server with MariaDB's default binlog_row_metadata (NO_LOG) and log_bin_compress ON. */
let plain: MoverStandins;
let mover1: mysql.Connection;
let mover2: mysql.Connection;

beforeAll(async () => {
  [s, plain] = await Promise.all([
    startMoverStandins(2, MAP),
    startMoverStandins(1, MAP, { extraArgs: ["--log-bin-trust-function-creators=1", "--log-bin-compress=ON"] }),
  ]);
  [mover1, mover2] = await Promise.all([s.mover(1), s.mover(2)]);
}, 120_000);
afterAll(async () => {
  await Promise.all([s?.stop(), plain?.stop()]);
});

describe("binlog preflight on stand-ins", () => {
  it("passes a stand-in started as the mover needs (ROW, FULL images, FULL metadata; GTIDs always on)", async () => {
    expect(await preflight(mover1, "mariadb", { label: "source shard 1" })).toEqual([]);
    // The same server judged by MySQL 8.4's rules lacks MySQL's variables, each named.
    expect((await preflight(mover1, "mysql")).map((p) => p.split(" ")[0])).toEqual([
      "binlog_transaction_compression",
      "binlog_row_value_options",
      "binlog_order_commits",
      "enforce_gtid_consistency",
      "gtid_mode",
    ]);
  });

  it("has no Group Replication (so no rule of it applies) and no binlog_order_commits on MariaDB", async () => {
    const [vars] = await mover1.query<mysql.RowDataPacket[]>(
      "SHOW GLOBAL VARIABLES WHERE Variable_name LIKE 'group\\_replication%' OR Variable_name = 'binlog_order_commits'",
    );
    expect(vars).toEqual([]);
  });

  it("refuses MariaDB's default binlog_row_metadata, and passes once the fix it names is applied", async () => {
    const conn = await plain.mover(1);
    expect(await preflight(conn, "mariadb", { label: "target shard 3" })).toEqual([
      "target shard 3: binlog_row_metadata is NO_LOG; the mover needs FULL (the stream decodes rows with the " +
        "column metadata of the binlog itself): SET GLOBAL binlog_row_metadata = 'FULL', and binlog_row_metadata = " +
        "FULL under [mariadbd] in the option file (MariaDB has no SET PERSIST)",
    ]);
    const root = await plain.root(1);
    await root.query("SET GLOBAL binlog_row_metadata = 'FULL'");
    expect(await preflight(conn, "mariadb")).toEqual([]);
  });

  it("accepts log_bin_compress: zongji decodes MariaDB's compressed row events", async () => {
    const root = await plain.root(1);
    const [[v]] = await root.query<mysql.RowDataPacket[]>("SELECT @@log_bin_compress AS c");
    expect(Number(v!.c)).toBe(1);
    await root.query(
      "CREATE TABLE game.notes (gamedb_slot SMALLINT UNSIGNED NOT NULL, id BIGINT UNSIGNED NOT NULL, body TEXT, " +
        "PRIMARY KEY (gamedb_slot, id))",
    );
    const reader = await zongjiReader(plain.port(1));
    try {
      const long = "z".repeat(400); // log_bin_compress_min_len is 256: shorter events stay uncompressed
      await root.query("INSERT INTO game.notes VALUES (7, 9007199254740993, ?)", [long]);
      await root.query("UPDATE game.notes SET body = CONCAT('u', body) WHERE id = 9007199254740993");
      await root.query("DELETE FROM game.notes WHERE id = 9007199254740993");
      const events = await reader.next(3);
      expect(events.map((e) => e.name)).toEqual(["writerows", "updaterows", "deleterows"]);
      const row = { gamedb_slot: 7, id: "9007199254740993", body: long };
      expect(events[0]!.rows).toEqual([row]);
      expect(events[1]!.rows).toEqual([{ before: row, after: { ...row, body: `u${long}` } }]);
      expect(events[2]!.rows).toEqual([{ ...row, body: `u${long}` }]);
      const types = await binlogEventTypes(root);
      expect(types).toEqual(
        expect.arrayContaining(["Write_rows_compressed_v1", "Update_rows_compressed_v1", "Delete_rows_compressed_v1"]),
      );
    } finally {
      reader.stop();
      await root.query("DROP TABLE game.notes");
    }
  });
});

/** Event types in the server's binlog files, for proof that the events above were written compressed. */
async function binlogEventTypes(root: mysql.Connection): Promise<string[]> {
  const [logs] = await root.query<mysql.RowDataPacket[]>("SHOW BINARY LOGS");
  const types: string[] = [];
  for (const log of logs) {
    const [events] = await root.query<mysql.RowDataPacket[]>(`SHOW BINLOG EVENTS IN '${String(log.Log_name)}'`);
    types.push(...events.map((e) => String(e.Event_type)));
  }
  return types;
}

interface RowEvent {
  name: string;
  rows: unknown[];
}

/** zongji (ESM-only) in a child node process, following the server from its end, one JSON line per row event. */
async function zongjiReader(port: number): Promise<{ next(n: number): Promise<RowEvent[]>; stop(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-zongji-"));
  const script = path.join(dir, "read.mjs");
  const zongji = path.resolve(__dirname, "../../node_modules/@vlasky/zongji/index.js");
  fs.writeFileSync(
    script,
    `import ZongJi from ${JSON.stringify(zongji)};
const z = new ZongJi({ host: "127.0.0.1", port: ${port}, user: ${JSON.stringify(MOVER_ACCOUNT)},
  password: process.env.MOVER_PASSWORD, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
z.on("ready", () => console.log(JSON.stringify({ ready: true })));
z.on("error", (e) => { console.log(JSON.stringify({ error: String(e && e.message) })); process.exit(1); });
z.on("binlog", (e) => {
  const name = e.getEventName();
  if (["writerows", "updaterows", "deleterows"].includes(name)) console.log(JSON.stringify({ name, rows: e.rows }));
});
z.start({ startAtEnd: true, serverId: 4000000099, includeEvents: ["tablemap", "writerows", "updaterows", "deleterows"] });
`,
  );
  const child: ChildProcess = spawn(process.execPath, [script], {
    env: { ...process.env, MOVER_PASSWORD },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = "";
  let wake = () => undefined as void;
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop()!;
    lines.push(...parts.filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>));
    wake();
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  const waitFor = async (ok: () => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    while (!ok()) {
      const failed = lines.find((l) => "error" in l);
      if (failed) throw new Error(`zongji: ${String(failed.error)}`);
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`zongji: no ${what}; stderr: ${stderr}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 100);
      });
    }
  };
  await waitFor(() => lines.some((l) => l.ready), "ready");
  return {
    async next(n) {
      await waitFor(() => lines.filter((l) => "name" in l).length >= n, `${n} row events`);
      return lines.filter((l) => "name" in l).slice(0, n) as unknown as RowEvent[];
    },
    stop() {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe("shard preflight on stand-ins", () => {
  it("passes a source that owns the range and an empty target, with the same tables", async () => {
    expect(await shardProblems(mover1, "game", "source", RANGE, 7)).toEqual([]);
    expect(await shardProblems(mover2, "game", "target", RANGE, 7)).toEqual([]);
    const side = async (label: string, conn: mysql.Connection) => ({
      label,
      tables: await shardedTables(conn, "game"),
    });
    expect(compareShardTables(await side("source shard 1", mover1), await side("target shard 2", mover2))).toEqual([]);
  });

  it("refuses a range the source does not own whole, or the target owns part of", async () => {
    const range = { from: 8000, to: 8299 };
    expect(await shardProblems(mover1, "game", "source", range, 8)).toEqual([
      "the source must own every slot of 8000-8299, but its fence says slots 8192-8299 moved (owner 2, epoch 0): " +
        "move only a range the source owns",
    ]);
    expect(await shardProblems(mover2, "game", "target", range, 8)).toEqual([
      "the target's fence already says slots 8192-8299 owned (owner 2, epoch 0): a slot may be owned by one shard " +
        "only; check gamedb:slotMoves and the shards' fences",
    ]);
  });

  it("refuses a target holding rows of the range, unless this move's control row is there (a restart)", async () => {
    const root2 = await s.root(2);
    await setFence(root2, RANGE, "importing", 1);
    await fillPlayers(mover2, { from: 1500, to: 1501 }, 600);
    expect(await shardProblems(mover2, "game", "target", RANGE, 7)).toEqual([
      "the target holds 1000+ rows of game.players in slots 1000-1999 and has no control row of move 7: empty the " +
        "range first (a cancelled move's leftovers? deleteRange)",
    ]);
    const row = { role: "target" as const, state: "copying" as const, sourceShard: 1, targetShard: 2 };
    await initControl(mover2, { ...row, moveId: 7, slots: RANGE });
    expect(await shardProblems(mover2, "game", "target", RANGE, 7)).toEqual([]);
    await initControl(mover2, { ...row, moveId: 9, slots: { from: 1000, to: 1499 } });
    expect(await shardProblems(mover2, "game", "target", RANGE, 9)).toEqual([
      "the target's control row of move 9 is for slots 1000-1499, not 1000-1999: move ids are never reused; give " +
        "this move a new id",
    ]);
  });

  it("names a table that breaks the sharded-table contract, and a table or column on one side only", async () => {
    const root1 = await s.root(1);
    await root1.query("CREATE TABLE game.loose (id BIGINT PRIMARY KEY, gamedb_slot INT NULL)");
    await root1.query("CREATE TABLE game.guilds (guild_id BIGINT PRIMARY KEY, name VARCHAR(64))");
    const problems = await shardProblems(mover1, "game", "source", RANGE, 7);
    expect(problems).toEqual([
      "game.loose.gamedb_slot is int(11): make it SMALLINT UNSIGNED (slots are 0-16383)",
      expect.stringMatching(/^game\.loose\.gamedb_slot allows NULL/),
      expect.stringMatching(/^game\.loose has no index beginning with gamedb_slot/),
      // MariaDB lists triggers to any account with a privilege on the table: no MySQL hint here.
      expect.stringMatching(/^game\.loose has no fence trigger gamedb_fence_bi_loose \(BEFORE INSERT\): install it/),
      expect.stringMatching(/^game\.loose has no fence trigger gamedb_fence_bu_loose/),
      expect.stringMatching(/^game\.loose has no fence trigger gamedb_fence_bd_loose .*slotFence\.ts\)$/),
    ]);
    const root2 = await s.root(2);
    await root2.query("ALTER TABLE game.players ADD COLUMN level INT NULL");
    const side = async (label: string, conn: mysql.Connection) => ({
      label,
      tables: await shardedTables(conn, "game"),
    });
    expect(compareShardTables(await side("source shard 1", mover1), await side("target shard 2", mover2))).toEqual([
      "game.loose is on source shard 1 but not on target shard 2: create it there first",
      expect.stringMatching(
        /^game\.players has other columns on source shard 1 \(.*\) than on target shard 2 \(.*level int\(11\) NULL\)/,
      ),
    ]);
    await root1.query("DROP TABLE game.loose");
  });

  it("names a fence with missing rows, a missing fence, and a database without sharded tables", async () => {
    const root = await plain.root(1);
    const conn = await plain.mover(1);
    await root.query("DELETE FROM gamedb_meta.slot_fence WHERE slot >= 16000");
    expect(await shardProblems(conn, "game", "source", RANGE, 7)).toEqual([
      "gamedb_meta.slot_fence has 16000 rows (slots 0-15999); it needs one per slot, 16384: install its rows with " +
        "fenceRowsSql (infra/contracts/slotFence.ts)",
    ]);
    await root.query("DROP TABLE gamedb_meta.slot_fence");
    expect(await shardProblems(conn, "game", "source", RANGE, 7)).toEqual([
      "gamedb_meta.slot_fence does not exist: install the fence (infra/contracts/slotFence.ts)",
    ]);
    expect(await shardProblems(conn, "nosuch", "target", RANGE, 7)).toEqual([
      "nosuch has no table with a gamedb_slot column: nothing to move (is the database right?)",
      "gamedb_meta.slot_fence does not exist: install the fence (infra/contracts/slotFence.ts)",
    ]);
  });
});

describe("foreign keys on stand-ins", () => {
  it("refuses a sharded table with a foreign key, or referenced by one, naming each constraint and the fix", async () => {
    const root1 = await s.root(1);
    for (const sql of [
      "CREATE TABLE game.items (gamedb_slot SMALLINT UNSIGNED NOT NULL, item_id BIGINT UNSIGNED NOT NULL, " +
        "owner_id BIGINT UNSIGNED NOT NULL, PRIMARY KEY (gamedb_slot, item_id), KEY owner (gamedb_slot, owner_id), " +
        "CONSTRAINT items_owner FOREIGN KEY (gamedb_slot, owner_id) REFERENCES game.players (gamedb_slot, player_id) " +
        "ON DELETE CASCADE) ENGINE=InnoDB",
      ...fenceTriggersSql("game", "items"),
      // Not sharded (no gamedb_slot column), but it references a sharded table.
      "CREATE TABLE game.audit (id BIGINT PRIMARY KEY, slot SMALLINT UNSIGNED NOT NULL, player_id BIGINT UNSIGNED " +
        "NOT NULL, CONSTRAINT audit_player FOREIGN KEY (slot, player_id) REFERENCES game.players (gamedb_slot, " +
        "player_id)) ENGINE=InnoDB",
    ]) {
      await root1.query(sql);
    }
    try {
      expect(await shardProblems(mover1, "game", "source", RANGE, 7)).toEqual([
        expect.stringMatching(
          /^game\.audit has foreign key audit_player \(slot, player_id\) REFERENCES game\.players \(gamedb_slot, player_id\) ON DELETE \w+ ON UPDATE \w+: a slot move cannot carry tables tied by a foreign key \(the copy and the deletes go table by table.*ALTER TABLE game\.audit DROP FOREIGN KEY audit_player/,
        ),
        expect.stringMatching(
          /^game\.items has foreign key items_owner \(gamedb_slot, owner_id\) REFERENCES game\.players \(gamedb_slot, player_id\) ON DELETE CASCADE ON UPDATE \w+: .*InnoDB writes no binlog row for the child rows a cascade changes.*ALTER TABLE game\.items DROP FOREIGN KEY items_owner\) and keep the relation in the application$/,
        ),
      ]);

      // Why: the item's cascaded delete has no row event in the binlog, only the player's own delete has.
      await root1.query("INSERT INTO game.players VALUES (1500, 77, 'p77')");
      await root1.query("INSERT INTO game.items VALUES (1500, 1, 77)");
      const [[at]] = await root1.query<mysql.RowDataPacket[]>("SHOW MASTER STATUS");
      await root1.query("DELETE FROM game.players WHERE gamedb_slot = 1500 AND player_id = 77");
      const [[left]] = await root1.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM game.items");
      expect(Number(left!.n)).toBe(0);
      const [events] = await root1.query<mysql.RowDataPacket[]>(
        `SHOW BINLOG EVENTS IN '${String(at!.File)}' FROM ${Number(at!.Position)}`,
      );
      // MariaDB maps both tables (it opens the child for the cascade) but logs rows of the parent only.
      const tableIds = new Map(
        events
          .filter((e) => e.Event_type === "Table_map")
          .map((e) => /table_id: (\d+) \((.+)\)/.exec(String(e.Info))!)
          .map((m) => [m[1]!, m[2]!]),
      );
      const rows = events.filter((e) => /^(Write|Update|Delete)_rows/.test(String(e.Event_type)));
      expect(rows.map((e) => tableIds.get(/table_id: (\d+)/.exec(String(e.Info))![1]!))).toEqual(["game.players"]);
    } finally {
      await root1.query("DROP TABLE game.audit");
      await root1.query("DROP TABLE game.items");
    }
    expect(await shardProblems(mover1, "game", "source", RANGE, 7)).toEqual([]);
  });
});

describe("epochs on stand-ins", () => {
  const range = { from: 3000, to: 3999 };
  const earlier = { from: 3500, to: 3599 };

  it("refuses a move whose switch epoch is not above an earlier move's epoch on the range, on either shard", async () => {
    const [root1, root2] = [await s.root(1), await s.root(2)];
    // An earlier move, id 10 and gone from the config, switched slots 3500-3599 to shard 2 and reversed them.
    await setFence(root1, earlier, "owned", 1, 22);
    await setFence(root2, earlier, "moved", 1, 22);
    try {
      expect(await epochProblems(mover1, range, 7, "source shard 1")).toEqual([
        "the fence of slots 3000-3999 on source shard 1 already carries epoch 22 (100 owned (owner 1, epoch 22)); " +
          "move 7's switch would write epoch 15, lower, and clients that learned epoch 22 would ignore the new " +
          "owner: move ids are unique only within the current config, so give this move an id of at least 11 (its " +
          "switch writes epoch 23)",
      ]);
      expect(await epochProblems(mover2, range, 7, "target shard 2")).toEqual([
        expect.stringMatching(/^the fence of slots 3000-3999 on target shard 2 .*\(100 moved \(owner 1, epoch 22\)\)/),
      ]);
      expect(await epochProblems(mover1, range, 11, "source shard 1")).toEqual([]);
      expect(await epochProblems(mover2, range, 11, "target shard 2")).toEqual([]);
      expect(await epochProblems(mover1, { from: 3000, to: 3499 }, 7, "source shard 1")).toEqual([]);
    } finally {
      await setFence(root1, earlier, "owned", 1, 0);
      await setFence(root2, earlier, "moved", 1, 0);
    }
  });
});
