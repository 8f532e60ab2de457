/**
 * The seed's random source made repeatable: std::mt19937 and libstdc++'s std::uniform_int_distribution, written
 * out so that the id mix is the one the seed's analyzer draws when its `std::mt19937 gen(rd())` gets a fixed seed.
 * tests/unit/sharding-hashes.test.ts checks both against values printed by g++ 12 (libstdc++).
 */

/** The seed used here: 5489, std::mt19937's default seed (`std::mt19937 gen;`). */
export const MIX_SEED = 5489;

const N = 624;
const M = 397;

/** std::mt19937 (MT19937, 32-bit): a function returning the next output, an integer in [0, 2^32). */
export function mt19937(seed: number): () => number {
  const mt = new Uint32Array(N);
  mt[0] = seed >>> 0;
  for (let i = 1; i < N; i++) {
    const prev = mt[i - 1]!;
    mt[i] = Math.imul(1812433253, prev ^ (prev >>> 30)) + i;
  }
  let index = N;
  const twist = (): void => {
    for (let i = 0; i < N; i++) {
      const y = (mt[i]! & 0x80000000) | (mt[(i + 1) % N]! & 0x7fffffff);
      mt[i] = mt[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    index = 0;
  };
  return () => {
    if (index >= N) twist();
    let y = mt[index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}

const TWO_32 = 2 ** 32;

/**
 * std::uniform_int_distribution<uint64_t>(lo, hi) over a 32-bit engine, as libstdc++ (GCC 11 and later) computes
 * it: Lemire's nearly divisionless method (/usr/include/c++/12/bits/uniform_int_dist.h, `_S_nd`, taken when the
 * engine's range is exactly 32 bits and the wanted range is smaller). Other standard libraries draw other numbers
 * from the same engine; the standard leaves the algorithm open.
 */
export function uniformInt(next: () => number, lo: number, hi: number): number {
  const range = hi - lo + 1;
  if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || range < 1 || range >= TWO_32) {
    throw new RangeError(`uniformInt needs integers lo <= hi spanning fewer than 2^32 values, got ${lo}..${hi}`);
  }
  // x * range < 2^64 is not exact in a double, but x < 2^32 and range < 2^32 split into 16-bit halves is: use
  // BigInt only when the product can pass 2^53.
  const product = (x: number): [low: number, high: number] => {
    if (range < 2 ** 21) {
      const p = x * range;
      return [p % TWO_32, Math.floor(p / TWO_32)];
    }
    const p = BigInt(x) * BigInt(range);
    return [Number(p & 0xffffffffn), Number(p >> 32n)];
  };
  let [low, high] = product(next());
  if (low < range) {
    const threshold = TWO_32 % range; // (-range) % range in 32-bit unsigned arithmetic
    while (low < threshold) [low, high] = product(next());
  }
  return lo + high;
}
