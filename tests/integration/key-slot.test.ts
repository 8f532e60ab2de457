// The key-slot function against a real redis-server (Debian's 7.x, cluster mode): CLUSTER KEYSLOT is the reference
// every game-server language's Redis client follows, and the client, the program's slot maps and the mover use
// infra/contracts/slots.ts. Keys are drawn with brace-heavy alphabets so hash-tag edge cases come up often.
import fc from "fast-check";
import Redis from "ioredis";
import { keySlot } from "../../infra/contracts/slots";
import { RedisFleet, createRedisFleet } from "../helpers/redisFleet";

let fleet: RedisFleet;
let redis: Redis;

beforeAll(async () => {
  fleet = await createRedisFleet({ capacity: 1 });
  await fleet.start(0);
  redis = new Redis({ port: fleet.port(0), lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
});
afterAll(async () => {
  redis?.disconnect();
  await fleet?.stopAll();
});

const redisSlot = async (key: string | Buffer): Promise<number> => Number(await redis.call("CLUSTER", "KEYSLOT", key));

describe("keySlot agrees with CLUSTER KEYSLOT", () => {
  it("on hash-tag edge cases", async () => {
    const keys = ["", "{}", "{", "}", "}{", "{a", "a}", "foo{}{bar}", "x{}y}", "{{x}}", "a{b}c{d}", "{user1000}.x"];
    for (const key of keys) expect([key, keySlot(key)]).toEqual([key, await redisSlot(key)]);
  });

  it("on random text and bytes with many braces", async () => {
    const text = fc.string({ unit: fc.constantFrom("{", "}", "a", "b", "é", "😀", "1"), maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(text, async (key) => {
        expect(keySlot(key)).toBe(await redisSlot(key));
      }),
      { numRuns: 300 },
    );
    const bytes = fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a.map((b) => [0x7b, 0x7d, b][b % 3]!)));
    await fc.assert(
      fc.asyncProperty(bytes, async (key) => {
        expect(keySlot(key)).toBe(await redisSlot(key));
      }),
      { numRuns: 300 },
    );
  });

  it("on integer ids as numbers and bigints (their decimal text)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), async (id) => {
        const expected = await redisSlot(id.toString());
        expect(keySlot(id)).toBe(expected);
        if (id >= BigInt(Number.MIN_SAFE_INTEGER) && id <= BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(keySlot(Number(id))).toBe(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
