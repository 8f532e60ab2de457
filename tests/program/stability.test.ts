/**
 * Stability: growing the topology never renames, replaces or modifies what exists, except the resources that must
 * learn about the change, which each test lists. Evaluated with the real program under mocks and compared with the
 * same diff the offline plan prints (`--against`).
 */
import { join } from "node:path";
import { parse } from "yaml";
import { readFileSync } from "node:fs";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans, PlanDiff } from "../../scripts/lib/planDiff";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { stackOf } from "../helpers/stack";

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function prodRaw(): Raw {
  const doc = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")).config as Raw;
  return Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^gamedb:/, ""), v]));
}

async function change(edit: (raw: Raw) => void): Promise<{ base: PlanDocument; next: PlanDocument; diff: PlanDiff }> {
  const raw = prodRaw();
  const base = await evaluate(stackOf(raw, "prod"));
  edit(raw);
  const next = await evaluate(stackOf(raw, "prod"));
  return { base, next, diff: diffPlans(base, next) };
}

describe("stable names and inputs", () => {
  it("the same config plans identically twice", async () => {
    const { diff, base, next } = await change(() => undefined);
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(next).toEqual(base);
  });

  it("adding a shard (provisioning) touches no existing resource", async () => {
    const { diff } = await change((raw) => raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" }));
    expect(diff.deleted).toEqual([]);
    expect(diff.changed).toEqual([]);
    for (const r of diff.created) expect(r.name).toContain("shard5");
    expect(diff.topology).toMatchObject({
      shardsAdded: [5],
      shardsRemoved: [],
      nodesAdded: ["shard5-node0", "shard5-node1", "shard5-node2"],
      slotsMoved: 0,
    });
  });

  it("adding nodes to a shard touches no existing resource and keeps every other node's zone and server id", async () => {
    const { diff, base, next } = await change((raw) => {
      raw.shards[0].nodes = 5;
    });
    expect(diff.deleted).toEqual([]);
    expect(diff.changed).toEqual([]);
    for (const r of diff.created) expect(r.name).toMatch(/shard1-node[34]/);
    expect(diff.topology.nodesAdded).toEqual(["shard1-node3", "shard1-node4"]);
    const nodes = (doc: PlanDocument) => doc.topology.shards.flatMap((s) => s.nodes);
    for (const n of nodes(base)) expect(nodes(next)).toContainEqual(n);
  });

  it("moving slots to a new shard moves exactly those slots and touches no existing resource", async () => {
    const { diff } = await change((raw) => {
      raw.shards[3].slots = ["12288-14335"];
      raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "active", slots: ["14336-16383"] });
    });
    expect(diff.deleted).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(diff.topology.slotMoves).toEqual([{ from: 4, to: 5, ranges: [{ from: 14336, to: 16383 }], slots: 2048 }]);
    expect(diff.topology.keyspaceMoved).toBe(0.125);
  });

  it("adding an admin network adds one rule and changes nothing else", async () => {
    const { diff } = await change((raw) => raw.ssh.adminCidrs.push("192.168.10.0/24"));
    expect(diff.deleted).toEqual([]);
    expect(diff.changed).toEqual([]);
    expect(diff.created.map((r) => r.name)).toEqual(["gamedb-network-admin-ssh-192-168-10-0-24"]);
  });

  it("adding a zone adds its subnets and changes only the S3 endpoint, which must learn the new route table", async () => {
    const { diff } = await change((raw) => raw.aws.availabilityZones.push("eu-west-1d"));
    expect(diff.deleted).toEqual([]);
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([
      ["gamedb-network-s3", ["routeTableIds"], []],
    ]);
    expect(diff.created.map((r) => r.name).sort()).toEqual(
      [
        "gamedb-network-private-eu-west-1d",
        "gamedb-network-private-eu-west-1d",
        "gamedb-network-private-eu-west-1d",
        "gamedb-network-public-eu-west-1d",
        "gamedb-network-public-eu-west-1d",
        "gamedb-network-nat-eu-west-1d",
        "gamedb-network-nat-eu-west-1d",
      ].sort(),
    );
  });
});
