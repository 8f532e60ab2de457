/**
 * CONTRACT: the backup bucket's layout, written by the host jobs (infra/backup/host/gamedb-backup.sh and
 * gamedb-binlog-ship.sh) and the program's policies and lifecycle rules (infra/backup), read by the restore planner
 * (scripts/lib/restore) and the restore verification (scripts/apps/restore-verify): the prefixes, the dump manifest
 * `full/shard<N>/<ts>/gamedb-manifest.json` and the binlog sidecar `binlog/shard<N>/<server_uuid>/<file>.json`.
 * The shell writers cannot import it: tests parse what they write with these schemas.
 * Also the partition archives `archive/shard<N>/<table>/<YYYY-MM-DD>/` (written by scripts/lib/partitions, read by
 * whoever restores old logs): gzip JSON-lines parts and the `manifest.json` that lists them.
 */
import { z } from "zod";
import { GtidParseError, parseGtidSet } from "./gtid";

const gtidText = z.string().refine(
  (s) => {
    try {
      parseGtidSet(s);
      return true;
    } catch (e) {
      if (e instanceof GtidParseError) return false;
      throw e;
    }
  },
  { message: "not a GTID set" },
);
const instant = z.iso.datetime({ offset: true });

/**
 * The shard number. gamedb-backup.sh writes the shard's key (`"shard3"`, its GAMEDB_SHARD); a number is accepted too.
 */
const shardNumber = z.union([
  z.int().nonnegative(),
  z
    .string()
    .regex(/^shard\d+$/, { message: 'not a shard key ("shard<N>")' })
    .transform((s) => Number(s.slice("shard".length))),
]);

export const dumpManifestSchema = z.object({
  shard: shardNumber,
  clusterName: z.string(),
  source: z.object({ address: z.string(), serverUuid: z.string() }),
  gtidExecuted: gtidText,
  startedAt: instant,
  finishedAt: instant,
  bytes: z.number().nonnegative(),
  tool: z.string(),
  /**
   * BASE TABLEs per user schema when the dump was taken (schemas with none are absent). Dumps from before this field
   * lack it: their restore is verified for load success only.
   */
  tables: z.record(z.string(), z.int().nonnegative()).optional(),
});
export type DumpManifest = z.infer<typeof dumpManifestSchema>;

export const binlogSidecarSchema = z.object({
  file: z.string().min(1),
  serverUuid: z.string().min(1),
  previousGtids: gtidText,
  gtids: gtidText,
  firstEventAt: instant,
  lastEventAt: instant,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().nonnegative(),
});
export type BinlogSidecar = z.infer<typeof binlogSidecarSchema>;

export const MANIFEST_NAME = "gamedb-manifest.json";
export const DONE_NAME = "@.done.json";

/** Where full dumps and shipped binlogs go; each shard's under `<prefix>shard<N>/`. */
export const FULL_PREFIX = "full/";
export const BINLOG_PREFIX = "binlog/";

export const fullPrefix = (shard: number): string => `${FULL_PREFIX}shard${shard}/`;
export const binlogPrefix = (shard: number): string => `${BINLOG_PREFIX}shard${shard}/`;

/** `full/shard<N>/<YYYYMMDDTHHMMSSZ>/rest` → the dump's timestamp folder and the rest of the key. */
export function splitDumpKey(shard: number, key: string): { ts: string; rest: string } | undefined {
  const m = /^(\d{8}T\d{6}Z)\/(.+)$/.exec(key.slice(fullPrefix(shard).length));
  if (!key.startsWith(fullPrefix(shard)) || !m) return undefined;
  return { ts: m[1] ?? "", rest: m[2] ?? "" };
}

/** `binlog/shard<N>/<server_uuid>/<file>` → its parts (the file name may end in .json: a sidecar). */
export function splitBinlogKey(shard: number, key: string): { serverUuid: string; file: string } | undefined {
  const m = /^([^/]+)\/([^/]+)$/.exec(key.slice(binlogPrefix(shard).length));
  if (!key.startsWith(binlogPrefix(shard)) || !m) return undefined;
  return { serverUuid: m[1] ?? "", file: m[2] ?? "" };
}

/** Where old partitions of time-partitioned tables go: `archive/shard<N>/<table>/<YYYY-MM-DD>/`. */
export const ARCHIVE_PREFIX = "archive/";
export const ARCHIVE_MANIFEST_NAME = "manifest.json";

/** A table name as it may appear in an archive key: an unquoted MySQL identifier (no "/", no dots). */
const archiveTable = /^[A-Za-z0-9_$]{1,64}$/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;

/** `archive/shard<N>/<table>/<YYYY-MM-DD>/`; throws on a table or date that would make another folder. */
export function archivePrefix(shard: number, table: string, date: string): string {
  if (!Number.isInteger(shard) || shard < 0) throw new Error(`archive shard ${shard}: not a shard number`);
  if (!archiveTable.test(table)) throw new Error(`archive table "${table}": not an identifier of [A-Za-z0-9_$]`);
  if (!isoDate.test(date)) throw new Error(`archive date "${date}": not YYYY-MM-DD`);
  return `${ARCHIVE_PREFIX}shard${shard}/${table}/${date}/`;
}

/** The n-th (from 1) gzip JSON-lines part of an archive: `<prefix>part-00001.jsonl.gz`. */
export function archiveKey(shard: number, table: string, date: string, part: number): string {
  if (!Number.isInteger(part) || part < 1) throw new Error(`archive part ${part}: parts are numbered from 1`);
  return `${archivePrefix(shard, table, date)}part-${String(part).padStart(5, "0")}.jsonl.gz`;
}

export function archiveManifestKey(shard: number, table: string, date: string): string {
  return `${archivePrefix(shard, table, date)}${ARCHIVE_MANIFEST_NAME}`;
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * An archived partition's `manifest.json`, written last (after every part): an archive without one is incomplete.
 * Each part is gzip-compressed JSON lines, one object per row with the columns' names as keys in `columns` order;
 * `sha256` is over the uncompressed lines of all parts in order (each line ends in "\n"). Values are as the server
 * printed them: strings for BIGINT, DECIMAL, dates and times (TIMESTAMP in `timeZone`) and JSON (its text), numbers
 * for the other integer and floating types, null for NULL, and base64 text for binary columns (`encoding`).
 */
export const archiveManifestSchema = z
  .object({
    version: z.literal(1),
    shard: z.int().nonnegative(),
    schema: z.string().min(1),
    table: z.string().regex(archiveTable),
    partition: z.string().min(1),
    date: z.string().regex(isoDate),
    rows: z.int().nonnegative(),
    sha256: sha256Hex,
    parts: z.array(
      z.object({
        key: z.string().min(1),
        rows: z.int().nonnegative(),
        /** The object's size (compressed). */
        bytes: z.int().nonnegative(),
        uncompressedBytes: z.int().nonnegative(),
      }),
    ),
    columns: z
      .array(z.object({ name: z.string().min(1), type: z.string().min(1), encoding: z.enum(["json", "base64"]) }))
      .min(1),
    primaryKey: z.array(z.string().min(1)).min(1),
    timeZone: z.string().min(1),
    createdAt: instant,
  })
  .refine((m) => m.parts.reduce((n, p) => n + p.rows, 0) === m.rows, {
    message: "rows is not the sum of the parts' rows",
    path: ["rows"],
  })
  // The folder spelled out, not archivePrefix(): that throws, and a refinement must answer.
  .refine((m) => m.parts.every((p) => p.key.startsWith(`${ARCHIVE_PREFIX}shard${m.shard}/${m.table}/${m.date}/`)), {
    message: "a part lies outside the archive's folder",
    path: ["parts"],
  });
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;
