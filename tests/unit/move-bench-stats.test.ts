/**
 * The arithmetic of npm run bench:move (scripts/lib/mover/bench/stats.ts, plan.ts, seed.ts): pause percentiles and
 * the goal, verification per million rows, the fence ratios, the slot layout and its option checks, the seeded ids.
 */
import { keySlot } from "../../infra/contracts/slots";
import { DEFAULTS, FIRST_SWITCH_ID, layout } from "../../scripts/lib/mover/bench/plan";
import { idsInRanges } from "../../scripts/lib/mover/bench/seed";
import {
  compareVariants,
  pauseGoalMet,
  pauseStats,
  perMillion,
  switchResult,
  verifySummary,
} from "../../scripts/lib/mover/bench/stats";
import { benchOptions } from "../../scripts/cli/bench/move-bench";

describe("move bench pauses", () => {
  it("takes nearest-rank p50 and p99 of unsorted pauses, and the maximum", () => {
    const s = pauseStats(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(s).toEqual({ n: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
    // 20 switches: p99 is the slowest one (rank ceil(19.8) = 20).
    expect(pauseStats([...Array(19).fill(10), 2500]).p99Ms).toBe(2500);
    expect(pauseStats([]).n).toBe(0);
    expect(pauseStats([]).maxMs).toBeNaN();
  });

  it("meets the goal only with p99 under 1 s and nothing over 3 s", () => {
    const many = (slow: number) => pauseStats([...Array(199).fill(100), slow]);
    expect(pauseGoalMet(many(2999))).toBe(true); // p99 of 200 is the 198th: 100 ms
    expect(pauseGoalMet(many(3001))).toBe(false);
    expect(pauseGoalMet(pauseStats([100, 1000]))).toBe(false); // p99 = 1000: not under 1 s
    expect(pauseGoalMet(pauseStats([]))).toBe(false);
  });

  it("summarises both views of each switch", () => {
    const sample = (pauseMs: number, clientPauseMs: number) => ({
      moveId: 101,
      slots: { from: 8192, to: 8255 },
      pauseMs,
      clientPauseMs,
      pausedWrites: 1,
      acked: 10,
      slowestWriteMs: clientPauseMs,
      secondsToSwitch: 1,
    });
    const r = switchResult(8, [sample(50, 70), sample(30, 40), sample(90, 120)]);
    expect(r.mover).toEqual({ n: 3, p50Ms: 50, p99Ms: 90, maxMs: 90 });
    expect(r.client).toEqual({ n: 3, p50Ms: 70, p99Ms: 120, maxMs: 120 });
  });
});

describe("move bench verification and fence figures", () => {
  it("scales seconds to a million rows, from the median pass", () => {
    expect(perMillion(2, 200_000)).toBeCloseTo(10);
    expect(perMillion(1, 0)).toBeNaN();
    const pass = (seconds: number, differingSlots = 0) => ({
      seconds,
      sourceSeconds: seconds / 2,
      targetSeconds: seconds / 4,
      differingSlots,
    });
    const v = verifySummary({ rows: 500_000, slots: { from: 0, to: 4095 }, passes: [pass(1), pass(3, 2), pass(2)] });
    expect(v.bothSidesPerMillion).toBeCloseTo(4);
    expect(v.sourcePerMillion).toBeCloseTo(2);
    expect(v.targetPerMillion).toBeCloseTo(1);
    expect(v.differingSlots).toBe(2);
  });

  it("compares throughputs over all rounds and round by round", () => {
    // Round 1: 1000 rows/s with triggers, 2000 without; round 2: 1500 against 2000.
    const withTriggers = {
      rounds: [
        { rows: 1000, seconds: 1 },
        { rows: 1500, seconds: 1 },
      ],
    };
    const without = {
      rounds: [
        { rows: 1000, seconds: 0.5 },
        { rows: 1000, seconds: 0.5 },
      ],
    };
    const c = compareVariants(1, withTriggers, without);
    expect(c.withRowsPerSec).toBe(1250);
    expect(c.withoutRowsPerSec).toBe(2000);
    expect(c.ratio).toBeCloseTo(0.625);
    expect(c.perRoundRatio).toEqual({ median: 0.625, min: 0.5, max: 0.75 });
    expect(() => compareVariants(1, withTriggers, { rounds: [] })).toThrow("same number of rounds");
  });
});

describe("move bench layout", () => {
  it("gives each copy a quarter of the slots and the switches small ranges after them", () => {
    const l = layout(DEFAULTS);
    expect(l.copies).toEqual([
      { id: 1, slots: { from: 0, to: 4095 }, chunkRows: 1000 },
      { id: 2, slots: { from: 4096, to: 8191 }, chunkRows: 5000 },
    ]);
    expect(l.switches).toHaveLength(20);
    expect(l.switches[0]).toEqual({ id: FIRST_SWITCH_ID, slots: { from: 8192, to: 8255 } });
    expect(l.switches[19]).toEqual({ id: FIRST_SWITCH_ID + 19, slots: { from: 9408, to: 9471 } });
  });

  it("refuses what does not fit, naming the option", () => {
    expect(() => layout({ ...DEFAULTS, chunks: [1000, 2000, 3000, 4000] })).toThrow("--chunks: give 1 to 3");
    expect(() => layout({ ...DEFAULTS, chunks: [5] })).toThrow("--chunks: each chunk size must be from 10");
    expect(() => layout({ ...DEFAULTS, switches: 129 })).toThrow("--switches 129 x --switch-slots 64 needs 8256");
    expect(layout({ ...DEFAULTS, switches: 128 }).switches).toHaveLength(128);
  });

  it("checks the command line's numbers", () => {
    const flags = {
      rows: "1000",
      chunks: "1000",
      catchupChanges: "0",
      catchupTxn: "10",
      switches: "0",
      switchSlots: "64",
      switchRows: "100",
      writers: "4",
      verifyPasses: "1",
      fenceRounds: "0",
      fenceSingle: "10",
      fenceBatches: "10",
      fenceBatchRows: "100",
      bufferPool: "128",
    };
    expect(benchOptions(flags)).toMatchObject({ rows: 1000, chunks: [1000], switches: 0, bufferPoolMb: 128 });
    expect(() => benchOptions({ ...flags, rows: "0" })).toThrow("--rows: must be a whole number from 1");
    expect(() => benchOptions({ ...flags, writers: "two" })).toThrow("--writers");
    expect(() => benchOptions({ ...flags, bufferPool: "32" })).toThrow("--buffer-pool: must be a whole number from 64");
    expect(() => benchOptions({ ...flags, chunks: "1000,," })).toThrow("--chunks");
  });
});

describe("move bench seeded ids", () => {
  it("takes the first ids of each range in id order, each in its range", () => {
    const ranges = [
      { slots: { from: 0, to: 99 }, count: 30 },
      { slots: { from: 200, to: 210 }, count: 5 },
      { slots: { from: 300, to: 300 }, count: 0 },
    ];
    const { ids, next } = idsInRanges(ranges, 1n);
    expect(ids.map((l) => l.length)).toEqual([30, 5, 0]);
    ids.forEach((list, i) => {
      for (const id of list) {
        expect(keySlot(id)).toBeGreaterThanOrEqual(ranges[i]!.slots.from);
        expect(keySlot(id)).toBeLessThanOrEqual(ranges[i]!.slots.to);
      }
      expect([...list].sort((a, b) => (a < b ? -1 : 1))).toEqual(list);
    });
    // No id of the first range was skipped below the last one taken.
    const last = ids[0]![29]!;
    for (let id = 1n; id <= last; id++) {
      const s = keySlot(id);
      if (s >= 0 && s <= 99) expect(ids[0]).toContain(id);
    }
    expect(next).toBeGreaterThan(last);
  });

  it("refuses overlapping ranges", () => {
    const r = (from: number, to: number) => ({ slots: { from, to }, count: 1 });
    expect(() => idsInRanges([r(0, 10), r(10, 20)])).toThrow("ranges 0 and 1 overlap at slot 10");
  });
});
