/**
 * The seed's C++ primitives written out in TypeScript (scripts/lib/sharding/prng.ts, stdHash.ts), against values
 * printed by the same calls compiled with g++ 12.2 (Debian 12, libstdc++, x86-64).
 */
import { MIX_SEED, mt19937, uniformInt } from "../../scripts/lib/sharding/prng";
import { hashBytes, stdHashInteger, stdHashString } from "../../scripts/lib/sharding/stdHash";

describe("std::mt19937", () => {
  it("gives the standard's sequence for the default seed 5489", () => {
    const next = mt19937(5489);
    expect([next(), next(), next()]).toEqual([3499211612, 581869302, 3890346734]);
  });
  it("gives 4123659995 as its 10000th output, as [rand.predef] requires", () => {
    const next = mt19937(5489);
    for (let i = 1; i < 10000; i++) next();
    expect(next()).toBe(4123659995);
  });
});

describe("libstdc++ uniform_int_distribution<uint64_t> over mt19937", () => {
  it("draws the seed's ids: the first, the last and the sum of 30,000 in 100000..999999 (seed 5489)", () => {
    const next = mt19937(MIX_SEED);
    const ids = Array.from({ length: 30000 }, () => uniformInt(next, 100000, 999999));
    expect(ids.slice(0, 5)).toEqual([833251, 221929, 915212, 851507, 214288]);
    expect(ids[ids.length - 1]).toBe(926245);
    expect(ids.reduce((a, b) => a + b, 0)).toBe(16410713534);
  });
  it("matches for a small range and for a range wider than 2^21 (the exact 64-bit product)", () => {
    const small = mt19937(42);
    expect(Array.from({ length: 8 }, () => uniformInt(small, 1, 6))).toEqual([3, 5, 6, 2, 5, 5, 4, 4]);
    const wide = mt19937(42);
    expect(Array.from({ length: 4 }, () => uniformInt(wide, 0, 3000000000))).toEqual([
      1123620343, 2389628953, 2852142935, 2195981815,
    ]);
  });
  it("refuses a range it does not model, naming the bounds", () => {
    expect(() => uniformInt(mt19937(1), 5, 4)).toThrow(/5\.\.4/);
    expect(() => uniformInt(mt19937(1), 0, 2 ** 32)).toThrow(/fewer than 2\^32/);
  });
});

describe("std::hash (libstdc++, 64-bit)", () => {
  it.each([
    ["", 6142509188972423790n],
    ["a", 4993892634952068459n],
    ["12345678", 10113836418918046885n], // one whole 8-byte block, no tail
    ["123456789", 12315982496267331008n], // a block and a tail
    ["shard_0_vnode_0", 7269786403425701017n],
    ["shard_7_vnode_149", 17019284228109058039n],
    ["1000019", 2007793367121877858n],
  ])("std::hash<std::string>(%j) = %s", (text, expected) => {
    expect(stdHashString(text)).toBe(expected);
  });
  it("hashes bytes with a given seed (seed 0 differs from libstdc++'s)", () => {
    expect(hashBytes(Buffer.from("a"), 0n)).not.toBe(stdHashString("a"));
  });
  it("std::hash<uint64_t> is the identity", () => {
    expect(stdHashInteger(42)).toBe(42n);
    expect(stdHashInteger(1010019)).toBe(1010019n);
  });
});
