/**
 * Switches that must not happen yet, on MariaDB 10.11 stand-ins under a client load (@gamedb/client):
 * - the forward stream lags (a transaction on the target holds row locks the applier needs): the mover asked to
 *   switch refuses with the lag named in its status, never freezes the source; once the locks go it catches up and
 *   switches;
 * - a transaction on the source holds a written slot of the range open past switch.freezeTimeoutSeconds: the
 *   switch aborts with the freeze named, the range is owned again and writers go on; after the commit the next
 *   attempt switches, and the held write is on the target;
 * - after a switch, the reverse stream lags (the same locks on the source): the reverse is refused the same way,
 *   the target keeps the range unfrozen, and the reverse happens once the stream caught up.
 */
import type * as mysql from "mysql2/promise";
import { keySlot } from "../../infra/contracts/slots";
import { reverseEpoch, switchEpoch } from "../../infra/contracts/slotMoves";
import { rangeStates } from "../../scripts/lib/mover/fenceOps";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";
import { MoveFleet, startMoveFleet } from "../helpers/moveFleet";
import { seedPlayers } from "../helpers/moveChecks";
import { ClientLoad, publishSlotMap, startClientLoad } from "../helpers/moveClientLoad";
import {
  inRange,
  lateAcks,
  playersAround,
  rangeRows,
  rowDifferences,
  unfencedAcks,
  wantedRows,
  watchFence,
} from "../helpers/moveClientChecks";
import { runMover, stopAfterEach, until } from "../helpers/moverInProcess";

jest.setTimeout(240_000);
const RANGE = { from: 0, to: 4095 };
const ID = 7; // moveFleet's move id
const EPOCH = switchEpoch(ID);
const { inside, outside } = playersAround(RANGE, 2000, 300);
const ALL = [...inside, ...outside];
/** The load writes a few players of the range (and some outside), so few slots are dirty at any time. */
const WRITERS_INSIDE = 60;
const WRITTEN = [...inside.slice(0, WRITERS_INSIDE), ...outside.slice(0, 40)];

/** What a test left running, stopped after it even when it failed (last first: a lock holder before a mover). */
const leftRunning = stopAfterEach();

/** Seeds shard 1, publishes a map giving it every slot, starts the load, and copies until verified. */
async function copied(fleet: MoveFleet): Promise<ClientLoad> {
  await seedPlayers(fleet, 1, ALL);
  publishSlotMap(fleet, [{ from: 0, to: 16383, shard: 1 }]);
  const load = startClientLoad(fleet, { ids: WRITTEN, writers: 4 });
  leftRunning(() => load.stop());
  const copy = runMover(fleet, fleet.spec("copy"));
  leftRunning(() => copy.stop());
  await until(
    "the copy and a verification pass",
    () => copy.mover.status.state === "streaming" && copy.mover.status.verifyPasses >= 1,
    60_000,
    copy.describe,
  );
  await copy.stop();
  return load;
}

/** The refusal that names the lag: measured, or unknown until the restarted stream caught up once. */
const lagRefusal = (what: "switch" | "reverse") =>
  new RegExp(
    `^${what} waits: move 7 (lags \\S+ s behind its source; a switch needs under 1 s|` +
      "has not caught up with its source since the mover started; a switch needs it under 1 s behind)$",
  );

const acksOfRangeOn = (load: ClientLoad, shard: number, after: number) =>
  load.acks.filter((a) => a.shard === shard && a.changed > 0 && inRange(RANGE, a.id) && a.at > after).length;

describe("a switch refused while the stream lags", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("names the lag, leaves the source owning the range, then catches up and switches", async () => {
    const load = await copied(fleet);
    const sourceFence = watchFence(fleet, 1, RANGE.from);
    leftRunning(() => sourceFence.stop());
    // Root on the target holds the rows the load keeps changing: the applier waits for them, the stream lags.
    const holder: mysql.Connection = await fleet.admin(2);
    leftRunning(async () => holder.destroy());
    await holder.beginTransaction();
    await holder.query("SELECT player_id FROM players WHERE player_id IN (?) FOR UPDATE", [WRITTEN]);
    await new Promise((r) => setTimeout(r, 1500));

    const sw = runMover(fleet, fleet.spec("switch"));
    // After a failure the lock goes first: the mover's applier may be waiting for it.
    leftRunning(
      () => sw.stop(),
      async () => holder.destroy(),
    );
    const lags = lagRefusal("switch");
    await until("the lag refusal", () => lags.test(sw.mover.status.lastError ?? ""), 30_000, sw.describe);
    await new Promise((r) => setTimeout(r, 2000));
    expect(sw.mover.status.lastError).toMatch(lags);
    expect(sw.mover.status.state).toBe("streaming");
    // Never frozen: no switch was attempted (an attempt under lag freezes the range until its drain times out).
    const attempts = sw.log.filter((l) => /aborted/.test(l));
    expect({ fence: sourceFence.observations.map((o) => o.state), attempts }).toEqual({
      fence: ["owned"],
      attempts: [],
    });
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    leftRunning(
      () => one.end(),
      () => two.end(),
    );
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "owned", owner: 1, epoch: 0, slots: 4096 }]);
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "importing", owner: 1, epoch: 0, slots: 4096 }]);

    await holder.rollback();
    await holder.end();
    await until("the switch", () => sw.mover.status.state === "switched", 60_000, sw.describe);
    expect(sw.mover.status.pauseMs!).toBeLessThan(3000);
    publishSlotMap(fleet, [
      { from: 0, to: 4095, shard: 2, epoch: EPOCH },
      { from: 4096, to: 16383, shard: 1 },
    ]);
    load.reload();
    const switchedAt = Date.now();
    await until("writes of the range on the target", () => acksOfRangeOn(load, 2, switchedAt) >= 20, 30_000);
    const result = await load.stop();
    await sw.stop();
    const seen = await sourceFence.stop();

    expect(result.errors).toEqual([]);
    expect(unfencedAcks(result.acks)).toEqual([]);
    expect(lateAcks(result.acks, 1, RANGE, seen)).toEqual([]);
    expect(rowDifferences(await rangeRows(fleet, 2, RANGE), wantedRows(ALL, RANGE, result.expected))).toEqual([]);
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "moved", owner: 2, epoch: EPOCH, slots: 4096 }]);
  });
});

describe("a switch aborted by the freeze timeout", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("unfreezes the range, lets writers go on, and switches once the open transaction commits", async () => {
    const load = await copied(fleet);
    const sourceFence = watchFence(fleet, 1, RANGE.from);
    leftRunning(() => sourceFence.stop());
    // An open transaction on the source that wrote a row of the range: its trigger holds the slot's fence row. Its
    // slot is the highest of the seeded ones, so the writers' slots come before it in the freeze's scan.
    const held = inside.slice(WRITERS_INSIDE).reduce((a, b) => (keySlot(b) > keySlot(a) ? b : a));
    const holder: mysql.Connection = await fleet.admin(1);
    leftRunning(async () => holder.destroy());
    await holder.beginTransaction();
    await holder.query("UPDATE players SET name = 'held', level = 4242 WHERE player_id = ?", [held]);

    const sw = runMover(
      fleet,
      fleet.spec("switch", { switch: { ...fleet.spec("switch").switch, freezeTimeoutSeconds: 1 } }),
      {
        verifyEveryMs: 200,
      },
    );
    leftRunning(
      () => sw.stop(),
      async () => holder.destroy(),
    );
    // The first error that is not a refusal to start (the lag and verification gates) is the freeze's.
    const failed = () => sw.mover.status.lastError !== null && !sw.mover.status.lastError.startsWith("switch waits:");
    await until("the switch attempt to fail", failed, 30_000, sw.describe);
    expect(sw.mover.status.lastError).toMatch(
      /^switch of slots 0-4095 aborted, nothing frozen: the freeze did not get the range within 1 s \(/,
    );
    const abortedAt = Date.now();
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    leftRunning(
      () => one.end(),
      () => two.end(),
    );
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "owned", owner: 1, epoch: 0, slots: 4096 }]);
    // Writers of the range go on on the source while the transaction stays open (the mover keeps trying).
    await until("writes of the range on the source", () => acksOfRangeOn(load, 1, abortedAt) >= 20, 30_000);
    expect(sourceFence.observations.map((o) => o.state)).toEqual(["owned"]);
    expect(sw.mover.status.state).toBe("streaming");

    await holder.commit();
    await holder.end();
    await until("the switch", () => sw.mover.status.state === "switched", 60_000, sw.describe);
    expect(sw.mover.status.lastError).toBeNull();
    expect(sw.mover.status.pauseMs!).toBeLessThan(3000);
    publishSlotMap(fleet, [
      { from: 0, to: 4095, shard: 2, epoch: EPOCH },
      { from: 4096, to: 16383, shard: 1 },
    ]);
    load.reload();
    const switchedAt = Date.now();
    await until("writes of the range on the target", () => acksOfRangeOn(load, 2, switchedAt) >= 20, 30_000);
    const result = await load.stop();
    await sw.stop();
    const seen = await sourceFence.stop();

    expect(result.errors).toEqual([]);
    expect(unfencedAcks(result.acks)).toEqual([]);
    expect(lateAcks(result.acks, 1, RANGE, seen)).toEqual([]);
    const expected = new Map(result.expected).set(String(held), { name: "held", level: 4242 });
    expect(rowDifferences(await rangeRows(fleet, 2, RANGE), wantedRows(ALL, RANGE, expected))).toEqual([]);
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "moved", owner: 2, epoch: EPOCH, slots: 4096 }]);
  });
});

describe("a reverse refused while the reverse stream lags", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("names the lag, leaves the target owning the range, then catches up and reverses", async () => {
    const load = await copied(fleet);
    const sw = runMover(fleet, fleet.spec("switch"));
    leftRunning(() => sw.stop());
    await until("the switch", () => sw.mover.status.state === "switched", 60_000, sw.describe);
    publishSlotMap(fleet, [
      { from: 0, to: 4095, shard: 2, epoch: EPOCH },
      { from: 4096, to: 16383, shard: 1 },
    ]);
    load.reload();
    const switchedAt = Date.now();
    await until("writes of the range on the target", () => acksOfRangeOn(load, 2, switchedAt) >= 20, 30_000);
    await sw.stop();

    const targetFence = watchFence(fleet, 2, RANGE.from);
    leftRunning(() => targetFence.stop());
    // Root on the source holds the rows the load keeps changing on the target: the reverse stream lags.
    const holder: mysql.Connection = await fleet.admin(1);
    leftRunning(async () => holder.destroy());
    await holder.beginTransaction();
    await holder.query("SELECT player_id FROM players WHERE player_id IN (?) FOR UPDATE", [WRITTEN]);
    await new Promise((r) => setTimeout(r, 1500));

    const rev = runMover(fleet, fleet.spec("reverse"));
    leftRunning(
      () => rev.stop(),
      async () => holder.destroy(),
    );
    const lags = lagRefusal("reverse");
    await until("the lag refusal", () => lags.test(rev.mover.status.lastError ?? ""), 30_000, rev.describe);
    await new Promise((r) => setTimeout(r, 2000));
    expect(rev.mover.status.lastError).toMatch(lags);
    const attempts = rev.log.filter((l) => /aborted/.test(l));
    expect({ fence: targetFence.observations.map((o) => o.state), attempts }).toEqual({
      fence: ["owned"],
      attempts: [],
    });

    await holder.rollback();
    await holder.end();
    await until("the reverse", () => rev.mover.status.state === "reversed", 60_000, rev.describe);
    expect(rev.mover.status.pauseMs!).toBeLessThan(3000);
    const back = reverseEpoch(ID);
    publishSlotMap(fleet, [
      { from: 0, to: 4095, shard: 1, epoch: back },
      { from: 4096, to: 16383, shard: 1 },
    ]);
    load.reload();
    const reversedAt = Date.now();
    await until("writes of the range on the source", () => acksOfRangeOn(load, 1, reversedAt) >= 20, 30_000);
    const result = await load.stop();
    await rev.stop();
    const seen = await targetFence.stop();

    expect(result.errors).toEqual([]);
    expect(unfencedAcks(result.acks)).toEqual([]);
    expect(lateAcks(result.acks, 2, RANGE, seen)).toEqual([]);
    expect(rowDifferences(await rangeRows(fleet, 1, RANGE), wantedRows(ALL, RANGE, result.expected))).toEqual([]);
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    leftRunning(
      () => one.end(),
      () => two.end(),
    );
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "owned", owner: 1, epoch: back, slots: 4096 }]);
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "moved", owner: 1, epoch: back, slots: 4096 }]);
  });
});
