/** The state-size benchmark's arithmetic (scripts/lib/bench/stateSize.ts, stateReport.ts) on small fake plans. */
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import {
  ENVELOPE_BYTES,
  ciphertextBytes,
  growth,
  jsonBytes,
  namePattern,
  resourceSizes,
  resourceStateBytes,
  secretPaths,
  secretStateBytes,
  stateEstimate,
  statePoint,
} from "../../scripts/lib/bench/stateSize";
import { renderStateReport } from "../../scripts/lib/bench/stateReport";

const CMD = "command:remote:Command";
const MAP = "kubernetes:core/v1:ConfigMap";

const res = (type: string, name: string, inputs: Record<string, unknown>, custom = true): PlannedResource => ({
  urn: `urn:${type}::${name}`,
  type,
  name,
  parent: null,
  custom,
  inputs,
  options: { protect: false, retainOnDelete: false, ignoreChanges: [], dependsOn: [] },
  dependencies: [],
});
const doc = (resources: PlannedResource[]) => ({ resources }) as unknown as PlanDocument;

/** A fleet of `n` shards: one command per node of 3, a shared ConfigMap listing the shards, a component. */
function fleet(n: number): PlanDocument {
  const shards = Array.from({ length: n }, (_, i) => `s${i + 1}`);
  return doc([
    res("gamedb:index:GameDbPlatform", "gamedb", {}, false),
    res(MAP, "gamedb-endpoints", { data: { shards: shards.join(",") } }),
    ...shards.flatMap((s) =>
      [0, 1, 2].map((node) => res(CMD, `${s}-node${node}-member`, { create: "run", connection: "[secret]" })),
    ),
  ]);
}

describe("the secret estimate", () => {
  it("is base64 of the plaintext's JSON plus the envelope: an SSH connection, else a 40-character password", () => {
    expect(ciphertextBytes(3)).toBe(4 + ENVELOPE_BYTES);
    expect(ciphertextBytes(4)).toBe(8 + ENVELOPE_BYTES);
    expect(secretStateBytes(["connection"])).toBe(4 * 200 + 80);
    expect(secretStateBytes(["connection", "privateKey"])).toBe(880);
    expect(secretStateBytes(["stdin"])).toBe(4 * 14 + 80);
    expect(secretStateBytes(["stringData", "password"])).toBe(136);
  });

  it("finds every placeholder with its path", () => {
    expect(secretPaths({ a: "[secret]", b: [{ c: "[secret]" }, "x"], d: "[secret]x" })).toEqual([
      ["a"],
      ["b", "0", "c"],
    ]);
  });
});

describe("resourceStateBytes", () => {
  it("counts a custom resource's inputs twice, each secret as its envelope; components not at all", () => {
    const [command] = resourceSizes(doc([res(CMD, "c", { create: "é", connection: "[secret]" })]));
    // {"create":"é","connection":"[secret]"}: é is two UTF-8 bytes.
    expect(command!.inputBytes).toBe(39);
    expect(resourceStateBytes(command!)).toBe(2 * (39 - 10 + 880));
    const [component] = resourceSizes(doc([res("gamedb:x:Y", "y", { a: 1 }, false)]));
    expect(resourceStateBytes(component!)).toBe(0);
  });

  it("sums a plan's figures", () => {
    const sizes = resourceSizes(fleet(2));
    expect(stateEstimate(2, sizes)).toEqual({
      shards: 2,
      resources: 8,
      customResources: 7,
      secrets: 6,
      inputBytes: sizes.reduce((s, r) => s + r.inputBytes, 0),
      stateBytes: sizes.reduce((s, r) => s + resourceStateBytes(r), 0),
    });
  });
});

describe("growth", () => {
  it("names digits N and content hashes HASH", () => {
    expect(namePattern("s12-node0-member")).toBe("sN-nodeN-member");
    expect(namePattern("gamedb")).toBe("gamedb");
    expect(namePattern("gamedb-migrate-dedbb41338")).toBe("gamedb-migrate-HASH");
    expect(namePattern("gamedb-deadbeefcafe")).toBe("gamedb-deadbeefcafe");
  });

  it("counts the new resources and the growth of existing ones, by type and name pattern, most first", () => {
    const g = growth(resourceSizes(fleet(9)), resourceSizes(fleet(10)));
    const member = jsonBytes({ create: "run", connection: "[secret]" });
    expect(g.rows).toEqual([
      { type: CMD, pattern: "sN-nodeN-member", added: 3, grown: 0, removed: 0, bytes: 3 * member },
      { type: MAP, pattern: "gamedb-endpoints", added: 0, grown: 1, removed: 0, bytes: ",s10".length },
    ]);
    expect(g.bytes).toBe(3 * member + 4);
  });

  it("subtracts removed and shrunk resources", () => {
    const before = resourceSizes(doc([res(CMD, "old", { a: "xx" }), res(MAP, "m", { a: "xxx" })]));
    const after = resourceSizes(doc([res(MAP, "m", { a: "x" })]));
    const g = growth(before, after);
    expect(g.rows).toEqual([
      { type: MAP, pattern: "m", added: 0, grown: 1, removed: 0, bytes: -2 },
      { type: CMD, pattern: "old", added: 0, grown: 0, removed: 1, bytes: -jsonBytes({ a: "xx" }) },
    ]);
    expect(g.bytes).toBe(-2 - jsonBytes({ a: "xx" }));
  });
});

describe("renderStateReport", () => {
  it("shows the state per size, what one more shard adds, and the verdict against 40 KB", () => {
    const p = statePoint(2, resourceSizes(fleet(2)), resourceSizes(fleet(3)));
    const text = renderStateReport([p]);
    expect(text).toMatch(/^2 +8 +7 +6 /m);
    expect(text).toContain("What shard 3 adds to 2 shards:");
    expect(text).toMatch(/^command:remote:Command +sN-nodeN-member +3 +0 +0 +0\.\d$/m);
    expect(text).toContain("target <= 40.0 KB? yes");
    const big = { ...p, growth: { ...p.growth, bytes: 40_001 } };
    expect(renderStateReport([big])).toContain("adds at most 40.0 KB of recorded inputs; target <= 40.0 KB? NO");
  });
});
