// The pure decisions behind the chunked deletes (scripts/lib/mover/deleteRange.ts deleteRefusal) and the fence runs
// they read (scripts/lib/mover/fenceRows.ts): where rows may be deleted. On stand-ins: tests/integration/mover-delete.
import fc from "fast-check";
import type { FenceState } from "../../infra/contracts/slotFence";
import { deleteRefusal } from "../../scripts/lib/mover/deleteRange";
import { FenceRow, describeRun, fenceRuns } from "../../scripts/lib/mover/fenceRows";

const rows = (from: number, to: number, state: FenceState, owner = 2, epoch = 0): FenceRow[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ slot: from + i, state, owner, epoch }));

describe("fenceRuns", () => {
  it("groups equal neighbours and marks slots without a row", () => {
    const fence = [...rows(10, 14, "moved"), ...rows(15, 16, "moved", 2, 3), ...rows(18, 19, "importing", 1)];
    expect(fenceRuns(fence, { from: 10, to: 20 })).toEqual([
      { from: 10, to: 14, state: "moved", owner: 2, epoch: 0 },
      { from: 15, to: 16, state: "moved", owner: 2, epoch: 3 },
      { from: 17, to: 17, state: "missing", owner: -1, epoch: -1 },
      { from: 18, to: 19, state: "importing", owner: 1, epoch: 0 },
      { from: 20, to: 20, state: "missing", owner: -1, epoch: -1 },
    ]);
    expect(describeRun({ from: 17, to: 17, state: "missing", owner: -1, epoch: -1 })).toBe("slot 17 has no fence row");
  });
});

describe("deleteRefusal", () => {
  it("allows moved and importing slots only", () => {
    const range = { from: 0, to: 99 };
    expect(deleteRefusal(fenceRuns([...rows(0, 49, "moved"), ...rows(50, 99, "importing", 1)], range))).toBe(undefined);
    expect(deleteRefusal(fenceRuns([...rows(0, 49, "moved"), ...rows(50, 99, "owned", 1)], range))).toBe(
      "refusing to delete: this shard's fence says slots 50-99 owned (owner 1, epoch 0); rows are deleted only " +
        "where the fence says moved or importing (never rows the shard serves)",
    );
    expect(deleteRefusal(fenceRuns([...rows(0, 4, "frozen", 1), ...rows(6, 99, "moved")], range))).toMatch(
      /fence says slots 0-4 frozen \(owner 1, epoch 0\); slot 5 has no fence row; rows are deleted only/,
    );
  });

  it("refuses exactly when some slot is owned, frozen or has no row (property)", () => {
    const stateArb = fc.constantFrom<FenceState | "none">("owned", "importing", "frozen", "moved", "none");
    fc.assert(
      fc.property(fc.array(stateArb, { minLength: 1, maxLength: 200 }), (states) => {
        const fence = states.flatMap((state, slot) => (state === "none" ? [] : [{ slot, state, owner: 1, epoch: 0 }]));
        const refused = deleteRefusal(fenceRuns(fence, { from: 0, to: states.length - 1 })) !== undefined;
        expect(refused).toBe(states.some((s) => s === "owned" || s === "frozen" || s === "none"));
      }),
    );
  });
});
