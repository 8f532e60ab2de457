/**
 * npm run analyze-sharding (scripts/cli/analyze-sharding.ts, scripts/lib/sharding/): the seed's id mix and
 * strategies as its C++ behaves, gamedb's slots, the figures, the table and the chart.
 *
 * SEED_CPP: what the seed's analyzer prints when its code is compiled as is (uint21_t read as uint64_t, the
 * mt19937 seeded 5489 instead of random_device) with g++ 12.2, plus its ring at 9 shards and its ring with keys
 * at std::hash<std::string>(std::to_string(id)).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { balanceMoves, evenShares } from "../../scripts/apps/redis-controller/slots";
import { DEFAULT_SVG, main } from "../../scripts/cli/analyze-sharding";
import { type Analysis, analyze } from "../../scripts/lib/sharding/analysis";
import { SEED_MIX, idMix } from "../../scripts/lib/sharding/idMix";
import { buildRing, ringSharding } from "../../scripts/lib/sharding/ring";
import { addShardLayout, evenLayout, slotSharding } from "../../scripts/lib/sharding/slots";
import { maxOverMean, mean, movedShare, populationStdDev, shardCounts, shares } from "../../scripts/lib/sharding/stats";
import { stdHashString } from "../../scripts/lib/sharding/stdHash";
import { moduloSharding, rangeBounds, rangeSharding } from "../../scripts/lib/sharding/strategies";
import { renderSvg } from "../../scripts/lib/sharding/svg";
import { alignColumns, renderTable } from "../../scripts/lib/sharding/table";
import { runCli } from "../helpers/cli";

const ROOT = join(__dirname, "..", "..");
const SEED_CPP = {
  modulo: [10394, 10266, 10220, 10239, 10214, 10316, 10068, 10303],
  moduloStdDev: 89.1263,
  moduloMoved: 72891,
  ranges: [50843, 4240, 4211, 4138, 4127, 4289, 4117, 6055],
  ringIdentity: [0, 82020, 0, 0, 0, 0, 0, 0],
  ringHashed: [10444, 9955, 9776, 10193, 10684, 10473, 9983, 10512],
  ringHashedNine: [9219, 8692, 8972, 9005, 9210, 8877, 8822, 9770, 9453],
  ringHashedMoved: 9453,
};

const mix = idMix();
const keys = mix.keys;
let analysis: Analysis;
beforeAll(() => {
  analysis = analyze(keys, 8);
});
const result = (id: string) => analysis.strategies.find((s) => s.id === id)!;

describe("the id mix", () => {
  it("has the seed's three segments, in its order and bounds", () => {
    expect(mix.segments).toEqual([
      { name: "sequential", count: 50000, min: 1, max: 50000 },
      { name: "random", count: 30000, min: 100010, max: 999947 },
      { name: "burst", count: 2020, min: 1000000, max: 1010019 },
    ]);
    expect(keys).toHaveLength(82020);
    expect(keys.slice(0, 3)).toEqual([1, 2, 3]);
    expect(keys.slice(50000, 50002)).toEqual([833251, 221929]);
    // The burst: 20 consecutive ids from each base 1,000,000 .. 1,010,000 inclusive (101 bases).
    expect(keys.slice(80000, 80021)).toEqual([...Array.from({ length: 20 }, (_, i) => 1000000 + i), 1000100]);
    expect(keys[keys.length - 1]).toBe(1010019);
  });
  it("keeps repeated random ids, as the seed's vector does", () => {
    const random = keys.slice(50000, 80000);
    expect(new Set(random).size).toBe(29531);
    expect(random.every((id) => id >= SEED_MIX.random.from && id <= SEED_MIX.random.to)).toBe(true);
  });
  it("is the same on every call and changes with the seed", () => {
    expect(idMix().keys).toEqual(keys);
    const other = idMix({ ...SEED_MIX, random: { ...SEED_MIX.random, seed: 1 } });
    expect(other.keys.slice(50000, 50005)).not.toEqual(keys.slice(50000, 50005));
  });
});

describe("the strategies reproduce the seed's C++", () => {
  it("modulo, ranges and the identity ring count what the seed prints", () => {
    expect(result("modulo").counts).toEqual(SEED_CPP.modulo);
    expect(result("modulo").stdDev).toBeCloseTo(SEED_CPP.moduloStdDev, 3);
    expect(result("ranges").counts).toEqual(SEED_CPP.ranges);
    expect(result("ring-identity").counts).toEqual(SEED_CPP.ringIdentity);
  });
  it("the ring with hashed keys counts what the same C++ ring counts, at 8 and 9 shards", () => {
    expect(result("ring-hashed").counts).toEqual(SEED_CPP.ringHashed);
    const nine = ringSharding(buildRing(9, stdHashString), (k) => stdHashString(String(k)));
    expect(shardCounts(keys, nine, 9)).toEqual(SEED_CPP.ringHashedNine);
    expect(result("ring-hashed").moved).toBeCloseTo(SEED_CPP.ringHashedMoved / 82020, 10);
    expect(result("modulo").moved).toBeCloseTo(SEED_CPP.moduloMoved / 82020, 10);
  });
  it("the range bounds at 8 shards are the seed's, the last one open", () => {
    expect(rangeBounds(8)).toEqual([125000, 250000, 375000, 500000, 625000, 750000, 875000, Infinity]);
    expect(rangeBounds(9).slice(0, 2)).toEqual([111111, 222222]);
    const shardOf = rangeSharding(rangeBounds(8));
    expect([0, 125000, 125001, 875000, 875001, Number.MAX_SAFE_INTEGER].map(shardOf)).toEqual([0, 0, 1, 6, 7, 7]);
    expect(() => rangeSharding([5, 5])).toThrow(/ascend/);
  });
});

describe("what each strategy does with these ids", () => {
  it("modulo: sequential ids are exactly even; the burst is even at 8 shards but not at 50", () => {
    expect(shardCounts(keys.slice(0, 50000), moduloSharding(8), 8)).toEqual(new Array(8).fill(6250));
    const burst = keys.slice(80000);
    // 20 consecutive ids cover the 8 residues almost evenly: 253 or 252 each.
    expect(shardCounts(burst, moduloSharding(8), 8)).toEqual([253, 253, 253, 253, 252, 252, 252, 252]);
    // Every base is a multiple of 100, hence of 50: at 50 shards the burst lands on shards 0..19 only.
    const at50 = shardCounts(burst, moduloSharding(50), 50);
    expect(at50.filter((c) => c > 0)).toHaveLength(20);
    expect(at50.slice(20).every((c) => c === 0)).toBe(true);
  });
  it("ranges: the 50,000 early ids make shard 0 the hot spot", () => {
    expect(result("ranges").shares[0]).toBeGreaterThan(0.6);
    expect(result("ranges").maxOverMean).toBeGreaterThan(4.9);
  });
  it("the identity ring puts every id on one shard: all ids lie below the first virtual node", () => {
    const ring = buildRing(8, stdHashString);
    expect(ring.points[0]).toBe(2059566508916303n);
    expect(ring.shards[0]).toBe(1);
    expect(BigInt(Math.max(...keys)) < ring.points[0]!).toBe(true);
    expect(Math.max(...result("ring-identity").shares)).toBe(1);
    expect(result("ring-identity").maxOverMean).toBe(8);
    // Shard 8's nodes are not placed before that first node, so nothing moves either.
    expect(result("ring-identity").moved).toBe(0);
  });
  it("growing a ring adds the new shard's nodes and keeps every other", () => {
    const eight = buildRing(8, stdHashString);
    const nine = buildRing(9, stdHashString);
    expect(nine.points).toHaveLength(1350);
    const kept = new Set([...nine.points].filter((_, i) => nine.shards[i] !== 8));
    expect([...eight.points].every((p) => kept.has(p))).toBe(true);
  });
  it("gamedb slots: every shard within 3% of an even 12.5%", () => {
    for (const share of result("gamedb-slots").shares) expect(Math.abs(share / 0.125 - 1)).toBeLessThan(0.03);
  });
  it("moved 8 -> 9: modulo about 8/9, hashed ring and gamedb slots about 1/9, the naive re-split about half", () => {
    expect(Math.abs(result("modulo").moved - 8 / 9)).toBeLessThan(0.01);
    expect(Math.abs(result("ring-hashed").moved - 1 / 9)).toBeLessThan(0.02);
    expect(Math.abs(result("gamedb-slots").moved - 1 / 9)).toBeLessThan(0.01);
    expect(Math.abs(result("gamedb-slots").contrast!.moved - 0.5)).toBeLessThan(0.02);
    expect(result("ranges").moved).toBeGreaterThan(0.2);
  });
});

describe("adding a gamedb shard", () => {
  it("moves 1,820 slots, a contiguous piece off the end of each existing range", () => {
    const { layout, moved } = addShardLayout(evenLayout(8));
    expect(moved.reduce((n, r) => n + r.to - r.from + 1, 0)).toBe(1820);
    expect(layout.map((ranges) => ranges.reduce((n, r) => n + r.to - r.from + 1, 0))).toEqual(evenShares(9));
    expect(moved).toHaveLength(8);
    expect(moved[0]).toEqual({ from: 2048 - 227, to: 2047 });
    layout.slice(0, 8).forEach((ranges, i) => expect(ranges).toEqual([{ from: i * 2048, to: ranges[0]!.to }]));
  });
  it("moves the same slots as the Redis planner's balanceMoves (scripts/apps/redis-controller/slots.ts)", () => {
    const targets = evenShares(9);
    const holders = evenLayout(8).map((slots, key) => ({ key, slots, target: targets[key]! }));
    const moves = balanceMoves([...holders, { key: 8, slots: [], target: targets[8]! }]);
    const planned = moves.flatMap((m) => m.slots).sort((a, b) => a.from - b.from);
    expect(addShardLayout(evenLayout(8)).moved).toEqual(planned);
  });
  it("moves only the keys of the moved slots", () => {
    const before = slotSharding(evenLayout(8));
    const after = slotSharding(addShardLayout(evenLayout(8)).layout);
    expect(keys.filter((k) => before(k) !== after(k)).every((k) => after(k) === 8)).toBe(true);
  });
  it("refuses a layout with a shard below its share, and a layout that leaves a slot unowned", () => {
    expect(() => addShardLayout([[{ from: 0, to: 100 }], [{ from: 101, to: 16383 }]])).toThrow(/shard 0 holds 101/);
    expect(() => slotSharding([[{ from: 0, to: 100 }]])).toThrow(/slot 101 is owned by no shard/);
  });
});

describe("stats", () => {
  it("computes mean, population standard deviation, max/mean and shares by hand", () => {
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(populationStdDev([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2); // sample std dev would be 2.138
    expect(populationStdDev([3, 3, 3])).toBe(0);
    expect(maxOverMean([1, 1, 1, 5])).toBe(2.5);
    expect(shares([1, 3])).toEqual([0.25, 0.75]);
    expect(() => mean([])).toThrow(/no values/);
  });
  it("counts keys per shard and refuses an answer outside the shards", () => {
    expect(shardCounts([1, 2, 3, 4, 5], (k) => k % 2, 2)).toEqual([2, 3]);
    expect(() => shardCounts([7], () => 2, 2)).toThrow(/key 7 went to shard 2, outside 0..1/);
  });
  it("measures the moved share", () => {
    expect(
      movedShare(
        [0, 1, 2, 3],
        (k) => k % 2,
        (k) => k % 3,
      ),
    ).toBe(0.5); // 2 and 3 move
    expect(movedShare([], moduloSharding(2), moduloSharding(3))).toBe(0);
  });
});

/** Tags open and close in order (a tiny well-formedness check: no XML parser among the dependencies). */
function checkTags(svg: string): number {
  const stack: string[] = [];
  let count = 0;
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    count++;
    if (selfClosing) continue;
    if (!closing) stack.push(name!);
    else {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open ?? "nothing"}>`);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.join(">, <")}>`);
  const text = svg.replace(/<[^>]*>/g, "");
  if (/[<>]|&(?!(amp|lt|gt|quot);)/.test(text)) throw new Error("unescaped markup in text");
  return count;
}

describe("table and chart", () => {
  it("aligns columns", () => {
    expect(
      alignColumns(
        [
          ["a", "1"],
          ["bbb", "22"],
        ],
        ["l", "r"],
      ),
    ).toBe("a     1\nbbb  22");
  });
  it("the table names every strategy, its figures and each shard's keys", () => {
    const table = renderTable(analysis, "x");
    for (const s of analysis.strategies) expect(table).toContain(s.id);
    expect(table).toMatch(/^modulo\s+89\.1\s+1\.014\s+88\.87%$/m);
    expect(table).toMatch(/^ {2}naive re-split \*\s+50\.05%$/m);
    expect(table).toMatch(/^\s+0\s+10,394 12\.67%\s+50,843 61\.99%/m);
  });
  it("the tag check catches bad markup", () => {
    expect(() => checkTags("<svg><g></svg>")).toThrow("</svg> closes <g>");
    expect(() => checkTags("<svg><g/>")).toThrow("unclosed <svg>");
    expect(() => checkTags("<svg>a & b</svg>")).toThrow("unescaped");
  });
  it("the chart is well-formed, labels every strategy and is the same on every render", () => {
    const svg = renderSvg(analysis, "ids & more <x>", ["a note"]);
    expect(checkTags(svg)).toBeGreaterThan(100);
    expect(svg).toContain("ids &amp; more &lt;x&gt;");
    for (const s of analysis.strategies) expect(svg).toContain(`>${s.id}</text>`);
    expect(svg).toContain("gamedb-slots naive re-split (contrast)");
    expect(renderSvg(analyze(keys, 8), "ids & more <x>", ["a note"])).toBe(svg);
  });
});

describe("the CLI", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "analyze-sharding-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs end to end, prints the table and writes the committed chart byte for byte", () => {
    const svg = join(dir, "chart.svg");
    const run = spawnSync(join(ROOT, "node_modules/.bin/tsx"), ["scripts/cli/analyze-sharding.ts", "--svg", svg], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    for (const id of ["modulo", "ranges", "ring-identity", "ring-hashed", "gamedb-slots"]) {
      expect(run.stdout).toContain(id);
    }
    // The README's chart stays true: regenerate it with `npm run analyze-sharding` when this fails.
    expect(readFileSync(svg, "utf8")).toBe(readFileSync(join(ROOT, DEFAULT_SVG), "utf8"));
  });
  it("prints JSON with --json", async () => {
    const run = await runCli(main, ["--json", "--shards", "4", "--svg", join(dir, "four.svg")]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.out) as Analysis & { mix: { segments: unknown[] } };
    expect(doc.shards).toBe(4);
    expect(doc.keys).toBe(82020);
    expect(doc.mix.segments).toHaveLength(3);
    expect(doc.strategies.map((s) => s.counts.length)).toEqual([4, 4, 4, 4, 4]);
  });
  it.each(["0", "65", "2.5", "eight"])("refuses --shards %s naming the allowed values", async (value) => {
    const run = await runCli(main, ["--shards", value, "--svg", join(dir, "x.svg")]);
    expect(run.code).toBe(2);
    expect(run.err).toContain("--shards must be an integer from 1 to 64");
  });
});
