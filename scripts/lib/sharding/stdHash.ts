/**
 * std::hash as the seed's C++ computes it with libstdc++ on a 64-bit target:
 * - std::hash<std::string> is _Hash_bytes(data, size, 0xc70f6907), a MurmurHash2-64 variant
 *   (gcc libstdc++-v3/libsupc++/hash_bytes.cc, the `__SIZEOF_SIZE_T__ == 8` branch; the seed constant is in
 *   /usr/include/c++/12/bits/functional_hash.h);
 * - std::hash of an integer is the integer itself (functional_hash.h, _Cxx_hashtable_define_trivial_hash), so
 *   hashing an id changes nothing. libc++ does the same for integers; its string hash differs (CityHash-based).
 * tests/unit/sharding-hashes.test.ts checks the values against ones printed by g++ 12.
 */

const MASK = (1n << 64n) - 1n;
const MUL = 0xc6a4a7935bd1e995n;
/** libstdc++'s seed of std::hash<std::string>. */
export const STRING_HASH_SEED = 0xc70f6907n;

const shiftMix = (v: bigint): bigint => v ^ (v >> 47n);
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;

/** Little-endian unsigned value of bytes[from, from + n) (unaligned_load and load_bytes on x86-64). */
function loadLe(bytes: Uint8Array, from: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[from + i]!);
  return v;
}

/** libstdc++'s _Hash_bytes for 64-bit size_t: an unsigned 64-bit value. */
export function hashBytes(bytes: Uint8Array, seed: bigint = STRING_HASH_SEED): bigint {
  const len = bytes.length;
  const aligned = len & ~7;
  let hash = seed ^ mul(BigInt(len), MUL);
  for (let p = 0; p < aligned; p += 8) {
    hash ^= mul(shiftMix(mul(loadLe(bytes, p, 8), MUL)), MUL);
    hash = mul(hash, MUL);
  }
  if ((len & 7) !== 0) {
    hash ^= loadLe(bytes, aligned, len & 7);
    hash = mul(hash, MUL);
  }
  hash = mul(shiftMix(hash), MUL);
  return shiftMix(hash);
}

/** std::hash<std::string>{}(text) with libstdc++ (text as UTF-8 bytes). */
export function stdHashString(text: string): bigint {
  return hashBytes(Buffer.from(text, "utf8"));
}

/** std::hash<uint64_t>{}(key): the identity, as an unsigned 64-bit value. */
export function stdHashInteger(key: number): bigint {
  return BigInt.asUintN(64, BigInt(key));
}
