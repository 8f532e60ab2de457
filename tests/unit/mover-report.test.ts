// One move's lines in `npm run move -- status` (scripts/lib/mover/moveReport.ts), from the plan's move and the
// control rows; end to end on stand-ins in tests/integration/mover-cli.test.ts.
import { switchLimitsSchema, throttleSchema, type MoveStatus } from "../../infra/contracts/slotMoves";
import type { MovePlan } from "../../infra/plan/moves";
import type { ControlRow } from "../../scripts/lib/mover/control";
import { describeMove } from "../../scripts/lib/mover/moveReport";

const MOVE: MovePlan = {
  id: 3,
  range: { from: 0, to: 4095 },
  from: 1,
  to: 2,
  phase: "copy",
  slots: 4096,
  keyShare: 0.25,
  switchEpoch: 7,
  reverseEpoch: 8,
  throttle: throttleSchema.parse({}),
  switch: switchLimitsSchema.parse({}),
};

const row = (over: Partial<ControlRow>): ControlRow => ({
  moveId: 3,
  role: "target",
  state: "preflight",
  slots: MOVE.range,
  sourceShard: 1,
  targetShard: 2,
  streamPosition: null,
  copyCursor: null,
  status: null,
  ...over,
});

const STATUS: MoveStatus = {
  id: 3,
  phase: "copy",
  state: "streaming",
  slots: MOVE.range,
  source: 1,
  target: 2,
  rowsCopied: 1000,
  copyDone: true,
  rowsStreamed: 1,
  lagSeconds: 0.5,
  verifiedSlots: 4096,
  dirtySlots: 0,
  verifyPasses: 1,
  pauseMs: null,
  lastError: null,
  updatedAt: "t",
};

describe("describeMove", () => {
  it("says why a move has no figures: unreadable, not started, or no status document yet", () => {
    const head = "move 3: slots 0-4095 (25.0% of keys), shard 1 -> shard 2";
    expect(describeMove(MOVE, undefined, undefined, "connect ETIMEDOUT")).toEqual([
      `${head}: status cannot be read: connect ETIMEDOUT`,
    ]);
    expect(describeMove(MOVE, undefined, undefined)).toEqual([
      `${head}: not started (no control row on shard 2); phase asked: copy`,
    ]);
    expect(describeMove(MOVE, row({}), undefined)).toEqual([
      head,
      "  phase asked: copy",
      "  state: preflight (no status document yet)",
    ]);
  });

  it("judges the switch on the control row's state and the move's limits", () => {
    const lines = describeMove(MOVE, row({ state: "streaming", status: STATUS }), undefined);
    expect(lines.at(-1)).toBe("  switch: could start now");
    // The row says copying though the document still says streaming: the row wins.
    const copying = describeMove(MOVE, row({ state: "copying", status: STATUS }), undefined);
    expect(copying.at(-1)).toMatch(/^ {2}switch: could not start now: move 3 is copying; a switch needs it streaming/);
    const strict = { ...MOVE, switch: { ...MOVE.switch, maxLagSeconds: 0.1 } };
    expect(describeMove(strict, row({ state: "streaming", status: STATUS }), undefined).at(-1)).toMatch(
      /lags 0\.5 s behind its source; a switch needs under 0\.1 s$/,
    );
  });

  it("shows the reverse stream while it should run, from the source's row", () => {
    const switched = row({ state: "reversing", status: { ...STATUS, state: "reversing" } });
    expect(describeMove(MOVE, switched, undefined).at(-1)).toBe("  reverse stream into shard 1: not started");
    expect(describeMove(MOVE, switched, row({ role: "source", streamPosition: "0-2-9" })).at(-1)).toBe(
      "  reverse stream into shard 1: at 0-2-9",
    );
    expect(describeMove(MOVE, row({ state: "cleaned", status: STATUS }), undefined).at(-1)).toBe(
      "  switch: done (cleaned)",
    );
  });
});
