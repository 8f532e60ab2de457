import fc from "fast-check";
import { OrderBy, Row, mergeSorted, rowComparator } from "../../client/src/merge";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmp = (a: unknown, b: unknown, orderBy: OrderBy[] = [{ column: "v" }], collator?: Intl.Collator) =>
  sign(rowComparator(orderBy, collator)({ v: a }, { v: b }));

/** What the merge must equal: every shard's rows in one stable sort (ties keep shard order), cut to the limit. */
function reference(lists: Row[][], compare: (a: Row, b: Row) => number, limit: number): Row[] {
  return lists.flat().sort(compare).slice(0, limit);
}

describe("mergeSorted", () => {
  const column = fc.constantFrom("a", "b", "c");
  const orderByArb = fc.uniqueArray(fc.record({ column, direction: fc.constantFrom("asc", "desc", undefined) }), {
    minLength: 1,
    maxLength: 3,
    selector: (o) => o.column,
  });
  // Few distinct values, so ties (within and across shards) are frequent; null is one of them.
  const value = fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constant(null));
  const rowArb = fc.record({ a: value, b: value, c: value });

  it("equals a stable sort of every shard's rows cut to the limit (fast-check)", () => {
    fc.assert(
      fc.property(
        orderByArb,
        fc.array(fc.array(rowArb, { maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.nat({ max: 80 }),
        (orderBy, raw, limit) => {
          const compare = rowComparator(orderBy as OrderBy[]);
          // Each shard answers in order (its ORDER BY); `shard` and `i` tell the rows apart.
          const lists = raw.map((rows, shard) => rows.map((r, i) => ({ ...r, shard, i }) as Row).sort(compare));
          expect(mergeSorted(lists, compare, limit)).toEqual(reference(lists, compare, limit));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps shard order for ties and reads no further than the limit", () => {
    const lists = [
      [
        { v: 1, s: 0 },
        { v: 2, s: 0 },
      ],
      [
        { v: 1, s: 1 },
        { v: 1, s: 1.5 },
      ],
      [{ v: 0, s: 2 }],
    ];
    const compare = rowComparator([{ column: "v" }]);
    expect(mergeSorted(lists, compare, 10).map((r) => r.s)).toEqual([2, 0, 1, 1.5, 0]);
    expect(mergeSorted(lists, compare, 2).map((r) => r.s)).toEqual([2, 0]);
    expect(mergeSorted(lists, compare, 0)).toEqual([]);
    expect(mergeSorted([[], []], compare, 5)).toEqual([]);
  });
});

describe("rowComparator", () => {
  it("numbers, bigints and digit strings (BIGINT read as strings) compare by value, mixed freely (fast-check)", () => {
    // mysql2 with supportBigNumbers returns a number when it is safe and a string when not: one column, both types.
    const big = fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n });
    const asDriver = (x: bigint) =>
      fc.constantFrom<unknown>(
        x,
        String(x),
        ...(x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? [Number(x)] : []),
      );
    fc.assert(
      fc.property(
        big.chain((x) => fc.tuple(fc.constant(x), asDriver(x))),
        big.chain((y) => fc.tuple(fc.constant(y), asDriver(y))),
        ([x, a], [y, b]) => {
          expect(cmp(a, b)).toBe(x < y ? -1 : x > y ? 1 : 0);
        },
      ),
      { numRuns: 500 },
    );
    expect(cmp(5, "18446744073709551615")).toBe(-1);
    expect(cmp("-9223372036854775808", -1)).toBe(-1);
    expect(cmp("10", "9")).toBe(1);
    expect(cmp("123", "45678")).toBe(-1); // digit strings by length first, without BigInt
    expect(cmp("007", "7")).toBe(0); // a leading zero takes the BigInt path
    expect(cmp("0", "10")).toBe(-1);
    expect(cmp(2.5, "2")).toBe(1);
    expect(cmp(9007199254740993n, "9007199254740992")).toBe(1);
  });

  it("sorts NULL first ascending and last descending, as MySQL does; NULL and a missing column tie", () => {
    expect(cmp(null, 0)).toBe(-1);
    expect(cmp(0, null)).toBe(1);
    expect(cmp(null, 0, [{ column: "v", direction: "desc" }])).toBe(1);
    expect(cmp(null, null)).toBe(0);
    expect(cmp(null, undefined)).toBe(0);
    expect(cmp(undefined, null)).toBe(0);
  });

  it("orders Dates by time, a zero date (mysql2's Invalid Date) first as MySQL does", () => {
    const d = (s: string) => new Date(s);
    expect(cmp(d("2026-01-02T00:00:00Z"), d("2026-01-01T23:59:59Z"))).toBe(1);
    expect(cmp(d("2026-01-01T00:00:00Z"), d("2026-01-01T00:00:00Z"))).toBe(0);
    expect(cmp(new Date(NaN), d("1000-01-01T00:00:00Z"))).toBe(-1);
    expect(cmp(d("1000-01-01T00:00:00Z"), new Date(NaN))).toBe(1);
    expect(cmp(new Date(NaN), new Date(NaN))).toBe(0);
  });

  it("orders Buffers byte by byte (a binary column)", () => {
    expect(cmp(Buffer.from([0x01, 0xff]), Buffer.from([0x02]))).toBe(-1);
    expect(cmp(Buffer.from([0x80]), Buffer.from([0x7f, 0x00]))).toBe(1);
    expect(cmp(Buffer.from("ab"), Buffer.from("ab"))).toBe(0);
    expect(cmp(Buffer.from("a"), Buffer.from("ab"))).toBe(-1);
  });

  it("orders other strings by code point, or by the collator when given", () => {
    expect(cmp("Banana", "apple")).toBe(-1);
    expect(cmp("é", "f")).toBe(1);
    const ci = new Intl.Collator("en", { sensitivity: "base" });
    expect(cmp("Banana", "apple", undefined, ci)).toBe(1);
    expect(cmp("APPLE", "apple", undefined, ci)).toBe(0);
    expect(cmp("é", "f", undefined, ci)).toBe(-1);
  });

  it("compares column by column, each in its direction", () => {
    const compare = rowComparator([{ column: "score", direction: "desc" }, { column: "name" }]);
    const rows: Row[] = [
      { score: 10, name: "b" },
      { score: 20, name: "z" },
      { score: 10, name: "a" },
    ];
    expect(rows.sort(compare)).toEqual([
      { score: 20, name: "z" },
      { score: 10, name: "a" },
      { score: 10, name: "b" },
    ]);
  });

  it("throws a TypeError naming the types for values that cannot be ordered against each other", () => {
    expect(() => cmp(1, "abc")).toThrow(new TypeError("cannot order number against string"));
    expect(() => cmp(new Date(0), 0)).toThrow(TypeError);
    expect(() => cmp(Buffer.from("a"), "a")).toThrow(TypeError);
    expect(() => cmp({ x: 1 }, { x: 2 })).toThrow(/cannot order object against object/);
    expect(() => cmp(true, false)).toThrow(/cannot order boolean against boolean/);
  });
});
