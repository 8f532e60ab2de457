/**
 * gamedb:slotMoves cross-key rules (infra/plan/validate/moves.ts): each problem in full, as the operator sees it.
 * The base is the prod stack with gamedb:schema, a provisioning shard 5 and one move of 12288-16383 from shard 4
 * to shard 5 at copy.
 */
import { RawConfig, validProd } from "../helpers/configs";
import { Expected, expectProblems, problemsOf, topologyOf } from "../helpers/validation";

const MOVER = "registry.example.com/gamedb/gamedb-mover:0.1.0";
const OWNED_BY_SOURCE = "shards[].slots keeps the ownership before the move until cleanup";

function withMove(): RawConfig {
  const raw = validProd();
  raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" });
  raw.schema = { database: "game", image: "registry.example.com/gamedb/gamedb-migrate:0.1.0" };
  raw.slotMoves = { image: MOVER, moves: [{ id: 1, slots: "12288-16383", from: 4, to: 5, phase: "copy" }] };
  return raw;
}

const move = (r: RawConfig, i = 0) => r.slotMoves.moves[i];

const CASES: { name: string; mutate: (r: RawConfig) => void; expected: Expected[] }[] = [
  // Shapes the schema refuses (infra/config/slotMoves.ts).
  {
    name: "an unknown phase",
    mutate: (r) => (move(r).phase = "finish"),
    expected: [
      'gamedb:slotMoves.moves[0].phase: "finish" is not allowed; use one of "copy", "switch", "reverse", "cancel", "cleanup"',
    ],
  },
  {
    name: "a move id below 1",
    mutate: (r) => (move(r).id = 0),
    expected: ["gamedb:slotMoves.moves[0].id: 0 is out of range; use at least 1"],
  },
  {
    name: "no mover image",
    mutate: (r) => delete r.slotMoves.image,
    expected: ["gamedb:slotMoves.image: is required (string)"],
  },
  {
    name: "a slot range that is not one",
    mutate: (r) => (move(r).slots = "abc"),
    expected: ['gamedb:slotMoves.moves[0].slots: "abc" must be a slot ("42") or an inclusive slot range ("0-8191")'],
  },
  {
    name: "throttle and switch limits out of range, an unknown limit, a gate timeout of 0",
    mutate: (r) => {
      move(r).throttle = { chunkRows: 5 };
      move(r).switch = { maxLagSeconds: 120, drain: 1 };
      r.slotMoves.gateTimeoutMinutes = 0;
    },
    expected: [
      "gamedb:slotMoves.gateTimeoutMinutes: 0 is out of range; use at least 1",
      "gamedb:slotMoves.moves[0].throttle.chunkRows: 5 is out of range; use at least 10",
      "gamedb:slotMoves.moves[0].switch.maxLagSeconds: 120 is out of range; use at most 60",
      "gamedb:slotMoves.moves[0].switch.drain: unknown key; allowed keys here: maxLagSeconds, freezeTimeoutSeconds, drainTimeoutMs, maxDirtySlots",
    ],
  },
  {
    name: "duplicate move id",
    mutate: (r) => r.slotMoves.moves.push({ id: 1, slots: "0-99", from: 1, to: 5, phase: "copy" }),
    expected: [
      "gamedb:slotMoves.moves[1].id: 1 is already the id of gamedb:slotMoves.moves[0]; move ids are unique and never reused",
    ],
  },
  {
    name: "source and target the same",
    mutate: (r) => (move(r).to = 4),
    expected: [
      "gamedb:slotMoves.moves[0].to: 4 is the move's source too; the target must be another shard: 1, 2, 3, 4, 5",
    ],
  },
  {
    name: "source not a shard",
    mutate: (r) => (move(r).from = 9),
    expected: ["gamedb:slotMoves.moves[0].from: 9 is not a shard id in gamedb:shards; use an active shard: 1, 2, 3, 4"],
  },
  {
    name: "source not active",
    mutate: (r) => {
      move(r).from = 5;
      move(r).to = 4;
    },
    expected: [
      "gamedb:slotMoves.moves[0].from: shard 5 is provisioning; the source must be an active shard (1, 2, 3, 4), or retired at cleanup",
    ],
  },
  {
    name: "source retired before cleanup",
    mutate: (r) => {
      r.shards[3].state = "retired";
      r.shards[3].slots = [];
      r.shards[2].slots = ["8192-16383"];
    },
    expected: [
      "gamedb:slotMoves.moves[0].from: shard 4 is retired; the source must be an active shard (1, 2, 3), or retired at cleanup",
    ],
  },
  {
    name: "target not a shard",
    mutate: (r) => (move(r).to = 7),
    expected: [
      "gamedb:slotMoves.moves[0].to: 7 is not a shard id in gamedb:shards; use an active or provisioning shard: 1, 2, 3, 4, 5",
    ],
  },
  {
    name: "target retired",
    mutate: (r) => (r.shards[4].state = "retired"),
    expected: [
      "gamedb:slotMoves.moves[0].to: shard 5 is retired; the target must be an active or provisioning shard: 1, 2, 3, 4",
    ],
  },
  {
    name: "reversed range",
    mutate: (r) => (move(r).slots = "16383-12288"),
    expected: [
      'gamedb:slotMoves.moves[0].slots: "16383-12288" is reversed; write the lower slot first ("12288-16383")',
    ],
  },
  {
    name: "range outside the slot space",
    mutate: (r) => (move(r).slots = "12288-16384"),
    expected: ['gamedb:slotMoves.moves[0].slots: "12288-16384" is outside the slot space 0-16383'],
  },
  {
    name: "range not wholly owned by the source at copy",
    mutate: (r) => (move(r).slots = "12000-12500"),
    expected: [
      "gamedb:slotMoves.moves[0].slots: 12000-12500 must be owned by the source, shard 4, in gamedb:shards[].slots " +
        `at phase copy (shard 3 owns 12000-12287; shard 4 owns 12288-12500); ${OWNED_BY_SOURCE}`,
    ],
  },
  ...(["switch", "reverse", "cancel"] as const).map((phase) => ({
    name: `range given to the target already at ${phase}`,
    mutate: (r: RawConfig) => {
      move(r).phase = phase;
      r.shards[3].slots = ["12288-14335"];
      r.shards[4].state = "active";
      r.shards[4].slots = ["14336-16383"];
    },
    expected: [
      "gamedb:slotMoves.moves[0].slots: 12288-16383 must be owned by the source, shard 4, in gamedb:shards[].slots " +
        `at phase ${phase} (shard 4 owns 12288-14335; shard 5 owns 14336-16383); ${OWNED_BY_SOURCE}`,
    ],
  })),
  {
    name: "cleanup without giving the range to the target",
    mutate: (r) => {
      move(r).phase = "cleanup";
      r.shards[4].state = "active";
      r.shards[4].slots = ["0-9"];
      r.shards[0].slots = ["10-4095"];
    },
    expected: [
      "gamedb:slotMoves.moves[0].slots: 12288-16383 must be owned by the target, shard 5, in gamedb:shards[].slots " +
        "at phase cleanup (shard 4 owns 12288-16383); give the range to shard 5 in the same edit that sets cleanup",
    ],
  },
  {
    name: "two moves overlap",
    mutate: (r) => r.slotMoves.moves.push({ id: 2, slots: "16000-16383", from: 4, to: 3, phase: "copy" }),
    expected: [
      "gamedb:slotMoves.moves[1].slots: 16000-16383 overlaps 12288-16383 of move 1 (gamedb:slotMoves.moves[0]); " +
        "a slot is in at most one move at a time",
    ],
  },
  {
    name: "moves without gamedb:schema",
    mutate: (r) => delete r.schema,
    expected: [
      "gamedb:slotMoves: needs gamedb:schema: a move copies the game database's sharded tables and freezes its range " +
        "with the slot fence that gamedb:schema's migration Job installs on every shard; set gamedb:schema, or remove gamedb:slotMoves",
    ],
  },
  {
    name: "an unknown phase (the section's schema)",
    mutate: (r) => (move(r).phase = "switched"),
    expected: [
      'gamedb:slotMoves.moves[0].phase: "switched" is not allowed; use one of "copy", "switch", "reverse", "cancel", "cleanup"',
    ],
  },
];

describe("gamedb:slotMoves validation", () => {
  it("accepts the move at every phase where shards[].slots matches it", () => {
    for (const phase of ["copy", "switch", "reverse", "cancel"]) {
      const raw = withMove();
      move(raw).phase = phase;
      expect(problemsOf(raw, "prod")).toEqual([]);
    }
    const raw = withMove();
    move(raw).phase = "cleanup";
    raw.shards[3].slots = [];
    raw.shards[3].state = "retired";
    raw.shards[4].state = "active";
    raw.shards[4].slots = ["12288-16383"];
    expect(problemsOf(raw, "prod")).toEqual([]);
    expect(topologyOf(raw, "prod").slotMoves!.moves[0]!.phase).toBe("cleanup");
  });

  it("accepts moves between active shards, and a config without moves", () => {
    const raw = withMove();
    raw.slotMoves.moves = [
      { id: 3, slots: "0-99", from: 1, to: 2, phase: "switch" },
      { id: 4, slots: "100", from: 1, to: 5, phase: "copy" },
    ];
    expect(problemsOf(raw, "prod")).toEqual([]);
    delete raw.slotMoves;
    expect(problemsOf(raw, "prod")).toEqual([]);
  });

  it.each(CASES)("$name", ({ mutate, expected }) => {
    const raw = withMove();
    mutate(raw);
    expectProblems(problemsOf(raw, "prod"), expected);
  });

  it("reports every problem of every move at once", () => {
    const raw = withMove();
    raw.slotMoves.moves = [
      { id: 2, slots: "0-99", from: 1, to: 1, phase: "copy" },
      { id: 2, slots: "50-5000", from: 2, to: 3, phase: "copy" },
    ];
    expectProblems(problemsOf(raw, "prod"), [
      "gamedb:slotMoves.moves[0].to: 1 is the move's source too; the target must be another shard: 1, 2, 3, 4, 5",
      "gamedb:slotMoves.moves[1].id: 2 is already the id of gamedb:slotMoves.moves[0]; move ids are unique and never reused",
      "gamedb:slotMoves.moves[1].slots: 50-5000 overlaps 0-99 of move 2 (gamedb:slotMoves.moves[0]); a slot is in at most one move at a time",
      "gamedb:slotMoves.moves[1].slots: 50-5000 must be owned by the source, shard 2, in gamedb:shards[].slots " +
        `at phase copy (shard 1 owns 50-4095; shard 2 owns 4096-5000); ${OWNED_BY_SOURCE}`,
    ]);
  });
});
