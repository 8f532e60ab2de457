/**
 * Streams one partition's rows out of a shard in primary-key order as JSON lines (jsonLines.ts), hashing them and
 * cutting them into parts of about `partBytes` (uncompressed) for the caller to store. One part is handed over while
 * the next is read (at most one in flight), so reading and uploading overlap without holding the whole partition.
 */
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import type { Connection } from "mysql2/promise";
import { type ArchiveColumn, encodeRow } from "./jsonLines";

/**
 * What a shard connection used for archiving must be created with: mysql2 then converts nothing (BIGINT and DECIMAL
 * stay digit strings, dates and times stay the server's text, JSON stays its text). jsonStrings and decimalNumbers
 * are read from the connection's config only (mysql2 3.x lib/parsers/text_parser.js), so they cannot be set per
 * query; the others are also passed with the query.
 */
export const ARCHIVE_CONNECTION_OPTIONS = {
  jsonStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  decimalNumbers: false,
} as const;

/** Throws, naming each option, when the connection would convert values. */
export function checkConnectionOptions(conn: Connection): void {
  const config = conn.config as Record<string, unknown>;
  const wrong = Object.entries(ARCHIVE_CONNECTION_OPTIONS)
    .filter(([k, v]) => (v ? config[k] !== true : Boolean(config[k])))
    .map(([k, v]) => `${k}: ${v}`);
  if (typeof config.typeCast === "function") wrong.push("no typeCast function");
  if (wrong.length > 0) {
    throw new Error(
      `the shard connection converts values; create it with ${wrong.join(", ")} (ARCHIVE_CONNECTION_OPTIONS in ` +
        `scripts/lib/partitions/export.ts)`,
    );
  }
}

export const quoteId = (id: string): string => `\`${id.replace(/`/g, "``")}\``;

export interface ExportSource {
  schema: string;
  table: string;
  partition: string;
  columns: readonly ArchiveColumn[];
  primaryKey: readonly string[];
}

/** One part's uncompressed JSON lines; parts are numbered from 1. */
export interface PartBody {
  index: number;
  rows: number;
  lines: Buffer;
}

export interface ExportResult {
  rows: number;
  /** sha256 (hex) of every line of every part, in order. */
  sha256: string;
  /** Uncompressed bytes. */
  bytes: number;
  parts: number;
}

export function selectSql(s: ExportSource): string {
  const columns = s.columns.map((c) => quoteId(c.name)).join(", ");
  return (
    `SELECT ${columns} FROM ${quoteId(s.schema)}.${quoteId(s.table)} PARTITION (${quoteId(s.partition)}) ` +
    `ORDER BY ${s.primaryKey.map(quoteId).join(", ")}`
  );
}

/** mysql2 streams only on its callback API: the promise wrapper keeps that connection as `.connection`. */
function rowStream(conn: Connection, sql: string): Readable {
  const core = (conn as unknown as { connection?: { query?: unknown } }).connection;
  if (!core || typeof core.query !== "function") throw new Error("not a mysql2/promise connection: cannot stream");
  const { supportBigNumbers, bigNumberStrings, dateStrings } = ARCHIVE_CONNECTION_OPTIONS;
  const perQuery = { sql, supportBigNumbers, bigNumberStrings, dateStrings };
  const query = (core.query as (o: object) => { stream(o?: object): Readable }).call(core, perQuery);
  // A larger buffer than the default 16 rows: the connection is paused and resumed less often.
  return query.stream({ highWaterMark: 2048 });
}

/**
 * Reads the partition; hands each part to `onPart` (awaited before the next part is handed over) or, without it,
 * only counts and hashes. An error of onPart stops the reading and is thrown. The connection is left busy draining the
 * rest of the result when this throws mid-stream: end it (or destroy it) then.
 */
export async function exportPartition(
  conn: Connection,
  source: ExportSource,
  options: { partBytes: number; onPart?: (part: PartBody) => Promise<void> },
): Promise<ExportResult> {
  const { onPart, partBytes } = options;
  const hash = createHash("sha256");
  let rows = 0;
  let bytes = 0;
  let parts = 0;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let bufferedRows = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;

  const ship = async (): Promise<void> => {
    if (!onPart) return;
    const part: PartBody = { index: ++parts, rows: bufferedRows, lines: Buffer.concat(buffered, bufferedBytes) };
    buffered = [];
    bufferedBytes = 0;
    bufferedRows = 0;
    await inFlight;
    if (failure) throw failure.error;
    inFlight = onPart(part).catch((error: unknown) => {
      failure = { error };
    });
  };

  const stream = rowStream(conn, selectSql(source));
  try {
    for await (const row of stream as AsyncIterable<Record<string, unknown>>) {
      if (failure) throw failure.error;
      const line = Buffer.from(encodeRow(source.columns, row), "utf8");
      hash.update(line);
      rows++;
      bytes += line.length;
      if (!onPart) continue;
      buffered.push(line);
      bufferedBytes += line.length;
      bufferedRows++;
      if (bufferedBytes >= partBytes) await ship();
    }
    if (bufferedRows > 0) await ship();
    await inFlight;
    if (failure) throw failure.error;
  } finally {
    if (!stream.destroyed) stream.destroy();
    // An upload still running when reading failed settles before the error goes up (its own error is recorded).
    await inFlight;
  }
  return { rows, sha256: hash.digest("hex"), bytes, parts };
}
