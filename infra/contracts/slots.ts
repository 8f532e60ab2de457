/**
 * CONTRACT: the slot space. A shard key maps to one of 16384 slots with Redis Cluster's key-slot function, so MySQL
 * shards and Redis share one slot space and every game-server language already has the function. The program (slot
 * maps), the client (routing) and the slot mover all call this one function.
 *
 * Redis's rule (redis/redis src/cluster.c, keyHashSlot): CRC16/XMODEM of the key's bytes, mod 16384; if the key has
 * a `{` and a later `}` with at least one byte between the first `{` and the first `}` after it, only those bytes
 * are hashed. The tag rule is written out here because cluster-key-slot 1.1.2 gets it wrong for keys such as
 * "x{}y}" and "foo{}{bar}" (it hashes "{bar" where Redis hashes the whole key); tests/integration/key-slot.test.ts
 * compares both against a real redis-server.
 */
import crc16xmodem from "crc/calculators/crc16xmodem";

export const SLOT_COUNT = 16384;
export const MAX_SLOT = SLOT_COUNT - 1;

/**
 * What may be a shard key: text (UTF-8), an integer (its decimal text: 42 and "42" are the same key), a bigint (the
 * same), or raw bytes.
 */
export type ShardKey = string | number | bigint | Uint8Array;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

/** The bytes that are hashed for a key; throws a TypeError naming the accepted types for anything else. */
export function keyBytes(key: ShardKey): Uint8Array {
  if (typeof key === "string") return Buffer.from(key, "utf8");
  if (typeof key === "bigint") return Buffer.from(key.toString(), "utf8");
  if (typeof key === "number") {
    if (!Number.isSafeInteger(key)) {
      throw new TypeError(
        `shard key ${key} is not a safe integer; pass integers up to 2^53-1 as numbers, larger ones as bigint or string`,
      );
    }
    return Buffer.from(String(key), "utf8");
  }
  if (key instanceof Uint8Array) return key;
  throw new TypeError(
    `shard key of type ${key === null ? "null" : typeof key} is not accepted; use a string, an integer number, a bigint or a Buffer`,
  );
}

/** The slot of a shard key (player id, guild id, ...), exactly as Redis Cluster's CLUSTER KEYSLOT computes it. */
export function keySlot(key: ShardKey): number {
  const bytes = keyBytes(key);
  const open = bytes.indexOf(OPEN);
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE, open + 1);
    if (close > open + 1) return crc16xmodem(bytes.subarray(open + 1, close)) & MAX_SLOT;
  }
  return crc16xmodem(bytes) & MAX_SLOT;
}
