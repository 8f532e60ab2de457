/**
 * The arithmetic of npm run bench:client (scripts/cli/bench/clientBenchStats.ts): percentiles, summaries, the
 * per-round ratios, the rotation of variants and the options' checks.
 */
import {
  compare,
  intListOption,
  intOption,
  percentile,
  rotation,
  roundRatios,
  summarize,
  verdict,
} from "../../scripts/lib/bench/stats";

describe("client bench statistics", () => {
  it("takes nearest-rank percentiles: values that were measured", () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("summarizes unsorted samples and the throughput of their wall time", () => {
    const s = summarize([300, 100, 200, 400], 2e9);
    expect(s).toEqual({ n: 4, meanUs: 250, p50Us: 200, p99Us: 400, opsPerSec: 2 });
  });

  it("compares the two sides round by round, each round with its own p50", () => {
    // Two rounds of two requests: the client 10% over in the first, 30% in the second.
    const client = Float64Array.from([110, 110, 260, 260]);
    const bare = Float64Array.from([100, 100, 200, 200]);
    expect(roundRatios(client, bare, 2)).toEqual([1.1, 1.3]);
    const c = compare("read", ["c", client, summarize(client, 1)], ["b", bare, summarize(bare, 1)], 2);
    expect(c.p50Ratio).toBeCloseTo(1.1);
    expect(c.p99Ratio).toBeCloseTo(1.3);
    expect(c.perRoundP50Ratio.median).toBeCloseTo(1.2);
    expect([c.perRoundP50Ratio.min, c.perRoundP50Ratio.max]).toEqual([1.1, 1.3]);
  });

  it("judges the target by the worst case and names it", () => {
    const ratio = (what: string, p50Ratio: number) => ({
      what,
      client: "c",
      baseline: "b",
      p50Ratio,
      p99Ratio: 1,
      perRoundP50Ratio: { median: p50Ratio, min: p50Ratio, max: p50Ratio },
    });
    const phase = (concurrency: number, ...comparisons: ReturnType<typeof ratio>[]) => ({
      concurrency,
      summaries: {},
      comparisons,
    });
    const phases = [phase(1, ratio("read", 1.02), ratio("write", 1.05)), phase(16, ratio("read", 1.12))];
    expect(verdict(phases, 1.1)).toMatch(/worst single-key case \+12\.0% \(read, concurrency 16; .*: NOT MET$/);
    expect(verdict(phases.slice(0, 1), 1.1)).toMatch(/\+5\.0% \(write, concurrency 1; .*: MET$/);
  });

  it("orders the variants so each runs first, and after each other one, equally often", () => {
    const orders = (n: number, items: string[]) => Array.from({ length: n }, (_, r) => rotation(items, r).join(""));
    expect(orders(4, ["a", "b"])).toEqual(["ab", "ba", "ba", "ab"]);
    expect(new Set(orders(6, ["a", "b", "c"]))).toEqual(new Set(["abc", "acb", "bac", "bca", "cab", "cba"]));
  });

  it("refuses bad option values, naming the option", () => {
    expect(intOption("rounds", "12")).toBe(12);
    expect(intOption("warmup", "0", 0)).toBe(0);
    expect(() => intOption("rounds", "0")).toThrow('--rounds: must be a whole number from 1, got "0"');
    expect(() => intOption("requests", "1e3")).toThrow("--requests: must be a whole number from 1");
    expect(intListOption("concurrency", "1, 16")).toEqual([1, 16]);
    expect(() => intListOption("concurrency", "1,,16")).toThrow("--concurrency: must be whole numbers from 1");
  });
});
