import fc from "fast-check";
import { membersPerZone, placeNode, sortedZones, zoneHoldingMajority } from "../../infra/plan/placement";
import { nodeName, planNodes, serverId } from "../../infra/plan/nodes";
import type { ShardConfig } from "../../infra/config/schema";

const zonesArb = fc.uniqueArray(fc.constantFrom(..."abcdef".split("").map((l) => `eu-west-1${l}`)), {
  minLength: 1,
  maxLength: 6,
});

describe("placeNode", () => {
  it("puts consecutive indexes of a shard in distinct zones while there are zones enough", () => {
    fc.assert(
      fc.property(
        zonesArb,
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 900 }),
        (zones, shard, start) => {
          const count = Math.min(zones.length, 9);
          const placed = Array.from({ length: count }, (_, i) => placeNode(shard, start + i, zones));
          expect(new Set(placed).size).toBe(count);
        },
      ),
    );
  });
  it("balances any count of consecutive nodes: zone loads differ by at most one", () => {
    fc.assert(
      fc.property(
        zonesArb,
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 1, max: 9 }),
        (zones, shard, count) => {
          const loads = [
            ...membersPerZone(Array.from({ length: count }, (_, i) => placeNode(shard, i, zones))).values(),
          ];
          const full = loads.length === zones.length ? loads : [...loads, 0];
          expect(Math.max(...full) - Math.min(...full)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
  it("depends only on shard id, node index and the set of zones (not order, not other nodes)", () => {
    fc.assert(
      fc.property(
        zonesArb,
        fc.integer({ min: 0, max: 999_999 }),
        fc.integer({ min: 0, max: 998 }),
        (zones, shard, index) => {
          const reversed = [...zones].reverse();
          expect(placeNode(shard, index, reversed)).toBe(placeNode(shard, index, zones));
          expect(zones).toContain(placeNode(shard, index, zones));
        },
      ),
    );
  });
  it("honours a pinned zone", () => {
    expect(placeNode(1, 0, ["eu-west-1a", "eu-west-1b"], "eu-west-1b")).toBe("eu-west-1b");
  });
  it("keeps a node where it was when another node of its shard is removed", () => {
    const zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
    const before: ShardConfig = { id: 7, name: "s", state: "active", slots: [], nodes: 3 };
    const after: ShardConfig = { ...before, nodes: [{ index: 0 }, { index: 2 }] };
    const b = planNodes(before, zones, "r6i.large");
    const a = planNodes(after, zones, "r6i.large");
    expect(a.map((n) => [n.name, n.az, n.serverId])).toEqual([b[0], b[2]].map((n) => [n!.name, n!.az, n!.serverId]));
  });
});

describe("zoneHoldingMajority", () => {
  it("finds a zone whose loss costs quorum", () => {
    expect(zoneHoldingMajority(["a", "a", "b"])).toEqual({ zone: "a", members: 2 });
    expect(zoneHoldingMajority(["a", "b", "c"])).toBeUndefined();
    expect(zoneHoldingMajority(["a", "a", "b", "b", "c"])).toBeUndefined();
    expect(zoneHoldingMajority(["a"])).toBeUndefined();
  });
});

describe("server ids and names", () => {
  it("are unique across shards and nodes, never 0, and fit MySQL's 32-bit server_id", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 999_999 }), fc.integer({ min: 0, max: 998 })), {
          selector: ([s, n]) => `${s}/${n}`,
          minLength: 2,
          maxLength: 200,
        }),
        (pairs) => {
          const ids = pairs.map(([s, n]) => serverId(s, n));
          const names = pairs.map(([s, n]) => nodeName(s, n));
          expect(new Set(ids).size).toBe(pairs.length);
          expect(new Set(names).size).toBe(pairs.length);
          for (const id of ids) expect(id >= 1 && id <= 2 ** 32 - 1).toBe(true);
        },
      ),
    );
  });
  it("derive from shard id and node index", () => {
    expect(serverId(7, 2)).toBe(7003);
    expect(nodeName(7, 2)).toBe("shard7-node2");
    expect(sortedZones(["b", "a", "b"])).toEqual(["a", "b"]);
  });
});
