// @gamedb/client and the seed's data layer (client/examples/players) against three MariaDB 10.11 STAND-INS for the
// shards' Routers (tests/helpers/shardFleet.ts): every row lands on the shard that owns its key's slot, is read
// back, found by a scatter, and counted per shard; keys of every accepted type route the same way.
import { GameDbClient, GameDbError, CrossShardError } from "../../client/src";
import { PlayerStore } from "../../client/examples/players/playerStore";
import { keySlot } from "../../infra/contracts/slots";
import { DATABASE, ShardFleet, endpointsDoc, startShardFleet } from "../helpers/shardFleet";

let shards: ShardFleet;
let client: GameDbClient;
let store: PlayerStore;

beforeAll(async () => {
  shards = await startShardFleet(3);
  client = new GameDbClient({ endpoints: shards.endpointsDir, user: "root", database: DATABASE });
  store = new PlayerStore(client);
});
afterAll(async () => {
  await client?.close();
  await shards?.stop();
});

async function rowsOn(shard: number, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const conn = await shards.admin(shard);
  try {
    const [rows] = await conn.query(sql, params);
    return rows as Record<string, unknown>[];
  } finally {
    await conn.end();
  }
}

const ids = [
  ...Array.from({ length: 120 }, (_, i) => BigInt(i + 1)),
  ...Array.from({ length: 30 }, (_, i) => 9_007_199_254_740_993n + BigInt(i) * 1_000_003n), // above 2^53
];

describe("the players data layer on three stand-in shards", () => {
  beforeAll(async () => {
    for (const id of ids) {
      await store.savePlayer({
        playerId: id,
        name: `player-${id}`,
        level: Number(id % 60n) + 1,
        experience: id * 1000n,
        locationData: { zone: `z${id % 7n}`, x: 1.5, y: -2 },
      });
    }
  });

  it("stores each player on the shard that owns its slot, tagged with that slot, and nowhere else", async () => {
    const seen = new Map<string, number>();
    for (const shard of shards.shards) {
      for (const row of await rowsOn(shard, "SELECT player_id, gamedb_slot FROM players")) {
        const id = BigInt(row.player_id as string);
        expect(seen.has(String(id))).toBe(false);
        seen.set(String(id), shard);
        expect(Number(row.gamedb_slot)).toBe(keySlot(id));
        expect(client.shardOf(id)).toBe(shard);
      }
    }
    expect(seen.size).toBe(ids.length);
    // Three even ranges: every shard gets a fair share of 150 ids.
    for (const shard of shards.shards) expect([...seen.values()].filter((s) => s === shard).length).toBeGreaterThan(25);
  });

  it("loads a player back, exactly (ids above 2^53 included), and updates on a second save", async () => {
    const big = ids[ids.length - 1]!;
    const loaded = await store.loadPlayer(big);
    expect(loaded).toMatchObject({
      playerId: big,
      name: `player-${big}`,
      experience: big * 1000n,
      locationData: { zone: `z${big % 7n}`, x: 1.5, y: -2 },
    });
    await store.savePlayer({ playerId: big, name: "renamed", level: 99, experience: 1n, locationData: null });
    expect(await store.loadPlayer(big, "strong")).toMatchObject({ name: "renamed", level: 99, locationData: null });
    expect(await store.loadPlayer(123_456_789n)).toBeUndefined();
  });

  it("searches every shard, merges by player id and cuts to the limit", async () => {
    const found = await store.searchPlayersByName("player-1%", 25);
    const expected = ids
      .filter((id) => `player-${id}`.startsWith("player-1") && id !== ids[ids.length - 1])
      .sort((a, b) => (a < b ? -1 : 1))
      .slice(0, 25);
    expect(found.missingShards).toEqual([]);
    expect(found.players.map((p) => p.playerId)).toEqual(expected);
  });

  it("reports every shard with its Router, breaker and player count", async () => {
    const report = await store.shardStatus();
    expect(report.map((r) => r.shard)).toEqual([1, 2, 3]);
    let total = 0;
    for (const r of report) {
      const [direct] = await rowsOn(r.shard, "SELECT COUNT(*) AS n FROM players");
      expect(r.players).toBe(Number(direct!.n));
      expect(r).toMatchObject({ health: "up", breaker: "closed", host: "127.0.0.1", lastError: undefined });
      expect(r.ports.rw).toBe(shards.server(r.shard).port);
      total += r.players!;
    }
    expect(total).toBe(ids.length);
    expect(report.reduce((n, r) => n + r.slots, 0)).toBe(16384);
    expect(report[0]!.slotRanges).toBe("0-5461");
  });
});

describe("keys", () => {
  beforeAll(async () => {
    for (const shard of shards.shards) {
      const conn = await shards.admin(shard);
      await conn.query(
        "CREATE TABLE kv (k VARBINARY(64) NOT NULL PRIMARY KEY, gamedb_slot SMALLINT UNSIGNED NOT NULL, v INT, KEY (gamedb_slot, k))",
      );
      await conn.end();
    }
  });

  it.each([
    ["a string", "guild:42"],
    ["a hash-tagged string", "{guild42}:members"],
    ["a number", 424242],
    ["a bigint", 2n ** 63n + 5n],
    ["a Buffer", Buffer.from([0x00, 0xff, 0x7b, 0x41, 0x7d])],
  ])("routes %s by its slot and writes it where the slot is owned", async (_what, key) => {
    const bytes = typeof key === "object" ? key : Buffer.from(String(key));
    await client.write(key, "INSERT INTO kv (k, gamedb_slot, v) VALUES (?, ?, 1)", [bytes, client.slotOf(key)]);
    const owner = client.shardOf(key);
    for (const shard of shards.shards) {
      const rows = await rowsOn(shard, "SELECT gamedb_slot FROM kv WHERE k = ?", [bytes]);
      expect(rows.length).toBe(shard === owner ? 1 : 0);
    }
    const read = await client.read<{ v: number }[]>(key, "SELECT v FROM kv WHERE k = ?", [bytes]);
    expect(read).toEqual([{ v: 1 }]);
  });

  it("keys sharing a hash tag share a slot and a shard", () => {
    expect(client.slotOf("{guild42}:members")).toBe(client.slotOf("guild42"));
    expect(client.shardOf("{guild42}:bank")).toBe(client.shardOf("{guild42}:members"));
  });

  it("refuses a key it cannot hash the same way everywhere, before anything is sent", async () => {
    for (const bad of [1.5, { id: 1 }, null, true]) {
      const attempt = client.write(bad as never, "INSERT INTO kv VALUES ('x', 0, 1)");
      await expect(attempt).rejects.toThrow(/use a string, an integer number, a bigint or a Buffer|not a safe integer/);
      await expect(attempt).rejects.toMatchObject({ code: "BAD_KEY" });
    }
    expect(() => client.shardOf(2 ** 60)).toThrow(expect.objectContaining({ code: "BAD_KEY" }));
    for (const shard of shards.shards) expect(await rowsOn(shard, "SELECT * FROM kv WHERE k = 'x'")).toEqual([]);
  });
});

describe("transactions", () => {
  it("commits several statements on the key's shard", async () => {
    const key = "{guild7}:bank";
    await client.transaction(key, async (tx) => {
      await tx.query("INSERT INTO kv (k, gamedb_slot, v) VALUES ('{guild7}:bank', ?, 100)", [client.slotOf(key)]);
      await tx.queryFor("{guild7}:log", "INSERT INTO kv (k, gamedb_slot, v) VALUES ('{guild7}:log', ?, 1)", [
        client.slotOf("{guild7}:log"),
      ]);
      expect(tx.shard).toBe(client.shardOf(key));
    });
    const rows = await rowsOn(client.shardOf(key), "SELECT k FROM kv WHERE k LIKE '{guild7}%' ORDER BY k");
    expect(rows.map((r) => String(r.k))).toEqual(["{guild7}:bank", "{guild7}:log"]);
  });

  it("refuses a key of another shard with a clear error and rolls back", async () => {
    const key = "trade:1";
    const other = ["trade:2", "trade:3", "trade:4", "trade:5", "trade:6"].find(
      (k) => client.shardOf(k) !== client.shardOf(key),
    )!;
    const attempt = client.transaction(key, async (tx) => {
      await tx.query("INSERT INTO kv (k, gamedb_slot, v) VALUES ('trade:1', ?, 1)", [client.slotOf(key)]);
      await tx.queryFor(other, "INSERT INTO kv (k, gamedb_slot, v) VALUES (?, ?, 1)", [other, client.slotOf(other)]);
    });
    await expect(attempt).rejects.toBeInstanceOf(CrossShardError);
    await expect(attempt).rejects.toThrow(/belongs to shard \d+, but this transaction is on shard \d+/);
    expect(await rowsOn(client.shardOf(key), "SELECT * FROM kv WHERE k = 'trade:1'")).toEqual([]);
  });
});

describe("reads and scatter", () => {
  it("sends eventual reads to the Router's read-only port and strong reads to the read-write port", async () => {
    // Shard 1's ro port is shard 2's stand-in here: what each read returns shows which port it used.
    const doc = endpointsDoc(
      new Map([
        [1, shards.server(1).port],
        [2, shards.server(2).port],
        [3, shards.server(3).port],
      ]),
      [1, 2, 3],
    );
    doc.routers.shard1!.ports.ro = shards.server(2).port;
    const split = new GameDbClient({ endpoints: doc, user: "root", database: DATABASE });
    try {
      const key = Array.from({ length: 50 }, (_, i) => `k${i}`).find((k) => split.shardOf(k) === 1)!;
      const port = "SELECT @@port AS port";
      expect(await split.read(key, port)).toEqual([{ port: String(shards.server(2).port) }]);
      expect(await split.read(key, port, [], { consistency: "strong" })).toEqual([
        { port: String(shards.server(1).port) },
      ]);
      await expect(split.read(key, port, [], { consistency: "latest" as never })).rejects.toThrow(
        /consistency: must be "eventual" or "strong"/,
      );
    } finally {
      await split.close();
    }
  });

  it("names a shard that timed out, and fails the call unless partial answers are accepted", async () => {
    const slow = shards.server(2).port;
    const sql = `SELECT @@port AS port, SLEEP(IF(@@port = ${slow}, 3, 0)) AS slept`;
    const partial = await client.scatter(sql, [], { limit: 10, timeoutMs: 500, partial: true });
    expect(partial.failed.map((f) => f.shard)).toEqual([2]);
    expect((partial.failed[0]!.error as GameDbError).code).toBe("TIMEOUT");
    expect(partial.rows.map((r) => Number(r.port)).sort()).toEqual(
      [shards.server(1).port, shards.server(3).port].sort(),
    );
    await expect(client.scatter(sql, [], { limit: 10, timeoutMs: 500 })).rejects.toThrow(
      /1 of 3 shards failed \(shard 2: shard 2: no answer .* in 500 ms\); pass partial: true/,
    );
    // The timed-out connection was thrown away, not returned mid-statement: the shard answers the next call.
    const again = await client.scatter("SELECT 1 AS one", [], { limit: 10 });
    expect(again.rows).toHaveLength(3);
  });
});
