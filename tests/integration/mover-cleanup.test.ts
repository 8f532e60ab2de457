/**
 * A slot move switched and then cleaned up on MariaDB 10.11 stand-ins, while game servers write through the real
 * client (@gamedb/client): copy -> switch (the map is published with the target) -> cleanup. The source's rows of
 * the range are deleted and nothing else of it; the target holds every acknowledged write; the source still refuses
 * the range with GAMEDB_MOVED, and a client on the old map follows that to the target.
 */
import type * as mysql from "mysql2/promise";
import { GameDbClient } from "../../client/src";
import { keySlot } from "../../infra/contracts/slots";
import { switchEpoch } from "../../infra/contracts/slotMoves";
import { readControl } from "../../scripts/lib/mover/control";
import { rangeStates } from "../../scripts/lib/mover/fenceOps";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";
import { MoveFleet, playerIn, startMoveFleet } from "../helpers/moveFleet";
import { rangeChecksums, seedPlayers } from "../helpers/moveChecks";
import { publishSlotMap, startClientLoad } from "../helpers/moveClientLoad";
import {
  inRange,
  lateAcks,
  playersAround,
  rangeCounts,
  rangeRows,
  rowDifferences,
  unfencedAcks,
  wantedRows,
  watchFence,
} from "../helpers/moveClientChecks";
import { runMover, stopAfterEach, until } from "../helpers/moverInProcess";
import { DATABASE } from "../helpers/shardFleet";

jest.setTimeout(240_000);
/** Stopped after each test even when it failed (jest would not exit with writers and movers running). */
const leftRunning = stopAfterEach();
const RANGE = { from: 0, to: 4095 };
const REST = { from: 4096, to: 16383 };
const ID = 7; // moveFleet's move id

describe("a switched move cleaned up under a client load", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("deletes the source's rows of the range only, after the target took every acknowledged write", async () => {
    const { inside, outside } = playersAround(RANGE, 2000, 400);
    const all = [...inside, ...outside];
    await seedPlayers(fleet, 1, all);
    const inventory = {
      range: (await rangeChecksums(fleet, 1, RANGE)).inventory,
      rest: (await rangeChecksums(fleet, 1, REST)).inventory,
    };
    publishSlotMap(fleet, [{ from: 0, to: 16383, shard: 1 }]);
    const sourceFence = watchFence(fleet, 1, RANGE.from);
    leftRunning(() => sourceFence.stop());
    const load = startClientLoad(fleet, { ids: [...inside.slice(0, 240), ...outside.slice(0, 80)], writers: 4 });
    leftRunning(() => load.stop());
    const acksBy = (shard: number, after = 0) =>
      load.acks.filter((a) => a.shard === shard && a.changed > 0 && inRange(RANGE, a.id) && a.at > after).length;

    const copy = runMover(fleet, fleet.spec("copy"));
    leftRunning(() => copy.stop());
    await until(
      "the copy and a verification pass",
      () => copy.mover.status.state === "streaming" && copy.mover.status.verifyPasses >= 1,
      60_000,
      copy.describe,
    );
    await copy.stop();
    const sw = runMover(fleet, fleet.spec("switch"));
    leftRunning(() => sw.stop());
    await until("the switch", () => sw.mover.status.state === "switched", 90_000, sw.describe);
    const epoch = switchEpoch(ID);
    publishSlotMap(fleet, [
      { from: 0, to: 4095, shard: 2, epoch },
      { from: 4096, to: 16383, shard: 1 },
    ]);
    load.reload();
    await until("writes of the range acknowledged by the target", () => acksBy(2) >= 40, 30_000);
    await sw.stop();

    // Cleanup while the writers go on (to the target for the range, to the source for the rest).
    const cleanupStarted = Date.now();
    const cleanup = runMover(fleet, fleet.spec("cleanup"));
    leftRunning(() => cleanup.stop());
    await until("the cleanup", () => cleanup.mover.status.state === "cleaned", 60_000, cleanup.describe);
    await cleanup.stop();
    const cleanedAt = Date.now();
    await until("writes of the range after the cleanup", () => acksBy(2, cleanedAt) >= 20, 30_000);
    const result = await load.stop();
    const sourceSeen = await sourceFence.stop();

    expect(result.errors).toEqual([]);
    expect(result.acks.some((a) => a.shard === 2 && a.at > cleanupStarted && a.at < cleanedAt)).toBe(true);
    expect(unfencedAcks(result.acks)).toEqual([]);
    expect(sourceSeen.map((o) => o.state)).toContain("moved");
    expect(lateAcks(result.acks, 1, RANGE, sourceSeen)).toEqual([]);

    // The source: no row of the range in any sharded table; the rest as seeded and as the writers left it.
    expect(await rangeCounts(fleet, 1, RANGE)).toEqual({ players: 0, inventory: 0 });
    expect(rowDifferences(await rangeRows(fleet, 1, REST), wantedRows(all, REST, result.expected))).toEqual([]);
    expect((await rangeChecksums(fleet, 1, REST)).inventory).toBe(inventory.rest);
    // The target: every acknowledged write of the range, and every other row of it as copied.
    expect(rowDifferences(await rangeRows(fleet, 2, RANGE), wantedRows(all, RANGE, result.expected))).toEqual([]);
    expect((await rangeChecksums(fleet, 2, RANGE)).inventory).toBe(inventory.range);
    expect(await rangeCounts(fleet, 2, REST)).toEqual({ players: 0, inventory: 0 });

    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    expect((await readControl(one, ID))?.state).toBe("cleaned");
    expect((await readControl(two, ID))?.state).toBe("cleaned");
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "moved", owner: 2, epoch, slots: 4096 }]);
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "owned", owner: 2, epoch, slots: 4096 }]);
    // A write of the range sent to the source is still refused there, naming the owner...
    const fresh = playerIn(RANGE, true, all.reduce((a, b) => (a > b ? a : b)) + 1n);
    const slot = keySlot(fresh);
    await expect(
      one.query("INSERT INTO players (player_id, gamedb_slot, name) VALUES (?, ?, 'late')", [fresh, slot]),
    ).rejects.toThrow(`GAMEDB_MOVED slot=${slot} shard=2 epoch=${epoch}`);
    // ...so a game server still on the first map follows it to the target.
    publishSlotMap(fleet, [{ from: 0, to: 16383, shard: 1 }]);
    const stale = new GameDbClient({ endpoints: fleet.shards.endpointsDir, user: "root", database: DATABASE });
    try {
      expect(stale.shardOf(fresh)).toBe(1);
      await stale.write(fresh, "INSERT INTO players (player_id, gamedb_slot, name) VALUES (?, ?, 'late')", [
        fresh,
        slot,
      ]);
      expect(stale.shardOf(fresh)).toBe(2);
    } finally {
      await stale.close();
    }
    const count = async (c: mysql.Connection) => {
      const [rows] = await c.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM players WHERE player_id = ?", [
        fresh,
      ]);
      return Number(rows[0]!.n);
    };
    expect([await count(one), await count(two)]).toEqual([0, 1]);
    await one.end();
    await two.end();
  });
});
