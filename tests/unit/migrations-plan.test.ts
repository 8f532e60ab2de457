// What a shard needs (scripts/lib/migrations/plan.ts), the batch loop with a faked connection and load
// (batch.ts), and the fleet report's text (report.ts).
import { migrationChecksum, statementsChecksum } from "../../infra/contracts/migrations";
import { BatchStopped, runBatched } from "../../scripts/lib/migrations/batch";
import { loadMigrations } from "../../infra/plan/migrations/files";
import { AppliedRow, formatDrift, pendingFor } from "../../infra/plan/migrations/pending";
import { formatFleetReport, formatVersions } from "../../scripts/lib/migrations/report";

const FILES = [
  { name: "V0001__a.sql", text: "CREATE TABLE a (x INT);" },
  { name: "V0002__b.sql", text: "CREATE TABLE b (x INT);\nALTER TABLE b ADD y INT;\nALTER TABLE b ADD z INT;" },
  { name: "V0003__c.sql", text: "CREATE TABLE c (x INT);" },
];
const migrations = loadMigrations(FILES);
const [m1, m2, m3] = migrations as [(typeof migrations)[0], (typeof migrations)[0], (typeof migrations)[0]];

function row(version: number, state: AppliedRow["state"], extra: Partial<AppliedRow> = {}): AppliedRow {
  const m = migrations.find((x) => x.version === version);
  return {
    version,
    description: m?.description ?? "gone",
    checksum: m?.up.checksum ?? "0".repeat(64),
    state,
    statementsDone: state === "applied" ? (m?.up.statements.length ?? 1) : 0,
    statementsChecksum: null,
    executedAt: null,
    durationMs: null,
    rollbackSql: null,
    error: null,
    rolledBackAt: null,
    ...extra,
  };
}
const pending = (rows: AppliedRow[]) => pendingFor(rows, migrations).pending.map((p) => [p.migration.version, p.from]);

describe("pendingFor", () => {
  it("a new shard needs everything, from the first statement", () => {
    expect(pendingFor([], migrations)).toEqual({
      applied: [],
      pending: migrations.map((m) => ({ migration: m, from: 0 })),
      drift: [],
      problems: [],
    });
  });

  it("applied migrations with their checksum are done: a rerun has nothing to do", () => {
    const plan = pendingFor([row(1, "applied"), row(2, "applied"), row(3, "applied")], migrations);
    expect(plan).toEqual({ applied: [1, 2, 3], pending: [], drift: [], problems: [] });
  });

  it("an applied file whose checksum changed is drift", () => {
    const plan = pendingFor([row(1, "applied", { checksum: "f".repeat(64) })], migrations);
    expect(plan.drift).toEqual([
      { version: 1, file: "V0001__a.sql", applied: "f".repeat(64), current: m1.up.checksum },
    ]);
    expect(formatDrift(3, plan.drift[0]!)).toBe(
      `V0001__a.sql on shard 3 changed after it was applied: applied with checksum ${"f".repeat(64)}, the file now ` +
        `has ${m1.up.checksum}; restore the file and put the change in a new migration`,
    );
  });

  it("a failed migration resumes at the statement that failed", () => {
    const failed = row(2, "failed", { statementsDone: 2, error: "boom" });
    const plan = pendingFor([row(1, "applied"), failed], migrations);
    expect(plan.failed).toEqual({ version: 2, statement: 3, line: 3, error: "boom" });
    expect(pending([row(1, "applied"), failed])).toEqual([
      [2, 2],
      [3, 0],
    ]);
    // A crash leaves it running: resumed the same way.
    expect(pending([row(1, "applied"), { ...failed, state: "running" }])[0]).toEqual([2, 2]);
  });

  it("a fixed file resumes if the statements already run are unchanged", () => {
    const texts = m2.up.statements.map((s) => s.text);
    const failed = row(2, "failed", {
      checksum: migrationChecksum("older text"),
      statementsDone: 1,
      statementsChecksum: statementsChecksum(texts, 1),
    });
    expect(pending([row(1, "applied"), failed])[0]).toEqual([2, 1]);
  });

  it("refuses to resume when a statement already run changed", () => {
    const failed = row(2, "failed", {
      checksum: migrationChecksum("older text"),
      statementsDone: 2,
      statementsChecksum: statementsChecksum(["CREATE TABLE b (x INT)", "ALTER TABLE b ADD w INT"], 2),
    });
    const plan = pendingFor([row(1, "applied"), failed], migrations);
    expect(plan.problems).toEqual([
      "V0002__b.sql: statements 1-2 already ran on this shard, but the file changed them since: restore them " +
        "(only the failed statement and those after it may change), or repair the shard by hand",
    ]);
    expect(plan.pending.map((p) => p.migration.version)).toEqual([3]);
  });

  it("a failed migration that ran nothing restarts with whatever the file says now", () => {
    expect(pending([row(1, "applied"), row(2, "failed", { checksum: "1".repeat(64) })])[0]).toEqual([2, 0]);
  });

  it("a rolled-back migration is pending again", () => {
    expect(pending([row(1, "applied"), row(2, "applied"), row(3, "rolled_back")])).toEqual([[3, 0]]);
  });

  it("refuses an applied row without its file, and a new version below the newest applied", () => {
    const plan = pendingFor([row(1, "applied"), row(3, "applied"), row(9, "applied")], migrations);
    expect(plan.problems).toEqual([
      "V0009 (gone) is recorded as applied on this shard but has no file: restore its V file (applied migrations " +
        "stay in the directory)",
      "V0002__b.sql is not applied on this shard, but V0009 is: a new migration needs a version above the newest " +
        "applied (rename it above V0009)",
    ]);
    // A rolled-back row without a file is history, not a problem.
    expect(pendingFor([row(9, "rolled_back")], migrations).problems).toEqual([]);
  });

  it("uses m3 (keeps the fixture honest)", () => {
    expect(m3.up.statements).toHaveLength(1);
  });
});

describe("runBatched (faked connection and load)", () => {
  /** A table of `total` rows the fake UPDATE changes `limit` at a time. */
  function fakeTable(total: number) {
    let left = total;
    const sent: string[] = [];
    return {
      sent,
      conn: {
        query: async (sql: string) => {
          sent.push(sql);
          const limit = Number(/LIMIT (\d+)$/.exec(sql)![1]);
          const n = Math.min(limit, left);
          left -= n;
          return [{ affectedRows: n, changedRows: n }, undefined];
        },
      } as never,
    };
  }
  const settings = { rows: 1000, pauseThreadsRunning: 25, stopThreadsRunning: 50, pauseMs: 1000, maxPauseMs: 5000 };
  const quiet = { threadsRunning: async () => 3, sleep: async () => undefined };

  it("runs chunks of n rows until one affects fewer", async () => {
    const t = fakeTable(20_500);
    const chunks: number[] = [];
    const r = await runBatched(t.conn, "UPDATE p SET v = 2 WHERE v = 1", settings, {
      ...quiet,
      onChunk: (c) => chunks.push(c.affected),
    });
    expect(r).toEqual({ chunks: 21, rows: 20_500 });
    expect(chunks).toEqual([...Array(20).fill(1000), 500]);
    expect(t.sent[0]).toBe("UPDATE p SET v = 2 WHERE v = 1 LIMIT 1000");
  });

  it("an exact multiple ends with an empty chunk", async () => {
    expect(await runBatched(fakeTable(2000).conn, "DELETE FROM p WHERE v = 1", settings, quiet)).toEqual({
      chunks: 3,
      rows: 2000,
    });
  });

  it("pauses while Threads_running is above the pause threshold, then goes on", async () => {
    const readings = [30, 26, 25, 40, 5];
    const slept: number[] = [];
    const paused: number[] = [];
    const r = await runBatched(fakeTable(1500).conn, "DELETE FROM p WHERE v = 1", settings, {
      threadsRunning: async () => readings.shift() ?? 1,
      sleep: async (ms) => void slept.push(ms),
      onPause: (t) => paused.push(t),
    });
    expect(r.chunks).toBe(2);
    // Before chunk 1: 30 and 26 are above 25 (pause), 25 is not; before chunk 2: 40 pauses, 5 goes.
    expect(paused).toEqual([30, 26, 40]);
    expect(slept).toEqual([1000, 1000, 1000]);
  });

  it("stops above the stop threshold, before running the chunk", async () => {
    const t = fakeTable(5000);
    const readings = [3, 51];
    await expect(
      runBatched(t.conn, "DELETE FROM p WHERE v = 1", settings, {
        ...quiet,
        threadsRunning: async () => readings.shift()!,
      }),
    ).rejects.toThrow(
      new BatchStopped(
        "Threads_running is 51, above stopThreadsRunning 50: the batch stopped (resumable: run the migration again " +
          "when the shard is quieter)",
      ),
    );
    expect(t.sent).toHaveLength(1);
  });

  it("stops after waiting maxPauseMs", async () => {
    await expect(
      runBatched(fakeTable(10).conn, "DELETE FROM p WHERE v = 1", settings, {
        ...quiet,
        threadsRunning: async () => 30,
      }),
    ).rejects.toThrow("Threads_running stayed above pauseThreadsRunning 25 for 5000 ms");
  });

  it("refuses a WHERE that keeps matching changed rows (the chunks would never end)", async () => {
    // An UPDATE's OK packet says how many rows matched and changed (mysql2 parses "Changed: n" into changedRows).
    const info = "Rows matched: 1000  Changed: 0  Warnings: 0";
    const conn = { query: async () => [{ affectedRows: 1000, changedRows: 0, info }, undefined] } as never;
    await expect(runBatched(conn, "UPDATE p SET v = 1 WHERE v = 1", settings, quiet)).rejects.toThrow(
      "chunk 1 matched 1000 rows and changed none",
    );
  });
});

describe("the fleet report", () => {
  it("compresses versions", () => {
    expect(formatVersions([3, 1, 2, 5, 7, 8])).toBe("V0001-V0003, V0005, V0007-V0008");
    expect(formatVersions([])).toBe("-");
  });

  it("lists every shard, then each shard's message", () => {
    const text = formatFleetReport([
      {
        shard: 1,
        state: "active",
        outcome: "stopped",
        applied: [1, 2, 3],
        pending: [4],
        message: "another shard failed",
      },
      {
        shard: 2,
        state: "active",
        outcome: "failed",
        applied: [1, 2],
        pending: [3, 4],
        failed: { version: 3, statement: 2, line: 7, error: "Duplicate entry" },
        message: "V0003__x.sql statement 2 (line 7): Duplicate entry",
      },
      { shard: 3, state: "provisioning", outcome: "applied", applied: [1, 2, 3, 4], pending: [] },
    ]);
    expect(text).toBe(
      [
        "shard  state         outcome  applied      pending      failed at",
        "-----  ------------  -------  -----------  -----------  --------------------------",
        "1      active        stopped  V0001-V0003  V0004        -",
        "2      active        failed   V0001-V0002  V0003-V0004  V0003 statement 2 (line 7)",
        "3      provisioning  applied  V0001-V0004  -            -",
        "",
        "shard 1: another shard failed",
        "shard 2: V0003__x.sql statement 2 (line 7): Duplicate entry",
      ].join("\n"),
    );
  });
});
