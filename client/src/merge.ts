/**
 * Merging the sorted answers of every shard (pure): a k-way merge by the scatter's orderBy, cut to the limit.
 * Each shard's statement must already sort by the same columns and apply the same limit (ORDER BY ... LIMIT n): the
 * merge then reads only as many rows as it returns.
 *
 * Values compare as the driver returns them: numbers and bigints by value (mixed freely, for BIGINT columns read as
 * strings of digits too), Dates by time, Buffers byte by byte, other strings by code point (a binary collation's
 * order; for a case-insensitive column, sort by a binary or numeric expression, or pass `collator`). NULLs (and
 * zero dates after them) sort first ascending and last descending, as in MySQL.
 */
export interface OrderBy {
  column: string;
  direction?: "asc" | "desc";
}

export type Row = Record<string, unknown>;

const DIGITS = /^-?\d+$/;
/** Non-negative, no leading zero (or "0" itself). */
const CANONICAL = /^(0|[1-9]\d*)$/;

/**
 * A number, a bigint or a string of digits as a value to compare: mysql2 with supportBigNumbers returns a BIGINT as
 * a number when it is a safe integer and as a string when not (mysql2 3.24.6 lib/packets/packet.js, parseInt), so
 * one column mixes both.
 */
function numeric(v: unknown): number | bigint | undefined {
  if (typeof v === "number" || typeof v === "bigint") return v;
  return typeof v === "string" && DIGITS.test(v) ? BigInt(v) : undefined;
}

/** mysql2 returns a zero date ('0000-00-00') as an Invalid Date (lib/packets/packet.js); MySQL sorts it first. */
const time = (d: Date): number => (Number.isNaN(d.getTime()) ? -Infinity : d.getTime());

const order = <V extends number | bigint>(x: V, y: V): number => (x < y ? -1 : x > y ? 1 : 0);

function compareValues(a: unknown, b: unknown, collator?: Intl.Collator): number {
  if (a === b) return 0;
  const aNull = a === null || a === undefined;
  const bNull = b === null || b === undefined;
  if (aNull || bNull) return aNull && bNull ? 0 : aNull ? -1 : 1;
  // Two non-negative digit strings without leading zeros (mysql2's BIGINT ids): the shorter is smaller, and equal
  // lengths order as text. No BigInt per comparison: a scatter's merge makes ~1,200 of them (npm run bench:client).
  if (typeof a === "string" && typeof b === "string" && CANONICAL.test(a) && CANONICAL.test(b)) {
    return a.length !== b.length ? (a.length < b.length ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0;
  }
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return order(x, y);
  if (typeof a === "string" && typeof b === "string") {
    if (collator) return collator.compare(a, b);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return order(time(a), time(b));
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  throw new TypeError(`cannot order ${typeof a} against ${typeof b}`);
}

export function rowComparator(orderBy: readonly OrderBy[], collator?: Intl.Collator): (a: Row, b: Row) => number {
  return (a, b) => {
    for (const { column, direction } of orderBy) {
      const c = compareValues(a[column], b[column], collator);
      if (c !== 0) return direction === "desc" ? -c : c;
    }
    return 0;
  };
}

/**
 * Merges sorted lists into one sorted list of at most `limit` rows. Ties keep list order (the shards' order), so
 * the result is deterministic. A min-heap of list heads: O(limit log k).
 */
export function mergeSorted<T>(lists: readonly (readonly T[])[], compare: (a: T, b: T) => number, limit: number): T[] {
  const heads: { list: number; index: number }[] = [];
  const less = (x: { list: number; index: number }, y: { list: number; index: number }) => {
    const c = compare(lists[x.list]![x.index]!, lists[y.list]![y.index]!);
    return c < 0 || (c === 0 && x.list < y.list);
  };
  const swap = (i: number, j: number) => ([heads[i], heads[j]] = [heads[j]!, heads[i]!]);
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heads[i]!, heads[parent]!)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heads.length && less(heads[l]!, heads[m]!)) m = l;
      if (r < heads.length && less(heads[r]!, heads[m]!)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  lists.forEach((list, i) => {
    if (list.length > 0) {
      heads.push({ list: i, index: 0 });
      up(heads.length - 1);
    }
  });
  const out: T[] = [];
  while (out.length < limit && heads.length > 0) {
    const top = heads[0]!;
    out.push(lists[top.list]![top.index]!);
    if (top.index + 1 < lists[top.list]!.length) {
      heads[0] = { list: top.list, index: top.index + 1 };
    } else {
      heads[0] = heads[heads.length - 1]!;
      heads.pop();
    }
    if (heads.length > 0) down(0);
  }
  return out;
}
