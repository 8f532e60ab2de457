// Reading migration files: the statement splitter (scripts/lib/migrations/statements.ts), annotation placement
// (annotations.ts) and the directory as a whole (files.ts).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { splitStatements } from "../../infra/plan/migrations/statements";
import { parseSqlFile } from "../../infra/plan/migrations/annotations";
import { MigrationFilesError, loadMigrations } from "../../infra/plan/migrations/files";
import { readMigrations } from "../../scripts/lib/migrations/read";

const texts = (sql: string) => splitStatements(sql).statements.map((s) => s.text);

describe("splitStatements", () => {
  it("splits at ; and reports each statement's first line", () => {
    const r = splitStatements("CREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1);\nSELECT 1");
    expect(r.statements.map((s) => [s.text, s.line])).toEqual([
      ["CREATE TABLE a (x INT)", 1],
      ["INSERT INTO a VALUES (1)", 3],
      ["SELECT 1", 4],
    ]);
    expect(r.problems).toEqual([]);
  });

  it("keeps ; inside quotes, with doubled quotes and backslash escapes", () => {
    expect(texts(`INSERT INTO t VALUES ('a;b', 'it''s;', 'x\\';y');SELECT 2`)).toEqual([
      `INSERT INTO t VALUES ('a;b', 'it''s;', 'x\\';y')`,
      "SELECT 2",
    ]);
    expect(texts(`SELECT "a;""b;" ; SELECT 3`)).toEqual([`SELECT "a;""b;"`, "SELECT 3"]);
    expect(texts("CREATE TABLE `we;ird``name;` (x INT); SELECT 4")).toEqual([
      "CREATE TABLE `we;ird``name;` (x INT)",
      "SELECT 4",
    ]);
  });

  it("a backslash does not escape inside backticks", () => {
    expect(texts("SELECT `a\\`; SELECT 5")).toEqual(["SELECT `a\\`", "SELECT 5"]);
  });

  it("keeps ; inside -- , # and /* */ comments, and drops comments around statements", () => {
    const sql = [
      "-- first; not a statement",
      "CREATE TABLE a (x INT) # trailing; comment",
      ";",
      "/* block;",
      "   comment; */ SELECT /* inner; */ 1;",
    ].join("\n");
    const r = splitStatements(sql);
    expect(r.statements.map((s) => s.text)).toEqual(["CREATE TABLE a (x INT)", "SELECT /* inner; */ 1"]);
    expect(r.statements[0]!.leading.map((c) => c.body)).toEqual([" first; not a statement"]);
    expect(r.statements[1]!.line).toBe(5);
  });

  it("treats -- as a comment only before whitespace (MySQL), so 1--1 is arithmetic", () => {
    expect(texts("SELECT 1--1; SELECT 2")).toEqual(["SELECT 1--1", "SELECT 2"]);
    expect(texts("SELECT 1 --\n; SELECT 2")).toEqual(["SELECT 1", "SELECT 2"]);
  });

  it("keeps executable comments and optimizer hints as SQL", () => {
    const [s] = splitStatements("CREATE TABLE t (x INT) /*!50100 PARTITION BY HASH (x) */").statements;
    expect(s!.text).toBe("CREATE TABLE t (x INT) /*!50100 PARTITION BY HASH (x) */");
  });

  it("counts lines inside strings and comments", () => {
    const r = splitStatements("SELECT 'a\nb';\n/* x\ny */\nSELECT 2");
    expect(r.statements.map((s) => s.line)).toEqual([1, 5]);
  });

  it("refuses DELIMITER and stored programs cut at their first ;", () => {
    const r = splitStatements("DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\n");
    expect(r.problems[0]).toMatch(/^line 1: DELIMITER is a mysql client command, not SQL/);
    const t = splitStatements("SELECT 1;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END;");
    expect(t.problems).toEqual([expect.stringMatching(/^line 2: a stored program with a BEGIN \.\.\. END body/)]);
  });

  it("a single-statement trigger body needs no DELIMITER", () => {
    expect(splitStatements("CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;").problems).toEqual([]);
  });

  it("reports unterminated quotes and comments with their line", () => {
    expect(splitStatements("SELECT 1;\nSELECT 'oops;").problems).toEqual(["line 2: a '-quoted string is never closed"]);
    expect(splitStatements("SELECT `x").problems).toEqual(["line 1: a `-quoted identifier is never closed"]);
    expect(splitStatements("SELECT 1 /* x").problems).toEqual(["line 1: a /* comment is never closed"]);
  });

  it("property: a ; in a string or a comment never splits", () => {
    const piece = fc.stringMatching(/^[a-z ;]{0,12}$/);
    fc.assert(
      fc.property(piece, piece, (a, b) => {
        const sql = `SELECT '${a}' -- ${b}\n, "${b}" /* ${a} */ FROM t; SELECT 2`;
        const r = splitStatements(sql);
        return r.problems.length === 0 && r.statements.length === 2 && r.statements[1]!.text === "SELECT 2";
      }),
    );
  });
});

describe("annotations in a file", () => {
  it("allow-copy and batch apply to the next statement; sharded may stand anywhere", () => {
    const f = parseSqlFile(
      "V0003__x.sql",
      [
        "-- gamedb:sharded scores key=player_id",
        "CREATE TABLE scores (player_id BIGINT, gamedb_slot SMALLINT UNSIGNED NOT NULL, KEY (gamedb_slot));",
        "-- gamedb:allow-copy",
        "ALTER TABLE scores MODIFY player_id BIGINT UNSIGNED;",
        "-- gamedb:batch rows=250",
        "UPDATE scores SET player_id = 0 WHERE player_id IS NULL;",
        "ALTER TABLE scores ADD x INT;",
      ].join("\n"),
    );
    expect(f.problems).toEqual([]);
    expect(f.sharded).toEqual([{ kind: "sharded", table: "scores", key: "player_id" }]);
    expect(f.statements.map((s) => s.allowCopy)).toEqual([false, true, false, false]);
    expect(f.statements[2]!.run).toEqual({ mode: "batch", rows: 250 });
    expect(f.statements[3]!.run).toMatchObject({ mode: "online" });
    expect(f.statements[3]!.run).not.toHaveProperty("fallback");
  });

  it.each([
    [
      "ALTER TABLE t ADD x INT; -- gamedb:allow-copy\nALTER TABLE t ADD y INT;",
      "line 1: -- gamedb:allow-copy must stand on its own line",
    ],
    ["ALTER TABLE t\n-- gamedb:allow-copy\nADD y INT;", "line 2: -- gamedb:allow-copy is inside a statement"],
    ["SELECT 1;\n-- gamedb:batch\n", "line 2: -- gamedb:batch is followed by no statement"],
    ["# gamedb:allow-copy\nALTER TABLE t ADD y INT;", 'line 1: annotations are "-- gamedb:" line comments, not hash'],
    ["/* gamedb:allow-copy */ ALTER TABLE t ADD y INT;", "line 1: annotations are"],
    ["--gamedb:allow-copy\nALTER TABLE t ADD y INT;", 'line 1: "--gamedb:" is not a comment in MySQL'],
    ["-- gamedb:batch\n-- gamedb:batch rows=5\nDELETE FROM t WHERE x = 1;", "line 2: a second -- gamedb:batch"],
    [
      "-- gamedb:allow-copy\nCREATE TABLE t (x INT);",
      "line 2: -- gamedb:allow-copy applies to an ALTER TABLE or CREATE INDEX",
    ],
    ["-- gamedb:batch\nINSERT INTO t SELECT * FROM u;", "line 2: -- gamedb:batch applies to an UPDATE or DELETE"],
    ["-- gamedb:nope\nSELECT 1;", "line 1: unknown annotation"],
  ])("refuses a misplaced or unknown annotation, naming file and line (%#)", (sql, message) => {
    const f = parseSqlFile("V0009__x.sql", sql);
    expect(f.problems).toContainEqual(expect.stringContaining(`V0009__x.sql ${message}`));
  });
});

describe("loadMigrations / readMigrations", () => {
  const ok = (name: string, text = "SELECT 1;") => ({ name, text });

  it("sorts by numeric version and pairs U files", () => {
    const ms = loadMigrations([
      ok("V0010__b.sql"),
      ok("V0002__a.sql"),
      ok("U0002__a.sql", "SELECT 2;"),
      ok("notes.txt"),
    ]);
    expect(ms.map((m) => [m.version, m.name, m.down?.file])).toEqual([
      [2, "V0002__a", "U0002__a.sql"],
      [10, "V0010__b", undefined],
    ]);
  });

  it("reports every problem at once, each naming its file", () => {
    let error: MigrationFilesError | undefined;
    try {
      loadMigrations([
        ok("V0001__a.sql"),
        ok("V00001__dup.sql"),
        ok("U0003__orphan.sql"),
        ok("U0001__other.sql"),
        ok("V2__short.sql"),
        ok("V0004__empty.sql", "-- nothing\n"),
        ok("V0005__s.sql", "-- gamedb:sharded t key=a\nCREATE TABLE t (a INT);"),
        ok("V0006__s.sql", "-- gamedb:sharded t key=b\nSELECT 1;"),
        ok("V0007__bad.sql", "SELECT 'x"),
        ok("V0008__d.sql"),
        ok("U0008__d.sql", "-- gamedb:sharded t key=a\nSELECT 1;"),
      ]);
    } catch (e) {
      error = e as MigrationFilesError;
    }
    expect(error).toBeInstanceOf(MigrationFilesError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        "V2__short.sql: not a migration file name: name it V<version>__<description>.sql (up) or " +
          "U<version>__<description>.sql (rollback): version 4 to 15 digits (V0001), description of letters, digits and _",
        "V0001__a.sql and V00001__dup.sql both have version V0001",
        "U0003__orphan.sql rolls back V0003, which has no V file",
        // Files are taken in name order: V00001__dup.sql sorts first and is the V0001 kept.
        "U0001__other.sql and V00001__dup.sql have different descriptions: name them alike",
        "V0004__empty.sql: has no SQL statement",
        expect.stringContaining(
          "V0006__s.sql: table t is declared sharded by b, but V0005__s.sql declares it sharded by a",
        ),
        "V0007__bad.sql line 1: a '-quoted string is never closed",
        "U0008__d.sql: -- gamedb:sharded belongs in V files (a rollback declares no table)",
      ]),
    );
    expect(error!.problems).toHaveLength(8);
  });

  it("readMigrations reads a directory as a mounted ConfigMap lays it out (..data links, dot files skipped)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-migrations-"));
    try {
      fs.mkdirSync(path.join(dir, "..2024_01_01"));
      fs.writeFileSync(path.join(dir, "..2024_01_01", "V0001__a.sql"), "SELECT 1;");
      fs.symlinkSync("..2024_01_01", path.join(dir, "..data"));
      fs.symlinkSync(path.join("..data", "V0001__a.sql"), path.join(dir, "V0001__a.sql"));
      fs.writeFileSync(path.join(dir, ".hidden.sql"), "broken '");
      expect(readMigrations(dir).map((m) => m.name)).toEqual(["V0001__a"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => readMigrations(path.join(dir, "gone"))).toThrow(/^migrations directory .*gone cannot be read/);
  });

  it("the project's own migrations (stacks/migrations) load cleanly", () => {
    const ms = readMigrations(path.join(__dirname, "../../stacks/migrations"));
    expect(ms.map((m) => [m.name, m.sharded.map((s) => `${s.table}:${s.key}`), Boolean(m.down)])).toEqual([
      ["V0001__players", ["players:player_id"], true],
      ["V0002__game_logs", ["game_logs:player_id"], true],
    ]);
  });
});
