// scripts/lib/mover/verifier.ts RangeVerifier over FAKE connections answering the per-slot checksum queries
// (checksumSql.ts: `slot`, `row_count`, `digest` per slot with rows) from a table of checksums per side, and a fake
// stream's touch counters. The SQL itself runs on stand-ins in tests/integration/mover-checksum.test.ts.
import type { TableDefinition } from "../../infra/contracts/shardedTable";
import { movedTable } from "../../scripts/lib/mover/rowSql";
import { RangeVerifier, TouchSource } from "../../scripts/lib/mover/verifier";

const table = (name: string): TableDefinition => ({
  schema: "game",
  name,
  columns: [
    { name: "gamedb_slot", columnType: "smallint unsigned", nullable: false },
    { name: "id", columnType: "bigint", nullable: false },
  ],
  indexes: [{ name: "PRIMARY", columns: ["gamedb_slot", "id"], unique: true }],
});
const PLAYERS = movedTable(table("players"));
const GUILDS = movedTable(table("guilds"));

type Sums = Map<string, Map<number, { rows: number; digest: string }>>;

/** A side: answers range and list checksum queries from `sums`; `onQuery` runs before each answer. */
function side(sums: Sums, onQuery: (slots: number[]) => void = () => undefined) {
  const asked: { table: string; slots: number[]; list: boolean }[] = [];
  const conn = {
    async query(q: { sql: string; values: number[] }) {
      const name = /FROM `game`\.`([^`]+)`/.exec(q.sql)![1]!;
      const list = !q.sql.includes("BETWEEN");
      const slots = list
        ? q.values
        : Array.from({ length: q.values[1]! - q.values[0]! + 1 }, (_, i) => q.values[0]! + i);
      asked.push({ table: name, slots, list });
      onQuery(slots);
      const rows = slots
        .filter((s) => sums.get(name)?.has(s))
        .map((s) => ({
          slot: s,
          row_count: String(sums.get(name)!.get(s)!.rows),
          digest: sums.get(name)!.get(s)!.digest,
        }));
      return [rows, []];
    },
  };
  return { conn: conn as never, asked };
}

const sums = (entries: Record<string, Record<number, [number, string]>>): Sums =>
  new Map(
    Object.entries(entries).map(([t, slots]) => [
      t,
      new Map(Object.entries(slots).map(([s, [rows, digest]]) => [Number(s), { rows, digest }])),
    ]),
  );

/** The stream's touch counters, as RangeApplier keeps them. */
class Touches implements TouchSource {
  readonly touched = new Map<number, number>();
  counter = 0;
  touch(slot: number): void {
    this.touched.set(slot, ++this.counter);
  }
}

const EQUAL = sums({ players: { 10: [2, "111"], 11: [1, "222"], 13: [5, "18446744073709551615"] } });

describe("RangeVerifier", () => {
  it("counts nothing dirty before a pass; after a pass every slot of the range is verified or dirty", async () => {
    const stream = new Touches();
    const copy = sums({ players: { 10: [2, "111"], 11: [1, "223"], 13: [5, "18446744073709551615"] } });
    const v = new RangeVerifier(side(EQUAL).conn, side(copy).conn, [PLAYERS], { from: 10, to: 14 }, stream);
    expect(v.counts()).toEqual({ verified: 0, dirty: 0 });
    expect(await v.check()).toEqual([11]);
    expect(v.passes).toBe(1);
    // 12 and 14 have no rows on either side: equal.
    expect(v.counts()).toEqual({ verified: 4, dirty: 1 });
    expect(v.dirty()).toEqual([11]);
  });

  it("finds a slot missing on one side, and a difference in any of the moved tables", async () => {
    const origin = sums({ players: { 10: [1, "1"] }, guilds: { 12: [1, "5"] } });
    const copy = sums({ players: { 10: [1, "1"], 11: [1, "9"] }, guilds: { 12: [1, "6"] } });
    const v = new RangeVerifier(
      side(origin).conn,
      side(copy).conn,
      [PLAYERS, GUILDS],
      { from: 10, to: 12 },
      new Touches(),
    );
    expect(await v.check()).toEqual([11, 12]);
    expect(v.counts()).toEqual({ verified: 1, dirty: 2 });
  });

  it("marks dirty a slot the stream touches after its check began, even when both sides matched", async () => {
    const stream = new Touches();
    stream.touch(11); // before the check: fine, the check sees it
    let once = true;
    const origin = side(EQUAL, () => {
      if (once) stream.touch(13); // while the origin is read
      once = false;
    });
    const v = new RangeVerifier(origin.conn, side(EQUAL).conn, [PLAYERS], { from: 10, to: 14 }, stream);
    expect(await v.check()).toEqual([]);
    expect(v.dirty()).toEqual([13]);
    expect(v.counts()).toEqual({ verified: 4, dirty: 1 });
  });

  it("a later touch makes a verified slot dirty; a re-check after it verifies it again", async () => {
    const stream = new Touches();
    const v = new RangeVerifier(side(EQUAL).conn, side(EQUAL).conn, [PLAYERS], { from: 10, to: 14 }, stream);
    await v.check();
    expect(v.counts()).toEqual({ verified: 5, dirty: 0 });
    stream.touch(10);
    stream.touch(14);
    expect(v.dirty()).toEqual([10, 14]);
    expect(v.counts()).toEqual({ verified: 3, dirty: 2 });
    expect(await v.checkSlots([14, 10])).toEqual([]);
    expect(v.counts()).toEqual({ verified: 5, dirty: 0 });
  });

  it("a verified slot found different by a later check is dirty again, touched or not", async () => {
    const copy = sums({ players: { 10: [2, "111"], 11: [1, "222"], 13: [5, "18446744073709551615"] } });
    const v = new RangeVerifier(side(EQUAL).conn, side(copy).conn, [PLAYERS], { from: 10, to: 14 }, new Touches());
    expect(await v.check()).toEqual([]);
    copy.get("players")!.delete(11); // changed on the copy behind the stream's back
    expect(await v.check()).toEqual([11]);
    expect(v.dirty()).toEqual([11]);
    expect(await v.checkSlots([10, 11])).toEqual([11]);
    expect(v.counts()).toEqual({ verified: 4, dirty: 1 });
  });

  it("dates each chunk's check from its own start: a touch before a chunk began does not dirty its slots", async () => {
    const stream = new Touches();
    let first = true;
    // While the first chunk (10-11) is read, the stream touches 13, in the second chunk (12-13), not yet begun.
    const origin = side(EQUAL, () => {
      if (first) stream.touch(13);
      first = false;
    });
    const v = new RangeVerifier(origin.conn, side(EQUAL).conn, [PLAYERS], { from: 10, to: 13 }, stream, 2);
    expect(await v.check()).toEqual([]);
    expect(origin.asked.map((a) => a.slots)).toEqual([
      [10, 11],
      [12, 13],
    ]);
    expect(v.counts()).toEqual({ verified: 4, dirty: 0 });
  });

  it("checkSlots asks each side once per table for just those slots, and returns the ones that differ", async () => {
    const stream = new Touches();
    const copy = sums({ players: { 10: [2, "111"], 11: [1, "222"], 13: [4, "1"] } });
    const origin = side(EQUAL);
    const target = side(copy);
    const v = new RangeVerifier(origin.conn, target.conn, [PLAYERS, GUILDS], { from: 10, to: 14 }, stream);
    expect(await v.checkSlots([])).toEqual([]);
    expect(origin.asked).toEqual([]);
    expect(await v.checkSlots([13, 10])).toEqual([13]);
    const expected = [
      { table: "players", slots: [10, 13], list: true },
      { table: "guilds", slots: [10, 13], list: true },
    ];
    expect(origin.asked).toEqual(expected);
    expect(target.asked).toEqual(expected);
    // checkSlots is not a pass: the counts stay "no pass yet" until check() has run once.
    expect(v.passes).toBe(0);
    await v.check();
    expect(v.dirty()).toEqual([13]);
  });

  it("a slot touched during checkSlots stays dirty", async () => {
    const stream = new Touches();
    const origin = side(EQUAL, () => stream.touch(10));
    const v = new RangeVerifier(origin.conn, side(EQUAL).conn, [PLAYERS], { from: 10, to: 11 }, stream);
    expect(await v.checkSlots([10, 11])).toEqual([]);
    expect(v.dirty()).toEqual([10]);
  });
});
