/**
 * The archive's format without a server: the layout's keys and manifest schema (infra/contracts/backupLayout.ts),
 * the JSON lines (scripts/lib/partitions/jsonLines.ts), the export's SELECT and connection check (export.ts) and the
 * report's failure lines (maintenance.ts). Writing, reading back and dropping are in
 * tests/integration/partitions-standin.test.ts.
 */
import fc from "fast-check";
import type { Connection } from "mysql2/promise";
import {
  ARCHIVE_PREFIX,
  type ArchiveManifest,
  archiveKey,
  archiveManifestKey,
  archiveManifestSchema,
  archivePrefix,
  binlogPrefix,
  fullPrefix,
} from "../../infra/contracts/backupLayout";
import { ARCHIVE_CONNECTION_OPTIONS, checkConnectionOptions, selectSql } from "../../scripts/lib/partitions/export";
import { type ArchiveColumn, archiveColumns, decodeRow, encodeRow } from "../../scripts/lib/partitions/jsonLines";
import { failures } from "../../scripts/lib/partitions/maintenance";

describe("archive layout (contract)", () => {
  it("archive/shard<N>/<table>/<YYYY-MM-DD>/, numbered parts and manifest.json", () => {
    expect(ARCHIVE_PREFIX).toBe("archive/");
    expect(archivePrefix(3, "game_logs", "2026-02-10")).toBe("archive/shard3/game_logs/2026-02-10/");
    expect(archiveKey(3, "game_logs", "2026-02-10", 1)).toBe("archive/shard3/game_logs/2026-02-10/part-00001.jsonl.gz");
    expect(archiveKey(3, "game_logs", "2026-02-10", 123456)).toBe(
      "archive/shard3/game_logs/2026-02-10/part-123456.jsonl.gz",
    );
    expect(archiveManifestKey(3, "game_logs", "2026-02-10")).toBe("archive/shard3/game_logs/2026-02-10/manifest.json");
    // The dump and binlog layout is unchanged.
    expect([fullPrefix(3), binlogPrefix(3)]).toEqual(["full/shard3/", "binlog/shard3/"]);
  });

  it("refuses what would make another folder", () => {
    expect(() => archivePrefix(1, "game/logs", "2026-02-10")).toThrow('archive table "game/logs"');
    expect(() => archivePrefix(1, "..", "2026-02-10")).toThrow('archive table ".."');
    expect(() => archivePrefix(1, "t", "2026-2-10")).toThrow('archive date "2026-2-10": not YYYY-MM-DD');
    expect(() => archivePrefix(-1, "t", "2026-02-10")).toThrow("archive shard -1");
    expect(() => archiveKey(1, "t", "2026-02-10", 0)).toThrow("archive part 0: parts are numbered from 1");
  });

  const manifest: ArchiveManifest = {
    version: 1,
    shard: 1,
    schema: "game",
    table: "game_logs",
    partition: "p20260210",
    date: "2026-02-10",
    rows: 3,
    sha256: "a".repeat(64),
    parts: [
      { key: "archive/shard1/game_logs/2026-02-10/part-00001.jsonl.gz", rows: 2, bytes: 100, uncompressedBytes: 300 },
      { key: "archive/shard1/game_logs/2026-02-10/part-00002.jsonl.gz", rows: 1, bytes: 60, uncompressedBytes: 150 },
    ],
    columns: [{ name: "log_id", type: "bigint unsigned", encoding: "json" }],
    primaryKey: ["log_id"],
    timeZone: "+00:00",
    createdAt: "2026-03-15T03:00:00.000Z",
  };

  it("the manifest schema takes a manifest as the job writes it", () => {
    expect(archiveManifestSchema.parse(manifest)).toEqual(manifest);
  });

  it("the manifest schema refuses rows that are not the parts' sum, parts elsewhere, and a bad checksum", () => {
    const problems = (m: object) => archiveManifestSchema.safeParse(m).error?.issues.map((i) => i.message);
    expect(problems({ ...manifest, rows: 4 })).toEqual(["rows is not the sum of the parts' rows"]);
    expect(
      problems({
        ...manifest,
        parts: [{ ...manifest.parts[0], key: "archive/shard2/game_logs/2026-02-10/x" }, manifest.parts[1]],
        rows: 3,
      }),
    ).toEqual(["a part lies outside the archive's folder"]);
    expect(problems({ ...manifest, sha256: "A".repeat(64) })).toHaveLength(1);
    expect(problems({ ...manifest, version: 2 })).toHaveLength(1);
    expect(problems({ ...manifest, columns: [] })).toHaveLength(1);
  });
});

describe("JSON lines", () => {
  const columns = archiveColumns("game_logs", [
    { name: "log_id", dataType: "bigint", columnType: "bigint unsigned" },
    { name: "logged_at", dataType: "datetime", columnType: "datetime(3)" },
    { name: "payload", dataType: "json", columnType: "json" },
    { name: "raw", dataType: "VARBINARY", columnType: "varbinary(16)" },
    { name: "flags", dataType: "bit", columnType: "bit(8)" },
    { name: "2024", dataType: "int", columnType: "int" },
  ]);

  it("writes binary types as base64, everything else as it came", () => {
    expect(columns.map((c) => c.encoding)).toEqual(["json", "json", "json", "base64", "base64", "json"]);
    expect(() => archiveColumns("maps", [{ name: "where", dataType: "point", columnType: "point" }])).toThrow(
      "table maps: column where is point, which mysql2 converts to an object",
    );
  });

  it("one line per row, keys in column order even when a name looks like an integer", () => {
    const row = {
      raw: Buffer.from([0, 255]),
      flags: null,
      "2024": 7,
      payload: '{"a": 1}',
      logged_at: "2026-02-10 23:59:59.999",
      log_id: "18446744073709551615",
    };
    expect(encodeRow(columns, row)).toBe(
      '{"log_id":"18446744073709551615","logged_at":"2026-02-10 23:59:59.999","payload":"{\\"a\\": 1}","raw":"AP8=","flags":null,"2024":7}\n',
    );
  });

  it("refuses a value the connection converted, naming the column", () => {
    const base = { log_id: "1", logged_at: "x", payload: null, raw: null, flags: null, "2024": 1 };
    expect(() => encodeRow(columns, { ...base, logged_at: new Date() })).toThrow(
      "column logged_at (datetime(3)) came back as a Date: the connection converts values",
    );
    expect(() => encodeRow(columns, { ...base, payload: { a: 1 } })).toThrow(
      "column payload (json) came back as object",
    );
    expect(() => encodeRow(columns, { ...base, raw: "AP8=" })).toThrow(
      "column raw (varbinary(16)) came back as string",
    );
    expect(() => encodeRow(columns, { ...base, log_id: Buffer.from("1") })).toThrow("came back as bytes");
    expect(() => encodeRow(columns, { ...base, "2024": Number.NaN })).toThrow("column 2024 (int) came back as number");
    const missing: Record<string, unknown> = { ...base };
    delete missing.raw;
    expect(() => encodeRow(columns, missing)).toThrow("column raw is missing from a row");
  });

  it("reads back what it wrote", () => {
    const cols: ArchiveColumn[] = [
      { name: "s", type: "varchar(64)", encoding: "json" },
      { name: "n", type: "double", encoding: "json" },
      { name: "b", type: "blob", encoding: "base64" },
    ];
    fc.assert(
      fc.property(
        fc.option(fc.string({ unit: "grapheme" }), { nil: null }),
        fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
        fc.option(
          fc.uint8Array().map((a) => Buffer.from(a)),
          { nil: null },
        ),
        (s, n, b) => {
          const line = encodeRow(cols, { s, n, b });
          expect(line.endsWith("\n") && !line.slice(0, -1).includes("\n")).toBe(true);
          // JSON has no -0: it comes back as 0, as MySQL prints it.
          expect(decodeRow(cols, line)).toEqual({ s, n: Object.is(n, -0) ? 0 : n, b });
        },
      ),
    );
  });
});

describe("export", () => {
  it("selects the columns from the one partition in primary key order", () => {
    const columns: ArchiveColumn[] = [
      { name: "log_id", type: "bigint", encoding: "json" },
      { name: "we`ird", type: "int", encoding: "json" },
    ];
    expect(
      selectSql({
        schema: "game",
        table: "game_logs",
        partition: "p20260210",
        columns,
        primaryKey: ["log_id", "logged_at"],
      }),
    ).toBe("SELECT `log_id`, `we``ird` FROM `game`.`game_logs` PARTITION (`p20260210`) ORDER BY `log_id`, `logged_at`");
  });

  it("refuses a connection that would convert values, naming each option", () => {
    const conn = (config: object) => ({ config }) as unknown as Connection;
    expect(() => checkConnectionOptions(conn({ ...ARCHIVE_CONNECTION_OPTIONS }))).not.toThrow();
    expect(() => checkConnectionOptions(conn({}))).toThrow(
      "the shard connection converts values; create it with jsonStrings: true, supportBigNumbers: true, " +
        "bigNumberStrings: true, dateStrings: true (ARCHIVE_CONNECTION_OPTIONS",
    );
    expect(() => checkConnectionOptions(conn({ ...ARCHIVE_CONNECTION_OPTIONS, decimalNumbers: true }))).toThrow(
      "create it with decimalNumbers: false",
    );
    expect(() => checkConnectionOptions(conn({ ...ARCHIVE_CONNECTION_OPTIONS, dateStrings: ["DATE"] }))).toThrow(
      "create it with dateStrings: true",
    );
    expect(() => checkConnectionOptions(conn({ ...ARCHIVE_CONNECTION_OPTIONS, typeCast: () => null }))).toThrow(
      "create it with no typeCast function",
    );
  });
});

describe("report", () => {
  it("lists every failure, shard and table first", () => {
    const table = (name: string, errors: string[]) => ({
      table: name,
      created: [],
      archived: [],
      dropped: [],
      errors,
      notes: [],
    });
    expect(
      failures({
        today: "2026-03-15",
        ok: false,
        shards: [
          { shard: 1, errors: [], tables: [table("game_logs", []), table("game_events", ["boom"])] },
          { shard: 2, errors: ["shard 2: connect ECONNREFUSED"], tables: [] },
        ],
      }),
    ).toEqual(["shard 1 game_events: boom", "shard 2: connect ECONNREFUSED"]);
  });
});
