/**
 * Per-slot checksums of a sharded table on one shard, and their comparison between two shards (issue 16,
 * verification of a slot move). The SQL is checksumSql.ts's; this runs it slot range by slot range and reads the
 * results exactly. Nothing here decides when to verify (that is the mover's: at a known GTID on both sides).
 */
import type { Connection, Pool, RowDataPacket } from "mysql2/promise";
import type { TableDefinition } from "../../../infra/contracts/shardedTable";
import { SlotRange, checkSlotRange, slotChecksumSql, slotChunks, slotListChecksumSql } from "./checksumSql";

export interface SlotChecksum {
  /** COUNT(*) of the slot's rows. */
  rows: number;
  /** BIT_XOR of the rows' 64-bit hashes: exact, 0n to 2^64 - 1. */
  digest: bigint;
}

export type SlotChecksums = Map<number, SlotChecksum>;

export interface ChecksumOptions {
  /** Slots per query (default 256): smaller chunks hold each statement's snapshot for less time. */
  chunkSlots?: number;
}

export const DEFAULT_CHUNK_SLOTS = 256;
const DIGEST_MAX = (1n << 64n) - 1n;

type Queryable = Pick<Connection | Pool, "query">;

/** An unsigned 64-bit value from the driver: only a decimal string is exact (a number above 2^53 is not). */
function exactUnsigned(field: string, slot: unknown, value: unknown): bigint {
  if (typeof value !== "string" || !/^(0|[1-9][0-9]{0,19})$/.test(value) || BigInt(value) > DIGEST_MAX) {
    throw new Error(
      `slot ${String(slot)}: ${field} ${JSON.stringify(value)} is not an exact unsigned 64-bit decimal string ` +
        `(the query must run with supportBigNumbers and bigNumberStrings)`,
    );
  }
  return BigInt(value);
}

/** The checksum rows of one query, checked: slots in the chunk, once each, counts and digests exact. */
export function readChecksumRows(rows: readonly Record<string, unknown>[], chunk: SlotRange): SlotChecksums {
  const out: SlotChecksums = new Map();
  for (const r of rows) {
    const slot = Number(r.slot);
    if (!Number.isInteger(slot) || slot < chunk.from || slot > chunk.to || out.has(slot)) {
      throw new Error(`checksum row for slot ${String(r.slot)} is outside ${chunk.from}-${chunk.to} or repeated`);
    }
    const count = exactUnsigned("row_count", slot, r.row_count);
    if (count < 1n || count > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`slot ${slot}: row_count ${count} is out of range`);
    }
    out.set(slot, { rows: Number(count), digest: exactUnsigned("digest", slot, r.digest) });
  }
  return out;
}

/**
 * The checksum of every slot in `range` that has rows (a slot without rows is absent), one query per `chunkSlots`
 * slots. `table` is describeTable's definition of the table on this shard. Each query is its own consistent read;
 * the caller runs it at a known GTID (or under the fence's freeze) when the result must describe one moment.
 */
export async function checksumSlots(
  conn: Queryable,
  table: TableDefinition,
  range: SlotRange,
  options: ChecksumOptions = {},
): Promise<SlotChecksums> {
  checkSlotRange(range);
  const chunks = slotChunks(range, options.chunkSlots ?? DEFAULT_CHUNK_SLOTS);
  const sql = slotChecksumSql(table);
  const out: SlotChecksums = new Map();
  for (const chunk of chunks) {
    // Per-query options: exact whatever the connection's own settings (mysql2 merges them with its config).
    const [rows] = await (conn as Pick<Connection, "query">).query<RowDataPacket[]>({
      sql,
      values: [chunk.from, chunk.to],
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    for (const [slot, sum] of readChecksumRows(rows, chunk)) out.set(slot, sum);
  }
  return out;
}

/** Checksums of the listed slots (any order, scattered), 1024 slots per statement. */
export async function checksumSlotList(
  conn: Queryable,
  table: TableDefinition,
  slots: readonly number[],
): Promise<SlotChecksums> {
  const out: SlotChecksums = new Map();
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  for (const s of sorted) checkSlotRange({ from: s, to: s });
  for (let i = 0; i < sorted.length; i += 1024) {
    const part = sorted.slice(i, i + 1024);
    const [rows] = await (conn as Pick<Connection, "query">).query<RowDataPacket[]>({
      sql: slotListChecksumSql(table, part.length),
      values: part,
      supportBigNumbers: true,
      bigNumberStrings: true,
    });
    const wanted = new Set(part);
    for (const [slot, sum] of readChecksumRows(rows, { from: part[0]!, to: part[part.length - 1]! })) {
      if (!wanted.has(slot)) throw new Error(`checksum row for slot ${slot}, which was not asked for`);
      out.set(slot, sum);
    }
  }
  return out;
}

/** XOR of digests: the digest of the union of the rows they cover (order and grouping do not matter). */
export function xorDigests(digests: Iterable<bigint>): bigint {
  let d = 0n;
  for (const x of digests) d ^= x;
  return d;
}

/**
 * Checksums of disjoint parts of the same rows (e.g. one slot read in primary-key chunks) combined: rows add up,
 * digests XOR. Parts must not overlap: a row counted twice cancels out of the digest.
 */
export function combineSlotChecksums(parts: Iterable<SlotChecksums>): SlotChecksums {
  const out: SlotChecksums = new Map();
  for (const part of parts) {
    for (const [slot, sum] of part) {
      const prior = out.get(slot);
      out.set(slot, prior ? { rows: prior.rows + sum.rows, digest: prior.digest ^ sum.digest } : { ...sum });
    }
  }
  return out;
}

export type SlotDifferenceKind = "missingInA" | "missingInB" | "rowsDiffer" | "digestDiffers";

export interface SlotDifference {
  slot: number;
  kind: SlotDifferenceKind;
  a?: SlotChecksum;
  b?: SlotChecksum;
}

/**
 * The slots whose checksums differ, in slot order: rows on one side only, a different row count, or the same count
 * with a different digest. A slot absent from both has no rows on either side and is equal.
 */
export function compareSlots(a: SlotChecksums, b: SlotChecksums): SlotDifference[] {
  const slots = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  const out: SlotDifference[] = [];
  for (const slot of slots) {
    const x = a.get(slot);
    const y = b.get(slot);
    if (!x) out.push({ slot, kind: "missingInA", b: y });
    else if (!y) out.push({ slot, kind: "missingInB", a: x });
    else if (x.rows !== y.rows) out.push({ slot, kind: "rowsDiffer", a: x, b: y });
    else if (x.digest !== y.digest) out.push({ slot, kind: "digestDiffers", a: x, b: y });
  }
  return out;
}
