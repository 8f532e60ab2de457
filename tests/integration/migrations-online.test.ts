// Online schema changes and batched data migrations on a MariaDB 10.11 stand-in shard (migrations-helpers.ts):
// the INSTANT -> INPLACE, LOCK=NONE chain as the server answers it, an ALTER the server refuses online (refused
// with its reason, then allowed by -- gamedb:allow-copy), and a batched UPDATE over 20,000 rows under concurrent
// writes with Threads_running read from a fake and from the real server pushed up by sleeping connections.
import type * as mysql from "mysql2/promise";
import { migrateFleet } from "../../scripts/lib/migrations/fleet";
import type { RunnerEvent } from "../../scripts/lib/migrations/runner";
import { MigrationShards, insertPlayers, startMigrationShards } from "./migrations-helpers";

let shards: MigrationShards;
let conn: mysql.Connection;

beforeAll(async () => {
  shards = await startMigrationShards(1);
  const first = await migrateFleet(shards.fleetOptions());
  expect(first.ok).toBe(true);
  conn = await shards.admin(1);
});
afterAll(async () => {
  await shards?.stop();
});

const sent = (version: number) =>
  shards.events.flatMap((e) => (e.type === "statement" && e.version === version ? [e.sql] : []));
const chunks = (version: number) =>
  shards.events.filter(
    (e): e is Extract<RunnerEvent, { type: "chunk" }> => e.type === "chunk" && e.version === version,
  );
async function one(sql: string): Promise<mysql.RowDataPacket> {
  const [r] = await conn.query<mysql.RowDataPacket[]>(sql);
  return r[0]!;
}

describe("online ALTER", () => {
  it("runs INSTANT when the server can, INPLACE with LOCK=NONE when only that works", async () => {
    shards.write(
      "V0003__guild.sql",
      "ALTER TABLE players ADD COLUMN guild VARCHAR(32) NULL;\nALTER TABLE players ADD INDEX by_guild (guild);\n",
    );
    const report = await migrateFleet(shards.fleetOptions());
    expect(report.shards[0]!.outcome).toBe("applied");
    expect(sent(3)).toEqual([
      "ALTER TABLE players ADD COLUMN guild VARCHAR(32) NULL, ALGORITHM=INSTANT",
      // MariaDB: "ALGORITHM=INSTANT is not supported. Reason: ADD INDEX. Try ALGORITHM=NOCOPY" (1846).
      "ALTER TABLE players ADD INDEX by_guild (guild), ALGORITHM=INSTANT",
      "ALTER TABLE players ADD INDEX by_guild (guild), ALGORITHM=INPLACE, LOCK=NONE",
    ]);
  });

  it("refuses an ALTER the server cannot run online, with the server's reason; allow-copy then runs it", async () => {
    // Changing a column's type: MariaDB 10.11 refuses INSTANT and INPLACE ("Cannot change column type"), as
    // MySQL 8.4 does (manual 17.12.1, Column Operations: "Changing the column data type", In Place No).
    const alter = "ALTER TABLE players MODIFY level BIGINT UNSIGNED NOT NULL DEFAULT 1;\n";
    shards.write("V0004__level_bigint.sql", alter);
    const refused = await migrateFleet(shards.fleetOptions());
    const shard = refused.shards[0]!;
    expect(shard.outcome).toBe("failed");
    expect(shard.failed).toMatchObject({ version: 4, statement: 1, line: 1 });
    expect(shard.message).toMatch(
      /^V0004__level_bigint\.sql line 1: "ALTER TABLE players MODIFY level BIGINT UNSIGNED NOT NULL DEFAULT 1" cannot run online: /,
    );
    expect(shard.message).toContain(
      "ER_ALTER_OPERATION_NOT_SUPPORTED_REASON 1846: ALGORITHM=INPLACE is not supported. Reason: Cannot change column type. Try ALGORITHM=COPY",
    );
    expect(shard.message).toContain("add -- gamedb:allow-copy on the line before it");
    expect(shard.message).toContain("pt-online-schema-change or gh-ost");
    expect(
      (
        await one(
          "SELECT DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'game' AND TABLE_NAME = 'players' AND COLUMN_NAME = 'level'",
        )
      ).t,
    ).toBe("int");

    shards.write("V0004__level_bigint.sql", `-- gamedb:allow-copy\n${alter}`);
    const allowed = await migrateFleet(shards.fleetOptions());
    expect(allowed.shards[0]!.outcome).toBe("applied");
    expect(sent(4)).toEqual([
      "ALTER TABLE players MODIFY level BIGINT UNSIGNED NOT NULL DEFAULT 1, ALGORITHM=INSTANT",
      "ALTER TABLE players MODIFY level BIGINT UNSIGNED NOT NULL DEFAULT 1, ALGORITHM=INPLACE, LOCK=NONE",
      "ALTER TABLE players MODIFY level BIGINT UNSIGNED NOT NULL DEFAULT 1",
    ]);
    expect(
      (
        await one(
          "SELECT DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'game' AND TABLE_NAME = 'players' AND COLUMN_NAME = 'level'",
        )
      ).t,
    ).toBe("bigint");
  });
});

describe("batched UPDATE", () => {
  const ROWS = 20_000;

  beforeAll(async () => {
    await insertPlayers(
      conn,
      Array.from({ length: ROWS }, (_, i) => ({ id: 1_000_000 + i, level: 1 })),
    );
  });

  /** Writers inserting game logs until stopped; resolves to the rows they wrote. */
  function writers(n: number): { stop: () => Promise<number> } {
    let running = true;
    let written = 0;
    const loops = Array.from({ length: n }, async (_, w) => {
      const c = await shards.admin(1);
      for (let i = 0; running; i++) {
        const player = 5_000_000 + w * 100_000 + i;
        await c.query(
          "INSERT INTO game.game_logs (player_id, gamedb_slot, logged_at, event) VALUES (?, ?, '2024-06-01', 'load')",
          [
            player,
            // Any slot works: one shard owns them all.
            player % 16384,
          ],
        );
        written++;
      }
    });
    return {
      stop: async () => {
        running = false;
        await Promise.all(loops);
        return written;
      },
    };
  }

  it("changes 20,000 rows in chunks of 1000 while other sessions write", async () => {
    shards.write("V0005__level_two.sql", "-- gamedb:batch rows=1000\nUPDATE players SET level = 2 WHERE level = 1;\n");
    const before = await shards.status(1, ["Com_update"]);
    const load = writers(4);
    const report = await migrateFleet(shards.fleetOptions());
    const written = await load.stop();
    expect(report.shards[0]!.outcome).toBe("applied");
    const c = chunks(5);
    expect(c.map((x) => x.affected)).toEqual([...Array(20).fill(1000), 0]);
    expect(c.every((x) => x.changed === x.affected)).toBe(true);
    const after = await shards.status(1, ["Com_update"]);
    // 21 chunks, each its own UPDATE ... LIMIT 1000 (plus the runner's ledger UPDATEs).
    expect(after.Com_update! - before.Com_update!).toBeGreaterThanOrEqual(21);
    expect(Number((await one("SELECT COUNT(*) AS n FROM game.players WHERE level = 2")).n)).toBe(ROWS);
    expect(written).toBeGreaterThan(0);
    expect(Number((await one("SELECT COUNT(*) AS n FROM game.game_logs WHERE event = 'load'")).n)).toBe(written);
  });

  it("pauses above 25 Threads_running and stops above 50 (faked load), then resumes", async () => {
    shards.write(
      "V0006__level_three.sql",
      "-- gamedb:batch rows=2000\nUPDATE players SET level = 3 WHERE level = 2;\n",
    );
    // Chunk 1 at 5; chunk 2 after two pauses (30, 26); chunk 3 at 25; then 51 stops before chunk 4.
    const readings = [5, 30, 26, 10, 25, 51];
    const slept: number[] = [];
    const report = await migrateFleet(
      shards.fleetOptions({
        threadsRunning: async () => readings.shift() ?? 1,
        sleep: async (ms) => void slept.push(ms),
        pauseMs: 250,
      }),
    );
    const shard = report.shards[0]!;
    expect(shard.outcome).toBe("failed");
    expect(shard.message).toBe(
      "V0006__level_three.sql statement 1 (line 2) (stopped for load): Threads_running is 51, above " +
        "stopThreadsRunning 50: the batch stopped (resumable: run the migration again when the shard is quieter)",
    );
    expect(
      shards.events.filter((e) => e.type === "pause").map((e) => (e as { threadsRunning: number }).threadsRunning),
    ).toEqual([30, 26]);
    expect(slept).toEqual([250, 250]);
    expect(chunks(6).map((x) => x.affected)).toEqual([2000, 2000, 2000]);
    expect(Number((await one("SELECT COUNT(*) AS n FROM game.players WHERE level = 3")).n)).toBe(6000);
    expect(
      (await one("SELECT state, statements_done FROM gamedb_meta.schema_migrations WHERE version = 6")).state,
    ).toBe("failed");

    const resumed = await migrateFleet(shards.fleetOptions({ threadsRunning: async () => 1 }));
    expect(resumed.shards[0]!.outcome).toBe("applied");
    expect(chunks(6).map((x) => x.affected)).toEqual([...Array(7).fill(2000), 0]);
    expect(Number((await one("SELECT COUNT(*) AS n FROM game.players WHERE level = 3")).n)).toBe(ROWS);
  });

  /** `n` connections each running SELECT SLEEP(seconds), once the server counts them; `done` when all finished. */
  async function sleepers(n: number, seconds: number): Promise<{ done: Promise<unknown> }> {
    const cs = await Promise.all(Array.from({ length: n }, () => shards.fleet.servers[0]!.connect()));
    const done = Promise.all(cs.map((c) => c.query(`SELECT SLEEP(${seconds})`).finally(() => c.end())));
    // Wait until the server counts them.
    for (let i = 0; i < 100; i++) {
      const t = Number((await one("SHOW GLOBAL STATUS LIKE 'Threads_running'")).Value);
      if (t > n) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Wrapped: an async function returning the promise itself would wait for it.
    return { done };
  }

  it("real load: 30 sleeping sessions push MariaDB's Threads_running to 31; the batch waits for them", async () => {
    shards.write("V0007__level_four.sql", "-- gamedb:batch rows=5000\nUPDATE players SET level = 4 WHERE level = 3;\n");
    const busy = await sleepers(30, 2);
    const started = Date.now();
    const report = await migrateFleet(shards.fleetOptions({ pauseMs: 100 }));
    const took = Date.now() - started;
    await busy.done;
    expect(report.shards[0]!.outcome).toBe("applied");
    const pauses = shards.events
      .filter((e) => e.type === "pause")
      .map((e) => (e as { threadsRunning: number }).threadsRunning);
    expect(pauses.length).toBeGreaterThan(0);
    // Measured on the stand-in: 31 (30 sleepers and the runner's own SHOW STATUS).
    expect(Math.max(...pauses)).toBeGreaterThanOrEqual(31);
    const first = chunks(7)[0]!;
    expect(first.threadsRunning).toBeLessThanOrEqual(25);
    expect(took).toBeGreaterThan(1000);
    expect(Number((await one("SELECT COUNT(*) AS n FROM game.players WHERE level = 4")).n)).toBe(ROWS);
  });

  it("real load: 55 sleeping sessions (Threads_running 56) stop the batch before its first chunk", async () => {
    shards.write("V0008__level_five.sql", "-- gamedb:batch\nUPDATE players SET level = 5 WHERE level = 4;\n");
    const busy = await sleepers(55, 2);
    const report = await migrateFleet(shards.fleetOptions());
    await busy.done;
    expect(report.shards[0]!.outcome).toBe("failed");
    expect(report.shards[0]!.message).toMatch(
      /\(stopped for load\): Threads_running is 5[6-9], above stopThreadsRunning 50/,
    );
    expect(chunks(8)).toEqual([]);
    expect(Number((await one("SELECT COUNT(*) AS n FROM game.players WHERE level = 5")).n)).toBe(0);
  });

  it("a batched DELETE runs chunk after chunk (a DELETE's OK packet reports no 'Changed:' count)", async () => {
    shards.write("V0009__drop_level_five.sql", "-- gamedb:batch rows=5000\nDELETE FROM players WHERE level = 5;\n");
    const report = await migrateFleet(shards.fleetOptions({ threadsRunning: async () => 1 }));
    expect(report.shards[0]!.message).toBeUndefined();
    expect(report.shards[0]!.outcome).toBe("applied");
    expect(chunks(9).map((x) => x.affected)).toEqual([5000, 5000, 5000, 5000, 0]);
    expect(Number((await one("SELECT COUNT(*) AS n FROM game.players WHERE level = 5")).n)).toBe(0);
  });
});
