/**
 * infra/contracts/gtid.ts: MySQL GTID set text form, and the set algebra checked against a model (a plain set of
 * "source#n" strings) with fast-check.
 */
import fc from "fast-check";
import {
  type GtidSet,
  GtidParseError,
  count,
  equals,
  formatGtidSet,
  intersect,
  isEmpty,
  isSubset,
  parseGtidSet,
  subtract,
  union,
} from "../../infra/contracts/gtid";

const U1 = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const U2 = "8a94f357-aab4-11df-86ab-c80aa9429562";
const U3 = "aaaaaaaa-0000-0000-0000-000000000001";

/** Raw text parts: a uuid (mixed case), optionally a tag, then intervals in 1..40 (unsorted, overlapping). */
const partArb = fc
  .record({
    uuid: fc.constantFrom(U1, U2, U3.toUpperCase()),
    tag: fc.option(fc.constantFrom("ab", "z_1"), { nil: undefined }),
    ranges: fc.array(
      fc
        .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 5 }))
        .map(([a, len]) => [a, a + len] as const),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ uuid, tag, ranges }) => {
    const text = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(":");
    return tag ? `${uuid}:${tag}:${text}` : `${uuid}:${text}`;
  });
const textArb = fc.array(partArb, { maxLength: 4 }).map((parts) => parts.join(","));
const setArb = textArb.map(parseGtidSet);

function model(set: GtidSet): Set<string> {
  const out = new Set<string>();
  for (const [source, intervals] of set)
    for (const [a, b] of intervals) for (let n = a; n <= b; n++) out.add(`${source}#${n}`);
  return out;
}
const sorted = (s: Set<string>): string[] => [...s].sort();

describe("parse and format", () => {
  it("reads MySQL's text form and writes it normalized", () => {
    const set = parseGtidSet(` ${U2.toUpperCase()}:7:1-5:6 ,\n${U1}:1-3:5-5`);
    expect(formatGtidSet(set)).toBe(`${U1}:1-3:5,${U2}:1-7`);
  });

  it("keeps 8.4 tags after the untagged intervals of their uuid", () => {
    expect(formatGtidSet(parseGtidSet(`${U1}:zz:4,${U1}:1-2:aa:1-3:7`))).toBe(`${U1}:1-2:aa:1-3:7:zz:4`);
  });

  it("takes uuids without dashes", () => {
    expect(formatGtidSet(parseGtidSet("3E11FA4771CA11E19E33C80AA9429562:1"))).toBe(`${U1}:1`);
  });

  it("reads the empty set", () => {
    expect(isEmpty(parseGtidSet(""))).toBe(true);
    expect(formatGtidSet(parseGtidSet(" "))).toBe("");
  });

  it.each([
    "not-a-uuid:1-2",
    `${U1}`,
    `${U1}:0`,
    `${U1}:5-3`,
    `${U1}:1-2:tag`,
    `${U1}:1:x y:2`,
    `${U1}:99999999999999999999`,
  ])("refuses %s", (text) => {
    expect(() => parseGtidSet(text)).toThrow(GtidParseError);
  });

  it("round-trips: parse(format(s)) = s, and format is canonical", () => {
    fc.assert(
      fc.property(setArb, (s) => {
        const again = parseGtidSet(formatGtidSet(s));
        expect(equals(again, s)).toBe(true);
        expect(sorted(model(again))).toEqual(sorted(model(s)));
      }),
    );
  });

  it("the order of the parts does not matter", () => {
    fc.assert(
      fc.property(fc.array(partArb, { maxLength: 5 }), (parts) => {
        const reversed = [...parts].reverse().join(",");
        expect(formatGtidSet(parseGtidSet(reversed))).toBe(formatGtidSet(parseGtidSet(parts.join(","))));
      }),
    );
  });
});

describe("algebra (against a model)", () => {
  it("union, subtract and intersect are the set operations", () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const ma = model(a);
        const mb = model(b);
        expect(sorted(model(union(a, b)))).toEqual(sorted(new Set([...ma, ...mb])));
        expect(sorted(model(subtract(a, b)))).toEqual(sorted(new Set([...ma].filter((x) => !mb.has(x)))));
        expect(sorted(model(intersect(a, b)))).toEqual(sorted(new Set([...ma].filter((x) => mb.has(x)))));
        expect(count(a)).toBe(ma.size);
      }),
    );
  });

  it("isSubset and isEmpty agree with the model", () => {
    fc.assert(
      fc.property(setArb, setArb, (a, b) => {
        const mb = model(b);
        expect(isSubset(a, b)).toBe([...model(a)].every((x) => mb.has(x)));
        expect(isEmpty(a)).toBe(model(a).size === 0);
      }),
    );
  });

  it("laws: (a − b) ∪ (a ∩ b) = a, a ⊆ a ∪ b, (a − b) ∩ b = ∅, union is commutative and associative", () => {
    fc.assert(
      fc.property(setArb, setArb, setArb, (a, b, c) => {
        expect(equals(union(subtract(a, b), intersect(a, b)), a)).toBe(true);
        expect(isSubset(a, union(a, b))).toBe(true);
        expect(isEmpty(intersect(subtract(a, b), b))).toBe(true);
        expect(equals(union(a, b), union(b, a))).toBe(true);
        expect(equals(union(union(a, b), c), union(a, union(b, c)))).toBe(true);
        expect(isSubset(subtract(a, b), a)).toBe(true);
      }),
    );
  });
});
