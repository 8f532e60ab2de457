import fc from "fast-check";
import {
  MAX_SLOT,
  SLOT_COUNT,
  formatRange,
  ownerTable,
  parseSlotRange,
  runs,
  shardForKey,
  shardForSlot,
  slotMap,
  toRanges,
} from "../../infra/plan/slots";
import { keySlot } from "../../infra/contracts/slots";

describe("keySlot (Redis Cluster CRC16/XMODEM mod 16384)", () => {
  it("matches the CRC16/XMODEM check value and Redis's documented slots", () => {
    expect(keySlot("123456789")).toBe(0x31c3); // the CRC16/XMODEM check value, < 16384
    expect(keySlot("")).toBe(0);
    expect(keySlot("foo")).toBe(12182); // CLUSTER KEYSLOT foo
    expect(keySlot("bar")).toBe(5061); // CLUSTER KEYSLOT bar
  });
  it("hashes only the hash tag when there is one, so related keys share a slot", () => {
    expect(keySlot("{user1000}.following")).toBe(keySlot("user1000"));
    expect(keySlot("{user1000}.followers")).toBe(keySlot("{user1000}.following"));
    // An empty first tag means the whole key is hashed (CLUSTER KEYSLOT on redis-server 7.0: 8363, 1123);
    // cluster-key-slot 1.1.2 answers 4015 and 12222 here.
    expect(keySlot("foo{}{bar}")).toBe(8363);
    expect(keySlot("x{}y}")).toBe(1123);
  });
  it("treats integer ids (number or bigint) as their decimal text and hashes bytes as they are", () => {
    expect(keySlot(42)).toBe(keySlot("42"));
    expect(keySlot(42n)).toBe(keySlot("42"));
    expect(keySlot(2n ** 64n)).toBe(keySlot("18446744073709551616"));
    expect(keySlot(Buffer.from("foo"))).toBe(12182);
  });
  it("refuses keys it cannot hash the same way in every language, naming the accepted types", () => {
    expect(() => keySlot(1.5)).toThrow(/not a safe integer.*bigint or string/);
    expect(() => keySlot(2 ** 53)).toThrow(/not a safe integer/);
    expect(() => keySlot(NaN)).toThrow(/not a safe integer/);
    for (const bad of [null, undefined, true, {}, Symbol("k")]) {
      expect(() => keySlot(bad as never)).toThrow(/use a string, an integer number, a bigint or a Buffer/);
    }
  });
  it("spreads sequential ids evenly (the seed's identity-hash pitfall does not apply)", () => {
    const perQuarter = [0, 0, 0, 0];
    for (let id = 1; id <= 50_000; id++) perQuarter[Math.floor(keySlot(id) / 4096)]!++;
    for (const n of perQuarter) expect(Math.abs(n - 12_500)).toBeLessThan(12_500 * 0.05);
  });
});

describe("parseSlotRange", () => {
  it.each([
    ["0-8191", { from: 0, to: 8191 }],
    ["42", { from: 42, to: 42 }],
    ["16383", { from: 16383, to: 16383 }],
  ])("parses %s", (text, want) => expect(parseSlotRange(text)).toEqual(want));
  it.each([
    ["16384", '"16384" is outside the slot space 0-16383'],
    ["10-5", '"10-5" is reversed; write the lower slot first ("5-10")'],
    ["a-b", '"a-b" is not a slot or range; write "42" or "0-8191"'],
    ["1-2-3", '"1-2-3" is not a slot or range; write "42" or "0-8191"'],
  ])("rejects %s", (text, message) => expect(parseSlotRange(text)).toBe(message));
});

describe("ownership", () => {
  it("reports overlaps and leaves gaps unowned", () => {
    const { owner, overlaps } = ownerTable(
      new Map([
        [1, [{ from: 0, to: 10 }]],
        [2, [{ from: 10, to: 20 }]],
      ]),
    );
    expect(overlaps).toEqual([{ slot: 10, shards: [1, 2] }]);
    expect(runs(owner).slice(0, 3)).toEqual([
      { from: 0, to: 10, shard: 1 },
      { from: 11, to: 20, shard: 2 },
      { from: 21, to: MAX_SLOT, shard: -1 },
    ]);
  });
  it("groups sorted slots into ranges", () => {
    expect(toRanges([1, 2, 3, 7, 9, 10]).map(formatRange)).toEqual(["1-3", "7", "9-10"]);
  });
});

/** Random partitions of the slot space into contiguous ranges owned by random shards. */
const partition = fc.uniqueArray(fc.integer({ min: 1, max: MAX_SLOT }), { maxLength: 40 }).chain((cuts) => {
  const bounds = [0, ...cuts.sort((a, b) => a - b), SLOT_COUNT];
  const ranges = bounds.slice(0, -1).map((from, i) => ({ from, to: bounds[i + 1]! - 1 }));
  return fc.tuple(
    fc.constant(ranges),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: ranges.length, maxLength: ranges.length }),
  );
});

describe("slot map properties", () => {
  it("covers every slot exactly once for any partition, and lookups agree with the owner table", () => {
    fc.assert(
      fc.property(partition, fc.integer({ min: 0, max: MAX_SLOT }), ([ranges, owners], probe) => {
        const owned = new Map<number, { from: number; to: number }[]>();
        ranges.forEach((r, i) => owned.set(owners[i]!, [...(owned.get(owners[i]!) ?? []), r]));
        const map = slotMap(owned);
        const covered = map.reduce((n, r) => n + r.to - r.from + 1, 0);
        expect(covered).toBe(SLOT_COUNT);
        map.forEach((r, i) => i > 0 && expect(r.from).toBe(map[i - 1]!.to + 1));
        const { owner, overlaps } = ownerTable(owned);
        expect(overlaps).toEqual([]);
        expect(shardForSlot(map, probe)).toBe(owner[probe]);
      }),
    );
  });
  it("routes a key to the shard that owns its slot", () => {
    const map = slotMap(
      new Map([
        [1, [{ from: 0, to: 8191 }]],
        [2, [{ from: 8192, to: MAX_SLOT }]],
      ]),
    );
    expect(shardForKey(map, "foo")).toBe(2); // slot 12182
    expect(shardForKey(map, "bar")).toBe(1); // slot 5061
  });
});
