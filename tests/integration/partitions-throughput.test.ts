/**
 * Export throughput of the partition archive on ~200k rows: one day's partition of game_logs on a MariaDB 10.11
 * stand-in, archived to s3rver in 8 MiB parts, verified and dropped by runPartitionMaintenance. Prints rows/s for
 * reading alone (hash only), for the archive (read, gzip, upload) and for the read-back verification. Loopback and
 * a shared 2-core machine: the figures are a floor for a real shard and S3, not a promise.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type * as mysql from "mysql2/promise";
import { ARCHIVE_CONNECTION_OPTIONS, exportPartition } from "../../scripts/lib/partitions/export";
import { readManifest } from "../../scripts/lib/partitions/bucket";
import { archiveColumns } from "../../scripts/lib/partitions/jsonLines";
import { readTable } from "../../scripts/lib/partitions/inspect";
import { runPartitionMaintenance } from "../../scripts/lib/partitions/maintenance";
import { type MariaDbFleet, type MariaDbServer, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";
import { type FakeS3, startFakeS3 } from "../helpers/backupFixtures";

const ROWS = 200_000;
const BUCKET = "gamedb-backups";

let fleet: MariaDbFleet;
let server: MariaDbServer;
let s3: FakeS3;

beforeAll(async () => {
  [fleet, s3] = await Promise.all([startMariaDbFleet(1), startFakeS3([BUCKET])]);
  server = fleet.servers[0] as MariaDbServer;
  const root = await server.connect();
  await root.query("CREATE DATABASE game");
  await root.query(
    "CREATE TABLE game.game_logs (log_id BIGINT UNSIGNED NOT NULL, player_id BIGINT UNSIGNED NOT NULL, " +
      "logged_at DATETIME(3) NOT NULL, kind VARCHAR(32) NOT NULL, payload JSON NULL, amount DECIMAL(20,6) NULL, " +
      "PRIMARY KEY (log_id, logged_at), KEY (player_id)) ENGINE=InnoDB PARTITION BY RANGE (TO_DAYS(logged_at)) (" +
      "PARTITION p20260210 VALUES LESS THAN (TO_DAYS('2026-02-11')), " +
      "PARTITION p20260211 VALUES LESS THAN (TO_DAYS('2026-02-12')))",
  );
  // MariaDB's SEQUENCE engine (seq_1_to_N) makes the rows server-side: ids above 2^53, one every 400 ms of the day.
  await root.query(
    `INSERT INTO game.game_logs SELECT seq + 9007199254740993, seq % 50000, ` +
      `TIMESTAMP('2026-02-10') + INTERVAL seq * 400000 MICROSECOND, ` +
      `ELT(1 + seq % 4, 'login', 'match_end', 'purchase', 'chat'), ` +
      `JSON_OBJECT('seq', seq, 'score', seq * 7 % 1000, 'items', JSON_ARRAY(seq % 13, seq % 17), 'map', 'desert'), ` +
      `(seq % 100000) / 1000 FROM game.seq_1_to_${ROWS}`,
  );
  await root.end();
}, 300_000);

afterAll(async () => {
  await Promise.all([fleet?.stopAll(), s3?.stop()]);
});

const rate = (rows: number, ms: number): number => Math.round(rows / (ms / 1000));

it(`archives a ${ROWS}-row partition and reports the export throughput`, async () => {
  const connect = (): Promise<mysql.Connection> => server.connect({ ...ARCHIVE_CONNECTION_OPTIONS, database: "game" });
  const conn = await connect();
  const info = await readTable(conn, "game", "game_logs");
  const source = {
    schema: "game",
    table: "game_logs",
    partition: "p20260210",
    columns: archiveColumns("game_logs", info?.columns ?? []),
    primaryKey: info?.primaryKey ?? [],
  };
  let started = Date.now();
  const read = await exportPartition(conn, source, { partBytes: Number.MAX_SAFE_INTEGER });
  const readMs = Date.now() - started;
  await conn.end();
  expect(read.rows).toBe(ROWS);

  const client = new S3Client({
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  started = Date.now();
  const report = await runPartitionMaintenance({
    shards: [{ id: 1, connect }],
    tables: [{ table: "game_logs", column: "logged_at", aheadDays: 1, keepDays: 30 }],
    today: "2026-03-13", // 2026-02-10 is past keepDays, 2026-02-11 is not
    s3: { client, bucket: BUCKET },
    log: () => undefined,
    partBytes: 8 * 1024 * 1024,
  });
  const totalMs = Date.now() - started;
  const t = report.shards[0]?.tables[0];
  expect(t?.errors).toEqual([]);
  expect(t?.dropped).toEqual(["p20260210"]);
  const archived = t?.archived[0];
  expect(archived?.rows).toBe(ROWS);
  const parts = (archived?.keys.length ?? 1) - 1;
  expect(parts).toBeGreaterThan(1);
  const manifest = await readManifest({ client, bucket: BUCKET }, archived?.keys[parts] ?? "");
  expect(manifest?.sha256).toBe(read.sha256);
  const stored = manifest?.parts.reduce((n, p) => n + p.bytes, 0) ?? 0;
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const figures = [
    `rows: ${ROWS}, JSON lines: ${mib(read.bytes)}, gzip: ${mib(stored)} in ${parts} part(s)`,
    `read + encode + hash only: ${readMs} ms, ${rate(ROWS, readMs)} rows/s`,
    `archive (read, gzip, upload): ${archived?.exportMs} ms, ${rate(ROWS, archived?.exportMs ?? 1)} rows/s`,
    `verify (download, gunzip, hash, COUNT): ${archived?.verifyMs} ms, ${rate(ROWS, archived?.verifyMs ?? 1)} rows/s`,
    `whole run (plan, create, archive, verify, drop): ${totalMs} ms`,
  ];
  process.stdout.write(`\npartition archive throughput (MariaDB 10.11 stand-in, s3rver):\n  ${figures.join("\n  ")}\n`);
}, 300_000);
