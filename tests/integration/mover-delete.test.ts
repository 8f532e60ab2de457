// Deleting a slot range in chunks (scripts/lib/mover/deleteRange.ts) and the throttle it pauses on
// (scripts/lib/mover/throttle.ts), for real on two MariaDB 10.11 stand-ins, as the mover account with the grants the
// brief gives it: a cancel on the target (copies in 'importing' slots), a cleanup on the source ('moved' slots),
// refusals where the fence says the shard serves the range (before and during the delete), resuming after a stop,
// pausing while the throttle says wait, and the two chunk strategies timed side by side.
import type * as mysql from "mysql2/promise";
import { DeleteProgress, DeleteRefusedError, deleteRange } from "../../scripts/lib/mover/deleteRange";
import { readThrottleSample, throttleOn } from "../../scripts/lib/mover/throttle";
import { MoverStandins, countRows, fillPlayers, setFence, startMoverStandins } from "./mover-standins";

const MAP = [
  { from: 0, to: 8191, shard: 1 },
  { from: 8192, to: 16383, shard: 2 },
];
const RANGE = { from: 1000, to: 1999 };
const OUTSIDE_TARGET = { from: 9000, to: 9009 };

let s: MoverStandins;
let mover1: mysql.Connection;
let mover2: mysql.Connection;
let root1: mysql.Connection;

beforeAll(async () => {
  s = await startMoverStandins(2, MAP);
  [mover1, mover2, root1] = await Promise.all([s.mover(1), s.mover(2), s.root(1)]);
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

const run = (conn: mysql.Connection, over: Partial<Parameters<typeof deleteRange>[1]> = {}) => {
  const progress: DeleteProgress[] = [];
  const result = deleteRange(conn, {
    database: "game",
    range: RANGE,
    chunkRows: 250,
    onProgress: (p) => progress.push(p),
    ...over,
  });
  return { result, progress };
};

describe("deleteRange on stand-ins", () => {
  it("cancel: empties the target's importing copies in chunks, leaving its own slots alone", async () => {
    const root2 = await s.root(2);
    await setFence(root2, RANGE, "importing", 1);
    expect(await fillPlayers(mover2, RANGE, 3)).toBe(3000);
    await fillPlayers(mover2, OUTSIDE_TARGET, 5, 10n);
    const { result, progress } = run(mover2);
    expect(await result).toEqual({ deleted: 3000, tables: [{ table: "game.players", deleted: 3000 }] });
    expect(progress.map((p) => p.deleted)).toEqual(Array(12).fill(250));
    expect(progress.at(-1)).toEqual({ table: "game.players", deleted: 250, tableDeleted: 3000, totalDeleted: 3000 });
    expect(await countRows(root2, RANGE)).toBe(0);
    expect(await countRows(root2, OUTSIDE_TARGET)).toBe(50);
    // A rerun finds nothing left.
    expect((await run(mover2).result).deleted).toBe(0);
  });

  it("cleanup: empties the source's moved range, a composite key outside gamedb_slot's index included", async () => {
    await root1.query(
      "CREATE TABLE game.inventory (player_id BIGINT UNSIGNED NOT NULL, item_id INT UNSIGNED NOT NULL, " +
        "gamedb_slot SMALLINT UNSIGNED NOT NULL, qty INT NOT NULL, PRIMARY KEY (player_id, item_id), " +
        "KEY by_slot (gamedb_slot, player_id, item_id)) ENGINE=InnoDB",
    );
    await fillPlayers(mover1, RANGE, 2);
    const items = Array.from({ length: 700 }, (_, i) => [String(2n ** 60n + BigInt(i % 7)), i, 1000 + (i % 1000), i]);
    await mover1.query("INSERT INTO game.inventory (player_id, item_id, gamedb_slot, qty) VALUES ?", [items]);
    await mover1.query("INSERT INTO game.inventory VALUES (1, 1, 5, 1), (1, 2, 2000, 1)");
    await setFence(root1, RANGE, "moved", 2, 15);
    const { result } = run(mover1, { chunkRows: 100 });
    expect(await result).toEqual({
      deleted: 2700,
      tables: [
        { table: "game.inventory", deleted: 700 },
        { table: "game.players", deleted: 2000 },
      ],
    });
    expect(await countRows(root1, RANGE)).toBe(0);
    const [left] = await root1.query<mysql.RowDataPacket[]>("SELECT gamedb_slot FROM game.inventory ORDER BY 1");
    expect(left.map((r) => r.gamedb_slot)).toEqual([5, 2000]);
  });

  /** The source's range back to 'moved' after a switch, and empty. */
  async function resetSource(): Promise<void> {
    await setFence(root1, RANGE, "moved", 2, 15);
    await mover1.query("DELETE FROM game.players WHERE gamedb_slot BETWEEN ? AND ?", [RANGE.from, RANGE.to]);
  }

  it("refuses before deleting anything where the fence says owned, frozen or has no row", async () => {
    await resetSource();
    await setFence(root1, RANGE, "owned", 1);
    await fillPlayers(mover1, RANGE, 1);
    await expect(run(mover1).result).rejects.toThrow(
      new DeleteRefusedError(
        "refusing to delete: this shard's fence says slots 1000-1999 owned (owner 1, epoch 0); rows are deleted " +
          "only where the fence says moved or importing (never rows the shard serves)",
      ),
    );
    await setFence(root1, RANGE, "moved", 2, 15);
    await setFence(root1, { from: 1500, to: 1509 }, "frozen", 1, 3);
    await expect(run(mover1).result).rejects.toThrow(/fence says slots 1500-1509 frozen \(owner 1, epoch 3\)/);
    await setFence(root1, { from: 1500, to: 1509 }, "moved", 2, 15);
    await root1.query("DELETE FROM gamedb_meta.slot_fence WHERE slot = 1999");
    await expect(run(mover1).result).rejects.toThrow(/slot 1999 has no fence row/);
    await root1.query(
      "INSERT INTO gamedb_meta.slot_fence (slot, state, owner_shard, epoch) VALUES (1999, 'moved', 2, 15)",
    );
    expect(await countRows(root1, RANGE)).toBe(1000);
  });

  it("re-checks each chunk's slots: a flip to owned during the delete stops it at that chunk, rolled back", async () => {
    await resetSource();
    await fillPlayers(mover1, RANGE, 1);
    let asked = 0;
    const { result } = run(mover1, {
      // Before the second chunk, slots 1600-1999 come back to this shard (a reverse, say).
      throttle: async () => {
        if (++asked === 2) await setFence(root1, { from: 1600, to: 1999 }, "owned", 1, 16);
        return { wait: false };
      },
    });
    // Chunks of 250 rows are slots 1000-1249, 1250-1499, 1500-1749: the third meets the owned slots.
    await expect(result).rejects.toThrow(
      /^game\.players: refusing to delete: this shard's fence says slots 1600-1749 owned \(owner 1, epoch 16\)/,
    );
    expect(await countRows(root1, { from: 1000, to: 1499 })).toBe(0);
    expect(await countRows(root1, { from: 1500, to: 1999 })).toBe(500);
  });

  it("resumes: stopped between chunks, a rerun deletes what is left", async () => {
    await resetSource();
    await fillPlayers(mover1, RANGE, 2);
    const stop = new AbortController();
    const first = run(mover1, {
      signal: stop.signal,
      onProgress: (p) => p.totalDeleted >= 500 && stop.abort(new Error("mover stopped")),
    });
    await expect(first.result).rejects.toThrow("mover stopped");
    expect(await countRows(root1, RANGE)).toBe(1500);
    expect((await run(mover1).result).deleted).toBe(1500);
    expect(await countRows(root1, RANGE)).toBe(0);
  });

  it("pauses while the throttle says wait, reporting why", async () => {
    await resetSource();
    await fillPlayers(mover1, RANGE, 1);
    const answers = [
      { wait: true as const, reason: "Threads_running 30 > 25" },
      { wait: true as const, reason: "Threads_running 27 > 25" },
    ];
    const pauses: string[] = [];
    const slept: number[] = [];
    const { result } = run(mover1, {
      throttle: () => answers.shift() ?? { wait: false },
      onPause: (r) => pauses.push(r),
      pauseMs: 750,
      sleep: async (ms) => void slept.push(ms),
    });
    expect((await result).deleted).toBe(1000);
    expect(pauses).toEqual(["Threads_running 30 > 25", "Threads_running 27 > 25"]);
    expect(slept).toEqual([750, 750]);
  });

  it("refuses a sharded table without a primary key, naming it", async () => {
    await root1.query("CREATE TABLE game.nokey (gamedb_slot SMALLINT UNSIGNED NOT NULL, v INT, KEY (gamedb_slot))");
    try {
      await expect(run(mover1).result).rejects.toThrow(
        "game.nokey has no primary key: the mover deletes by primary key",
      );
    } finally {
      await root1.query("DROP TABLE game.nokey");
    }
  });
});

describe("throttle on a stand-in", () => {
  it("reads Threads_running, and no applier queue on MariaDB (0, said so)", async () => {
    const sample = await readThrottleSample(mover1, "mariadb");
    expect(sample.threadsRunning).toBeGreaterThanOrEqual(1);
    expect(sample).toMatchObject({ applierQueue: 0, applierNote: expect.stringMatching(/^MariaDB has no Group Rep/) });
    // Why it does not ask: as the mover account MariaDB refuses the table before finding it missing.
    await expect(
      mover1.query("SELECT COUNT(*) FROM performance_schema.replication_group_member_stats"),
    ).rejects.toMatchObject({ errno: 1142 });
  });

  it("says wait while more threads run than the limit, and go once they finish", async () => {
    const busy = await Promise.all([1, 2, 3, 4].map(() => s.root(1)));
    const sleeping = busy.map((c) => c.query("SELECT SLEEP(2)"));
    await new Promise((r) => setTimeout(r, 300));
    const decide = throttleOn(mover1, "mariadb", { maxThreadsRunning: 3, maxApplierQueue: 0 });
    expect(await decide()).toEqual({ wait: true, reason: expect.stringMatching(/^Threads_running ([5-9]|\d\d) > 3$/) });
    await Promise.all(sleeping);
    expect(await decide()).toEqual({ wait: false });
  });
});

describe("chunk strategies, measured", () => {
  it("select-keys-then-delete (kept) against DELETE ... ORDER BY ... LIMIT, same rows, same fence", async () => {
    const range = { from: 0, to: 999 };
    const root2 = await s.root(2);
    await setFence(root2, range, "importing", 1);
    const limitDelete = async (): Promise<number> => {
      let total = 0;
      for (;;) {
        await mover2.beginTransaction();
        await mover2.query(
          "SELECT COUNT(*) FROM gamedb_meta.slot_fence WHERE slot BETWEEN ? AND ? AND state IN ('owned','frozen') " +
            "LOCK IN SHARE MODE",
          [range.from, range.to],
        );
        const [r] = await mover2.query<mysql.ResultSetHeader>(
          "DELETE FROM game.players WHERE gamedb_slot BETWEEN ? AND ? ORDER BY gamedb_slot, player_id LIMIT 1000",
          [range.from, range.to],
        );
        await mover2.commit();
        total += r.affectedRows;
        if (r.affectedRows < 1000) return total;
      }
    };
    const keysDelete = async () => (await deleteRange(mover2, { database: "game", range, chunkRows: 1000 })).deleted;
    const figures: Record<string, number[]> = { keys: [], limit: [] };
    for (const name of ["limit", "keys", "limit", "keys"] as const) {
      await fillPlayers(mover2, range, 100);
      const start = process.hrtime.bigint();
      expect(await (name === "keys" ? keysDelete() : limitDelete())).toBe(100_000);
      figures[name]!.push(100_000 / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    const show = (xs: number[]) => xs.map((x) => `${Math.round(x)}`).join(", ");
    process.stdout.write(
      `delete 100k rows in 1,000-row chunks, rows/s per run: keys ${show(figures.keys!)}; ` +
        `ORDER BY ... LIMIT ${show(figures.limit!)}\n`,
    );
  }, 180_000);
});
