/**
 * The plan benchmark's typed floor: the shape summary of a run's custom resources (scripts/lib/bench/resourceShapes.ts),
 * the capture of resource objects it is built from (captureResources.ts), and the ratios and gap split against the
 * typed floor in the report (planReport.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { captureResources } from "../../scripts/lib/bench/captureResources";
import {
  outputPropertyNames,
  parseShapeSummary,
  shapeTotals,
  summarizeShapes,
  typedInputs,
} from "../../scripts/lib/bench/resourceShapes";
import {
  type Measurement,
  type ProcessRun,
  benchRow,
  gapSplit,
  renderReport,
  verdict,
} from "../../scripts/lib/bench/planReport";

class FakeOutput {}
const isFake = (v: unknown) => v instanceof FakeOutput;
const out = () => new FakeOutput();

describe("outputPropertyNames", () => {
  it("keeps the own Output-valued keys, sorted, without urn, id and Pulumi's __ keys", () => {
    const resource = {
      urn: out(),
      id: out(),
      __name: out(),
      __transformations: [],
      zone: out(),
      arn: out(),
      plain: "not an output",
      tags: out(),
    };
    expect(outputPropertyNames(resource, isFake)).toEqual(["arn", "tags", "zone"]);
  });

  it("ignores inherited properties", () => {
    const proto = { inherited: out() };
    const resource = Object.assign(Object.create(proto) as object, { own: out() });
    expect(outputPropertyNames(resource, isFake)).toEqual(["own"]);
  });
});

describe("summarizeShapes", () => {
  it("counts resources per type, types sorted, with each type's properties", () => {
    const summary = summarizeShapes(
      [
        { type: "z:index:Z", resource: { a: out() } },
        { type: "aws:ec2/instance:Instance", resource: { ami: out(), arn: out(), urn: out() } },
        { type: "z:index:Z", resource: { a: out() } },
      ],
      isFake,
    );
    expect(summary).toEqual({
      types: {
        "aws:ec2/instance:Instance": { count: 1, properties: ["ami", "arn"] },
        "z:index:Z": { count: 2, properties: ["a"] },
      },
    });
    expect(Object.keys(summary.types)).toEqual(["aws:ec2/instance:Instance", "z:index:Z"]);
    expect(shapeTotals(summary)).toEqual({ resources: 3, properties: 4 });
  });

  it("refuses two resources of one type with different properties", () => {
    expect(() =>
      summarizeShapes(
        [
          { type: "t:index:T", resource: { a: out() } },
          { type: "t:index:T", resource: { a: out(), b: out() } },
        ],
        isFake,
      ),
    ).toThrow("resources of type t:index:T declare different properties: [a] and [a, b]");
  });
});

describe("parseShapeSummary", () => {
  it("reads back what summarizeShapes wrote", () => {
    const summary = { types: { "t:index:T": { count: 2, properties: ["a", "name"] } } };
    expect(parseShapeSummary(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
  });

  it.each([
    [null, "shape summary: the document must be an object, got null"],
    [{ types: [] }, "shape summary: types must be an object of type token -> shape, got []"],
    [{ types: { t: { count: 0, properties: [] } } }, "shape summary: types[t].count must be a positive integer, got 0"],
    [
      { types: { t: { count: 1, properties: ["urn"] } } },
      'shape summary: types[t].properties must be an array of property names other than "urn" and "id", got ["urn"]',
    ],
  ])("names the bad field in %j", (doc, message) => {
    expect(() => parseShapeSummary(doc)).toThrow(message);
  });
});

describe("typedInputs", () => {
  it("declares every property, undefined except name", () => {
    const inputs = typedInputs(["arn", "name", "tags"], "typed-7");
    expect(Object.keys(inputs)).toEqual(["arn", "name", "tags"]);
    expect(inputs).toEqual({ arn: undefined, name: "typed-7", tags: undefined });
  });

  it("adds no name the type does not declare", () => {
    expect(Object.keys(typedInputs(["arn"], "typed-1"))).toEqual(["arn"]);
  });
});

describe("captureResources", () => {
  class Thing extends pulumi.CustomResource {
    declare readonly size: pulumi.Output<number>;
    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
      super("test:index:Thing", name, { size: 1, colour: undefined }, opts);
    }
  }
  class Box extends pulumi.ComponentResource {
    constructor(name: string) {
      super("test:index:Box", name);
    }
  }

  it("sees the custom resources registered while it runs, not components or later ones", async () => {
    await pulumi.runtime.setMocks(
      { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) },
      "p",
      "s",
      false,
    );
    const capture = captureResources();
    const box = new Box("box");
    const a = new Thing("a", { parent: box });
    capture.stop();
    new Thing("after");
    await new Promise<void>((done) => a.urn.apply(() => done()));
    expect(capture.custom().map((r) => [r.type, r.resource])).toEqual([["test:index:Thing", a]]);
    const shapes = summarizeShapes(capture.custom(), (v) => pulumi.Output.isInstance(v));
    expect(shapes.types).toEqual({ "test:index:Thing": { count: 1, properties: ["colour", "size"] } });
  });
});

function measurement(evalMs: number, maxRssKiB: number, counts = { custom: 90, component: 10 }): Measurement {
  const run = {
    mode: "gamedb",
    shards: 4,
    resources: counts.custom + counts.component,
    customResources: counts.custom,
    componentResources: counts.component,
    monitorResources: counts.custom + counts.component,
    startupMs: 400,
    importMs: 1000,
    evalMs,
    maxRssKiB,
    heapUsedKiB: 1,
    processMs: 2000,
  } satisfies ProcessRun;
  return { evalMs, maxRssKiB, startupMs: 400, importMs: 1000, processMs: 2000, runs: [run] };
}

describe("the report against the typed floor", () => {
  const shapes = { types: { "t:index:T": { count: 90, properties: ["a", "b", "c", "d", "e", "f"] } } };

  it("splits gamedb's excess over bare into the SDKs' part and gamedb's own", () => {
    expect(gapSplit(500, 100, 200)).toEqual({ sdk: 100, own: 300, sdkShare: 0.25 });
    expect(gapSplit(100, 100, 120).sdkShare).toBeNull();
  });

  it("reports ratios against both floors; only bare's is judged", () => {
    const row = benchRow(4, measurement(500, 4096), measurement(100, 1024), measurement(250, 2048), shapes);
    expect(row.ratioWall).toBe(5);
    expect(row.ratioRss).toBe(4);
    expect(row.ratioWallTyped).toBe(2);
    expect(row.ratioRssTyped).toBe(2);
    expect(row.typedMsPerResource).toBe(2.5);
    const v = verdict([row]);
    expect(v).toMatchObject({ ratioWallTyped: 2, ratioRssTyped: 2, ratioWallOk: false, ratioRssOk: false });
    expect(v.notes).toContain(
      "gap over bare at 4 shards: wall 150 ms SDK properties (typed - bare, 38%) + 250 ms gamedb's own (gamedb - typed); " +
        "peak RSS 1.0 MiB SDK (33%) + 2.0 MiB gamedb's own.",
    );
    const text = renderReport([row], v, 1);
    expect(text).toContain("| ratio wall vs typed | ratio RSS vs typed |");
    expect(text).toMatch(
      /\| 4 +\| +100 \| +500 \| +4\.0 \| +100 \| +1\.0 \| +5\.00 \| +4\.00 \| +250 \| +2\.0 \| +2\.00 \| +2\.00 \|/,
    );
    // 90 custom resources of 6 declared properties.
    expect(text).toMatch(/\| 4 +\| +90\+10 \| +1 \| +6\.0 \|/);
    expect(text).toContain("Against the typed floor (informative): wall 2.00, peak RSS 2.00.");
  });
});
