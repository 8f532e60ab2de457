// The gate before a slot map is published (scripts/lib/mover/gate.ts runGate) on two MariaDB 10.11 stand-ins, as
// the mover account: it passes a map the fences agree with, waits for a switch the deploy asks for (control row, then
// frozen slots) and passes when it completes, refuses a map edited without a move at once, and gives up at the
// timeout with the move's own error.
import type * as mysql from "mysql2/promise";
import type { SlotRun } from "../../infra/contracts/slotFence";
import { GateSpec, MoveStatus, gateSpecSchema } from "../../infra/contracts/slotMoves";
import { initControl, saveStatus, setState } from "../../scripts/lib/mover/control";
import { runGate } from "../../scripts/lib/mover/gate";
import { MoverStandins, setFence, startMoverStandins } from "./mover-standins";

const BEFORE: SlotRun[] = [
  { from: 0, to: 8191, shard: 1 },
  { from: 8192, to: 16383, shard: 2 },
];
/** Move 7 gives slots 0-99 to shard 2. */
const AFTER: SlotRun[] = [
  { from: 0, to: 99, shard: 2 },
  { from: 100, to: 8191, shard: 1 },
  { from: 8192, to: 16383, shard: 2 },
];
const RANGE = { from: 0, to: 99 };

let s: MoverStandins;
let conns: Map<number, mysql.Connection>;

beforeAll(async () => {
  s = await startMoverStandins(2, BEFORE);
  conns = new Map([
    [1, await s.mover(1)],
    [2, await s.mover(2)],
  ]);
}, 120_000);
afterAll(async () => {
  await s?.stop();
});

const spec = (slotMap: SlotRun[], moves: GateSpec["moves"] = [], timeoutSeconds = 5): GateSpec =>
  gateSpecSchema.parse({
    database: "game",
    shards: [1, 2].map((shard) => ({ shard, host: "127.0.0.1", port: s.port(shard) })),
    slotMap,
    moves,
    timeoutSeconds,
  });

const status = (over: Partial<MoveStatus>): MoveStatus => ({
  id: 7,
  phase: "switch",
  state: "streaming",
  slots: RANGE,
  source: 1,
  target: 2,
  rowsCopied: 100,
  copyDone: true,
  rowsStreamed: 5,
  lagSeconds: 0.1,
  verifiedSlots: 100,
  dirtySlots: 0,
  verifyPasses: 1,
  pauseMs: null,
  lastError: null,
  updatedAt: new Date().toISOString(),
  ...over,
});

describe("gate on stand-ins", () => {
  it("passes the map the fences hold, with no moves to wait for", async () => {
    expect(await runGate(spec(BEFORE), conns, { pollMs: 50 })).toEqual({ ok: true, problems: [] });
  });

  it("refuses a map that gives slots away without a move, at once, in ranges", async () => {
    const edited: SlotRun[] = [
      { from: 0, to: 99, shard: 1 },
      { from: 100, to: 199, shard: 2 },
      { from: 200, to: 8191, shard: 1 },
      { from: 8192, to: 16383, shard: 2 },
    ];
    const start = Date.now();
    expect(await runGate(spec(edited), conns, { pollMs: 50 })).toEqual({
      ok: false,
      problems: [
        "slots 100-199 are owned on shard 1's fence (epoch 0) but the map gives them to shard 2: move them with " +
          "gamedb:slotMoves, do not edit shards[].slots alone",
        "slots 100-199 are given to shard 2 but its fence says moved (owner 1, epoch 0): move them with " +
          "gamedb:slotMoves, do not edit shards[].slots alone",
      ],
    });
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it("waits for the move's switch, then for its frozen slots, and passes once the fences agree", async () => {
    const [root1, root2] = await Promise.all([s.root(1), s.root(2)]);
    const target = conns.get(2)!;
    await initControl(target, {
      moveId: 7,
      role: "target",
      state: "streaming",
      slots: RANGE,
      sourceShard: 1,
      targetShard: 2,
    });
    await saveStatus(target, status({}));
    await setFence(root2, RANGE, "importing", 1);
    const lines: string[] = [];
    const gate = runGate(spec(AFTER, [{ id: 7, phase: "switch", from: 1, to: 2 }]), conns, {
      pollMs: 50,
      log: (l) => lines.push(l),
    });
    // The switch as the mover does it: freeze the source, open the target, then record the state; the source's
    // rows stay frozen a moment longer than the state says switched.
    await new Promise((r) => setTimeout(r, 300));
    await setFence(root1, RANGE, "frozen", 1);
    await setFence(root2, RANGE, "owned", 2, 15);
    await setState(target, 7, "switched");
    await new Promise((r) => setTimeout(r, 300));
    await setFence(root1, RANGE, "moved", 2, 15);
    expect(await gate).toEqual({ ok: true, problems: [] });
    expect(lines[0]).toMatch(/^waiting: move 7 is streaming, not yet switched\/cleaning\/cleaned$/);
    expect(lines).toContainEqual(
      "waiting: slots 0-99 are frozen on shard 1's fence (owner 1, epoch 0): a switch is under way",
    );
    // And the map before the switch is refused now.
    expect((await runGate(spec(BEFORE), conns, { pollMs: 50 })).problems).toHaveLength(2);
  });

  it("gives up at the timeout with the move's last error", async () => {
    const target = conns.get(2)!;
    const range = { from: 200, to: 299 };
    await initControl(target, {
      moveId: 8,
      role: "target",
      state: "streaming",
      slots: range,
      sourceShard: 1,
      targetShard: 2,
    });
    await saveStatus(target, status({ id: 8, slots: range, state: "streaming", lastError: "stream: binlog purged" }));
    const start = Date.now();
    const result = await runGate(spec(AFTER, [{ id: 8, phase: "switch", from: 1, to: 2 }], 1), conns, { pollMs: 100 });
    expect(result).toEqual({
      ok: false,
      problems: [
        "move 8 is streaming, not yet switched/cleaning/cleaned: stream: binlog purged (waited 1 s; the map is not " +
          "published)",
      ],
    });
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
  });
});
