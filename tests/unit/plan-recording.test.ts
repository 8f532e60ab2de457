/**
 * What the offline plan's recording transformation keeps of each resource (scripts/lib/recordOptions.ts), on small
 * programs under the plan's mocks: the Outputs it searches inputs for, and the dependencies they give.
 */
import * as pulumi from "@pulumi/pulumi";
import { planMocks, valueOf } from "../../scripts/lib/mockValues";
import {
  MAX_INPUT_DEPTH,
  Recorded,
  UrnCache,
  dependenciesOf,
  outputsIn,
  recordResource,
} from "../../scripts/lib/recordOptions";

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, props, opts);
  }
}

/** Runs `declare` under the plan's mocks with the recording transformation; every resource's URN resolved. */
async function recordProgram(declare: (opts: pulumi.CustomResourceOptions) => void): Promise<Recorded[]> {
  await pulumi.runtime.setMocks(planMocks(new Map()), "p", "s", false);
  const seen: Recorded[] = [];
  declare({ transformations: [(args) => void seen.push(recordResource(args))] });
  await Promise.all(seen.map((s) => valueOf(s.resource.urn)));
  return seen;
}

async function dependencyNames(r: Recorded): Promise<string[]> {
  const urns = new UrnCache();
  await urns.of(r.resource);
  const deps = dependenciesOf(await r.inferred);
  return (await Promise.all([...deps].map((d) => urns.of(d)))).map((u) => u.split("::").pop()!).sort();
}

describe("outputsIn", () => {
  it("finds Outputs in objects and arrays, not inside Resources or Promises, nor below the depth limit", async () => {
    await pulumi.runtime.setMocks(planMocks(new Map()), "p", "s", false);
    const a = pulumi.output("a");
    const b = pulumi.output("b");
    const inResource = new Thing("r", { x: pulumi.output("hidden") });
    let deep: unknown = { leaf: pulumi.output("too deep") };
    for (let i = 0; i < MAX_INPUT_DEPTH + 1; i++) deep = { next: deep };
    const found = outputsIn({
      s: "text",
      n: 1,
      list: [a, { b }],
      resource: inResource,
      promise: Promise.resolve(pulumi.output("later")),
      deep,
    });
    expect(found).toEqual([a, b]);
    expect(outputsIn(a)).toEqual([a]);
    expect(outputsIn("x")).toEqual([]);
  });
});

describe("recordResource", () => {
  it("keeps the options the plan shows, copied when recorded", async () => {
    const ignore = ["tags"];
    const seen = await recordProgram((opts) => {
      const parent = new Thing("parent", {}, opts);
      new Thing("child", {}, { ...opts, parent, protect: true, retainOnDelete: true, ignoreChanges: ignore });
    });
    ignore.push("changed later");
    const child = seen.find((s) => s.name === "child")!;
    expect(child.options).toEqual({ protect: true, retainOnDelete: true, ignoreChanges: ["tags"] });
    expect(child.parent).toBe(seen.find((s) => s.name === "parent")!.resource);
    expect(seen.find((s) => s.name === "parent")!.options).toEqual({
      protect: false,
      retainOnDelete: false,
      ignoreChanges: [],
    });
  });

  it("infers the resources of Outputs nested in an Output's value, which Pulumi adds when it registers", async () => {
    // Like infra/monitoring/alarms.ts: the whole args are one Output whose value holds another resource's Output.
    // The resource set of `dims` gains `instance` only while Pulumi serializes the alarm's inputs, so a copy of it
    // taken when the transformation ran would miss that dependency.
    const seen = await recordProgram((opts) => {
      const instance = new Thing("instance", {}, opts);
      const topic = new Thing("topic", {}, opts);
      const args = topic.urn.apply((t) => ({ topic: t, dims: { id: instance.id } }));
      new Thing("alarm", { topic: args.topic, dims: args.dims }, opts);
    });
    expect(await dependencyNames(seen.find((s) => s.name === "alarm")!)).toEqual(["instance", "topic"]);
  });

  it("infers nothing from inputs without Outputs", async () => {
    const seen = await recordProgram((opts) => void new Thing("plain", { a: 1, b: ["x"], c: { d: null } }, opts));
    expect(await dependencyNames(seen[0]!)).toEqual([]);
  });
});

describe("UrnCache", () => {
  it("gives each resource's URN once, and dependsOn's URNs in their order, one resource or a list", async () => {
    const seen = await recordProgram((opts) => {
      new Thing("a", {}, opts);
      new Thing("b", {}, opts);
    });
    const [a, b] = seen.map((s) => s.resource);
    const urns = new UrnCache();
    expect(urns.of(a!)).toBe(urns.of(a!));
    const [ua, ub] = await Promise.all([urns.of(a!), urns.of(b!)]);
    expect(ua).toMatch(/::a$/);
    expect(await urns.ofDependsOn([b!, Promise.resolve(a!)])).toEqual([ub, ua]);
    expect(await urns.ofDependsOn(Promise.resolve(b!))).toEqual([ub]);
    expect(await urns.ofDependsOn(undefined)).toEqual([]);
  });
});
