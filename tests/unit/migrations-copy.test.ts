// The MySQL 8.4 "needs a table copy / blocks writes / rebuilds" classifier (scripts/lib/migrations/copyWarnings.ts).
// These are MySQL 8.4's rules (manual 17.12.1 "Online DDL Operations"); the MariaDB 10.11 stand-ins behave
// differently for several of them, so these rules are covered here and not on the stand-ins:
// - CONVERT TO CHARACTER SET: MySQL 8.4 copies (In Place No); MariaDB converts in place or instantly when the
//   encodings are compatible (latin1 -> latin1 ran with ALGORITHM=INSTANT on the stand-in).
// - Widening an integer (INT -> BIGINT): a copy on MySQL 8.4 ("Changing the column data type"); MariaDB does it
//   instantly with ROW_FORMAT=REDUNDANT (MDEV-15563) and refuses INSTANT otherwise.
// - DROP PRIMARY KEY alone: MySQL 8.4 copies (In Place No); MariaDB 10.11 refuses INPLACE with the same reason
//   ("Dropping a primary key is not allowed without also adding a new primary key"), so it is not a difference.
// - Partition clauses: MySQL 8.4 accepts ALGORITHM/LOCK before ADD/DROP PARTITION; MariaDB refuses them (syntax).
// - ALGORITHM=NOCOPY exists only in MariaDB; ALTER TABLE ... RENAME TO with LOCK=NONE is refused by MariaDB (1845).
// - Adding a FULLTEXT index refuses LOCK=NONE on both (MariaDB: "Fulltext index creation requires a lock").
import { copyWarnings, formatCopyWarning, migrationCopyWarnings } from "../../infra/plan/migrations/copyWarnings";
import { loadMigrations } from "../../infra/plan/migrations/files";
import { PrimaryKeys, trackPrimaryKeys } from "../../infra/plan/migrations/primaryKeys";
import { splitStatements } from "../../infra/plan/migrations/statements";

const effects = (sql: string, keys?: PrimaryKeys) => copyWarnings(sql, keys).map((w) => [w.operation, w.effect]);

describe("MySQL 8.4 copy warnings", () => {
  it.each([
    // Column Operations
    ["ALTER TABLE players MODIFY level BIGINT UNSIGNED NOT NULL", [["MODIFY COLUMN level", "copy-if-type-changes"]]],
    ["ALTER TABLE players CHANGE COLUMN name nick VARCHAR(80)", [["CHANGE COLUMN name", "copy-if-type-changes"]]],
    [
      "ALTER TABLE players MODIFY level INT UNSIGNED NOT NULL AFTER name",
      [
        ["MODIFY COLUMN level", "copy-if-type-changes"],
        ["MODIFY level ... FIRST/AFTER", "rebuild"],
      ],
    ],
    [
      "ALTER TABLE players ADD COLUMN seq INT NOT NULL AUTO_INCREMENT UNIQUE",
      [["ADD an AUTO_INCREMENT column", "blocks-writes"]],
    ],
    // Generated Column Operations
    ["ALTER TABLE players ADD COLUMN lvl2 INT AS (level * 2) STORED", [["ADD a STORED generated column", "copy"]]],
    ["ALTER TABLE players ADD COLUMN lvl2 INT GENERATED ALWAYS AS (level * 2) VIRTUAL", []],
    // Index Operations
    ["ALTER TABLE players ADD FULLTEXT INDEX ft (name)", [["ADD FULLTEXT INDEX", "blocks-writes"]]],
    ["ALTER TABLE places ADD SPATIAL INDEX sp (g)", [["ADD SPATIAL INDEX", "blocks-writes"]]],
    ["CREATE FULLTEXT INDEX ft ON players (name)", [["CREATE FULLTEXT INDEX", "blocks-writes"]]],
    ["CREATE SPATIAL INDEX sp ON places (g)", [["CREATE SPATIAL INDEX", "blocks-writes"]]],
    // Primary Key Operations
    ["ALTER TABLE players DROP PRIMARY KEY", [["DROP PRIMARY KEY", "copy"]]],
    ["ALTER TABLE players ADD PRIMARY KEY (player_id)", [["ADD PRIMARY KEY", "rebuild"]]],
    [
      "ALTER TABLE players DROP PRIMARY KEY, ADD CONSTRAINT pk PRIMARY KEY (gamedb_slot, player_id)",
      [["DROP PRIMARY KEY, ADD PRIMARY KEY", "rebuild"]],
    ],
    // Foreign Key Operations
    [
      "ALTER TABLE items ADD CONSTRAINT fk FOREIGN KEY (owner) REFERENCES players (player_id)",
      [["ADD FOREIGN KEY", "copy"]],
    ],
    // Table Operations
    ["ALTER TABLE players CONVERT TO CHARACTER SET utf8mb4", [["CONVERT TO CHARACTER SET", "copy"]]],
    ["ALTER TABLE players DEFAULT CHARACTER SET = utf8mb4", [["table character set change", "rebuild"]]],
    ["ALTER TABLE players ROW_FORMAT=COMPRESSED", [["ROW_FORMAT change", "rebuild"]]],
    ["ALTER TABLE players KEY_BLOCK_SIZE=8", [["KEY_BLOCK_SIZE change", "rebuild"]]],
    ["ALTER TABLE players FORCE", [["FORCE", "rebuild"]]],
    ["ALTER TABLE players ENGINE=InnoDB", [["ENGINE (a null rebuild)", "rebuild"]]],
    ["OPTIMIZE TABLE players", [["OPTIMIZE TABLE", "rebuild"]]],
    // Tablespace Operations
    ["ALTER TABLE players ENCRYPTION='Y'", [["ENCRYPTION change", "copy"]]],
    // Partitioning Operations
    ["ALTER TABLE game_logs PARTITION BY HASH (player_id) PARTITIONS 8", [["PARTITION BY", "copy"]]],
    ["ALTER TABLE game_logs REMOVE PARTITIONING", [["REMOVE PARTITIONING", "copy"]]],
    [
      "ALTER TABLE game_logs REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (9))",
      [["REORGANIZE PARTITION", "blocks-writes"]],
    ],
    ["ALTER TABLE game_logs COALESCE PARTITION 2", [["COALESCE PARTITION", "blocks-writes"]]],
    ["ALTER TABLE game_logs ADD PARTITION (PARTITION p2 VALUES LESS THAN (TO_DAYS('2025-01-03')))", []],
    ["ALTER TABLE game_logs DROP PARTITION p20250101", []],
    // The statement's own choice
    ["ALTER TABLE players ADD INDEX (level), ALGORITHM=COPY", [["ALGORITHM=COPY", "copy"]]],
    ["ALTER TABLE players ADD INDEX (level), LOCK=SHARED", [["LOCK=SHARED", "blocks-writes"]]],
  ])("%s", (sql, expected) => {
    expect(effects(sql)).toEqual(expected);
  });

  it.each([
    "ALTER TABLE players ADD COLUMN guild_id BIGINT UNSIGNED NULL",
    "ALTER TABLE players ADD COLUMN guild_id BIGINT UNSIGNED NULL AFTER name",
    "ALTER TABLE players DROP COLUMN location_data",
    "ALTER TABLE players RENAME COLUMN name TO nick",
    "ALTER TABLE players ALTER COLUMN level SET DEFAULT 2",
    "ALTER TABLE players ADD INDEX by_level (level), ADD UNIQUE KEY u (name)",
    "ALTER TABLE players DROP INDEX by_level, RENAME INDEX a TO b",
    "ALTER TABLE players RENAME TO players_old",
    "CREATE INDEX by_level ON players (level)",
    "DROP INDEX by_level ON players",
    "CREATE TABLE t (x INT)",
    "UPDATE players SET level = 1 WHERE level = 0",
  ])("online in MySQL 8.4 (instant or in place with concurrent DML): %s", (sql) => {
    expect(copyWarnings(sql)).toEqual([]);
  });

  it("each warning names its table and cites the manual's row", () => {
    const [w] = copyWarnings("ALTER TABLE `players` MODIFY level BIGINT");
    expect(w!.table).toBe("players");
    expect(w!.manual).toMatch(
      /^MySQL 8\.4 manual 17\.12\.1 Online DDL Operations, Column Operations: "Changing the column data type"/,
    );
    expect(formatCopyWarning(w!)).toMatch(
      /^players: MODIFY COLUMN level copies the table and blocks writes if it changes/,
    );
  });

  it("several actions give several warnings", () => {
    expect(
      effects("ALTER TABLE t ADD FULLTEXT INDEX f (b), CONVERT TO CHARACTER SET utf8mb4, ROW_FORMAT=DYNAMIC"),
    ).toEqual([
      ["ADD FULLTEXT INDEX", "blocks-writes"],
      ["CONVERT TO CHARACTER SET", "copy"],
      ["ROW_FORMAT change", "rebuild"],
    ]);
  });
});

describe("dropping a primary key column (the primary key followed through the migrations)", () => {
  const keysAfter = (...sql: string[]) => {
    const keys: PrimaryKeys = new Map();
    for (const s of sql) for (const st of splitStatements(s).statements) trackPrimaryKeys(keys, st.tokens);
    return keys;
  };

  it("reads table-level, constraint and column-level primary keys", () => {
    expect(
      keysAfter(
        "CREATE TABLE a (id INT, b INT, PRIMARY KEY (id, b))",
        "CREATE TABLE IF NOT EXISTS `B` (x INT NOT NULL PRIMARY KEY, y INT)",
        "CREATE TABLE c (k VARCHAR(9), CONSTRAINT pk PRIMARY KEY (k(4)))",
      ),
    ).toEqual(
      new Map([
        ["a", ["id", "b"]],
        ["b", ["x"]],
        ["c", ["k"]],
      ]),
    );
  });

  it("follows ALTERs and DROP TABLE", () => {
    expect(
      keysAfter(
        "CREATE TABLE a (id INT, b INT, PRIMARY KEY (id))",
        "ALTER TABLE a DROP PRIMARY KEY, ADD PRIMARY KEY (b, id)",
      ),
    ).toEqual(new Map([["a", ["b", "id"]]]));
    expect(keysAfter("CREATE TABLE a (id INT PRIMARY KEY)", "ALTER TABLE a CHANGE id pid INT")).toEqual(
      new Map([["a", ["pid"]]]),
    );
    expect(keysAfter("CREATE TABLE a (id INT PRIMARY KEY)", "DROP TABLE IF EXISTS a")).toEqual(new Map());
  });

  it("warns when a dropped column is part of the primary key, not otherwise", () => {
    const keys = keysAfter(
      "CREATE TABLE logs (log_id BIGINT, logged_at DATETIME, note TEXT, PRIMARY KEY (log_id, logged_at))",
    );
    expect(effects("ALTER TABLE logs DROP COLUMN logged_at", keys)).toEqual([
      ["DROP COLUMN logged_at (part of the primary key)", "rebuild"],
    ]);
    expect(effects("ALTER TABLE logs DROP note", keys)).toEqual([]);
  });

  it("migrationCopyWarnings follows primary keys across files, in version order", () => {
    const ms = loadMigrations([
      {
        name: "V0002__drop.sql",
        text: "-- gamedb:allow-copy\nALTER TABLE logs DROP COLUMN logged_at;\nOPTIMIZE TABLE logs;",
      },
      {
        name: "V0001__logs.sql",
        text: "CREATE TABLE logs (log_id BIGINT, logged_at DATETIME, PRIMARY KEY (log_id, logged_at));",
      },
    ]);
    expect(
      migrationCopyWarnings(ms).map((s) => [s.file, s.statement, s.line, s.allowCopy, s.warnings.map((w) => w.effect)]),
    ).toEqual([
      ["V0002__drop.sql", 1, 2, true, ["rebuild"]],
      ["V0002__drop.sql", 2, 3, false, ["rebuild"]],
    ]);
  });
});
