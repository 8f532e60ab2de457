/**
 * A fake backup bucket for one shard (the layout the backup jobs write), and an s3rver to serve it.
 *
 * Shard 1's story (group uuid G, all times 2026-11-19/20 UTC):
 *   dumps   20261119T020000Z (G:1-100, finished 11-19 02:10), 20261120T020000Z (G:1-1000, finished 11-20 02:12),
 *           20261120T120000Z: manifest but no @.done.json (incomplete); the two 11-20 manifests have table counts
 *           (SHARD1_TABLES) and name the shard "shard1" as gamedb-backup.sh does, the 11-19 one neither
 *   member A binlog.000010 G:91-600 (11-19 01:00..23:59), .000011 G:601-1200 (00:00..08:00),
 *           .000012 G:1201-1800 (08:00:01..12:59:59), .000013 G:1801-1850 (13:00..13:10, then A fails)
 *   member B (was down, back at 12:30) binlog.000003 G:1701-1900 (12:30..14:00, primary from 13:10),
 *           .000004 G:1901-2100 (14:00..14:59), .000005 G:2101-2200 (15:00..15:30), .000006 (no sidecar yet)
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

export const GROUP = "aaaaaaaa-bbbb-cccc-dddd-000000000001";
export const MEMBER_A = "11111111-2222-3333-4444-00000000000a";
export const MEMBER_B = "11111111-2222-3333-4444-00000000000b";

export interface FixtureObject {
  key: string;
  body: string;
}

const g = (range: string): string => `${GROUP}:${range}`;

export interface DumpFixture {
  shard: number;
  ts: string;
  gtid: string;
  startedAt: string;
  finishedAt: string;
  /** MySQL Shell wrote @.done.json. */
  done: boolean;
  /** The manifest's table counts (older manifests have none). */
  tables?: Record<string, number>;
  /** The manifest's `shard` as gamedb-backup.sh writes it ("shard<N>"), instead of the number. */
  shardKey?: boolean;
  /** No gamedb-manifest.json. */
  noManifest?: boolean;
  /**
   * The schemas MySQL Shell's @.json lists. @default the manifest's schemas (or gamedb) and the AdminAPI metadata
   * schema, which util.dumpInstance of a cluster member keeps (mysql-shell 8.4.3 modules/util/common/dump/constants.h)
   */
  schemas?: string[];
}

/** One dump folder `full/shard<N>/<ts>/`: MySQL Shell's files, @.done.json when done, and gamedb's manifest. */
export function dumpObjects(d: DumpFixture): FixtureObject[] {
  const prefix = `full/shard${d.shard}/${d.ts}/`;
  const manifest = {
    shard: d.shardKey ? `shard${d.shard}` : d.shard,
    clusterName: `shard${d.shard}`,
    source: { address: "10.0.0.5:3306", serverUuid: MEMBER_A },
    gtidExecuted: d.gtid,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt,
    bytes: 4096,
    ...(d.tables ? { tables: d.tables } : {}),
    tool: "mysqlsh 8.4.3",
  };
  return [
    {
      key: `${prefix}@.json`,
      // dumper, schemas and gtidExecuted as mysql-shell 8.4.3 modules/util/dump/dumper.cc writes them.
      body: JSON.stringify({
        dumper: "mysqlsh Ver 8.4.3",
        schemas: d.schemas ?? [...Object.keys(d.tables ?? { gamedb: 1 }), "mysql_innodb_cluster_metadata"],
        gtidExecuted: d.gtid,
      }),
    },
    { key: `${prefix}@.sql`, body: "-- fake\n" },
    { key: `${prefix}gamedb.json`, body: "{}" },
    { key: `${prefix}gamedb@players@@0.tsv.zst`, body: "fake rows" },
    ...(d.done ? [{ key: `${prefix}@.done.json`, body: "{}" }] : []),
    ...(d.noManifest ? [] : [{ key: `${prefix}gamedb-manifest.json`, body: JSON.stringify(manifest) }]),
  ];
}

/** Shard 1's table counts in its newer manifests (gamedb-backup.sh records them since the restore verification). */
export const SHARD1_TABLES = { gamedb: 3, gamedb_audit: 1 };

function dump(ts: string, gtid: string, startedAt: string, finishedAt: string, done: boolean): FixtureObject[] {
  // The oldest dump predates table counts and has a numeric shard; the newer ones are as gamedb-backup.sh writes now.
  const newer = ts >= "20261120";
  return dumpObjects({
    shard: 1,
    ts,
    gtid,
    startedAt,
    finishedAt,
    done,
    ...(newer ? { tables: SHARD1_TABLES, shardKey: true } : {}),
  });
}

export const sha256 = (body: string): string => createHash("sha256").update(body).digest("hex");

function binlog(
  member: string,
  file: string,
  prev: string,
  gtids: string,
  firstEventAt: string,
  lastEventAt: string,
): FixtureObject[] {
  const key = `binlog/shard1/${member}/${file}`;
  const body = `fake binlog ${member} ${file} ${gtids}`;
  const sidecar = {
    file,
    serverUuid: member,
    previousGtids: g(prev),
    gtids: g(gtids),
    firstEventAt,
    lastEventAt,
    sha256: sha256(body),
    bytes: body.length,
  };
  return [
    { key, body },
    { key: `${key}.json`, body: JSON.stringify(sidecar) },
  ];
}

/** Shard 1's bucket; `omit` leaves out objects whose key starts with one of these. */
export function shard1Objects(omit: string[] = []): FixtureObject[] {
  const day = "2026-11-20T";
  const objects = [
    ...dump("20261119T020000Z", g("1-100"), "2026-11-19T02:00:00Z", "2026-11-19T02:10:00Z", true),
    ...dump("20261120T020000Z", g("1-1000"), `${day}02:00:00Z`, `${day}02:12:00Z`, true),
    ...dump("20261120T120000Z", g("1-1500"), `${day}12:00:00Z`, `${day}12:15:00Z`, false),
    ...binlog(MEMBER_A, "binlog.000010", "1-90", "91-600", "2026-11-19T01:00:00Z", "2026-11-19T23:59:00Z"),
    ...binlog(MEMBER_A, "binlog.000011", "1-600", "601-1200", `${day}00:00:00Z`, `${day}08:00:00Z`),
    ...binlog(MEMBER_A, "binlog.000012", "1-1200", "1201-1800", `${day}08:00:01Z`, `${day}12:59:59Z`),
    ...binlog(MEMBER_A, "binlog.000013", "1-1800", "1801-1850", `${day}13:00:00Z`, `${day}13:10:00Z`),
    ...binlog(MEMBER_B, "binlog.000003", "1-1700", "1701-1900", `${day}12:30:00Z`, `${day}14:00:00Z`),
    ...binlog(MEMBER_B, "binlog.000004", "1-1900", "1901-2100", `${day}14:00:00Z`, `${day}14:59:00Z`),
    ...binlog(MEMBER_B, "binlog.000005", "1-2100", "2101-2200", `${day}15:00:00Z`, `${day}15:30:00Z`),
    { key: `binlog/shard1/${MEMBER_B}/binlog.000006`, body: "still uploading" },
  ];
  return objects.filter((o) => !omit.some((prefix) => o.key.startsWith(prefix)));
}

export async function upload(client: S3Client, bucket: string, objects: FixtureObject[]): Promise<void> {
  for (const o of objects) await client.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body }));
}

export interface FakeS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/** s3rver on a free loopback port, silent, in a temporary directory, with these (empty) buckets. */
export async function startFakeS3(buckets: string[]): Promise<FakeS3> {
  const directory = mkdtempSync(join(tmpdir(), "gamedb-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
