/**
 * The movers' live status in the plan (scripts/lib/moveStatus.ts, renderMoves.ts): only a move at phase switch is
 * refused, with switchRefusal's reason; a status file is checked against the contract, naming the field.
 */
import type { MoveStatus } from "../../infra/contracts/slotMoves";
import { planMoves } from "../../infra/plan/moves";
import { liveStatus, parseMoveStatuses } from "../../scripts/lib/moveStatus";
import { renderMoves, statusLine } from "../../scripts/lib/renderMoves";
import { UsageError } from "../../scripts/lib/stackFile";

const moves = (phase: "copy" | "switch" | "reverse" | "cleanup", maxLagSeconds?: number) =>
  planMoves({
    image: "x",
    gateTimeoutMinutes: 10,
    moves: [
      {
        id: 3,
        slots: "0-1023",
        from: 1,
        to: 2,
        phase,
        ...(maxLagSeconds === undefined
          ? {}
          : { switch: { maxLagSeconds, freezeTimeoutSeconds: 2, drainTimeoutMs: 2000, maxDirtySlots: 256 } }),
      },
    ],
  });

const status = (over: Partial<MoveStatus> = {}): MoveStatus => ({
  id: 3,
  phase: "copy",
  state: "copying",
  slots: { from: 0, to: 1023 },
  source: 1,
  target: 2,
  rowsCopied: 10,
  copyDone: false,
  rowsStreamed: 0,
  lagSeconds: null,
  verifiedSlots: 0,
  dirtySlots: 0,
  verifyPasses: 0,
  pauseMs: null,
  lastError: null,
  updatedAt: "2025-01-01T00:00:00Z",
  ...over,
});

describe("liveStatus", () => {
  it("refuses nothing for a move that is not at phase switch, however far behind", () => {
    for (const phase of ["copy", "reverse", "cleanup"] as const)
      expect(liveStatus(moves(phase), [status()], "s.json").moves[0]).toEqual({
        move: moves(phase)[0],
        status: status(),
      });
    expect(liveStatus(moves("copy"), [], "s.json").moves[0]).toEqual({ move: moves("copy")[0] });
  });

  it("refuses a switch with switchRefusal's reason, under the move's own limits", () => {
    expect(liveStatus(moves("switch"), [status()], "s.json").moves[0]!.refusal).toBe(
      "move 3 is copying; a switch needs it streaming (copy done, following the binlog)",
    );
    const ready = status({ state: "streaming", copyDone: true, lagSeconds: 0.8, verifiedSlots: 1024, verifyPasses: 1 });
    expect(liveStatus(moves("switch"), [ready], "s.json").moves[0]!.refusal).toBeUndefined();
    expect(liveStatus(moves("switch", 0.5), [ready], "s.json").moves[0]!.refusal).toBe(
      "move 3 lags 0.8 s behind its source; a switch needs under 0.5 s",
    );
    // A switch already done (a later deploy keeps phase switch) is not refused.
    const switched = status({ state: "switched", pauseMs: 240 });
    expect(liveStatus(moves("switch"), [switched], "s.json").moves[0]!.refusal).toBeUndefined();
  });

  it("lists status documents of moves the config does not have", () => {
    expect(liveStatus(moves("copy"), [status(), status({ id: 8 })], "s.json").unmatched).toEqual([8]);
  });
});

describe("parseMoveStatuses", () => {
  it("parses an array of status documents", () => {
    expect(parseMoveStatuses(JSON.stringify([status()]), "s.json")).toEqual([status()]);
  });

  it.each([
    [[{ ...status(), slots: { from: 0, to: 99999 } }], "s.json: [0].slots.to: "],
    [[status(), { ...status({ id: 4 }), state: "done" }], "s.json: [1].state: "],
    [[{ ...status(), rowsCopied: undefined }], "s.json: [0].rowsCopied: "],
  ])("names the file and the field of a bad document %#", (docs, message) => {
    let error: unknown;
    try {
      parseMoveStatuses(JSON.stringify(docs), "s.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message.startsWith(message)).toBe(true);
  });
});

describe("rendering", () => {
  it("shows the write pause of a finished switch and the last error", () => {
    expect(statusLine(status({ state: "switched", pauseMs: 240, lastError: "none yet" }))).toBe(
      "state switched, 10 rows copied, 0 streamed, lag unknown, 0 of 1024 slots verified (0 passes), 0 dirty, " +
        "write pause 240 ms, last error: none yet",
    );
  });

  it("says nothing without moves", () => {
    expect(renderMoves([])).toEqual([]);
    expect(renderMoves(undefined)).toEqual([]);
  });
});
