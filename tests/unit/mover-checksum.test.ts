// Per-slot checksums (scripts/lib/mover/checksumSql.ts, checksum.ts): the SQL text, the exact reading of results,
// chunking and the comparison. The SQL runs for real in tests/integration/mover-checksum.test.ts.
import fc from "fast-check";
import type { TableDefinition } from "../../infra/contracts/shardedTable";
import {
  SlotChecksums,
  checksumSlots,
  combineSlotChecksums,
  compareSlots,
  readChecksumRows,
  xorDigests,
} from "../../scripts/lib/mover/checksum";
import {
  columnExpression,
  columnKind,
  quoteIdentifier,
  rowHashSql,
  slotChecksumSql,
  slotChunks,
} from "../../scripts/lib/mover/checksumSql";

const PLAYERS: TableDefinition = {
  schema: "game",
  name: "players",
  columns: [
    { name: "gamedb_slot", columnType: "smallint(5) unsigned", nullable: false },
    { name: "player_id", columnType: "bigint unsigned", nullable: false },
    { name: "name", columnType: "varchar(64)", nullable: true },
    { name: "profile", columnType: "json", nullable: true },
    { name: "avatar", columnType: "blob", nullable: true },
    { name: "seen_at", columnType: "timestamp(6)", nullable: false },
  ],
  indexes: [
    { name: "PRIMARY", columns: ["gamedb_slot", "player_id"], unique: true },
    { name: "by_name", columns: ["name"], unique: false },
  ],
};

describe("checksum SQL", () => {
  it("hashes every column, a NULL bitmap of the nullable ones and the lengths of the free-form ones", () => {
    expect(rowHashSql(PLAYERS)).toBe(
      "CAST(CONV(LEFT(SHA2(CONCAT_WS('#', `gamedb_slot`, `player_id`, CAST(`name` AS BINARY), " +
        "CAST(CAST(`profile` AS CHAR CHARACTER SET utf8mb4) AS BINARY), `avatar`, UNIX_TIMESTAMP(`seen_at`), " +
        "CONCAT(ISNULL(`name`), ISNULL(`profile`), ISNULL(`avatar`)), " +
        "CONCAT_WS(',', LENGTH(CAST(`name` AS BINARY)), " +
        "LENGTH(CAST(CAST(`profile` AS CHAR CHARACTER SET utf8mb4) AS BINARY)), LENGTH(`avatar`))), 256), 16), " +
        "16, 10) AS UNSIGNED)",
    );
  });

  it("groups by slot over the primary key's range, two placeholders", () => {
    const sql = slotChecksumSql(PLAYERS);
    expect(sql).toMatch(/^SELECT `gamedb_slot` AS slot, COUNT\(\*\) AS row_count, BIT_XOR\(CAST\(CONV/);
    expect(sql).toContain(
      "FROM `game`.`players` FORCE INDEX (`PRIMARY`) WHERE `gamedb_slot` BETWEEN ? AND ? " +
        "GROUP BY `gamedb_slot` ORDER BY `gamedb_slot`",
    );
    expect(sql.split("?")).toHaveLength(3);
  });

  it("omits the bitmap and lengths when no column needs them", () => {
    const def: TableDefinition = {
      ...PLAYERS,
      columns: PLAYERS.columns.slice(0, 2),
    };
    expect(rowHashSql(def)).toBe(
      "CAST(CONV(LEFT(SHA2(CONCAT_WS('#', `gamedb_slot`, `player_id`), 256), 16), 16, 10) AS UNSIGNED)",
    );
  });

  it("uses a unique slot index when the primary key does not begin with the slot", () => {
    const def: TableDefinition = {
      ...PLAYERS,
      indexes: [
        { name: "PRIMARY", columns: ["player_id"], unique: true },
        { name: "by_slot", columns: ["gamedb_slot", "name"], unique: false },
        { name: "slot_id", columns: ["gamedb_slot", "player_id"], unique: true },
      ],
    };
    expect(slotChecksumSql(def)).toContain("FORCE INDEX (`slot_id`)");
  });

  it("refuses a table without a primary key or without a slot index, naming the fix", () => {
    const noPk = { ...PLAYERS, indexes: [{ name: "s", columns: ["gamedb_slot"], unique: false }] };
    expect(() => slotChecksumSql(noPk)).toThrow(/game\.players has no primary key: add PRIMARY KEY \(gamedb_slot/);
    const noSlotIndex = { ...PLAYERS, indexes: [{ name: "PRIMARY", columns: ["player_id"], unique: true }] };
    expect(() => slotChecksumSql(noSlotIndex)).toThrow(/no index beginning with gamedb_slot/);
  });

  it("writes each kind of column deterministically and refuses unknown types naming the supported ones", () => {
    expect(columnKind("int(11)")).toBe("integer");
    expect(columnKind("decimal(10,3) unsigned")).toBe("decimal");
    expect(columnKind("DOUBLE")).toBe("float");
    expect(columnKind("datetime(6)")).toBe("temporal");
    expect(columnKind("enum('a','b')")).toBe("text");
    expect(columnKind("varbinary(16)")).toBe("binary");
    expect(columnKind("longtext")).toBe("text");
    expect(columnExpression("flags", "bit(8)")).toBe("CAST(`flags` AS UNSIGNED)");
    expect(columnExpression("at", "timestamp")).toBe("UNIX_TIMESTAMP(`at`)");
    expect(columnExpression("d", "date")).toBe("`d`");
    expect(() => columnExpression("pos", "point")).toThrow(
      /column pos has type "point", which the slot checksum does not support; supported: integer,.* json$/,
    );
  });

  it("quotes identifiers and refuses invalid ones", () => {
    expect(quoteIdentifier("column", "we`ird")).toBe("`we``ird`");
    expect(() => quoteIdentifier("table", "")).toThrow(/table "" is not a valid identifier: use 1 to 64/);
    expect(() => quoteIdentifier("table", "x".repeat(65))).toThrow(/table/);
    expect(() => quoteIdentifier("column", "a\0b")).toThrow(/column/);
  });

  it("cuts a range into chunks and refuses bad ranges and sizes", () => {
    expect(slotChunks({ from: 10, to: 20 }, 4)).toEqual([
      { from: 10, to: 13 },
      { from: 14, to: 17 },
      { from: 18, to: 20 },
    ]);
    expect(() => slotChunks({ from: 5, to: 4 }, 1)).toThrow(/slot range .* from and to must be integers 0 <= from/);
    expect(() => slotChunks({ from: 0, to: 16384 }, 1)).toThrow(/16383/);
    expect(() => slotChunks({ from: 0, to: 1 }, 0)).toThrow(
      /chunkSlots 0 is not valid: use an integer from 1 to 16384/,
    );
  });
});

describe("reading checksum rows", () => {
  const chunk = { from: 0, to: 9 };
  it("reads exact 64-bit digests", () => {
    const max = "18446744073709551615";
    expect(readChecksumRows([{ slot: 3, row_count: "2", digest: max }], chunk)).toEqual(
      new Map([[3, { rows: 2, digest: 2n ** 64n - 1n }]]),
    );
  });
  it("refuses a digest the driver turned into a number, a repeated or foreign slot", () => {
    expect(() => readChecksumRows([{ slot: 3, row_count: "2", digest: 2 ** 60 }], chunk)).toThrow(
      /slot 3: digest .* not an exact unsigned 64-bit decimal string/,
    );
    expect(() => readChecksumRows([{ slot: 3, row_count: "1", digest: "18446744073709551616" }], chunk)).toThrow(
      /digest/,
    );
    const row = { slot: 3, row_count: "1", digest: "1" };
    expect(() => readChecksumRows([row, row], chunk)).toThrow(/repeated/);
    expect(() => readChecksumRows([{ ...row, slot: 10 }], chunk)).toThrow(/outside 0-9/);
  });
});

describe("compareSlots", () => {
  const sum = (rows: number, digest: bigint) => ({ rows, digest });
  it("names each differing slot once, in slot order", () => {
    const a: SlotChecksums = new Map([
      [1, sum(1, 5n)],
      [2, sum(2, 7n)],
      [3, sum(2, 7n)],
      [9, sum(1, 1n)],
    ]);
    const b: SlotChecksums = new Map([
      [2, sum(3, 7n)],
      [3, sum(2, 8n)],
      [4, sum(1, 1n)],
      [9, sum(1, 1n)],
    ]);
    expect(compareSlots(a, b).map((d) => [d.slot, d.kind])).toEqual([
      [1, "missingInB"],
      [2, "rowsDiffer"],
      [3, "digestDiffers"],
      [4, "missingInA"],
    ]);
    expect(compareSlots(a, new Map(a))).toEqual([]);
  });
});

// A fake shard: rows as (slot, hash); answers the checksum query for its two parameters the way the SQL does.
const U64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const rowsArb = fc.array(fc.record({ slot: fc.integer({ min: 0, max: 63 }), hash: U64 }), {
  maxLength: 200,
});
type FakeRow = { slot: number; hash: bigint };
const toRows = (raw: FakeRow[]): FakeRow[] => raw;

function fakeShard(rows: FakeRow[]) {
  return {
    queries: 0,
    async query(q: { values: [number, number]; bigNumberStrings?: boolean }) {
      this.queries++;
      const [from, to] = q.values;
      const per = new Map<number, { n: number; d: bigint }>();
      for (const r of rows.filter((x) => x.slot >= from && x.slot <= to)) {
        const p = per.get(r.slot) ?? { n: 0, d: 0n };
        per.set(r.slot, { n: p.n + 1, d: p.d ^ r.hash });
      }
      const out = [...per].map(([slot, p]) => ({ slot, row_count: String(p.n), digest: p.d.toString() }));
      return [q.bigNumberStrings ? out : []];
    },
  };
}

const asConn = (shard: ReturnType<typeof fakeShard>) => shard as unknown as Parameters<typeof checksumSlots>[0];

describe("properties", () => {
  it("XOR combining is order-free and grouping-free", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(U64, fc.nat())), fc.nat(), (keyed, cut) => {
        const ds = keyed.map(([d]) => d);
        // A random permutation: sorted by the random keys.
        const shuffled = [...keyed].sort((x, y) => x[1] - y[1]).map(([d]) => d);
        const k = ds.length === 0 ? 0 : cut % ds.length;
        expect(xorDigests(shuffled)).toBe(xorDigests(ds));
        expect(xorDigests([xorDigests(ds.slice(0, k)), xorDigests(ds.slice(k))])).toBe(xorDigests(ds));
      }),
    );
  });

  it("combining disjoint parts of the rows gives the checksum of all of them", () => {
    fc.assert(
      fc.asyncProperty(rowsArb, fc.nat(), async (raw, cut) => {
        const rows = toRows(raw);
        const k = rows.length === 0 ? 0 : cut % rows.length;
        const range = { from: 0, to: 63 };
        const whole = await checksumSlots(asConn(fakeShard(rows)), PLAYERS, range);
        const parts = await Promise.all(
          [rows.slice(0, k), rows.slice(k)].map((p) => checksumSlots(asConn(fakeShard(p)), PLAYERS, range)),
        );
        expect(combineSlotChecksums(parts)).toEqual(whole);
      }),
    );
  });

  it("any chunk size gives the same map, one query per chunk", () => {
    fc.assert(
      fc.asyncProperty(
        rowsArb,
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 0, max: 63 }),
        async (raw, size, from) => {
          const rows = toRows(raw);
          const range = { from, to: 63 };
          const reference = await checksumSlots(asConn(fakeShard(rows)), PLAYERS, range, { chunkSlots: 64 });
          const shard = fakeShard(rows);
          expect(await checksumSlots(asConn(shard), PLAYERS, range, { chunkSlots: size })).toEqual(reference);
          expect(shard.queries).toBe(Math.ceil((64 - from) / size));
          expect([...reference.keys()].every((s) => s >= from)).toBe(true);
        },
      ),
    );
  });
});
