/**
 * A slot move switched and then reversed, then cancelled, on MariaDB 10.11 stand-ins, while game servers write
 * through the real client (@gamedb/client) that reads the endpoints directory: copy -> switch (the map is then
 * published with the target) -> reverse (the map is published with the source again) -> cancel. No acknowledged
 * write is lost or doubled, no write is accepted by a shard after the freeze that ended its ownership, and at the
 * end the source holds exactly what the writers last acknowledged while the target holds nothing of the range.
 */
import { readControl } from "../../scripts/lib/mover/control";
import { rangeStates } from "../../scripts/lib/mover/fenceOps";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";
import { reverseEpoch, switchEpoch } from "../../infra/contracts/slotMoves";
import { MoveFleet, startMoveFleet } from "../helpers/moveFleet";
import { rangeChecksums, seedPlayers } from "../helpers/moveChecks";
import { publishSlotMap, startClientLoad } from "../helpers/moveClientLoad";
import {
  lateAcks,
  inRange,
  playersAround,
  rangeCounts,
  rangeRows,
  rowDifferences,
  unfencedAcks,
  wantedRows,
  watchFence,
} from "../helpers/moveClientChecks";
import { runMover, stopAfterEach, until } from "../helpers/moverInProcess";

jest.setTimeout(240_000);
/** Stopped after each test even when it failed (jest would not exit with writers and movers running). */
const leftRunning = stopAfterEach();
const RANGE = { from: 0, to: 4095 };
const ID = 7; // moveFleet's move id

describe("a switched move reversed and cancelled under a client load", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("hands the range back to the source, empties the target, and loses no acknowledged write", async () => {
    const { inside, outside } = playersAround(RANGE, 2000, 300);
    await seedPlayers(fleet, 1, [...inside, ...outside]);
    const inventory = (await rangeChecksums(fleet, 1, RANGE)).inventory;
    // The new shard's Router is published before it owns anything; every slot is shard 1's.
    publishSlotMap(fleet, [{ from: 0, to: 16383, shard: 1 }]);
    const sourceFence = watchFence(fleet, 1, RANGE.from);
    leftRunning(() => sourceFence.stop());
    const targetFence = watchFence(fleet, 2, RANGE.from);
    leftRunning(() => targetFence.stop());
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
    const switchPause = sw.mover.status.pauseMs;
    // The gate saw the fences agree and the ConfigMap is published with the target (at the switch's epoch).
    publishSlotMap(fleet, [
      { from: 0, to: 4095, shard: 2, epoch: switchEpoch(ID) },
      { from: 4096, to: 16383, shard: 1 },
    ]);
    load.reload();
    const switchedAt = Date.now();
    await until("writes of the range acknowledged by the target", () => acksBy(2) >= 40, 30_000);
    await sw.stop();

    const rev = runMover(fleet, fleet.spec("reverse"));
    leftRunning(() => rev.stop());
    await until("the reverse", () => rev.mover.status.state === "reversed", 90_000, rev.describe);
    const reversePause = rev.mover.status.pauseMs;
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    const back = reverseEpoch(ID);
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "owned", owner: 1, epoch: back, slots: 4096 }]);
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "moved", owner: 1, epoch: back, slots: 4096 }]);
    // The client, still on the map that names the target, follows the target's MOVED to the source before the map
    // is published (were it published first, the client could read it before any write met the MOVED).
    await until(
      "the client to learn the source's ownership from a MOVED",
      () => load.learned.some((e) => e.shard === 1 && e.epoch === back),
      30_000,
    );
    publishSlotMap(fleet, [
      { from: 0, to: 4095, shard: 1, epoch: back },
      { from: 4096, to: 16383, shard: 1 },
    ]);
    load.reload();
    const reversedAt = Date.now();
    await until("writes of the range acknowledged by the source again", () => acksBy(1, reversedAt) >= 40, 30_000);
    await rev.stop();

    // Cancel while the writers go on (they write to the source, which owns the range again).
    const cancel = runMover(fleet, fleet.spec("cancel"));
    leftRunning(() => cancel.stop());
    await until("the cancel", () => cancel.mover.status.state === "cancelled", 60_000, cancel.describe);
    await cancel.stop();
    const cancelledAt = Date.now();
    await until("writes of the range after the cancel", () => acksBy(1, cancelledAt) >= 20, 30_000);
    const result = await load.stop();
    const [sourceSeen, targetSeen] = [await sourceFence.stop(), await targetFence.stop()];

    expect(result.errors).toEqual([]);
    expect(switchPause).not.toBeNull();
    expect(reversePause).not.toBeNull();
    expect(switchPause!).toBeLessThan(3000);
    expect(reversePause!).toBeLessThan(3000);
    // Both owners acknowledged writes of the range in their turn, and the client followed MOVED to both.
    expect(result.acks.some((a) => a.shard === 2 && a.at > switchedAt)).toBe(true);
    expect(result.acks.some((a) => a.shard === 1 && a.at > reversedAt && inRange(RANGE, a.id))).toBe(true);
    expect(result.learned.some((e) => e.shard === 1 && e.epoch === back)).toBe(true);
    // Every write was committed under a fence row naming its shard the owner, and none began after the freeze
    // that ended that ownership (the source's at the switch, the target's at the reverse).
    expect(unfencedAcks(result.acks)).toEqual([]);
    expect(sourceSeen.map((o) => o.state)).toContain("moved");
    expect(targetSeen.map((o) => `${o.state}@${o.epoch}`)).toContain(`moved@${back}`);
    expect(lateAcks(result.acks, 1, RANGE, sourceSeen)).toEqual([]);
    expect(lateAcks(result.acks, 2, RANGE, targetSeen)).toEqual([]);

    // The target: nothing of the range, its fence rows moved to the source; both control rows cancelled.
    expect(await rangeCounts(fleet, 2, RANGE)).toEqual({ players: 0, inventory: 0 });
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "moved", owner: 1, epoch: back, slots: 4096 }]);
    expect((await readControl(one, ID))?.state).toBe("cancelled");
    expect((await readControl(two, ID))?.state).toBe("cancelled");
    // The source: its range is what was seeded as the writers last acknowledged it, row for row; outside too.
    const all = [...inside, ...outside];
    expect(rowDifferences(await rangeRows(fleet, 1, RANGE), wantedRows(all, RANGE, result.expected))).toEqual([]);
    const rest = { from: RANGE.to + 1, to: 16383 };
    expect(rowDifferences(await rangeRows(fleet, 1, rest), wantedRows(all, rest, result.expected))).toEqual([]);
    expect((await rangeChecksums(fleet, 1, RANGE)).inventory).toBe(inventory);
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "owned", owner: 1, epoch: back, slots: 4096 }]);
    await one.end();
    await two.end();
  });
});
