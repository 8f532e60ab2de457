import { diffTopology } from "../../infra/plan/diff";
import { planPlatform } from "../../infra/plan/plan";
import { parseStackConfig } from "../../infra/plan/load";
import type { StackConfig } from "../../infra/config/schema";
import { IMAGES, KUBERNETES } from "../helpers/configs";

function topo(shards: unknown[]): StackConfig {
  const r = parseStackConfig(
    {
      aws: { region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] },
      shards,
      ...IMAGES,
      ...KUBERNETES,
    },
    "dev",
  );
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.topology;
}

describe("diffTopology", () => {
  const base = topo([
    { id: 1, name: "a", nodes: 3, slots: ["0-8191"] },
    { id: 2, name: "b", nodes: 3, slots: ["8192-16383"] },
  ]);

  it("reports shards and nodes added and removed, state changes, and slots moved with the share of keys", () => {
    const next = topo([
      {
        id: 1,
        name: "a",
        nodes: [{ index: 0 }, { index: 2 }, { index: 3 }, { index: 4 }, { index: 5 }],
        slots: ["0-4095"],
      },
      { id: 2, name: "b", nodes: 3, slots: ["8192-16383"] },
      { id: 3, name: "c", nodes: 3, slots: ["4096-8191"] },
    ]);
    expect(diffTopology(planPlatform(base), planPlatform(next))).toEqual({
      shardsAdded: [3],
      shardsRemoved: [],
      shardStateChanges: [],
      nodesAdded: ["shard1-node3", "shard1-node4", "shard1-node5", "shard3-node0", "shard3-node1", "shard3-node2"],
      nodesRemoved: ["shard1-node1"],
      slotMoves: [{ from: 1, to: 3, ranges: [{ from: 4096, to: 8191 }], slots: 4096 }],
      slotsMoved: 4096,
      keyspaceMoved: 0.25,
    });
  });

  it("groups non-contiguous moves between the same shards and reports retirements", () => {
    const next = topo([
      { id: 1, name: "a", nodes: 3, slots: ["0-99", "200-16383"] },
      { id: 2, name: "b", nodes: 3, state: "retired" },
      { id: 3, name: "c", nodes: 3, slots: ["100-199"] },
    ]);
    const d = diffTopology(planPlatform(base), planPlatform(next));
    expect(d.shardStateChanges).toEqual([{ shard: 2, from: "active", to: "retired" }]);
    expect(d.slotMoves).toEqual([
      { from: 1, to: 3, ranges: [{ from: 100, to: 199 }], slots: 100 },
      { from: 2, to: 1, ranges: [{ from: 8192, to: 16383 }], slots: 8192 },
    ]);
    expect(d.slotsMoved).toBe(8292);
  });
});
