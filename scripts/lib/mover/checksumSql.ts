/**
 * The SQL text of per-slot checksums (issue 16, "verification by per-slot checksums"; ../shared/design/SLOT-MOVES.md,
 * "Verification"). Pure: a TableDefinition (client/src/tableDefinition.ts describeTable) in, one SELECT out, which
 * returns per slot of `gamedb_slot BETWEEN ? AND ?` the row count and a 64-bit order-independent digest.
 *
 * The shape is pt-table-checksum's (percona-toolkit lib/RowChecksum.pm: CONCAT_WS of every column plus a
 * CONCAT(ISNULL(...)) bitmap of the nullable ones, BIT_XOR over the rows), with these changes:
 * - Row hash: the first 16 hex digits of SHA2(row, 256) as BIGINT UNSIGNED, not CRC32. CRC32 is 32 bits (birthday
 *   collisions from ~77k distinct rows) and, worse, linear over GF(2): for equal-length inputs CRC(x) ^ CRC(y) depends
 *   only on x ^ y, so BIT_XOR of CRC32s cannot see two rows of a slot swapping equal-length values (the integration
 *   test shows it). Two CRC32s combined stay linear. SHA2 exists in MySQL 8.4 (refman 8.4, 14.13 "Encryption and
 *   Compression Functions") and MariaDB 10.11; MD5/SHA1 would be faster but are deprecated in MySQL 9.4 and removed
 *   in 9.6 with SHA2 recommended instead (HeatWave User Guide 5.3.7, dev.mysql.com/doc/heatwave/en/
 *   mys-hw-encryption-compression-functions.html).
 * - CAST(CONV(hex16, 16, 10) AS UNSIGNED): CONV works with 64-bit precision (MariaDB KB "CONV"; refman 14.8) and
 *   returns a string; the CAST makes BIT_XOR's argument an integer, so BIT_XOR evaluates numerically over unsigned
 *   64-bit integers (refman 8.4, 14.12 "Bit Functions and Operators": non-binary-string arguments are converted to
 *   unsigned 64-bit integers) instead of going through a string-to-number conversion (a DOUBLE for 20 digits).
 * - The separator is ambiguous ('a#','b' vs 'a','#b'), so the byte LENGTH of every column that can hold it is hashed
 *   too; with the NULL bitmap this makes the encoding of a row unambiguous.
 * - Strings are hashed as their bytes (CAST AS BINARY): no "Illegal mix of collations" between columns, no collation
 *   folding; JSON is hashed as its text (MySQL 8.4 serialises its binary JSON canonically; on MariaDB JSON is LONGTEXT
 *   and the mover copies the text byte for byte); TIMESTAMP as UNIX_TIMESTAMP(col), which returns the stored UTC value
 *   without the session time zone (refman 8.4, 14.7 "Date and Time Functions", UNIX_TIMESTAMP), as pt-table-checksum
 *   does; BLOB/BINARY as their bytes; BIT as its integer.
 * XOR is order-free, so chunks of one slot combine (checksum.ts combineSlotChecksums). Equal rows would cancel out,
 * hence the primary key (every row distinct, key columns hashed).
 */
import { SLOT_COLUMN } from "../../../infra/contracts/slotFence";
import { MAX_SLOT } from "../../../infra/contracts/slots";
import { TableDefinition, checkShardedTable } from "../../../infra/contracts/shardedTable";

export interface SlotRange {
  from: number;
  to: number;
}

export type ColumnKind =
  "integer" | "decimal" | "float" | "bit" | "timestamp" | "temporal" | "text" | "binary" | "json";

/** Types by kind; information_schema's COLUMN_TYPE with its width, sign and charset details stripped. */
const KINDS: [ColumnKind, RegExp][] = [
  ["integer", /^(tinyint|smallint|mediumint|int|integer|bigint)\b/],
  ["decimal", /^(decimal|numeric|dec|fixed)\b/],
  ["float", /^(float|double|real)\b/],
  ["bit", /^bit\b/],
  ["timestamp", /^timestamp\b/],
  ["temporal", /^(date|datetime|time|year)\b/],
  ["text", /^(char|varchar|tinytext|text|mediumtext|longtext|enum|set)\b/],
  ["binary", /^(binary|varbinary|tinyblob|blob|mediumblob|longblob)\b/],
  ["json", /^json\b/],
];
const SUPPORTED =
  "integer, decimal, float/double, bit, timestamp, date/datetime/time/year, char/varchar/text, " +
  "enum/set, binary/varbinary/blob, json";

/** The kind of a column type, or undefined for one the checksum does not know (spatial, vector, MariaDB's uuid...). */
export function columnKind(columnType: string): ColumnKind | undefined {
  const t = String(columnType).trim().toLowerCase();
  return KINDS.find(([, re]) => re.test(t))?.[0];
}

/** A MySQL identifier in backticks; throws naming the field unless it is 1-64 characters, no NUL, no trailing space. */
export function quoteIdentifier(field: string, name: string): string {
  if (typeof name !== "string" || name.length < 1 || name.length > 64 || name.includes("\0") || / $/.test(name)) {
    throw new Error(
      `${field} ${JSON.stringify(name)} is not a valid identifier: use 1 to 64 characters, no NUL, no trailing space`,
    );
  }
  return `\`${name.replace(/`/g, "``")}\``;
}

/** The expression a column contributes to the row's text (see the header for why each kind is written so). */
export function columnExpression(column: string, columnType: string): string {
  const c = quoteIdentifier("column", column);
  const kind = columnKind(columnType);
  switch (kind) {
    case "integer":
    case "decimal":
    case "float":
    case "temporal":
    case "binary":
      return c;
    case "bit":
      return `CAST(${c} AS UNSIGNED)`;
    case "timestamp":
      return `UNIX_TIMESTAMP(${c})`;
    case "text":
      return `CAST(${c} AS BINARY)`;
    case "json":
      return `CAST(CAST(${c} AS CHAR CHARACTER SET utf8mb4) AS BINARY)`;
    default:
      throw new Error(
        `column ${column} has type ${JSON.stringify(columnType)}, which the slot checksum does not support; ` +
          `supported: ${SUPPORTED}`,
      );
  }
}

/** Kinds whose text may contain the separator or vary in length freely: their byte length is hashed too. */
const LENGTH_KINDS = new Set<ColumnKind>(["text", "binary", "json"]);
const SEPARATOR = "#";

/** The 64-bit hash of one row, as a BIGINT UNSIGNED expression over the table's columns. */
export function rowHashSql(def: TableDefinition): string {
  if (def.columns.length === 0) throw new Error(`table ${def.schema}.${def.name} has no columns`);
  const values = def.columns.map((c) => columnExpression(c.name, c.columnType));
  const parts = [...values];
  const nullable = def.columns.filter((c) => c.nullable);
  if (nullable.length > 0) {
    parts.push(`CONCAT(${nullable.map((c) => `ISNULL(${quoteIdentifier("column", c.name)})`).join(", ")})`);
  }
  const lengths = def.columns.flatMap((c, i) =>
    LENGTH_KINDS.has(columnKind(c.columnType)!) ? [`LENGTH(${values[i]})`] : [],
  );
  if (lengths.length > 0) parts.push(`CONCAT_WS(',', ${lengths.join(", ")})`);
  const row = `CONCAT_WS('${SEPARATOR}', ${parts.join(", ")})`;
  return `CAST(CONV(LEFT(SHA2(${row}, 256), 16), 16, 10) AS UNSIGNED)`;
}

/**
 * The index the checksum scans: PRIMARY when it begins with gamedb_slot (InnoDB's clustered index, so no lookups),
 * else the first unique index that does. Throws naming the table's problems (checkShardedTable's wording) or the
 * missing primary key.
 */
export function checksumIndex(def: TableDefinition): string {
  const table = `${def.schema}.${def.name}`;
  const problems = checkShardedTable({ ...def, triggers: undefined });
  const primary = def.indexes.find((i) => i.name === "PRIMARY");
  if (!primary) {
    problems.push(
      `${table} has no primary key: add PRIMARY KEY (${SLOT_COLUMN}, <id>) (BIT_XOR cancels equal rows, so the ` +
        `checksum needs every row distinct)`,
    );
  }
  if (problems.length > 0) throw new Error(`cannot checksum ${table}: ${problems.join("; ")}`);
  const startsWithSlot = (i: { columns: string[] }) => i.columns[0]?.toLowerCase() === SLOT_COLUMN;
  const index =
    [primary!, ...def.indexes.filter((i) => i.unique)].find(startsWithSlot) ?? def.indexes.find(startsWithSlot)!;
  return index.name;
}

/**
 * One SELECT with two placeholders (first slot, last slot) returning `slot`, `row_count` and `digest` (BIGINT
 * UNSIGNED) per slot that has rows, in slot order. FORCE INDEX keeps it a range scan of the slot index.
 */
export function slotChecksumSql(def: TableDefinition): string {
  const index = checksumIndex(def);
  const slot = quoteIdentifier("column", SLOT_COLUMN);
  const table = `${quoteIdentifier("schema", def.schema)}.${quoteIdentifier("table", def.name)}`;
  return (
    `SELECT ${slot} AS slot, COUNT(*) AS row_count, BIT_XOR(${rowHashSql(def)}) AS digest ` +
    `FROM ${table} FORCE INDEX (${quoteIdentifier("index", index)}) ` +
    `WHERE ${slot} BETWEEN ? AND ? GROUP BY ${slot} ORDER BY ${slot}`
  );
}

/**
 * The same per-slot checksums for a list of `count` slots (`count` placeholders): what the switch re-checks under
 * its freeze, where the dirty slots are scattered over the range and one statement per side must do.
 */
export function slotListChecksumSql(def: TableDefinition, count: number): string {
  if (!Number.isInteger(count) || count < 1) throw new Error(`slot list size ${count} must be a positive integer`);
  return slotChecksumSql(def).replace(`BETWEEN ? AND ?`, `IN (${Array.from({ length: count }, () => "?").join(", ")})`);
}

/** Throws naming the field unless 0 <= from <= to <= MAX_SLOT, integers. */
export function checkSlotRange(range: SlotRange): void {
  const { from, to } = range ?? ({} as SlotRange);
  if (![from, to].every((v) => Number.isInteger(v) && v >= 0 && v <= MAX_SLOT) || from > to) {
    throw new Error(
      `slot range ${JSON.stringify(range)} is not valid: from and to must be integers 0 <= from <= to <= ${MAX_SLOT}`,
    );
  }
}

/** [from, to] cut into consecutive ranges of at most `chunkSlots` slots. */
export function slotChunks(range: SlotRange, chunkSlots: number): SlotRange[] {
  checkSlotRange(range);
  if (!Number.isInteger(chunkSlots) || chunkSlots < 1 || chunkSlots > MAX_SLOT + 1) {
    throw new Error(`chunkSlots ${JSON.stringify(chunkSlots)} is not valid: use an integer from 1 to ${MAX_SLOT + 1}`);
  }
  const out: SlotRange[] = [];
  for (let from = range.from; from <= range.to; from += chunkSlots) {
    out.push({ from, to: Math.min(from + chunkSlots - 1, range.to) });
  }
  return out;
}
