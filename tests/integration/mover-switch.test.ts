/**
 * A slot move end to end on MariaDB 10.11 stand-ins (tests/helpers/moveFleet.ts), under a concurrent writer load:
 * copy while following the binlog, verify, switch with a write pause, the reverse stream keeping the source equal.
 */
import { keySlot } from "../../infra/contracts/slots";
import { switchEpoch } from "../../infra/contracts/slotMoves";
import { Mover } from "../../scripts/lib/mover/mover";
import { rangeStates } from "../../scripts/lib/mover/fenceOps";
import { MoveFleet, playerIn, startMoveFleet } from "../helpers/moveFleet";
import { startLoad } from "../helpers/moveLoad";
import { expectAcknowledgedWrites, rangeChecksums, seedPlayers } from "../helpers/moveChecks";
import { ownershipEnded, watchFence } from "../helpers/moveClientChecks";
import { stopAfterEach } from "../helpers/moverInProcess";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";

jest.setTimeout(180_000);
/** Stopped after each test even when it failed (jest would not exit with a watcher running). */
const leftRunning = stopAfterEach();
const RANGE = { from: 0, to: 4095 };

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("slot move on stand-ins", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("copies under load, switches with a short pause, loses no acknowledged write, and streams back", async () => {
    const inside: bigint[] = [];
    const outside: bigint[] = [];
    let next = 1n;
    for (let i = 0; i < 1500; i++) {
      const a = playerIn(RANGE, true, next);
      inside.push(a);
      const b = playerIn(RANGE, false, a + 1n);
      outside.push(b);
      next = b + 1n;
    }
    await seedPlayers(fleet, 1, [...inside, ...outside]);

    const load = startLoad({
      ids: [...inside.slice(0, 400), ...outside.slice(0, 400)],
      writers: 4,
      owner: () => 1,
      connect: (shard) => fleet.admin(shard),
      watch: RANGE,
    });
    const quiet = (l: string) => process.stderr.write(l + "\n");
    const copy = new Mover({
      spec: fleet.spec("copy"),
      secrets: fleet.secrets,
      log: quiet,
      retryMs: 200,
      verifyEveryMs: 100,
    });
    const copying = copy.run();
    await until(
      "copy and a verification pass",
      () => copy.status.state === "streaming" && copy.status.verifyPasses >= 1,
    );
    expect(copy.status.lastError).toBeNull();
    // A second mover of the same move waits for the first (GET_LOCK on the target) and writes nothing.
    const twin = new Mover({ spec: fleet.spec("copy"), secrets: fleet.secrets, log: () => undefined, retryMs: 100 });
    const twinRun = twin.run();
    await until("the twin to give way", () => /another mover holds move 7/.test(twin.status.lastError ?? ""));
    expect(twin.status.rowsCopied).toBe(0);
    // The holder's lock connection dies: the twin takes the lock and the first mover stops writing (assertLock).
    const root = await fleet.admin(2);
    const [[holder]] = (await root.query("SELECT IS_USED_LOCK('gamedb_move_7') AS id")) as unknown as [
      [{ id: number }],
    ];
    await root.query(`KILL CONNECTION ${Number(holder!.id)}`);
    await until("the twin to take the move", () => twin.status.lastError === null);
    await until("the first mover to give way", () => /another mover holds move 7/.test(copy.status.lastError ?? ""));
    await root.end();
    twin.stop();
    await twinRun;
    await until("the first mover to take the move back", () => copy.status.lastError === null);
    expect(copy.status.rowsCopied).toBeGreaterThan(0);
    copy.stop();
    await copying;

    // The source's fence as seen from outside (a root connection, every 2 ms; the range changes in one statement).
    const fence = watchFence(fleet, 1, RANGE.from, 2);
    leftRunning(() => fence.stop());
    const sw = new Mover({
      spec: fleet.spec("switch"),
      secrets: fleet.secrets,
      log: quiet,
      retryMs: 200,
      verifyEveryMs: 100,
    });
    const switching = sw.run();
    await until("the switch", () => sw.status.state === "switched", 90_000);
    await new Promise((r) => setTimeout(r, 700));
    const result = await load.stop();
    const seen = await fence.stop();
    await until("the reverse stream to catch up", () => sw.status.lagSeconds === 0, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    sw.stop();
    await switching;

    expect(sw.status.pauseMs).not.toBeNull();
    expect(sw.status.pauseMs!).toBeLessThan(3000);
    // No write in the range was acknowledged by the old owner after its fence showed the freeze that ended its
    // ownership (the first `frozen` of the run that became `moved`: a switch aborted earlier unfreezes, and writes
    // go on there legitimately). A writer in flight when the freeze began holds the fence row's shared lock, so the
    // freeze commits after that writer's commit: its acknowledgement comes before any read can see `frozen`.
    expect(seen.map((o) => o.state)).toContain("frozen");
    const frozenAt = ownershipEnded(seen, 0);
    expect(frozenAt).toBeLessThan(Infinity);
    expect(result.ackedIn.filter((a) => a.shard === 1 && a.at > frozenAt)).toEqual([]);
    expect(result.ackedIn.some((a) => a.shard === 1 && a.at <= frozenAt)).toBe(true);
    expect(result.ackedIn.some((a) => a.shard === 2)).toBe(true);

    // Every acknowledged write is on the shard that owns its key now, exactly once.
    await expectAcknowledgedWrites(fleet, result.expected, (id) => (keySlot(BigInt(id)) <= RANGE.to ? 2 : 1));
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    const epoch = switchEpoch(7);
    expect(await rangeStates(two, RANGE)).toEqual([{ state: "owned", owner: 2, epoch, slots: 4096 }]);
    expect(await rangeStates(one, RANGE)).toEqual([{ state: "moved", owner: 2, epoch, slots: 4096 }]);
    const fresh = playerIn(RANGE, true, next + 1n);
    await expect(
      one.query("INSERT INTO players (player_id, gamedb_slot, name) VALUES (?, ?, 'late')", [fresh, keySlot(fresh)]),
    ).rejects.toThrow(`GAMEDB_MOVED slot=${keySlot(fresh)} shard=2 epoch=${epoch}`);
    await one.end();
    await two.end();
    // The reverse stream kept the source equal to the target, row for row.
    expect(await rangeChecksums(fleet, 1, RANGE)).toEqual(await rangeChecksums(fleet, 2, RANGE));
  });
});
