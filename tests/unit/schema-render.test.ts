/**
 * The offline plan's Schema section (scripts/lib/renderSchema.ts) and the verdict given to each MySQL 8.4 copy
 * warning (scripts/lib/schemaWarnings.ts): "needs -- gamedb:allow-copy or an online tool" only where the runner
 * refuses (infra/plan/migrations/online.ts decideExecution; copyWarnings.ts effects).
 */
import type { SchemaPlan } from "../../infra/plan/gameSchemaPlan";
import { summarizeMigrations } from "../../infra/plan/gameSchemaPlan";
import { loadMigrations, SourceFile } from "../../infra/plan/migrations/files";
import { renderSchema } from "../../scripts/lib/renderSchema";
import { copyVerdict, plannedCopyWarnings } from "../../scripts/lib/schemaWarnings";

const PLAYERS = `-- gamedb:sharded players key=player_id
CREATE TABLE players (
  player_id BIGINT UNSIGNED NOT NULL,
  gamedb_slot SMALLINT UNSIGNED NOT NULL,
  name VARCHAR(64) NOT NULL,
  level INT UNSIGNED NOT NULL DEFAULT 1,
  PRIMARY KEY (player_id),
  KEY gamedb_slot (gamedb_slot, player_id)
) ENGINE=InnoDB;
`;
const COPIES = `ALTER TABLE players MODIFY COLUMN level BIGINT UNSIGNED NOT NULL DEFAULT 1;
-- gamedb:allow-copy
ALTER TABLE players ADD FULLTEXT INDEX ft_name (name);
ALTER TABLE players ROW_FORMAT=COMPRESSED;
ALTER TABLE players CONVERT TO CHARACTER SET utf8mb4;
OPTIMIZE TABLE players;
ALTER TABLE players ADD COLUMN note VARCHAR(16) NULL, ALGORITHM=INPLACE, LOCK=NONE, ROW_FORMAT=DYNAMIC;
`;

function schemaOf(files: SourceFile[]): SchemaPlan {
  return {
    config: {
      database: "game",
      migrations: "stacks/migrations",
      image: "registry.example.com/gamedb/gamedb-migrate:0.1.0",
      timeoutMinutes: 30,
      concurrency: 4,
      batch: { rows: 1000, pauseThreadsRunning: 25, stopThreadsRunning: 50 },
      partitioned: [{ table: "game_logs", column: "logged_at", aheadDays: 7, keepDays: 30 }],
      partitionSchedule: "15 3 * * *",
    },
    files,
    migrations: summarizeMigrations(loadMigrations(files)),
    jobConfig: {
      database: "game",
      concurrency: 4,
      batch: { rows: 1000, pauseThreadsRunning: 25, stopThreadsRunning: 50 },
      shards: [
        { id: 1, state: "active" },
        { id: 2, state: "provisioning" },
      ],
      slotMap: [],
      partitioned: [],
    },
    contentHash: "0123456789abcdef",
  };
}

const FILES: SourceFile[] = [
  { name: "V0001__players.sql", text: PLAYERS },
  { name: "U0001__players.sql", text: "DROP TABLE players;\n" },
  { name: "V0002__copies.sql", text: COPIES },
];

describe("copy verdicts", () => {
  it("says refused only where the runner tries the statement online and MySQL 8.4 cannot", () => {
    const online = { mode: "online" as const, attempts: ["a", "b"] };
    expect(copyVerdict("copy", false, online)).toBe("refused");
    expect(copyVerdict("blocks-writes", false, online)).toBe("refused");
    expect(copyVerdict("copy-if-type-changes", false, online)).toBe("refused-if-type-changes");
    expect(copyVerdict("rebuild", false, online)).toBe("online-rebuild");
    expect(copyVerdict("copy", true, { ...online, fallback: "x" })).toBe("allow-copy");
    expect(copyVerdict("rebuild", false, { mode: "as-written" })).toBe("as-written");
  });

  it("derives each warning's verdict from the plan's files", () => {
    const warnings = plannedCopyWarnings(schemaOf(FILES));
    expect(warnings.map((w) => [w.text.slice(0, w.text.indexOf(":")), w.verdict])).toEqual([
      ["V0002 statement 1 (line 1)", "refused-if-type-changes"],
      ["V0002 statement 2 (line 3)", "allow-copy"],
      ["V0002 statement 3 (line 4)", "online-rebuild"],
      ["V0002 statement 4 (line 5)", "refused"],
      ["V0002 statement 5 (line 6)", "as-written"],
      ["V0002 statement 6 (line 7)", "as-written"],
    ]);
    expect(warnings.every((w) => w.name === "V0002__copies")).toBe(true);
  });

  it("keeps the plan's texts when the files are not in the plan", () => {
    const schema = { ...schemaOf(FILES), files: [] };
    const warnings = plannedCopyWarnings(schema);
    expect(warnings).toHaveLength(schema.migrations[1]!.warnings.length);
    expect(warnings.map((w) => w.verdict)).toEqual([
      undefined,
      "allow-copy",
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(warnings.some((w) => w.text.endsWith("[allow-copy]"))).toBe(false);
  });
});

describe("renderSchema", () => {
  it("renders nothing without gamedb:schema", () => {
    expect(renderSchema(undefined)).toEqual([]);
  });

  it("lists the database, the migrations and every copy warning with what the runner does", () => {
    const lines = renderSchema(schemaOf(FILES));
    expect(lines.slice(0, 6)).toEqual([
      "Schema: database game, 2 migrations from stacks/migrations",
      "  migration Job: digest 0123456789 (a new one runs when it changes), shards 1, 2 (4 at a time), timeout 30 min",
      "  V0001__players  rollback yes  sharded players",
      "  V0002__copies   rollback no",
      "  partitioned game_logs by day of logged_at: 7 days ahead, kept 30 days",
      "  MySQL 8.4 table copies (online = ALGORITHM=INSTANT, then INPLACE, LOCK=NONE):",
    ]);
    expect(lines.slice(6).map((l) => l.slice(0, 32))).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `    V0002 statement ${n} (line ${n === 1 ? 1 : n + 1}): `.slice(0, 32)),
    );
    const text = lines.join("\n");
    expect(text).toMatch(
      /V0002 statement 4 \(line 5\): players: CONVERT TO CHARACTER SET copies the table and blocks writes .* → refused by the runner: needs -- gamedb:allow-copy or an online tool/,
    );
    expect(text).toMatch(/V0002 statement 2 \(line 3\): players: ADD FULLTEXT INDEX .* → \[allow-copy\]$/m);
    expect(text).toMatch(/V0002 statement 3 .* → expected to run online/);
    // "needs allow-copy" only where the runner refuses: 1 if the type changes, 4 (CONVERT).
    expect(text.match(/needs -- gamedb:allow-copy/g)).toHaveLength(2);
  });
});
