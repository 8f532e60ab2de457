// The migrations contract (infra/contracts/migrations.ts): file names, checksums, the annotation grammar, the
// ledger's DDL and the migrate Job's config document.
import {
  ANNOTATION_FORMS,
  formatVersion,
  migrateJobConfigSchema,
  migrationChecksum,
  parseAnnotation,
  parseMigrateJobConfig,
  parseMigrationFileName,
  schemaMigrationsSql,
  statementsChecksum,
} from "../../infra/contracts/migrations";

describe("migration file names", () => {
  it("reads V and U files: version as a number, description, name", () => {
    expect(parseMigrationFileName("V0001__players.sql")).toEqual({
      kind: "up",
      version: 1,
      description: "players",
      name: "V0001__players",
    });
    expect(parseMigrationFileName("U0012__game_logs_2.sql")).toMatchObject({ kind: "down", version: 12 });
    expect(parseMigrationFileName("V123456789012345__x.sql")?.version).toBe(123456789012345);
  });

  it.each([
    "V001__short_version.sql",
    "V0001_single_underscore.sql",
    "V0001__.sql",
    "V0001__has-dash.sql",
    "v0001__lower_v.sql",
    "V0001__players.SQL",
    "V0001__players.sql.bak",
    "R0001__repeatable.sql",
    "V1234567890123456__sixteen_digits.sql",
  ])("refuses %s", (name) => {
    expect(parseMigrationFileName(name)).toBeUndefined();
  });

  it("formats versions with at least four digits", () => {
    expect(formatVersion(7)).toBe("V0007");
    expect(formatVersion(12345)).toBe("V12345");
  });
});

describe("checksum", () => {
  it("is sha256 hex of the text, CRLF counted as LF", () => {
    expect(migrationChecksum("SELECT 1;\n")).toBe(migrationChecksum("SELECT 1;\r\n"));
    expect(migrationChecksum("SELECT 1;\n")).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum("SELECT 1;\n")).not.toBe(migrationChecksum("SELECT 2;\n"));
    // A lone CR is content, not a line ending.
    expect(migrationChecksum("a\rb")).not.toBe(migrationChecksum("a\nb"));
  });

  it("statementsChecksum covers only the statements done", () => {
    const s = ["CREATE TABLE a (x INT)", "ALTER TABLE a ADD y INT"];
    expect(statementsChecksum(s, 1)).toBe(statementsChecksum([s[0]!, "something else"], 1));
    expect(statementsChecksum(s, 2)).not.toBe(statementsChecksum([s[0]!, "something else"], 2));
    expect(statementsChecksum(s, 0)).toBe(migrationChecksum(""));
  });
});

describe("annotations", () => {
  it("reads the three forms", () => {
    expect(parseAnnotation(" gamedb:sharded players key=player_id")).toEqual({
      kind: "sharded",
      table: "players",
      key: "player_id",
    });
    expect(parseAnnotation("gamedb:allow-copy ")).toEqual({ kind: "allow-copy" });
    expect(parseAnnotation(" gamedb:batch")).toEqual({ kind: "batch" });
    expect(parseAnnotation(" gamedb:batch rows=500")).toEqual({ kind: "batch", rows: 500 });
  });

  it("ignores comments that are not annotations", () => {
    expect(parseAnnotation(" players are sharded by player_id")).toBeUndefined();
    expect(parseAnnotation(" see gamedb:schema in the stack file")).toBeUndefined();
  });

  it.each([
    ["gamedb:sharded players", "unknown annotation"],
    ["gamedb:sharded players key=", "unknown annotation"],
    ["gamedb:sharded players key=a b", "unknown annotation"],
    ["gamedb:allow_copy", "unknown annotation"],
    ["gamedb:allow-copy please", "unknown annotation"],
    ["gamedb:batch rows=0", "rows=0 is outside 1-100000"],
    ["gamedb:batch rows=100001", "rows=100001 is outside"],
    ["gamedb:batch rows=ten", "unknown annotation"],
    ["gamedb:online", "unknown annotation"],
    ["GAMEDB:allow-copy", "lower case"],
  ])("refuses %j naming the allowed forms", (text, why) => {
    const a = parseAnnotation(text);
    expect(a).toHaveProperty("error");
    const error = (a as { error: string }).error;
    expect(error).toContain(why);
    for (const form of ANNOTATION_FORMS) expect(error).toContain(form);
  });
});

describe("schema_migrations DDL", () => {
  it("creates gamedb_meta.schema_migrations with the ledger's columns, idempotently", () => {
    const [db, table] = schemaMigrationsSql();
    expect(db).toBe("CREATE DATABASE IF NOT EXISTS `gamedb_meta`");
    expect(table).toContain("CREATE TABLE IF NOT EXISTS `gamedb_meta`.`schema_migrations`");
    for (const column of [
      "version BIGINT UNSIGNED NOT NULL PRIMARY KEY",
      "checksum CHAR(64) NOT NULL",
      "state ENUM('running','applied','failed','rolled_back') NOT NULL",
      "statements_done INT UNSIGNED",
      "duration_ms BIGINT UNSIGNED",
      "rollback_sql MEDIUMTEXT NULL",
      "error TEXT NULL",
      "rolled_back_at DATETIME(3) NULL",
    ]) {
      expect(table).toContain(column);
    }
  });
});

describe("the migrate Job's config", () => {
  const minimal = {
    database: "game",
    shards: [{ id: 1, state: "active" }],
    slotMap: [{ slots: "0-16383", from: 0, to: 16383, shard: 1 }],
  };

  it("fills the defaults", () => {
    const c = migrateJobConfigSchema.parse(minimal);
    expect(c.concurrency).toBe(4);
    expect(c.batch).toEqual({ rows: 1000, pauseThreadsRunning: 25, stopThreadsRunning: 50 });
    expect(c.partitioned).toEqual([]);
  });

  it.each([
    [{ ...minimal, database: "1game" }, "database: must be a MySQL name"],
    [{ ...minimal, concurrency: 0 }, "concurrency:"],
    [{ ...minimal, shards: [] }, "shards: needs at least one shard"],
    [{ ...minimal, shards: [{ id: 1, state: "draining" }] }, "shards.0.state: must be one of active, provisioning"],
    [
      {
        ...minimal,
        shards: [
          { id: 1, state: "active" },
          { id: 1, state: "provisioning" },
        ],
      },
      "shards: lists a shard id twice",
    ],
    [{ ...minimal, batch: { pauseThreadsRunning: 60 } }, "batch.stopThreadsRunning: stopThreadsRunning must be above"],
    [{ ...minimal, batch: { rows: 0 } }, "batch.rows: must be an integer from 1 to 100000"],
    [{ ...minimal, slotMap: [{ slots: "x", from: 0, to: 1, shard: 1 }] }, "slotMap.0.slots:"],
  ])("refuses bad values naming the field and what is allowed (%#)", (doc, message) => {
    expect(() => parseMigrateJobConfig("migrate.json", JSON.stringify(doc))).toThrow(message);
    expect(() => parseMigrateJobConfig("migrate.json", JSON.stringify(doc))).toThrow(/^migrate\.json: /);
  });

  it("refuses text that is not JSON, naming the file", () => {
    expect(() => parseMigrateJobConfig("migrate.json", "{")).toThrow(/^migrate\.json: not JSON/);
  });
});
