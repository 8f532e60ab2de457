/**
 * CONTRACT: the backup bucket's layout, written by the host jobs (infra/backup/host/gamedb-backup.sh and
 * gamedb-binlog-ship.sh) and the program's policies and lifecycle rules (infra/backup), read by the restore planner
 * (scripts/lib/restore) and the restore verification (scripts/apps/restore-verify): the prefixes, the dump manifest
 * `full/shard<N>/<ts>/gamedb-manifest.json` and the binlog sidecar `binlog/shard<N>/<server_uuid>/<file>.json`.
 * The shell writers cannot import it: tests parse what they write with these schemas.
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
