/**
 * Archives one daily partition to the backup bucket and proves the archive before anyone may drop the partition:
 * export (export.ts) in gzip JSON-lines parts under `archive/shard<N>/<table>/<YYYY-MM-DD>/`, the manifest last,
 * then every part read back (bucket.ts verifyArchive) and the manifest's row count compared with the partition's
 * COUNT(*). Nothing here drops anything: a resolved ArchiveOutcome is the caller's licence to.
 *
 * Rerun after a crash between upload and drop: the manifest is there, so the partition is read again only to be
 * hashed; when its rows and checksum equal the manifest's, the existing archive is verified as above. A manifest that
 * is invalid or disagrees with the partition is an ArchiveError and stays as it is: an operator decides. Parts
 * without a manifest (an upload that broke off) are simply written again.
 */
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Connection } from "mysql2/promise";
import {
  type ArchiveManifest,
  archiveKey,
  archiveManifestKey,
  archiveManifestSchema,
  archivePrefix,
} from "../../../infra/contracts/backupLayout";
import { type ArchiveBucket, ArchiveError, putObject, readManifest, verifyArchive } from "./bucket";
import { type ExportSource, exportPartition } from "./export";
import { countRows } from "./inspect";
import type { DailyPartition } from "./plan";

const gzipAsync = promisify(gzip);

/** Parts of about 32 MiB of JSON lines: two of them (one read, one compressed and uploaded) bound the memory used. */
export const DEFAULT_PART_BYTES = 32 * 1024 * 1024;
/** The exporting session's time zone: TIMESTAMP columns are printed in it (DATETIME has none). */
export const ARCHIVE_TIME_ZONE = "+00:00";

export interface ArchiveRequest {
  /** A connection with ARCHIVE_CONNECTION_OPTIONS whose session time_zone is ARCHIVE_TIME_ZONE. */
  conn: Connection;
  shard: number;
  source: ExportSource;
  partition: DailyPartition;
  s3: ArchiveBucket;
  partBytes?: number;
  now?: () => Date;
}

export interface ArchiveOutcome {
  partition: string;
  date: string;
  rows: number;
  /** The parts' keys, then the manifest's. */
  keys: string[];
  manifestKey: string;
  /** The archive was already there (a rerun) and was verified, not written. */
  reused: boolean;
  /** Keys in the archive's folder that the manifest does not list. */
  strays: string[];
  /** Reading (and writing) the partition, and reading the archive back. */
  exportMs: number;
  verifyMs: number;
}

function sameList(a: readonly unknown[], b: readonly unknown[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Why an existing manifest is not this partition's archive, or undefined when it names the same thing. */
function mismatch(m: ArchiveManifest, r: ArchiveRequest): string | undefined {
  const s = r.source;
  const wrong = [
    m.shard !== r.shard && `shard ${m.shard}`,
    m.schema !== s.schema && `schema ${m.schema}`,
    m.table !== s.table && `table ${m.table}`,
    m.partition !== r.partition.name && `partition ${m.partition}`,
    m.date !== r.partition.date && `date ${m.date}`,
    !sameList(m.columns, s.columns) && "other columns",
    !sameList(m.primaryKey, s.primaryKey) && "another primary key",
  ].filter((w): w is string => typeof w === "string");
  return wrong.length > 0 ? wrong.join(", ") : undefined;
}

async function writeArchive(r: ArchiveRequest, manifestKey: string): Promise<ArchiveManifest> {
  const { shard, source, partition, s3 } = r;
  const parts: ArchiveManifest["parts"] = [];
  const result = await exportPartition(r.conn, source, {
    partBytes: r.partBytes ?? DEFAULT_PART_BYTES,
    onPart: async (part) => {
      const key = archiveKey(shard, source.table, partition.date, part.index);
      const body = await gzipAsync(part.lines);
      await putObject(s3, key, body, "application/gzip");
      parts.push({ key, rows: part.rows, bytes: body.length, uncompressedBytes: part.lines.length });
    },
  });
  const manifest = archiveManifestSchema.parse({
    version: 1,
    shard,
    schema: source.schema,
    table: source.table,
    partition: partition.name,
    date: partition.date,
    rows: result.rows,
    sha256: result.sha256,
    parts,
    columns: [...source.columns],
    primaryKey: [...source.primaryKey],
    timeZone: ARCHIVE_TIME_ZONE,
    createdAt: (r.now ?? (() => new Date()))().toISOString(),
  } satisfies ArchiveManifest);
  await putObject(s3, manifestKey, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), "application/json");
  return manifest;
}

/** Writes (or finds) the partition's archive and verifies it; throws (an ArchiveError when the archive is wrong). */
export async function archivePartition(r: ArchiveRequest): Promise<ArchiveOutcome> {
  const { shard, source, partition, s3 } = r;
  const folder = archivePrefix(shard, source.table, partition.date);
  const manifestKey = archiveManifestKey(shard, source.table, partition.date);
  const started = Date.now();
  let manifest = await readManifest(s3, manifestKey);
  const reused = manifest !== undefined;
  if (manifest) {
    const other = mismatch(manifest, r);
    if (other)
      throw new ArchiveError(`s3://${s3.bucket}/${manifestKey} is for ${other}; left as it is, nothing dropped`);
    const now = await exportPartition(r.conn, source, { partBytes: Number.MAX_SAFE_INTEGER });
    if (now.rows !== manifest.rows || now.sha256 !== manifest.sha256)
      throw new ArchiveError(
        `s3://${s3.bucket}/${manifestKey} disagrees with partition ${partition.name}: the manifest has ` +
          `${manifest.rows} rows (sha256 ${manifest.sha256}), the partition ${now.rows} (sha256 ${now.sha256}); ` +
          `left as it is, nothing dropped`,
      );
  } else {
    manifest = await writeArchive(r, manifestKey);
  }
  const exported = Date.now();
  const strays = await verifyArchive(s3, manifest, folder);
  const count = await countRows(r.conn, source.schema, source.table, partition.name);
  if (count !== manifest.rows)
    throw new ArchiveError(
      `partition ${partition.name} has ${count} rows now, its archive ${manifest.rows}: rows arrived or went ` +
        `during the export; nothing dropped`,
    );
  return {
    partition: partition.name,
    date: partition.date,
    rows: manifest.rows,
    keys: [...manifest.parts.map((p) => p.key), manifestKey],
    manifestKey,
    reused,
    strays,
    exportMs: exported - started,
    verifyMs: Date.now() - exported,
  };
}
