/**
 * The partition job (scripts/lib/partitions) for real: a MariaDB 10.11 stand-in for one shard's primary, with
 * `game_logs` partitioned by day over past days, and s3rver as the backup bucket. Partitions are created ahead (names
 * and bounds read back from information_schema.PARTITIONS, bounds computed by the server's TO_DAYS), old ones are
 * archived (objects, manifest, rows read back equal to the originals), verified and dropped; a rerun changes nothing;
 * an upload that fails, or an archive that does not verify or disagrees, drops nothing and is reported; a crash
 * between upload and drop is finished by the next run. MySQL 8.4's DDL forms are in tests/unit/partitions-plan.test.ts.
 */
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type * as mysql from "mysql2/promise";
import { archiveManifestSchema, type ArchiveManifest } from "../../infra/contracts/backupLayout";
import { ARCHIVE_CONNECTION_OPTIONS } from "../../scripts/lib/partitions/export";
import { decodeRow } from "../../scripts/lib/partitions/jsonLines";
import { type MaintenanceReport, failures, runPartitionMaintenance } from "../../scripts/lib/partitions/maintenance";
import { type MariaDbFleet, type MariaDbServer, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";
import { type FakeS3, startFakeS3 } from "../helpers/backupFixtures";

const BUCKET = "gamedb-backups";
const TODAY = "2026-03-15";
const DAY = 86_400_000;

let fleet: MariaDbFleet;
let server: MariaDbServer;
let s3: FakeS3;
let root: mysql.Connection;
const logs: string[] = [];

const addDays = (date: string, n: number): string => new Date(Date.parse(date) + n * DAY).toISOString().slice(0, 10);
const pname = (date: string): string => `p${date.replace(/-/g, "")}`;
const daysFrom = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};

function client(endpoint: string, maxAttempts = 3): S3Client {
  return new S3Client({
    region: "us-east-1",
    endpoint,
    forcePathStyle: true,
    maxAttempts,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
}

const connect = (): Promise<mysql.Connection> => server.connect({ ...ARCHIVE_CONNECTION_OPTIONS, database: "game" });
const shard = { id: 1, connect };

function run(tables: unknown[], s3Client: S3Client, bucket = BUCKET, extra = {}): Promise<MaintenanceReport> {
  return runPartitionMaintenance({
    shards: [shard],
    tables,
    today: TODAY,
    s3: { client: s3Client, bucket },
    log: (l) => logs.push(l),
    ...extra,
  });
}

/** A game_logs-shaped table partitioned by day over `days` (optionally with a MAXVALUE partition). */
async function createTable(name: string, days: string[], maxvalue = false): Promise<void> {
  const parts = days.map((d) => `PARTITION ${pname(d)} VALUES LESS THAN (TO_DAYS('${addDays(d, 1)}'))`);
  if (maxvalue) parts.push("PARTITION pmax VALUES LESS THAN MAXVALUE");
  await root.query(
    `CREATE TABLE game.${name} (log_id BIGINT UNSIGNED NOT NULL, player_id BIGINT UNSIGNED NOT NULL, ` +
      "logged_at DATETIME(3) NOT NULL, kind VARCHAR(32) CHARACTER SET utf8mb4 NOT NULL, payload JSON NULL, " +
      "amount DECIMAL(20,6) NULL, score DOUBLE NULL, raw VARBINARY(16) NULL, PRIMARY KEY (log_id, logged_at), " +
      `KEY (player_id)) ENGINE=InnoDB PARTITION BY RANGE (TO_DAYS(logged_at)) (${parts.join(", ")})`,
  );
}

async function insertLog(table: string, logId: string, at: string, payload: string | null = '{"n": 1}') {
  await root.query(
    `INSERT INTO game.${table} (log_id, player_id, logged_at, kind, payload, amount, score, raw) ` +
      "VALUES (?, ?, ?, 'login', ?, '1.500000', 0.25, NULL)",
    [logId, "42", at, payload],
  );
}

async function partitionsOf(table: string): Promise<{ name: string; description: string }[]> {
  const [rows] = await root.query<mysql.RowDataPacket[]>(
    "SELECT PARTITION_NAME AS name, PARTITION_DESCRIPTION AS description FROM information_schema.PARTITIONS " +
      "WHERE TABLE_SCHEMA = 'game' AND TABLE_NAME = ? ORDER BY PARTITION_ORDINAL_POSITION",
    [table],
  );
  return rows.map((r) => ({ name: String(r.name), description: String(r.description) }));
}

/** The daily partitions `days` should have, with bounds the server computes: TO_DAYS of the next day. */
async function expectedPartitions(days: string[]): Promise<{ name: string; description: string }[]> {
  const out = [];
  for (const d of days) {
    const [[r]] = await root.query<mysql.RowDataPacket[]>("SELECT TO_DAYS(?) AS n", [addDays(d, 1)]);
    out.push({ name: pname(d), description: String(r?.n) });
  }
  return out;
}

async function rowsOf(table: string, partition?: string): Promise<mysql.RowDataPacket[]> {
  const conn = await connect();
  try {
    const from = partition ? `game.${table} PARTITION (${partition})` : `game.${table}`;
    const [rows] = await conn.query<mysql.RowDataPacket[]>(`SELECT * FROM ${from} ORDER BY log_id, logged_at`);
    return rows;
  } finally {
    await conn.end();
  }
}

async function objects(c: S3Client, prefix: string): Promise<Map<string, string>> {
  const page = await c.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return new Map((page.Contents ?? []).map((o) => [o.Key ?? "", o.ETag ?? ""]));
}

async function body(c: S3Client, key: string): Promise<Buffer> {
  const res = await c.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await (res.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
}

async function manifestAt(c: S3Client, key: string): Promise<ArchiveManifest> {
  return archiveManifestSchema.parse(JSON.parse((await body(c, key)).toString("utf8")));
}

/** An archive's rows, read back from its parts as a reader would. */
async function archivedRows(c: S3Client, m: ArchiveManifest): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const part of m.parts) {
    const lines = gunzipSync(await body(c, part.key))
      .toString("utf8")
      .split("\n");
    expect(lines.pop()).toBe("");
    rows.push(...lines.map((l) => decodeRow(m.columns, l)));
  }
  return rows;
}

const table = (report: MaintenanceReport, name: string) => report.shards[0]?.tables.find((t) => t.table === name);

let s3c: S3Client;

beforeAll(async () => {
  [fleet, s3] = await Promise.all([startMariaDbFleet(2), startFakeS3([BUCKET])]);
  server = fleet.servers[0] as MariaDbServer;
  root = await server.connect();
  await root.query("CREATE DATABASE game");
  s3c = client(s3.endpoint);
}, 120_000);

afterAll(async () => {
  await root?.end();
  await Promise.all([fleet?.stopAll(), s3?.stop()]);
});

describe("partition maintenance on a MariaDB stand-in shard and s3rver", () => {
  const logsDays = daysFrom(addDays(TODAY, -35), addDays(TODAY, 1)); // 02-08 .. 03-16
  const eventDays = daysFrom(addDays(TODAY, -5), TODAY); // 03-10 .. 03-15, then pmax
  let originals: Map<string, mysql.RowDataPacket[]>;
  let kept: mysql.RowDataPacket[];
  let first: MaintenanceReport;

  beforeAll(async () => {
    await createTable("game_logs", logsDays);
    await createTable("game_events", eventDays, true);
    // 02-08: one row; 02-09: none; 02-10: the awkward values; 02-11 and 02-12: a few; kept days: a few.
    await insertLog("game_logs", "7", "2026-02-08 00:00:00.000");
    await root.query(
      "INSERT INTO game.game_logs VALUES " +
        "(18446744073709551615, 18446744073709551614, '2026-02-10 23:59:59.999', 'grant😀', " +
        `'{"items": [1, 2.5, "é"], "big": 12345678901234567890, "nested": {"ok": true, "none": null}}', ` +
        "'99999999999999.999999', 1.0000000000000002, X'00FF10'), " +
        "(9007199254740993, 9007199254740993, '2026-02-10 00:00:00.001', 'spend', NULL, NULL, NULL, X''), " +
        "(2, 3, '2026-02-10 12:00:00.500', 'quote\"s\\\\', '[]', '-0.000001', -1.5e300, NULL)",
    );
    for (const [i, at] of ["2026-02-11 01:00:00.000", "2026-02-11 02:00:00.000", "2026-02-12 23:00:00.000"].entries())
      await insertLog("game_logs", String(100 + i), at);
    for (const [i, at] of ["2026-02-13 00:00:00.000", "2026-03-15 08:00:00.000"].entries())
      await insertLog("game_logs", String(200 + i), at);
    await insertLog("game_events", "1", "2026-03-20 10:00:00.000"); // in pmax until REORGANIZE gives it a day
    originals = new Map();
    for (const d of daysFrom("2026-02-08", "2026-02-12")) originals.set(d, await rowsOf("game_logs", pname(d)));
    kept = await rowsOf("game_logs", "p20260213");
    first = await run(
      [
        { table: "game_logs", column: "logged_at" },
        { table: "game_events", column: "logged_at", aheadDays: 3 },
      ],
      s3c,
    );
  });

  it("creates the partitions ahead: ADD without MAXVALUE, REORGANIZE of pmax with it, exact names and bounds", async () => {
    expect(failures(first)).toEqual([]);
    expect(first.ok).toBe(true);
    const ahead = daysFrom(addDays(TODAY, 2), addDays(TODAY, 7));
    expect(table(first, "game_logs")?.created).toEqual(ahead.map(pname));
    expect(await partitionsOf("game_logs")).toEqual(
      await expectedPartitions(daysFrom(addDays(TODAY, -30), addDays(TODAY, 7))),
    );
    expect(table(first, "game_events")?.created).toEqual(daysFrom("2026-03-16", "2026-03-18").map(pname));
    expect(await partitionsOf("game_events")).toEqual([
      ...(await expectedPartitions(daysFrom("2026-03-10", "2026-03-18"))),
      { name: "pmax", description: "MAXVALUE" },
    ]);
    expect(table(first, "game_events")?.archived).toEqual([]);
    const [[moved]] = await root.query<mysql.RowDataPacket[]>(
      "SELECT COUNT(*) AS n FROM game.game_events PARTITION (pmax)",
    );
    expect(Number(moved?.n)).toBe(1); // 03-20 is past the new days: still in pmax
  });

  it("archives every partition older than today - keepDays, oldest first, then drops it", async () => {
    const old = daysFrom("2026-02-08", "2026-02-12");
    const t = table(first, "game_logs");
    expect(t?.archived.map((a) => [a.partition, a.date, a.rows, a.reused])).toEqual(
      old.map((d) => [pname(d), d, originals.get(d)?.length, false]),
    );
    expect(t?.dropped).toEqual(old.map(pname));
    expect(t?.archived[2]?.keys).toEqual([
      "archive/shard1/game_logs/2026-02-10/part-00001.jsonl.gz",
      "archive/shard1/game_logs/2026-02-10/manifest.json",
    ]);
    expect([...(await objects(s3c, "archive/")).keys()].sort()).toEqual(
      old.flatMap((d) => {
        const folder = `archive/shard1/game_logs/${d}/`;
        return d === "2026-02-09"
          ? [`${folder}manifest.json`]
          : [`${folder}manifest.json`, `${folder}part-00001.jsonl.gz`];
      }),
    );
    expect(await rowsOf("game_logs", "p20260213")).toEqual(kept);
    expect(logs.some((l) => l.includes("dropped p20260210"))).toBe(true);
  });

  it("writes a manifest that names the partition, its rows, checksum, parts and columns", async () => {
    const m = await manifestAt(s3c, "archive/shard1/game_logs/2026-02-10/manifest.json");
    const part = await body(s3c, "archive/shard1/game_logs/2026-02-10/part-00001.jsonl.gz");
    const lines = gunzipSync(part);
    expect(m).toMatchObject({
      version: 1,
      shard: 1,
      schema: "game",
      table: "game_logs",
      partition: "p20260210",
      date: "2026-02-10",
      rows: 3,
      sha256: createHash("sha256").update(lines).digest("hex"),
      parts: [{ key: "archive/shard1/game_logs/2026-02-10/part-00001.jsonl.gz", rows: 3, bytes: part.length }],
      primaryKey: ["log_id", "logged_at"],
      timeZone: "+00:00",
    });
    expect(m.parts[0]?.uncompressedBytes).toBe(lines.length);
    expect(m.columns.map((c) => [c.name, c.type, c.encoding])).toEqual([
      ["log_id", "bigint(20) unsigned", "json"],
      ["player_id", "bigint(20) unsigned", "json"],
      ["logged_at", "datetime(3)", "json"],
      ["kind", "varchar(32)", "json"],
      ["payload", "longtext", "json"], // MariaDB's JSON is LONGTEXT with a JSON_VALID check
      ["amount", "decimal(20,6)", "json"],
      ["score", "double", "json"],
      ["raw", "varbinary(16)", "base64"],
    ]);
    const empty = await manifestAt(s3c, "archive/shard1/game_logs/2026-02-09/manifest.json");
    expect([empty.rows, empty.parts, empty.sha256]).toEqual([
      0,
      [],
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]);
  });

  it("holds the rows exactly: BIGINT above 2^53, DATETIME(3), JSON text, DECIMAL, bytes", async () => {
    for (const [date, rows] of originals) {
      const m = await manifestAt(s3c, `archive/shard1/game_logs/${date}/manifest.json`);
      expect(await archivedRows(s3c, m)).toEqual(rows.map((r) => ({ ...r })));
    }
    const [small, , top] = await archivedRows(
      s3c,
      await manifestAt(s3c, "archive/shard1/game_logs/2026-02-10/manifest.json"),
    );
    expect(top).toMatchObject({
      log_id: "18446744073709551615",
      player_id: "18446744073709551614",
      logged_at: "2026-02-10 23:59:59.999",
      kind: "grant😀",
      payload: '{"items": [1, 2.5, "é"], "big": 12345678901234567890, "nested": {"ok": true, "none": null}}',
      amount: "99999999999999.999999",
      score: 1.0000000000000002,
      raw: Buffer.from([0, 255, 16]),
    });
    expect(small).toMatchObject({
      log_id: "2",
      logged_at: "2026-02-10 12:00:00.500",
      kind: 'quote"s\\',
      score: -1.5e300,
    });
  });

  it("changes nothing when run again", async () => {
    const before = await objects(s3c, "archive/");
    const partitions = await partitionsOf("game_logs");
    const again = await run([{ table: "game_logs", column: "logged_at" }], s3c);
    expect(again.ok).toBe(true);
    expect(table(again, "game_logs")).toMatchObject({ created: [], archived: [], dropped: [], errors: [] });
    expect(await objects(s3c, "archive/")).toEqual(before);
    expect(await partitionsOf("game_logs")).toEqual(partitions);
  });
});

describe("failures drop nothing", () => {
  const days = daysFrom(addDays(TODAY, -32), addDays(TODAY, 7)); // 02-11 .. 03-22: 02-11, 02-12 are past keepDays

  async function oldTable(name: string): Promise<void> {
    await createTable(name, days);
    await insertLog(name, "1", "2026-02-11 10:00:00.000");
    await insertLog(name, "2", "2026-02-12 10:00:00.000");
  }

  it("refuses tables that are not laid out by day, naming why, and goes on with the others", async () => {
    await root.query("CREATE TABLE game.plain (id INT PRIMARY KEY, at DATETIME NOT NULL)");
    await root.query(
      "CREATE TABLE game.numbered (id INT, at DATETIME NOT NULL, PRIMARY KEY (id, at)) " +
        "PARTITION BY RANGE (TO_DAYS(at)) (PARTITION p0 VALUES LESS THAN (739000), PARTITION p1 VALUES LESS THAN MAXVALUE)",
    );
    await oldTable("fine_logs");
    const report = await run(
      [
        { table: "plain", column: "at" },
        { table: "numbered", column: "at" },
        { table: "missing", column: "at" },
        { table: "fine_logs", column: "logged_at" },
      ],
      s3c,
    );
    expect(report.ok).toBe(false);
    expect(failures(report)).toEqual([
      "shard 1 plain: table plain: is not partitioned; declare it PARTITION BY RANGE (TO_DAYS(at)) with daily partitions p<YYYYMMDD>",
      "shard 1 missing: table missing: not found in game",
    ]);
    expect(table(report, "fine_logs")?.dropped).toEqual(["p20260211", "p20260212"]);
    // A start partition and MAXVALUE, no daily ones yet (as a migration creates a table): days from today on, by
    // REORGANIZE of the MAXVALUE partition.
    const days = daysFrom(TODAY, addDays(TODAY, 7));
    expect(await partitionsOf("numbered")).toEqual([
      { name: "p0", description: "739000" },
      ...(await expectedPartitions(days)),
      { name: "p1", description: "MAXVALUE" },
    ]);
  });

  it("a bucket that does not exist: reported, every partition kept", async () => {
    await oldTable("nobucket_logs");
    const report = await run([{ table: "nobucket_logs", column: "logged_at" }], s3c, "no-such-bucket");
    expect(report.ok).toBe(false);
    expect(table(report, "nobucket_logs")?.errors).toEqual([expect.stringMatching(/bucket does not exist/i)]);
    expect(table(report, "nobucket_logs")).toMatchObject({ archived: [], dropped: [] });
    expect((await partitionsOf("nobucket_logs")).map((p) => p.name)).toEqual(days.map(pname));
    expect(await rowsOf("nobucket_logs")).toHaveLength(2);
  });

  it("a stopped S3: reported, every partition kept", async () => {
    await oldTable("stopped_logs");
    const other = await startFakeS3([BUCKET]);
    const endpoint = other.endpoint;
    await other.stop();
    const report = await run([{ table: "stopped_logs", column: "logged_at" }], client(endpoint, 1));
    expect(table(report, "stopped_logs")?.errors).toEqual([expect.stringMatching(/ECONNREFUSED/)]);
    expect(table(report, "stopped_logs")).toMatchObject({ archived: [], dropped: [] });
    expect((await partitionsOf("stopped_logs")).map((p) => p.name)).toEqual(days.map(pname));
  });

  it("an upload that breaks off after a part: reported, nothing dropped; the next run writes it whole and drops", async () => {
    await createTable("broken_logs", days);
    for (const [i, at] of ["01:00", "02:00", "03:00"].entries())
      await insertLog("broken_logs", String(i + 1), `2026-02-11 ${at}:00.000`);
    const flaky = client(s3.endpoint);
    let puts = 0;
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutObjectCommand" && ++puts === 3) throw new Error("injected: connection reset");
        return next(args);
      },
      { step: "initialize", name: "breakThirdPut" },
    );
    // One row a part: two parts are stored, the third fails, no manifest.
    const broken = await run([{ table: "broken_logs", column: "logged_at" }], flaky, BUCKET, { partBytes: 1 });
    expect(table(broken, "broken_logs")).toMatchObject({
      errors: ["injected: connection reset"],
      archived: [],
      dropped: [],
    });
    const folder = "archive/shard1/broken_logs/2026-02-11/";
    const part = (n: number) => `${folder}part-0000${n}.jsonl.gz`;
    expect([...(await objects(s3c, folder)).keys()]).toEqual([part(1), part(2)]);
    expect(await rowsOf("broken_logs", "p20260211")).toHaveLength(3);

    // The rerun (default part size: one part) writes the archive anew; part 2 of the broken run is noted, not read.
    const whole = await run([{ table: "broken_logs", column: "logged_at" }], s3c);
    expect(failures(whole)).toEqual([]);
    const t = table(whole, "broken_logs");
    expect(t?.archived[0]?.keys).toEqual([part(1), `${folder}manifest.json`]);
    expect(t?.notes).toEqual([`p20260211: not in its manifest: ${part(2)}`]);
    expect(t?.dropped).toEqual(["p20260211", "p20260212"]);
    const m = await manifestAt(s3c, `${folder}manifest.json`);
    expect((await archivedRows(s3c, m)).map((r) => r.log_id)).toEqual(["1", "2", "3"]);
  });

  it("a creation that fails: reported, and that table archives nothing this time", async () => {
    await createTable("late_logs", daysFrom(addDays(TODAY, -32), TODAY));
    await insertLog("late_logs", "1", "2026-02-11 10:00:00.000");
    const blocker = await server.connect();
    await blocker.query("START TRANSACTION");
    await blocker.query("SELECT COUNT(*) FROM game.late_logs");
    const report = await run([{ table: "late_logs", column: "logged_at" }], s3c, BUCKET, { lockWaitSeconds: 1 });
    await blocker.query("COMMIT");
    await blocker.end();
    expect(table(report, "late_logs")).toMatchObject({
      errors: [expect.stringMatching(/Lock wait timeout/)],
      created: [],
      archived: [],
      dropped: [],
    });
    expect(await objects(s3c, "archive/shard1/late_logs/")).toEqual(new Map());
    expect((await partitionsOf("late_logs"))[0]?.name).toBe("p20260211");
  });

  it("without a bucket (the migration Job's run): creates ahead, archives and drops nothing", async () => {
    await createTable("fresh_logs", daysFrom(addDays(TODAY, -40), addDays(TODAY, -35)));
    await insertLog("fresh_logs", "1", `${addDays(TODAY, -40)} 10:00:00.000`);
    const report = await runPartitionMaintenance({
      shards: [shard],
      tables: [{ table: "fresh_logs", column: "logged_at" }],
      today: TODAY,
      log: (l) => logs.push(l),
    });
    expect(report.ok).toBe(true);
    const t = table(report, "fresh_logs")!;
    expect(t.created).toEqual(daysFrom(addDays(TODAY, -34), addDays(TODAY, 7)).map(pname));
    expect([t.archived, t.dropped]).toEqual([[], []]);
    expect(t.notes).toContain("6 partition(s) past keepDays left for the archiving run");
    expect((await partitionsOf("fresh_logs"))[0]?.name).toBe(pname(addDays(TODAY, -40)));
    expect(await rowsOf("fresh_logs")).toHaveLength(1);
  });

  it("every shard archives under its own folder; a shard that cannot be reached is reported, the others go on", async () => {
    const second = fleet.servers[1] as MariaDbServer;
    const admin = await second.connect();
    await admin.query("CREATE DATABASE game");
    await admin.query(
      "CREATE TABLE game.game_logs (log_id BIGINT UNSIGNED NOT NULL, logged_at DATETIME(3) NOT NULL, " +
        "PRIMARY KEY (log_id, logged_at)) PARTITION BY RANGE (TO_DAYS(logged_at)) " +
        `(${days.map((d) => `PARTITION ${pname(d)} VALUES LESS THAN (TO_DAYS('${addDays(d, 1)}'))`).join(", ")})`,
    );
    await admin.query("INSERT INTO game.game_logs VALUES (5, '2026-02-12 12:00:00.000')");
    await admin.end();
    const report = await runPartitionMaintenance({
      shards: [
        { id: 7, connect: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")) },
        { id: 2, connect: () => second.connect({ ...ARCHIVE_CONNECTION_OPTIONS, database: "game" }) },
      ],
      tables: [{ table: "game_logs", column: "logged_at" }],
      today: TODAY,
      s3: { client: s3c, bucket: BUCKET },
      log: () => undefined,
    });
    expect(failures(report)).toEqual(["shard 7: connect ECONNREFUSED 127.0.0.1:1"]);
    expect(report.shards.map((s) => s.shard)).toEqual([7, 2]);
    expect(report.shards[1]?.tables[0]?.dropped).toEqual(["p20260211", "p20260212"]);
    const m = await manifestAt(s3c, "archive/shard2/game_logs/2026-02-12/manifest.json");
    expect([m.shard, m.rows, m.columns.map((c) => c.name)]).toEqual([2, 1, ["log_id", "logged_at"]]);
  });

  it("a part changed after upload: the verification fails, nothing is dropped, now or on a rerun", async () => {
    await oldTable("tampered_logs");
    const tampering = client(s3.endpoint);
    let armed = true;
    // After the first manifest is stored, its first part is replaced by lines of the same count: only the checksum
    // (and sizes) can tell.
    tampering.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const key = (args.input as { Key?: string }).Key ?? "";
        if (armed && context.commandName === "PutObjectCommand" && key.endsWith("/manifest.json")) {
          armed = false;
          const part = key.replace("manifest.json", "part-00001.jsonl.gz");
          await tampering.send(new PutObjectCommand({ Bucket: BUCKET, Key: part, Body: gzipSync('{"log_id":"1"}\n') }));
        }
        return result;
      },
      { step: "initialize", name: "tamperAfterManifest" },
    );
    const report = await run([{ table: "tampered_logs", column: "logged_at" }], tampering);
    const [error] = table(report, "tampered_logs")?.errors ?? [];
    expect(error).toMatch(/^archive archive\/shard1\/tampered_logs\/2026-02-11\/ does not verify: .*sha256 read back/);
    expect(table(report, "tampered_logs")).toMatchObject({ archived: [], dropped: [] });
    const rerun = await run([{ table: "tampered_logs", column: "logged_at" }], s3c);
    expect(table(rerun, "tampered_logs")?.errors).toEqual([expect.stringMatching(/does not verify/)]);
    expect((await partitionsOf("tampered_logs")).map((p) => p.name)).toEqual(days.map(pname));
  });

  it("a row written to the partition during the export: the count disagrees, nothing is dropped", async () => {
    await oldTable("late_write_logs");
    const racing = client(s3.endpoint);
    let armed = true;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: string }).Key ?? "";
        if (armed && context.commandName === "PutObjectCommand" && key.endsWith("/manifest.json")) {
          armed = false;
          await insertLog("late_write_logs", "99", "2026-02-11 23:00:00.000");
        }
        return next(args);
      },
      { step: "initialize", name: "writeDuringExport" },
    );
    const report = await run([{ table: "late_write_logs", column: "logged_at" }], racing);
    expect(table(report, "late_write_logs")).toMatchObject({
      errors: [
        "partition p20260211 has 2 rows now, its archive 1: rows arrived or went during the export; nothing dropped",
      ],
      archived: [],
      dropped: [],
    });
    expect(await rowsOf("late_write_logs", "p20260211")).toHaveLength(2);
  });

  it("a manifest that disagrees with the partition: an error, and the manifest is not overwritten", async () => {
    await oldTable("disagree_logs");
    const key = "archive/shard1/disagree_logs/2026-02-11/manifest.json";
    const first = await run([{ table: "disagree_logs", column: "logged_at" }], s3c, BUCKET, { lockWaitSeconds: 1 });
    expect(table(first, "disagree_logs")?.dropped).toEqual(["p20260211", "p20260212"]);
    // The day's partition comes back with other rows, as after a mistaken re-import: its old archive must stay.
    await root.query(
      "ALTER TABLE game.disagree_logs REORGANIZE PARTITION p20260213 INTO (PARTITION p20260211 VALUES LESS THAN " +
        "(TO_DAYS('2026-02-12')), PARTITION p20260212 VALUES LESS THAN (TO_DAYS('2026-02-13')), " +
        "PARTITION p20260213 VALUES LESS THAN (TO_DAYS('2026-02-14')))",
    );
    await insertLog("disagree_logs", "9", "2026-02-11 11:00:00.000");
    const stored = await body(s3c, key);
    const again = await run([{ table: "disagree_logs", column: "logged_at" }], s3c);
    expect(table(again, "disagree_logs")?.errors).toEqual([
      expect.stringMatching(
        /^s3:\/\/gamedb-backups\/archive\/shard1\/disagree_logs\/2026-02-11\/manifest.json disagrees with partition p20260211: the manifest has 1 rows .*, the partition 1 .*left as it is, nothing dropped$/,
      ),
    ]);
    expect(await body(s3c, key)).toEqual(stored);
    expect((await partitionsOf("disagree_logs")).map((p) => p.name)).toContain("p20260211");
  });

  it("a crash between upload and drop: the next run verifies the archive it finds and drops", async () => {
    await oldTable("crash_logs");
    // An open transaction that read the table holds its metadata lock: DROP PARTITION waits, then gives up.
    const blocker = await server.connect();
    await blocker.query("START TRANSACTION");
    await blocker.query("SELECT COUNT(*) FROM game.crash_logs");
    const stuck = await run([{ table: "crash_logs", column: "logged_at" }], s3c, BUCKET, { lockWaitSeconds: 1 });
    await blocker.query("COMMIT");
    await blocker.end();
    const t = table(stuck, "crash_logs");
    expect(t?.archived.map((a) => a.partition)).toEqual(["p20260211"]);
    expect(t?.dropped).toEqual([]);
    expect(t?.errors).toEqual([expect.stringMatching(/Lock wait timeout/)]);
    expect(await objects(s3c, "archive/shard1/crash_logs/2026-02-12/")).toEqual(new Map());
    const etags = await objects(s3c, "archive/shard1/crash_logs/");

    const resumed = await run([{ table: "crash_logs", column: "logged_at" }], s3c);
    const r = table(resumed, "crash_logs");
    expect(r?.errors).toEqual([]);
    expect(r?.archived.map((a) => [a.partition, a.reused])).toEqual([
      ["p20260211", true],
      ["p20260212", false],
    ]);
    expect(r?.dropped).toEqual(["p20260211", "p20260212"]);
    const after = await objects(s3c, "archive/shard1/crash_logs/");
    for (const [key, etag] of etags) expect(after.get(key)).toBe(etag); // the first archive was not rewritten
  });
});
