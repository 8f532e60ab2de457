/**
 * The PR comment's schema diff (scripts/lib/schemaDiff.ts): from a base and a head SchemaPlan-like pair to the
 * migrations pending per shard and the shards the runner will refuse (infra/plan/migrations/pending.ts rules).
 */
import { diffSchema, groupShards, schemaChanged, SchemaSide } from "../../scripts/lib/schemaDiff";

const m = (version: number, name: string, checksum = `sum${version}`) => ({ version, name, checksum });
const V1 = m(1, "V0001__players");
const V2 = m(2, "V0002__game_logs");
const V3 = m(3, "V0003__player_title");
const side = (migrations: SchemaSide["migrations"], shards: number[], state = "active"): SchemaSide => ({
  migrations,
  jobConfig: { shards: shards.map((id) => ({ id, state })) },
});
const pendingOf = (d: ReturnType<typeof diffSchema>) =>
  d!.shards.map((s) => [s.shard, s.pending.map((p) => p.version), s.refused]);

describe("diffSchema", () => {
  it("is undefined when neither plan has gamedb:schema", () => {
    expect(diffSchema(undefined, undefined)).toBeUndefined();
    expect(schemaChanged(diffSchema(undefined, undefined))).toBe(false);
  });

  it("has nothing to tell when the migrations and shards are the same", () => {
    const d = diffSchema(side([V1, V2], [1, 2]), side([V1, V2], [1, 2]));
    expect(pendingOf(d)).toEqual([
      [1, [], false],
      [2, [], false],
    ]);
    expect(d!.refusals).toEqual([]);
    expect(schemaChanged(d)).toBe(false);
  });

  it("a new migration is pending on every shard the base migrates", () => {
    const d = diffSchema(side([V1, V2], [1, 2]), side([V1, V2, V3], [1, 2]));
    expect(pendingOf(d)).toEqual([
      [1, [3], false],
      [2, [3], false],
    ]);
    expect(d!.shards[0]!.pending).toEqual([{ version: 3, name: "V0003__player_title" }]);
    expect(schemaChanged(d)).toBe(true);
  });

  it("a shard the base does not migrate gets every migration, in version order", () => {
    const d = diffSchema(side([V1, V2], [1, 2]), {
      migrations: [V3, V1, V2],
      jobConfig: { shards: [...side([], [1, 2]).jobConfig.shards, { id: 3, state: "provisioning" }] },
    });
    expect(pendingOf(d)).toEqual([
      [1, [3], false],
      [2, [3], false],
      [3, [1, 2, 3], false],
    ]);
    expect(d!.shards.map((s) => [s.migratedByBase, s.state])).toEqual([
      [true, "active"],
      [true, "active"],
      [false, "provisioning"],
    ]);
  });

  it("a base without schema leaves every migration pending on every shard", () => {
    const d = diffSchema(undefined, side([V1, V2], [1, 2]));
    expect(d!.base).toBe(false);
    expect(pendingOf(d)).toEqual([
      [1, [1, 2], false],
      [2, [1, 2], false],
    ]);
    expect(d!.refusals).toEqual([]);
  });

  it("an applied migration whose checksum changed is refused on the shards that applied it, not on a new one", () => {
    const d = diffSchema(side([V1, V2], [1, 2]), side([V1, m(2, "V0002__game_logs", "edited"), V3], [1, 2, 3]));
    expect(d!.refusals).toEqual([{ version: 2, name: "V0002__game_logs", reason: "checksum-changed", shards: [1, 2] }]);
    expect(pendingOf(d)).toEqual([
      [1, [3], true],
      [2, [3], true],
      [3, [1, 2, 3], false],
    ]);
    expect(schemaChanged(d)).toBe(true);
  });

  it("a migration removed from the head is refused where it was applied", () => {
    const d = diffSchema(side([V1, V2, V3], [1, 2]), side([V1, V2], [1, 2]));
    expect(d!.refusals).toEqual([{ version: 3, name: "V0003__player_title", reason: "removed", shards: [1, 2] }]);
    expect(pendingOf(d)).toEqual([
      [1, [], true],
      [2, [], true],
    ]);
    expect(schemaChanged(d)).toBe(true);
  });

  it("a new version below the newest applied is refused (versions only grow)", () => {
    const d = diffSchema(side([V1, V3], [1]), side([V1, V2, V3], [1]));
    expect(d!.refusals).toEqual([
      { version: 2, name: "V0002__game_logs", reason: "below-applied", shards: [1], newest: 3 },
    ]);
    expect(pendingOf(d)).toEqual([[1, [2], true]]);
  });

  it("refuses only on shards the head still migrates", () => {
    const d = diffSchema(side([V1, V2], [1, 2]), side([V1, m(2, "V0002__game_logs", "edited")], [2]));
    expect(d!.refusals.map((r) => r.shards)).toEqual([[2]]);
  });

  it("says when the head drops gamedb:schema", () => {
    const d = diffSchema(side([V1], [1]), undefined);
    expect(d).toEqual({ base: true, head: false, shards: [], refusals: [] });
    expect(schemaChanged(d)).toBe(true);
  });
});

describe("groupShards", () => {
  it("groups shards with the same pending list, refusal and history, in first-shard order", () => {
    const d = diffSchema(side([V1, V2], [1, 2, 4]), side([V1, V2, V3], [1, 2, 3, 4, 5]));
    expect(
      groupShards(d!.shards).map((g) => [g.shards.map((s) => s.shard), g.pending.length, g.migratedByBase]),
    ).toEqual([
      [[1, 2, 4], 1, true],
      [[3, 5], 3, false],
    ]);
  });
});
