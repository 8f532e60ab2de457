/**
 * The review check of slot moves (infra/plan/moveTransitions.ts): owner changes in shards[].slots only through a
 * move at cleanup that was switched in the base; phase changes only as PHASE_NEXT allows; ids never reused.
 */
import fc from "fast-check";
import {
  MoveSide,
  MoveView,
  moveTransitions,
  movePhaseChanges,
  moveViolations,
} from "../../infra/plan/moveTransitions";
import { MOVE_PHASES, MovePhase } from "../../infra/contracts/slotMoves";
import { SLOT_COUNT, toRanges } from "../../infra/plan/slots";

/** Four shards owning 4096 slots each, shard 5 none: the prod stack's ownership. */
const FOUR = [1, 2, 3, 4].map((id) => ({ id, slots: [{ from: (id - 1) * 4096, to: id * 4096 - 1 }] }));
/** The same after 14336-16383 went from shard 4 to shard 5. */
const FIVE = [
  ...FOUR.slice(0, 3),
  { id: 4, slots: [{ from: 12288, to: 14335 }] },
  { id: 5, slots: [{ from: 14336, to: 16383 }] },
];
const move = (phase: MovePhase, extra: Partial<MoveView> = {}): MoveView => ({
  id: 7,
  range: { from: 14336, to: 16383 },
  from: 4,
  to: 5,
  phase,
  ...extra,
});
const side = (shards: MoveSide["shards"], ...moves: MoveView[]): MoveSide => ({ shards, moves });
const messages = (base: MoveSide, head: MoveSide) => moveViolations(base, head).map((v) => v.message);

const M7 = "move 7 (slots 14336-16383, shard 4 -> shard 5)";
const STEPS = "set phase switch, deploy it, then set cleanup and edit shards[].slots in the same change";

describe("owner changes", () => {
  it("refuses a slots edit without a move, and says how to move the range", () => {
    expect(moveViolations(side(FOUR), side(FIVE))).toEqual([
      {
        kind: "owner",
        slots: { from: 14336, to: 16383 },
        message:
          "slots 14336-16383 go from shard 4 to shard 5 in gamedb:shards[].slots without a completed move: add " +
          'gamedb:slotMoves.moves entry {id: 1, slots: "14336-16383", from: 4, to: 5, phase: copy}, advance it to ' +
          "switch, then set phase cleanup and edit shards[].slots in the same change",
      },
    ]);
  });

  it("suggests an id above every move of either side, one per range", () => {
    const head = side(
      [
        {
          id: 1,
          slots: [
            { from: 0, to: 9 },
            { from: 20, to: 8191 },
          ],
        },
        {
          id: 2,
          slots: [
            { from: 10, to: 19 },
            { from: 8192, to: 16383 },
          ],
        },
      ],
      move("copy", { id: 12, range: { from: 100, to: 199 }, from: 1, to: 2 }),
    );
    const base = side(
      [
        { id: 1, slots: [{ from: 0, to: 8191 }] },
        { id: 2, slots: [{ from: 8192, to: 16383 }] },
      ],
      move("copy", { id: 12, range: { from: 100, to: 199 }, from: 1, to: 2 }),
    );
    expect(messages(base, head)).toEqual([
      expect.stringContaining('{id: 13, slots: "10-19", from: 1, to: 2, phase: copy}'),
    ]);
  });

  it("accepts the edit that sets cleanup on a move the base has at switch", () => {
    expect(moveViolations(side(FOUR, move("switch")), side(FIVE, move("cleanup")))).toEqual([]);
    expect(moveViolations(side(FIVE, move("cleanup")), side(FIVE, move("cleanup")))).toEqual([]);
    expect(moveViolations(side(FIVE, move("cleanup")), side(FIVE))).toEqual([]);
  });

  it("refuses giving the range to the target while the move is not at cleanup", () => {
    expect(messages(side(FOUR, move("switch")), side(FIVE, move("switch")))).toEqual([
      "slots 14336-16383 go from shard 4 to shard 5 in gamedb:shards[].slots while move 7 is at phase switch: " +
        "shards[].slots gives the range to the target only in the edit that sets phase cleanup, after the move's " +
        "switch has been deployed; keep shard 4's ranges until then",
    ]);
  });

  it("refuses cleanup of a move whose switch was never deployed", () => {
    expect(messages(side(FOUR, move("copy")), side(FIVE, move("cleanup")))).toEqual([
      `${M7} goes copy -> cleanup: from copy a move goes to switch or cancel, one deploy each`,
      "slots 14336-16383 go from shard 4 to shard 5 in gamedb:shards[].slots with move 7 at cleanup, but the base " +
        `has it at phase copy: the owner changes only after the switch has been deployed; ${STEPS}`,
    ]);
    expect(messages(side(FOUR), side(FIVE, move("cleanup")))).toEqual([
      `${M7} is new at phase cleanup: a move starts at copy, then goes to switch and cleanup, one deploy each`,
      "slots 14336-16383 go from shard 4 to shard 5 in gamedb:shards[].slots with move 7 at cleanup, but the base " +
        `does not have it: the owner changes only after the switch has been deployed; ${STEPS}`,
    ]);
  });

  it("refuses a move at cleanup that goes the other way from the edit", () => {
    const back = move("cleanup", { from: 5, to: 4 });
    expect(messages(side(FOUR, move("switch", { from: 5, to: 4 })), side(FIVE, back))).toEqual([
      expect.stringMatching(
        /^slots 14336-16383 go from shard 4 to shard 5 in gamedb:shards\[\]\.slots without a completed move/,
      ),
    ]);
  });

  it("exempts a new stack and slots no shard owned in the base", () => {
    expect(moveViolations(side([]), side(FIVE))).toEqual([]);
    const partial = [{ id: 4, slots: [{ from: 12288, to: 14335 }] }];
    expect(moveViolations(side(partial), side(FIVE))).toEqual([]);
  });

  it("reads a base plan written before moves existed (no moves key)", () => {
    expect(moveViolations({ shards: FOUR }, side(FIVE, move("cleanup")))[0]!.kind).toBe("phase");
    expect(moveViolations({ shards: FOUR }, { shards: FOUR })).toEqual([]);
  });
});

describe("phase changes", () => {
  it.each([
    ["copy", "switch"],
    ["copy", "cancel"],
    ["switch", "reverse"],
    ["reverse", "cancel"],
    ["copy", "copy"],
  ] as const)("allows %s -> %s", (before, after) => {
    expect(moveViolations(side(FOUR, move(before)), side(FOUR, move(after)))).toEqual([]);
  });

  it.each([
    ["copy", "reverse", "switch or cancel"],
    ["switch", "copy", "reverse or cleanup"],
    ["switch", "cancel", "reverse or cleanup"],
    ["reverse", "switch", "cancel"],
    ["cancel", "copy", "removal from gamedb:slotMoves.moves"],
  ] as const)("refuses %s -> %s, naming what is allowed", (before, after, allowed) => {
    expect(messages(side(FOUR, move(before)), side(FOUR, move(after)))).toEqual([
      `${M7} goes ${before} -> ${after}: from ${before} a move goes to ${allowed}, one deploy each`,
    ]);
  });

  it("refuses removing a move that still runs, and a new move past copy", () => {
    expect(messages(side(FOUR, move("copy")), side(FOUR))).toEqual([
      `${M7} is removed at phase copy: a move leaves gamedb:slotMoves.moves only after cancel or cleanup has been ` +
        "deployed; from copy it goes to switch or cancel",
    ]);
    expect(messages(side(FOUR), side(FOUR, move("switch")))).toEqual([
      `${M7} is new at phase switch: a move starts at copy, then goes to switch and cleanup, one deploy each`,
    ]);
    expect(moveViolations(side(FOUR, move("cancel")), side(FOUR))).toEqual([]);
  });

  it("lists the phase changes for the diff", () => {
    const base = side(FOUR, move("copy"), move("cancel", { id: 3, range: { from: 0, to: 9 }, from: 1, to: 2 }));
    const head = side(FOUR, move("switch"), move("copy", { id: 8, range: { from: 0, to: 9 }, from: 1, to: 2 }));
    expect(movePhaseChanges(base, head).map((c) => [c.id, c.before, c.after])).toEqual([
      [3, "cancel", "removed"],
      [7, "copy", "switch"],
      [8, "new", "copy"],
    ]);
    expect(moveTransitions(base, base).map((c) => [c.id, c.before, c.after])).toEqual([
      [3, "cancel", "cancel"],
      [7, "copy", "copy"],
    ]);
  });
});

describe("ids", () => {
  it("refuses a new move whose id is not above the base's highest", () => {
    const base = side(FOUR, move("copy", { id: 9, range: { from: 0, to: 9 }, from: 1, to: 2 }));
    const head = side(FOUR, move("copy", { id: 9, range: { from: 0, to: 9 }, from: 1, to: 2 }), move("copy"));
    expect(moveViolations(base, head)).toEqual([
      {
        kind: "id",
        move: 7,
        message:
          "move 7 is new but the base's moves go up to id 9: move ids are never reused (the fence epochs and binlog " +
          "client ids derive from them); use 10 or above",
      },
    ]);
    expect(moveViolations(base, side(FOUR, ...base.moves!, move("copy", { id: 10 })))).toEqual([]);
  });

  it("refuses editing a deployed move's slots, source or target", () => {
    expect(messages(side(FOUR, move("copy")), side(FOUR, move("copy", { range: { from: 14336, to: 15000 } })))).toEqual(
      [
        "move 7 moved slots 14336-16383 from shard 4 to shard 5 in the base and slots 14336-15000 from shard 4 to " +
          "shard 5 here: a move's slots, from and to are fixed once deployed; keep them, and move other slots with a " +
          "new move (a new id)",
      ],
    );
  });
});

describe("the owner rule (property)", () => {
  // 16 blocks of 1024 slots, owned by shards 1-3; moves cover whole blocks, so owners and moves meet often.
  const BLOCKS = 16;
  const phaseOrNone = fc.option(fc.constantFrom(...MOVE_PHASES), { nil: undefined });
  const scenario = fc.record({
    base: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: BLOCKS, maxLength: BLOCKS }),
    head: fc.array(fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), {
      minLength: BLOCKS,
      maxLength: BLOCKS,
    }),
    moves: fc.uniqueArray(
      fc.record({
        block: fc.integer({ min: 0, max: BLOCKS - 1 }),
        blocks: fc.integer({ min: 1, max: 3 }),
        from: fc.integer({ min: 1, max: 3 }),
        to: fc.integer({ min: 1, max: 3 }),
        before: phaseOrNone,
        after: phaseOrNone,
      }),
      { selector: (m) => m.block, maxLength: 5 },
    ),
  });

  const shardsOf = (owner: number[]) =>
    [1, 2, 3].map((id) => ({
      id,
      slots: owner.flatMap((o, b) => (o === id ? [{ from: b * 1024, to: b * 1024 + 1023 }] : [])),
    }));

  it("accepts an owner change only through a move at cleanup that was at switch or cleanup in the base", () => {
    fc.assert(
      fc.property(scenario, ({ base, head, moves }) => {
        const headOwner = base.map((o, b) => head[b] ?? o);
        const views = moves.map((m, i) => ({
          id: i + 1,
          range: { from: m.block * 1024, to: Math.min(BLOCKS, m.block + m.blocks) * 1024 - 1 },
          from: m.from,
          to: m.to,
        }));
        const baseMoves = views.flatMap((v, i) => (moves[i]!.before ? [{ ...v, phase: moves[i]!.before! }] : []));
        const headMoves = views.flatMap((v, i) => (moves[i]!.after ? [{ ...v, phase: moves[i]!.after! }] : []));
        const found = moveViolations(side(shardsOf(base), ...baseMoves), side(shardsOf(headOwner), ...headMoves))
          .filter((v) => v.kind === "owner")
          .flatMap((v) => {
            const out: number[] = [];
            for (let s = v.slots!.from; s <= v.slots!.to; s++) out.push(s);
            return out;
          });
        // The oracle, slot by slot: a changed slot needs a head move at cleanup over it, from the base owner to
        // the new one, that the base has at switch or cleanup.
        const expected: number[] = [];
        for (let s = 0; s < SLOT_COUNT; s++) {
          const a = base[s >> 10]!;
          const b = headOwner[s >> 10]!;
          if (a === b) continue;
          const carried = headMoves.some(
            (m) =>
              m.phase === "cleanup" &&
              m.range.from <= s &&
              s <= m.range.to &&
              m.from === a &&
              m.to === b &&
              baseMoves.some((w) => w.id === m.id && (w.phase === "switch" || w.phase === "cleanup")),
          );
          if (!carried) expected.push(s);
        }
        expect(toRanges(found.sort((x, y) => x - y))).toEqual(toRanges(expected));
      }),
      { numRuns: 300 },
    );
  });
});
