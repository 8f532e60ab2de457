/**
 * GTID sets in MySQL's text form: `uuid:1-5:7,uuid2:1-3` (8.4 tagged GTIDs too: `uuid:1-5:tag:1-2`).
 *
 * A set is a map from source ("uuid" or "uuid:tag", lower-cased) to sorted, disjoint, non-adjacent inclusive
 * intervals. Every function returns a normalized set, so two equal sets format to the same text.
 */

/** Inclusive [first, last] transaction numbers. */
export type Interval = readonly [number, number];
export type GtidSet = ReadonlyMap<string, readonly Interval[]>;

export class GtidParseError extends Error {}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/;
const TAG = /^[a-z_][a-z0-9_]{0,31}$/;
const RANGE = /^(\d+)(?:-(\d+))?$/;

export const EMPTY: GtidSet = new Map();

function normalizeUuid(raw: string): string {
  const hex = raw.replace(/-/g, "");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function number(text: string, whole: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new GtidParseError(`bad transaction number ${text} in "${whole}"`);
  return n;
}

/** Sorts and merges overlapping or adjacent intervals. */
function merge(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function build(entries: Iterable<[string, readonly Interval[]]>): GtidSet {
  const map = new Map<string, Interval[]>();
  for (const [source, intervals] of entries) {
    const merged = merge([...(map.get(source) ?? []), ...intervals]);
    if (merged.length > 0) map.set(source, merged);
  }
  return new Map([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function parseGtidSet(text: string): GtidSet {
  const entries: [string, Interval[]][] = [];
  for (const rawPart of text.split(",")) {
    const part = rawPart.trim().toLowerCase();
    if (part === "") continue;
    const [uuidText = "", ...elements] = part.split(":").map((s) => s.trim());
    if (!UUID.test(uuidText)) throw new GtidParseError(`bad server uuid "${uuidText}" in "${text}"`);
    const uuid = normalizeUuid(uuidText);
    let source = uuid;
    let pending = true; // the current source has no interval yet
    if (elements.length === 0) throw new GtidParseError(`no transactions after ${uuid} in "${text}"`);
    for (const element of elements) {
      const range = RANGE.exec(element);
      if (range) {
        const first = number(range[1] ?? "", text);
        const last = range[2] === undefined ? first : number(range[2], text);
        if (last < first) throw new GtidParseError(`bad range ${element} in "${text}"`);
        entries.push([source, [[first, last]]]);
        pending = false;
      } else if (TAG.test(element)) {
        if (pending && source !== uuid) throw new GtidParseError(`tag without transactions in "${text}"`);
        source = `${uuid}:${element}`;
        pending = true;
      } else {
        throw new GtidParseError(`bad element "${element}" in "${text}"`);
      }
    }
    if (pending) throw new GtidParseError(`no transactions for ${source} in "${text}"`);
  }
  return build(entries);
}

function formatIntervals(intervals: readonly Interval[]): string {
  return intervals.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(":");
}

/** MySQL's text form, on one line: untagged intervals of a uuid first, then its tags in order. */
export function formatGtidSet(set: GtidSet): string {
  const byUuid = new Map<string, string[]>();
  for (const [source, intervals] of set) {
    const [uuid = "", tag] = source.split(":");
    const parts = byUuid.get(uuid) ?? [];
    parts.push(tag === undefined ? formatIntervals(intervals) : `${tag}:${formatIntervals(intervals)}`);
    byUuid.set(uuid, parts);
  }
  return [...byUuid.entries()].map(([uuid, parts]) => `${uuid}:${parts.join(":")}`).join(",");
}

export function union(...sets: GtidSet[]): GtidSet {
  return build(sets.flatMap((s) => [...s.entries()]));
}

function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a0, b] of from) {
    let a = a0;
    for (const [c, d] of remove) {
      if (d < a || c > b) continue;
      if (c > a) out.push([a, c - 1]);
      a = d + 1;
      if (a > b) break;
    }
    if (a <= b) out.push([a, b]);
  }
  return out;
}

/** Transactions in `a` that are not in `b`. */
export function subtract(a: GtidSet, b: GtidSet): GtidSet {
  return build(
    [...a.entries()].map(([source, intervals]) => [source, subtractIntervals(intervals, b.get(source) ?? [])]),
  );
}

export function intersect(a: GtidSet, b: GtidSet): GtidSet {
  return subtract(a, subtract(a, b));
}

export function isEmpty(set: GtidSet): boolean {
  return set.size === 0;
}

export function isSubset(a: GtidSet, b: GtidSet): boolean {
  return isEmpty(subtract(a, b));
}

export function equals(a: GtidSet, b: GtidSet): boolean {
  return formatGtidSet(a) === formatGtidSet(b);
}

/** How many transactions the set holds. */
export function count(set: GtidSet): number {
  let n = 0;
  for (const intervals of set.values()) for (const [a, b] of intervals) n += b - a + 1;
  return n;
}
