/**
 * The moves slice of the plan and the published slot map (infra/plan/moves.ts): plan.moves with defaults, and the
 * owner and epoch of a moving range in each phase, while plan.slotMap keeps the config's ownership.
 */
import fc from "fast-check";
import { planPlatform } from "../../infra/plan/plan";
import { planMoves, publishedSlotMap } from "../../infra/plan/moves";
import { slotMapOutput } from "../../infra/plan/outputs";
import { reverseEpoch, switchEpoch } from "../../infra/contracts/slotMoves";
import { slotMapSchema } from "../../infra/contracts/endpoints";
import { SLOT_COUNT, shardForSlot } from "../../infra/plan/slots";
import { RawConfig, validProd } from "../helpers/configs";
import { topologyOf } from "../helpers/validation";

function withMove(phase: string, extra: Record<string, unknown> = {}): RawConfig {
  const raw = validProd();
  raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" });
  raw.schema = { database: "game", image: "registry.example.com/gamedb/gamedb-migrate:0.1.0" };
  raw.slotMoves = {
    image: "registry.example.com/gamedb/gamedb-mover:0.1.0",
    moves: [{ id: 7, slots: "14336-16383", from: 4, to: 5, phase, ...extra }],
  };
  if (phase === "cleanup") {
    raw.shards[3].slots = ["12288-14335"];
    raw.shards[4].state = "active";
    raw.shards[4].slots = ["14336-16383"];
  }
  return raw;
}

const planOf = (raw: RawConfig) => planPlatform(topologyOf(raw, "prod"));

const CONFIG_MAP = [
  { from: 0, to: 4095, shard: 1 },
  { from: 4096, to: 8191, shard: 2 },
  { from: 8192, to: 12287, shard: 3 },
  { from: 12288, to: 16383, shard: 4 },
];
const HEAD = CONFIG_MAP.slice(0, 3);

describe("plan.moves", () => {
  it("lists each move with its range, share of keys, epochs and the throttle and switch defaults", () => {
    expect(planOf(withMove("copy")).moves).toEqual([
      {
        id: 7,
        range: { from: 14336, to: 16383 },
        from: 4,
        to: 5,
        phase: "copy",
        slots: 2048,
        keyShare: 0.125,
        switchEpoch: 15,
        reverseEpoch: 16,
        throttle: { chunkRows: 1000, maxThreadsRunning: 25, maxApplierQueue: 1000 },
        switch: { maxLagSeconds: 1, freezeTimeoutSeconds: 2, drainTimeoutMs: 2000, maxDirtySlots: 256 },
      },
    ]);
  });

  it("keeps the limits the config gives and fills in the others", () => {
    const [m] = planOf(withMove("copy", { throttle: { chunkRows: 5000 }, switch: { maxLagSeconds: 0.5 } })).moves;
    expect(m!.throttle).toEqual({ chunkRows: 5000, maxThreadsRunning: 25, maxApplierQueue: 1000 });
    expect(m!.switch).toEqual({
      maxLagSeconds: 0.5,
      freezeTimeoutSeconds: 2,
      drainTimeoutMs: 2000,
      maxDirtySlots: 256,
    });
  });

  it("is empty without gamedb:slotMoves, and the published map is the config's", () => {
    const plan = planOf(validProd());
    expect(plan.moves).toEqual([]);
    expect(plan.publishedSlotMap).toEqual(CONFIG_MAP);
    expect(slotMapOutput(plan)[3]).toEqual({ slots: "12288-16383", from: 12288, to: 16383, shard: 4 });
  });

  it("sorts moves by id", () => {
    const raw = withMove("copy");
    raw.slotMoves.moves.unshift({ id: 9, slots: "0-9", from: 1, to: 2, phase: "copy" });
    expect(planOf(raw).moves.map((m) => m.id)).toEqual([7, 9]);
  });
});

describe("the published slot map", () => {
  it.each([
    ["copy", 4, undefined],
    ["cancel", 4, undefined],
    ["switch", 5, switchEpoch(7)],
    ["reverse", 4, reverseEpoch(7)],
    ["cleanup", 5, switchEpoch(7)],
  ] as const)("at %s names shard %d for the range, epoch %p", (phase, shard, epoch) => {
    const plan = planOf(withMove(phase));
    const moving = { from: 14336, to: 16383, shard, ...(epoch === undefined ? {} : { epoch }) };
    const expected =
      epoch === undefined && shard === 4 ? CONFIG_MAP : [...HEAD, { from: 12288, to: 14335, shard: 4 }, moving];
    expect(plan.publishedSlotMap).toEqual(expected);
    // The config's ownership is what shards[].slots says: the source's until cleanup, the target's after.
    expect(shardForSlot(plan.slotMap, 16383)).toBe(phase === "cleanup" ? 5 : 4);
  });

  it("is what the slotMap output publishes, epoch included, in the endpoints contract's shape", () => {
    const out = slotMapOutput(planOf(withMove("switch")));
    expect(out.slice(3)).toEqual([
      { slots: "12288-14335", from: 12288, to: 14335, shard: 4 },
      { slots: "14336-16383", from: 14336, to: 16383, shard: 5, epoch: 15 },
    ]);
    expect(slotMapSchema.parse(out)).toEqual(out);
  });

  it("splits a run where only the epoch changes", () => {
    const raw = withMove("switch");
    raw.slotMoves.moves.push({ id: 8, slots: "12288-14335", from: 4, to: 5, phase: "switch" });
    expect(planOf(raw).publishedSlotMap.slice(3)).toEqual([
      { from: 12288, to: 14335, shard: 5, epoch: 17 },
      { from: 14336, to: 16383, shard: 5, epoch: 15 },
    ]);
  });

  it("covers every slot once, with an owner that only a switched move changes (property)", () => {
    const phases = ["copy", "switch", "reverse", "cancel", "cleanup"] as const;
    const moveArb = fc.record({
      block: fc.integer({ min: 0, max: 15 }),
      to: fc.integer({ min: 1, max: 4 }),
      phase: fc.constantFrom(...phases),
    });
    fc.assert(
      fc.property(fc.uniqueArray(moveArb, { selector: (m) => m.block, maxLength: 8 }), (specs) => {
        const slotMap = CONFIG_MAP;
        const moves = specs.map((s, i) => {
          const from = shardForSlot(slotMap, s.block * 1024)!;
          return {
            id: i + 1,
            range: { from: s.block * 1024, to: s.block * 1024 + 1023 },
            from,
            to: s.to === from ? (from % 4) + 1 : s.to,
            phase: s.phase,
          };
        });
        const map = publishedSlotMap(slotMap, moves);
        expect(map[0]!.from).toBe(0);
        expect(map[map.length - 1]!.to).toBe(SLOT_COUNT - 1);
        for (let i = 1; i < map.length; i++) {
          expect(map[i]!.from).toBe(map[i - 1]!.to + 1);
          // Runs are maximal: neighbours differ in owner or epoch.
          expect([map[i]!.shard, map[i]!.epoch]).not.toEqual([map[i - 1]!.shard, map[i - 1]!.epoch]);
        }
        for (const m of moves) {
          const switched = m.phase === "switch" || m.phase === "cleanup";
          expect(shardForSlot(map, m.range.from)).toBe(switched ? m.to : m.from);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("planMoves", () => {
  it("refuses a range that validation would have refused", () => {
    expect(() =>
      planMoves({
        image: "x",
        gateTimeoutMinutes: 10,
        moves: [{ id: 1, slots: "9-1", from: 1, to: 2, phase: "copy" }],
      }),
    ).toThrow('gamedb:slotMoves move 1: "9-1" is reversed');
  });
});
