/**
 * An archive's rows as JSON lines (the format infra/contracts/backupLayout.ts's archiveManifestSchema describes):
 * which columns, how each value is written, and one row's line. Pure.
 *
 * Values arrive from mysql2 with jsonStrings, supportBigNumbers, bigNumberStrings and dateStrings (export.ts), so
 * nothing was converted: BIGINT and DECIMAL as digit strings, dates as the server printed them, JSON as its text.
 * Binary columns arrive as Buffers and are written as base64. Anything else (a Date, a parsed JSON object) means the
 * connection converted a value, and the row is refused rather than archived altered.
 */
import type { ArchiveManifest } from "../../../infra/contracts/backupLayout";

export type ArchiveColumn = ArchiveManifest["columns"][number];

/** A column as information_schema.COLUMNS describes it. */
export interface ColumnInfo {
  name: string;
  /** DATA_TYPE, e.g. "bigint", "varbinary". */
  dataType: string;
  /** COLUMN_TYPE, e.g. "bigint(20) unsigned". */
  columnType: string;
}

/** Types mysql2 returns as Buffers (binary character set): written as base64. */
const BINARY_TYPES = new Set(["binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit"]);
/** Types mysql2 parses into objects (geometry) or arrays (vector): not archived as they come. */
const UNSUPPORTED_TYPES = new Set([
  "geometry",
  "point",
  "linestring",
  "polygon",
  "multipoint",
  "multilinestring",
  "multipolygon",
  "geometrycollection",
  "geomcollection",
  "vector",
]);

/** The manifest's columns, in table order; throws naming a column whose type the format cannot hold. */
export function archiveColumns(table: string, columns: readonly ColumnInfo[]): ArchiveColumn[] {
  return columns.map((c) => {
    const dataType = c.dataType.toLowerCase();
    if (UNSUPPORTED_TYPES.has(dataType)) {
      throw new Error(
        `table ${table}: column ${c.name} is ${c.columnType}, which mysql2 converts to an object; the archive ` +
          `holds text, numbers and bytes only`,
      );
    }
    return { name: c.name, type: c.columnType, encoding: BINARY_TYPES.has(dataType) ? "base64" : "json" };
  });
}

function value(column: ArchiveColumn, v: unknown): string | number | null {
  if (v === null) return null;
  if (column.encoding === "base64") {
    if (Buffer.isBuffer(v)) return v.toString("base64");
  } else if (typeof v === "string" || (typeof v === "number" && Number.isFinite(v))) {
    return v;
  }
  const got = Buffer.isBuffer(v) ? "bytes" : v instanceof Date ? "a Date" : typeof v;
  throw new Error(
    `column ${column.name} (${column.type}) came back as ${got}: the connection converts values; create it with ` +
      `ARCHIVE_CONNECTION_OPTIONS (scripts/lib/partitions/export.ts)`,
  );
}

/**
 * One row as a JSON line (ending in "\n"), keys in column order. Written out member by member: JSON.stringify of an
 * object would put integer-like column names ("2024") first.
 */
export function encodeRow(columns: readonly ArchiveColumn[], row: Record<string, unknown>): string {
  const members = columns.map((c) => {
    if (!(c.name in row)) throw new Error(`column ${c.name} is missing from a row`);
    return `${JSON.stringify(c.name)}:${JSON.stringify(value(c, row[c.name]))}`;
  });
  return `{${members.join(",")}}\n`;
}

/** A line back into a row (for readers and tests): base64 columns become Buffers again. */
export function decodeRow(columns: readonly ArchiveColumn[], line: string): Record<string, unknown> {
  const parsed = JSON.parse(line) as Record<string, string | number | null>;
  const row: Record<string, unknown> = {};
  for (const c of columns) {
    const v = parsed[c.name];
    row[c.name] = c.encoding === "base64" && typeof v === "string" ? Buffer.from(v, "base64") : (v ?? null);
  }
  return row;
}
