/** The critical path over a plan's dependency graph (scripts/lib/criticalPath.ts), on small hand-made plans. */
import { criticalPath } from "../../scripts/lib/criticalPath";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";

const res = (name: string, type: string, deps: string[] = [], parent: string | null = null): PlannedResource => ({
  urn: `urn:${name}`,
  type,
  name,
  parent: parent ? `urn:${parent}` : null,
  custom: !type.startsWith("gamedb:"),
  inputs: {},
  options: { protect: false, retainOnDelete: false, ignoreChanges: [], dependsOn: [] },
  dependencies: deps.map((d) => `urn:${d}`),
});
const doc = (resources: PlannedResource[]) => ({ resources }) as unknown as PlanDocument;
const CMD = "command:remote:Command";

describe("criticalPath", () => {
  it("follows the longest chain and counts remote commands separately", () => {
    const p = criticalPath(
      doc([
        res("host", "aws:ec2/instance:Instance"),
        res("a", CMD, ["host"]),
        res("b", CMD, ["a"]),
        res("side", "aws:ebs/volume:Volume"),
        res("c", CMD, ["b", "side"]),
      ]),
    );
    expect(p.chain.map((r) => r.name)).toEqual(["host", "a", "b", "c"]);
    expect(p.commands.map((r) => r.name)).toEqual(["a", "b", "c"]);
  });

  it("waits on every resource under a component it depends on", () => {
    const p = criticalPath(
      doc([
        res("cluster", "gamedb:mysql:InnoDbCluster"),
        res("x", CMD, [], "cluster"),
        res("y", CMD, ["x"], "cluster"),
        res("router", "kubernetes:apps/v1:Deployment", ["cluster"]),
      ]),
    );
    expect(p.chain.map((r) => r.name)).toEqual(["x", "y", "router"]);
  });

  it("reports a dependency cycle", () => {
    expect(() => criticalPath(doc([res("a", CMD, ["b"]), res("b", CMD, ["a"])]))).toThrow(/dependency cycle/);
  });
});
