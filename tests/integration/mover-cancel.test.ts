/**
 * Cancelling a slot move before its switch, on MariaDB 10.11 stand-ins: the copy (and the stream of the writes the
 * client load makes meanwhile) is undone on the target, the source is left exactly as the writers left it, and
 * the target's fence goes back to `moved`. A move cancelled before it ever started does nothing at all.
 */
import { keySlot } from "../../infra/contracts/slots";
import { readControl } from "../../scripts/lib/mover/control";
import { rangeStates } from "../../scripts/lib/mover/fenceOps";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";
import { MoveFleet, startMoveFleet } from "../helpers/moveFleet";
import { rangeChecksums, seedPlayers } from "../helpers/moveChecks";
import { publishSlotMap, startClientLoad } from "../helpers/moveClientLoad";
import {
  playersAround,
  rangeCounts,
  rangeRows,
  rowDifferences,
  slotChecksums,
  unfencedAcks,
  wantedRows,
} from "../helpers/moveClientChecks";
import { runMover, stopAfterEach, until } from "../helpers/moverInProcess";

jest.setTimeout(240_000);
/** Stopped after each test even when it failed (jest would not exit with writers and movers running). */
const leftRunning = stopAfterEach();
const RANGE = { from: 0, to: 4095 };
const ALL = { from: 0, to: 16383 };
const ID = 7; // moveFleet's move id

describe("a move cancelled before its switch", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("empties the target of the range, puts its fence back to moved, and leaves the source untouched", async () => {
    const { inside, outside } = playersAround(RANGE, 2000, 400);
    const all = [...inside, ...outside];
    await seedPlayers(fleet, 1, all);
    // The load writes players only: every inventory row of the source is compared with its seeded checksums.
    const inventory = (await rangeChecksums(fleet, 1, ALL)).inventory;
    const players = await slotChecksums(fleet, 1, "players", ALL);
    publishSlotMap(fleet, [{ from: 0, to: 16383, shard: 1 }]);
    const written = [...inside.slice(0, 240), ...outside.slice(0, 80)];
    const load = startClientLoad(fleet, { ids: written, writers: 4 });
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
    expect(copy.mover.status.rowsStreamed).toBeGreaterThan(0);
    const copied = await rangeCounts(fleet, 2, RANGE);
    expect(copied.players).toBeGreaterThan(1000);
    expect(copied.inventory).toBe(2 * inside.length);
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "importing", owner: 1, epoch: 0, slots: 4096 }]);

    // Cancelled while the writers go on writing the range to the source.
    const cancel = runMover(fleet, fleet.spec("cancel"));
    leftRunning(() => cancel.stop());
    await until("the cancel", () => cancel.mover.status.state === "cancelled", 60_000, cancel.describe);
    expect(cancel.mover.status.lastError).toBeNull();
    await cancel.stop();
    const result = await load.stop();
    expect(result.errors).toEqual([]);
    expect(unfencedAcks(result.acks)).toEqual([]);
    expect(result.acks.every((a) => a.shard !== 2)).toBe(true);

    // The target: no row of the range, its fence rows moved to the source as before the move; nothing else.
    expect(await rangeCounts(fleet, 2, ALL)).toEqual({ players: 0, inventory: 0 });
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "moved", owner: 1, epoch: 0, slots: 4096 }]);
    // The source: every row as seeded and as the writers last acknowledged it, its inventory untouched, its
    // fence as before.
    expect(rowDifferences(await rangeRows(fleet, 1, ALL), wantedRows(all, ALL, result.expected))).toEqual([]);
    expect((await rangeChecksums(fleet, 1, ALL)).inventory).toBe(inventory);
    // Every column of every player in a slot the writers did not touch, by per-slot checksums.
    const touched = new Set(written.map((id) => keySlot(id)));
    const untouched = (sums: Map<number, string>) => [...sums].filter(([slot]) => !touched.has(slot));
    expect(untouched(await slotChecksums(fleet, 1, "players", ALL))).toEqual(untouched(players));
    expect(untouched(players).length).toBeGreaterThan(1500);
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "owned", owner: 1, epoch: 0, slots: 4096 }]);
    expect((await readControl(one, ID))?.state).toBe("cancelled");
    expect((await readControl(two, ID))?.state).toBe("cancelled");
    await one.end();
    await two.end();
  });

  it("does nothing for a move that never started: idle, no error, no control row, fences as they were", async () => {
    const range = { from: 8192, to: 12287 };
    const never = runMover(fleet, fleet.spec("cancel", { id: 9, slots: range }));
    leftRunning(() => never.stop());
    await until("the mover to find nothing to do", () => never.log.some((l) => /never started/.test(l)));
    await new Promise((r) => setTimeout(r, 300));
    expect(never.mover.status.lastError).toBeNull();
    expect(never.mover.status.state).toBe("preflight");
    await never.stop();
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    expect(await readControl(one, 9)).toBeUndefined();
    expect(await readControl(two, 9)).toBeUndefined();
    expect(await rangeStates(one, range)).toEqual([{ state: "owned", owner: 1, epoch: 0, slots: 4096 }]);
    expect(await rangeStates(two, range)).toEqual([{ state: "moved", owner: 1, epoch: 0, slots: 4096 }]);
    await one.end();
    await two.end();
  });
});
