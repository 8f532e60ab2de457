/**
 * The mover killed (SIGKILL, a node loss) mid-copy, right after the freeze and right after the claim, and started
 * again each time, under a writer load: it resumes from its control rows, and the move ends as if nothing happened
 * (MariaDB 10.11 stand-ins; the mover runs as its image runs it, in a child process).
 */
import { keySlot } from "../../infra/contracts/slots";
import { switchEpoch } from "../../infra/contracts/slotMoves";
import { readControl } from "../../scripts/lib/mover/control";
import { rangeStates } from "../../scripts/lib/mover/fenceOps";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";
import { MoveFleet, playerIn, startMoveFleet } from "../helpers/moveFleet";
import { startLoad } from "../helpers/moveLoad";
import { startMoverProcess, untilStatus } from "../helpers/moverProcess";
import { expectAcknowledgedWrites, rangeChecksums, seedPlayers } from "../helpers/moveChecks";

jest.setTimeout(240_000);
const RANGE = { from: 0, to: 4095 };

describe("slot move resumes after a crash", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("resumes the copy, undoes a crashed freeze, finishes a crashed claim, and loses nothing", async () => {
    const inside: bigint[] = [];
    let next = 1n;
    for (let i = 0; i < 30_000; i++) next = inside[inside.push(playerIn(RANGE, true, next)) - 1]! + 1n;
    const outside = Array.from({ length: 200 }, (_, i) => playerIn(RANGE, false, next + BigInt(i * 50)));
    await seedPlayers(fleet, 1, [...inside, ...outside]);

    const load = startLoad({
      ids: [...inside.slice(0, 300), ...outside],
      writers: 3,
      owner: () => 1,
      connect: (shard) => fleet.admin(shard),
    });
    const spec = (phase: "copy" | "switch") =>
      fleet.spec(phase, { throttle: { chunkRows: 100, maxThreadsRunning: 1000, maxApplierQueue: 1000 } });

    // 1. Killed mid-copy.
    const first = await startMoverProcess(spec("copy"), fleet.secrets);
    await untilStatus(first, "some rows copied", (s) => s.rowsCopied > 2000);
    await first.kill();
    const target = await fleet.admin(2);
    const cut = await readControl(target, 7);
    expect(cut?.state).toBe("copying");
    expect(cut?.copyCursor?.some((c) => !c.done)).toBe(true);

    const second = await startMoverProcess(spec("copy"), fleet.secrets);
    await untilStatus(
      second,
      "the copy to finish and verify",
      (s) => s.state === "streaming" && s.verifyPasses >= 1,
      120_000,
    );
    await second.kill("SIGTERM");

    // 2. Killed right after the freeze: the range stays frozen (writers wait on TRYAGAIN) until the restart undoes it.
    const third = await startMoverProcess(spec("switch"), fleet.secrets, { GAMEDB_MOVER_FAILPOINT: "switch-frozen" });
    expect(await third.exited).toBe("SIGKILL");
    const source = await fleet.admin(1);
    expect((await rangeStates(source, RANGE)).map((s) => s.state)).toEqual(["frozen"]);
    expect((await readControl(target, 7))?.state).toBe("switching");

    // 3. Restarted, it unfreezes, switches again and is killed right after the claim: both sides fenced, none open.
    const fourth = await startMoverProcess(spec("switch"), fleet.secrets, { GAMEDB_MOVER_FAILPOINT: "switch-claimed" });
    expect(await fourth.exited).toBe("SIGKILL");
    const epoch = switchEpoch(7);
    expect(await rangeStates(target, RANGE)).toEqual([{ state: "owned", owner: 2, epoch, slots: 4096 }]);
    expect((await rangeStates(source, RANGE)).map((s) => s.state)).toEqual(["frozen"]);

    // 4. Restarted, it finishes the release and streams the target's changes back.
    const fifth = await startMoverProcess(spec("switch"), fleet.secrets);
    await untilStatus(fifth, "the reverse stream", (s) => s.state === "switched" && s.verifyPasses >= 1);
    expect(await rangeStates(source, RANGE)).toEqual([{ state: "moved", owner: 2, epoch, slots: 4096 }]);
    await new Promise((r) => setTimeout(r, 500));
    const result = await load.stop();
    await untilStatus(fifth, "the reverse stream to catch up", (s) => s.lagSeconds === 0);
    await new Promise((r) => setTimeout(r, 500));
    await fifth.kill("SIGTERM");

    await expectAcknowledgedWrites(fleet, result.expected, (id) => (keySlot(BigInt(id)) <= RANGE.to ? 2 : 1));
    expect(await rangeChecksums(fleet, 1, RANGE)).toEqual(await rangeChecksums(fleet, 2, RANGE));
    const [[count]] = (await target.query("SELECT COUNT(*) AS n FROM players")) as unknown as [[{ n: string }]];
    expect(Number(count!.n)).toBeGreaterThan(29_000);
    await source.end();
    await target.end();
  });
});
