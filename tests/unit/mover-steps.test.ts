// scripts/lib/mover/steps.ts nextStep: the whole state machine of a move, for every phase the operator may ask and
// every state a control row may record (infra/contracts/slotMoves.ts MOVE_PHASES, MOVE_STATES; undefined: no row).
import fc from "fast-check";
import { MOVE_PHASES, MOVE_STATES, MovePhase, MoveState, ownerInState } from "../../infra/contracts/slotMoves";
import { Step, nextStep } from "../../scripts/lib/mover/steps";

const STATES: (MoveState | undefined)[] = [undefined, ...MOVE_STATES];
/** A move between two different shards. */
const moveArb = fc
  .record({ id: fc.integer({ min: 1, max: 100_000_000 }), from: fc.nat(64), to: fc.nat(64) })
  .filter((m) => m.from !== m.to);

/** The step's kind with what the mover acts on ("refuse" and "idle" without their text). */
function shape(s: Step): string {
  switch (s.kind) {
    case "follow":
      return s.switchWhenReady ? "follow+switch" : "follow";
    case "followReverse":
      return s.reverseWhenReady ? "followReverse+reverse" : "followReverse";
    case "recover":
      return `recover ${s.direction}`;
    default:
      return s.kind;
  }
}

// Rows: state; columns: copy, switch, reverse, cancel, cleanup.
const TABLE: Record<string, [string, string, string, string, string]> = {
  undefined: ["start", "start", "refuse", "idle", "refuse"],
  preflight: ["start", "start", "refuse", "cancel", "refuse"],
  copying: ["follow", "follow+switch", "refuse", "cancel", "refuse"],
  streaming: ["follow", "follow+switch", "refuse", "cancel", "refuse"],
  switching: ["recover forward", "recover forward", "recover forward", "recover forward", "recover forward"],
  switched: ["refuse", "followReverse", "followReverse+reverse", "refuse", "cleanup"],
  reversing: ["recover reverse", "recover reverse", "recover reverse", "recover reverse", "recover reverse"],
  reversed: ["refuse", "refuse", "idle", "cancel", "refuse"],
  cleaning: ["refuse", "refuse", "refuse", "refuse", "cleanup"],
  cleaned: ["refuse", "refuse", "refuse", "refuse", "idle"],
  cancelling: ["refuse", "refuse", "refuse", "cancel", "refuse"],
  cancelled: ["refuse", "refuse", "refuse", "idle", "refuse"],
};

const refusal = (phase: MovePhase, state: MoveState | undefined): string => {
  const s = nextStep(7, phase, state);
  if (s.kind !== "refuse") throw new Error(`${phase} in ${String(state)} is ${s.kind}, not refused`);
  return s.reason;
};

describe("nextStep", () => {
  it("has a step for each of the 5 phases x (11 states + no control row), as the table says", () => {
    expect(Object.keys(TABLE)).toEqual(STATES.map(String));
    for (const state of STATES) {
      const row = MOVE_PHASES.map((phase) => shape(nextStep(7, phase, state)));
      expect({ state: String(state), row }).toEqual({ state: String(state), row: TABLE[String(state)] });
    }
  });

  it("always returns a well-formed step, whatever the move id (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.constantFrom(...MOVE_PHASES),
        fc.constantFrom(...STATES),
        (id, phase, state) => {
          const s = nextStep(id, phase, state);
          expect(shape(s)).toBe(TABLE[String(state)]![MOVE_PHASES.indexOf(phase)]);
          if (s.kind === "refuse") expect(s.reason.startsWith(`move ${id}: phase ${phase} `)).toBe(true);
          if (s.kind === "idle") expect(s.note.startsWith(`move ${id} `)).toBe(true);
        },
      ),
    );
  });

  it("refuses with the move, the phase and the way on", () => {
    expect(refusal("cancel", "switched")).toBe(
      "move 7: phase cancel comes too late: the range is switched to the target (reverse it first, then cancel)",
    );
    expect(refusal("reverse", undefined)).toBe(
      "move 7: phase reverse needs a switched move; this one never started (set phase copy)",
    );
    expect(refusal("cleanup", "streaming")).toBe(
      "move 7: phase cleanup needs a switched move; this one is streaming (set phase switch first)",
    );
    expect(refusal("switch", "reversed")).toBe(
      "move 7: phase switch is not possible after a reverse: cancel this move, and start a new one with a new id",
    );
  });

  it("says what to do when it idles: remove the move, or set phase cancel", () => {
    expect(nextStep(7, "cancel", undefined)).toEqual({
      kind: "idle",
      note: "move 7 never started; remove it from the config",
    });
    expect(nextStep(7, "reverse", "reversed")).toEqual({
      kind: "idle",
      note: "move 7 is reversed; set phase cancel to empty the target",
    });
    expect(nextStep(7, "cleanup", "cleaned")).toEqual({
      kind: "idle",
      note: "move 7 is complete; remove it from the config",
    });
    expect(nextStep(7, "cancel", "cancelled")).toEqual({
      kind: "idle",
      note: "move 7 is cancelled; remove it from the config",
    });
  });

  it("every refusal's advice names a phase that this state accepts (the operator can follow it)", () => {
    // Advice as the messages spell it: "(set phase copy, then switch)", "reverse it first", "cancel this move".
    const advice = /set phase (\w+)|(\w+) (?:it|this move)\b/;
    const problems: string[] = [];
    for (const state of STATES) {
      const accepted = MOVE_PHASES.filter((p) => nextStep(7, p, state).kind !== "refuse");
      for (const phase of MOVE_PHASES) {
        const s = nextStep(7, phase, state);
        if (s.kind !== "refuse") continue;
        const m = advice.exec(s.reason);
        const named = m?.[1] ?? m?.[2];
        if (!named || !accepted.includes(named as MovePhase)) {
          problems.push(`${String(state)}/${phase}: "${s.reason}" (accepted here: ${accepted.join(", ") || "none"})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("never copies into nor empties a target that owns the range: copy and cancel start, follow or cancel nothing (property)", () => {
    fc.assert(
      fc.property(
        moveArb,
        fc.constantFrom(...MOVE_STATES),
        fc.constantFrom<MovePhase>("copy", "cancel"),
        (move, state, phase) => {
          fc.pre(ownerInState(state, move) === move.to);
          expect(["start", "follow", "cancel"]).not.toContain(nextStep(move.id, phase, state).kind);
        },
      ),
    );
  });

  it("refuses phase copy or cancel in every state that implies the target owns the range (property)", () => {
    fc.assert(
      fc.property(
        moveArb,
        fc.constantFrom(...MOVE_STATES),
        fc.constantFrom<MovePhase>("copy", "cancel"),
        (move, state, phase) => {
          fc.pre(ownerInState(state, move) === move.to);
          expect({ state, phase, step: nextStep(7, phase, state).kind }).toEqual({ state, phase, step: "refuse" });
        },
      ),
    );
  });
});
