// The client against the slot fence's real triggers on MariaDB 10.11 STAND-INS (tests/helpers/shardFleet.ts): a
// shard refuses writes to slots it does not own with MOVED or TRYAGAIN, and the client follows: learns the owner
// (never to an older epoch), retries once on it, waits out a freeze, and keeps what it learned across reloads.
import { GameDbClient, GameDbError, SlotFrozenError, SlotMovedError } from "../../client/src";
import type { ClientEvent } from "../../client/src";
import { DATABASE, ShardFleet, startShardFleet } from "../helpers/shardFleet";

let shards: ShardFleet;

beforeAll(async () => {
  shards = await startShardFleet(2);
});
afterAll(async () => {
  await shards?.stop();
});

function newClient(events: ClientEvent[] = [], tryAgain?: { maxWaitMs: number }): GameDbClient {
  return new GameDbClient({
    endpoints: shards.endpointsDir,
    user: "root",
    database: DATABASE,
    tryAgain,
    onEvent: (e) => events.push(e),
  });
}

/** Sets one slot's fence row on a shard, as the slot mover will. */
async function fence(shard: number, slot: number, state: string, owner: number, epoch: number): Promise<void> {
  const conn = await shards.admin(shard);
  await conn.query("UPDATE gamedb_meta.slot_fence SET state = ?, owner_shard = ?, epoch = ? WHERE slot = ?", [
    state,
    owner,
    epoch,
    slot,
  ]);
  await conn.end();
}

async function countOn(shard: number, id: number): Promise<number> {
  const conn = await shards.admin(shard);
  const [rows] = await conn.query("SELECT COUNT(*) AS n FROM players WHERE player_id = ?", [id]);
  await conn.end();
  return Number((rows as { n: string }[])[0]!.n);
}

const save = (c: GameDbClient, id: number) =>
  c.write(id, "INSERT INTO players (player_id, gamedb_slot, name) VALUES (?, ?, 'p')", [id, c.slotOf(id)]);

/** A player id that shard 1 owns in the first map, with a slot of its own in this test file. */
function idOnShard1(c: GameDbClient, after: number): number {
  for (let id = after + 1; ; id++) if (c.shardOf(id) === 1) return id;
}

describe("MOVED", () => {
  it("is followed once: the map learns the new owner from the fence and the write lands there", async () => {
    const events: ClientEvent[] = [];
    const client = newClient(events);
    try {
      const id = idOnShard1(client, 1000);
      const slot = client.slotOf(id);
      // The slot moved to shard 2 at epoch 3; the endpoints document still says shard 1.
      await fence(1, slot, "moved", 2, 3);
      await fence(2, slot, "owned", 2, 3);
      await save(client, id);
      expect([await countOn(1, id), await countOn(2, id)]).toEqual([0, 1]);
      expect(client.shardOf(id)).toBe(2);
      expect(events.filter((e) => e.type === "slotLearned")).toEqual([
        { type: "slotLearned", slot, shard: 2, epoch: 3 },
      ]);

      // A reload of the same old document (epoch 0) does not undo what epoch 3 taught.
      shards.writeEndpoints({
        routers: JSON.stringify(shards.doc.routers),
        slotMap: JSON.stringify(shards.doc.slotMap.map((r) => ({ ...r, note: undefined }))) + "\n",
      });
      expect(client.reload()).toBe(true);
      expect(client.shardOf(id)).toBe(2);
      // And again: what was learned is still newer than the map, however often the old map is reloaded.
      shards.writeEndpoints({
        routers: JSON.stringify(shards.doc.routers),
        slotMap: JSON.stringify(shards.doc.slotMap),
      });
      expect(client.reload()).toBe(true);
      expect(client.shardOf(id)).toBe(2);
      await client.write(id, "UPDATE players SET name = 'q' WHERE player_id = ?", [id]);
      expect(events.filter((e) => e.type === "slotLearned")).toHaveLength(1); // went straight to shard 2
    } finally {
      await client.close();
    }
  });

  it("from a target that is still importing, points back to the source", async () => {
    const client = newClient();
    try {
      const id = idOnShard1(client, 2000);
      const slot = client.slotOf(id);
      await fence(1, slot, "moved", 2, 5);
      await fence(2, slot, "importing", 1, 4); // shard 2 is behind: it still imports the slot from shard 1 (epoch 4)
      const attempt = save(client, id);
      await expect(attempt).rejects.toBeInstanceOf(SlotMovedError);
      await expect(attempt).rejects.toThrow(/again after following the redirect once/);
      // The older epoch from shard 2 did not override the newer one from shard 1.
      expect(client.shardOf(id)).toBe(2);
      expect([await countOn(1, id), await countOn(2, id)]).toEqual([0, 0]);
    } finally {
      await client.close();
    }
  });

  it("refuses a statement whose gamedb_slot is not the routing key's slot", async () => {
    const client = newClient();
    try {
      const id = idOnShard1(client, 3000);
      const otherSlot = 16000; // shard 2's (two even ranges: 0-8191, 8192-16383)
      const attempt = client.write(id, "INSERT INTO players (player_id, gamedb_slot, name) VALUES (?, ?, 'p')", [
        id,
        otherSlot,
      ]);
      await expect(attempt).rejects.toMatchObject({ code: "SLOT_MISMATCH" });
      await expect(attempt).rejects.toThrow(/write gamedb_slot = slotOf\(key\)/);
    } finally {
      await client.close();
    }
  });
});

describe("TRYAGAIN", () => {
  it("waits while the slot is frozen and writes once it is released", async () => {
    const client = newClient();
    try {
      const id = idOnShard1(client, 4000);
      const slot = client.slotOf(id);
      await fence(1, slot, "frozen", 1, 0);
      const started = Date.now();
      const write = save(client, id);
      await new Promise((r) => setTimeout(r, 400));
      expect(await countOn(1, id)).toBe(0);
      await fence(1, slot, "owned", 1, 1);
      await write;
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(await countOn(1, id)).toBe(1);
    } finally {
      await client.close();
    }
  });

  it("gives up with SlotFrozenError after the configured wait", async () => {
    const client = newClient([], { maxWaitMs: 300 });
    try {
      const id = idOnShard1(client, 5000);
      await fence(1, client.slotOf(id), "frozen", 1, 0);
      const started = Date.now();
      const attempt = save(client, id);
      await expect(attempt).rejects.toBeInstanceOf(SlotFrozenError);
      await expect(attempt).rejects.toMatchObject({ slot: client.slotOf(id), waitedMs: 300 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      expect(await countOn(1, id)).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe("mistakes the fence catches", () => {
  it("an update that changes gamedb_slot, and a slot without a fence row", async () => {
    const client = newClient();
    try {
      const id = idOnShard1(client, 6000);
      await save(client, id);
      const change = client.write(id, "UPDATE players SET gamedb_slot = gamedb_slot + 1 WHERE player_id = ?", [id]);
      await expect(change).rejects.toMatchObject({ code: "SLOT_MISMATCH" });
      await expect(change).rejects.toThrow(/may not change gamedb_slot/);

      const other = idOnShard1(client, id);
      const conn = await shards.admin(1);
      await conn.query("DELETE FROM gamedb_meta.slot_fence WHERE slot = ?", [client.slotOf(other)]);
      await conn.end();
      const unfenced = save(client, other);
      await expect(unfenced).rejects.toBeInstanceOf(GameDbError);
      await expect(unfenced).rejects.toMatchObject({ code: "SLOT_UNFENCED" });
    } finally {
      await client.close();
    }
  });
});
