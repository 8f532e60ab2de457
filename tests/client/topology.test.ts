import fc from "fast-check";
import type { ClientEndpoints } from "../../infra/contracts/endpoints";
import { SLOT_COUNT } from "../../infra/contracts/slots";
import { evenSlotRanges } from "../../infra/plan/slots";
import { Topology } from "../../client/src/topology";
import { RO, RW, evenDoc, routerHost, routersFor, run } from "./fixtures";

function built(doc: ClientEndpoints): Topology {
  const t = Topology.build(doc);
  if (Array.isArray(t)) throw new Error(`expected a table, got problems: ${t.join("; ")}`);
  return t;
}

function problemsOf(doc: ClientEndpoints): string[] {
  const t = Topology.build(doc);
  if (!Array.isArray(t)) throw new Error("expected problems, got a table");
  return t;
}

describe("Topology.build from valid documents", () => {
  it("maps every slot to its run's shard, with the run's epoch (absent = 0)", () => {
    const t = built({ routers: routersFor([0, 1]), slotMap: [run(0, 8191, 0), run(8192, 16383, 1, 7)] });
    expect([0, 8191, 8192, 16383].map((s) => t.shardOfSlot(s))).toEqual([0, 0, 1, 1]);
    expect([t.epoch[0], t.epoch[8191], t.epoch[8192], t.epoch[16383]]).toEqual([0, 0, 7, 7]);
  });

  it("keeps each shard's Router host and its rw and ro ports (other ports ignored)", () => {
    const t = built(evenDoc(2));
    expect(t.endpoint(1)).toEqual({ shard: 1, host: routerHost(1), rw: RW, ro: RO });
    expect(t.endpoint(2)).toBeUndefined();
    expect([...t.shards.keys()].sort()).toEqual([0, 1]);
  });

  it("rangesByShard gives each shard's runs in slot order, joining adjacent runs", () => {
    const t = built({
      routers: routersFor([0, 1]),
      slotMap: [run(0, 99, 0), run(100, 199, 1), run(200, 299, 0), run(300, 16383, 0)],
    });
    expect(t.rangesByShard()).toEqual(
      new Map([
        [
          0,
          [
            { from: 0, to: 99 },
            { from: 200, to: 16383 },
          ],
        ],
        [1, [{ from: 100, to: 199 }]],
      ]),
    );
  });

  it("a router that owns no slots (a new, empty shard) is still a shard of the table", () => {
    const t = built({ routers: routersFor([0, 5]), slotMap: [run(0, 16383, 0)] });
    expect(t.endpoint(5)?.host).toBe(routerHost(5));
    expect(t.rangesByShard().has(5)).toBe(false);
  });

  it("holds shard numbers and epochs up to INT UNSIGNED (the fence's columns) exactly", () => {
    const big = 4294967295;
    const t = built({ routers: routersFor([0, big]), slotMap: [run(0, 99, 0), run(100, 16383, big, big)] });
    expect(t.shardOfSlot(100)).toBe(big);
    expect(t.epoch[100]).toBe(big);
    expect(t.rangesByShard().get(big)).toEqual([{ from: 100, to: 16383 }]);
    // A map's epoch beyond what a fence can send stays larger than any MOVED.
    const t2 = built({ routers: routersFor([0, 1]), slotMap: [run(0, 16383, 0, 2 ** 32 + 1)] });
    expect(t2.learn(3, { shard: 1, epoch: big })).toBe(false);
    expect(t2.shardOfSlot(3)).toBe(0);
  });

  it("for random even splits every slot maps to its run's shard (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        (count, offset, epoch) => {
          const ids = Array.from({ length: count }, (_, i) => offset + i * 3);
          const t = built(evenDoc(count, { ids, epoch }));
          const ranges = evenSlotRanges(count);
          const expected = new Int32Array(SLOT_COUNT);
          ranges.forEach((r, i) => expected.fill(ids[i]!, r.from, r.to + 1));
          for (let s = 0; s < SLOT_COUNT; s++) {
            if (t.shardOfSlot(s) !== expected[s] || t.epoch[s] !== epoch) return false;
          }
          const byShard = t.rangesByShard();
          return ranges.every((r, i) => JSON.stringify(byShard.get(ids[i]!)) === JSON.stringify([r]));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("Topology.build reports every problem with its field path", () => {
  it("an overlap names the run and the slot, without inventing a gap after it", () => {
    expect(problemsOf({ routers: routersFor([0, 1]), slotMap: [run(0, 8191, 0), run(8000, 16383, 1)] })).toEqual([
      "slotMap.1: slot 8000 is already owned by shard 0",
    ]);
  });

  it("a gap names the unowned slots; every gap is reported", () => {
    expect(
      problemsOf({ routers: routersFor([0, 1]), slotMap: [run(0, 8190, 0), run(8192, 9999, 1), run(10005, 16383, 1)] }),
    ).toEqual([
      "slotMap: slot 8191 is owned by no shard; every slot 0-16383 needs one",
      "slotMap: slots 10000-10004 are owned by no shard; every slot 0-16383 needs one",
    ]);
    expect(problemsOf({ routers: routersFor([0]), slotMap: [run(1, 16383, 0)] })).toEqual([
      "slotMap: slot 0 is owned by no shard; every slot 0-16383 needs one",
    ]);
  });

  it("a run whose from is above its to", () => {
    const doc = { routers: routersFor([0]), slotMap: [run(0, 16383, 0), { ...run(5, 9, 0), from: 9, to: 5 }] };
    expect(problemsOf(doc)).toEqual(["slotMap.1: from 9 is above to 5"]);
  });

  it("a shard that owns slots but has no router", () => {
    expect(problemsOf({ routers: routersFor([0]), slotMap: [run(0, 8191, 0), run(8192, 16383, 3)] })).toEqual([
      "slotMap.1: shard 3 owns slots 8192-16383 but routers has no shard3",
    ]);
  });

  it("a router without the rw or ro port names the ports it has", () => {
    const doc = evenDoc(3);
    doc.routers.shard1 = { host: routerHost(1), ports: { rw: RW, "x-rw": 6448 } };
    doc.routers.shard2 = { host: routerHost(2), ports: {} };
    expect(problemsOf(doc)).toEqual([
      "routers.shard1.ports: needs rw and ro (has rw, x-rw)",
      "routers.shard2.ports: needs rw and ro (has none)",
    ]);
  });

  it("a router key with leading zeros (it would alias another shard's)", () => {
    const doc = evenDoc(2);
    doc.routers.shard01 = { host: "elsewhere", ports: { rw: RW, ro: RO } };
    expect(problemsOf(doc)).toEqual(["routers.shard01: must be written shard1 (no leading zeros)"]);
  });

  it("several problems at once are all listed", () => {
    const doc = { routers: routersFor([0]), slotMap: [run(0, 99, 0), run(50, 199, 0), run(300, 16383, 4)] };
    expect(problemsOf(doc)).toEqual([
      "slotMap.1: slot 50 is already owned by shard 0",
      "slotMap.2: shard 4 owns slots 300-16383 but routers has no shard4",
      "slotMap: slots 200-299 are owned by no shard; every slot 0-16383 needs one",
    ]);
  });
});

describe("Topology.learn (a MOVED from a shard's fence)", () => {
  const fresh = () => built(evenDoc(2, { epoch: 5 }));

  it("a newer epoch applies to that slot only", () => {
    const t = fresh();
    expect(t.learn(10, { shard: 1, epoch: 6 })).toBe(true);
    expect([t.shardOfSlot(10), t.epoch[10]]).toEqual([1, 6]);
    expect([t.shardOfSlot(9), t.shardOfSlot(11), t.epoch[11]]).toEqual([0, 0, 5]);
  });

  it("an older epoch never applies", () => {
    const t = fresh();
    expect(t.learn(10, { shard: 1, epoch: 4 })).toBe(false);
    expect([t.shardOfSlot(10), t.epoch[10]]).toEqual([0, 5]);
    t.learn(10, { shard: 1, epoch: 9 });
    expect(t.learn(10, { shard: 0, epoch: 8 })).toBe(false);
    expect(t.shardOfSlot(10)).toBe(1);
  });

  it("the same epoch naming another shard applies (the fence is the authority); the same owner changes nothing", () => {
    const t = fresh();
    expect(t.learn(10, { shard: 0, epoch: 5 })).toBe(false);
    expect(t.learn(10, { shard: 1, epoch: 5 })).toBe(true);
    expect(t.shardOfSlot(10)).toBe(1);
  });

  it("keepNewer after a reload keeps only what was learned at a newer epoch than the new table's", () => {
    const reloaded = built(evenDoc(2, { epoch: 3 }));
    reloaded.keepNewer(
      new Map([
        [1, { shard: 1, epoch: 4 }],
        [2, { shard: 1, epoch: 3 }],
        [3, { shard: 1, epoch: 2 }],
      ]),
    );
    expect([1, 2, 3].map((s) => [reloaded.shardOfSlot(s), reloaded.epoch[s]])).toEqual([
      [1, 4],
      [0, 3],
      [0, 3],
    ]);
  });
});
