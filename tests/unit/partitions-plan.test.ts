/**
 * The partition planner (scripts/lib/partitions/plan.ts, dates.ts, spec.ts): days and TO_DAYS, the declaration's
 * checks, the layouts refused, what is created and archived, and the statements for MySQL 8.4 and for MariaDB 10.11.
 * The MySQL 8.4 forms cannot run here (the stand-ins are MariaDB, which refuses them with a syntax error): they are
 * checked against what the 8.4 grammar and manual say (cited in plan.ts).
 */
import fc from "fast-check";
import {
  TO_DAYS_1970,
  dayOf,
  dayOfPartitionName,
  formatDay,
  parseDay,
  partitionName,
  toDays,
} from "../../scripts/lib/partitions/dates";
import {
  type Dialect,
  type PartitionRow,
  PartitionLayoutError,
  createSql,
  dailyPartition,
  dropSql,
  planPartitions,
} from "../../scripts/lib/partitions/plan";
import { PartitionSpecError, resolveTables } from "../../scripts/lib/partitions/spec";

const TODAY = parseDay("2026-03-15");
const LOGS = { table: "game_logs", column: "logged_at", aheadDays: 7, keepDays: 30 };

const range = (name: string, description: string): PartitionRow => ({
  name,
  method: "RANGE",
  expression: "to_days(`logged_at`)",
  description,
  subpartitionMethod: null,
});
const daily = (from: number, to: number): PartitionRow[] => {
  const rows: PartitionRow[] = [];
  for (let d = from; d <= to; d++) rows.push(range(partitionName(d), String(toDays(d + 1))));
  return rows;
};

function plan(partitions: PartitionRow[], o: { dialect?: Dialect; columnType?: string; table?: object } = {}) {
  return planPartitions({
    schema: "game",
    table: { ...LOGS, ...o.table },
    columnType: "columnType" in o ? o.columnType : "datetime",
    partitions,
    today: TODAY,
    dialect: o.dialect ?? "mysql",
  });
}

describe("days", () => {
  it("TO_DAYS as MySQL and MariaDB compute it", () => {
    expect(toDays(parseDay("1970-01-01"))).toBe(TO_DAYS_1970);
    // Both values read from the MariaDB 10.11 stand-in: SELECT TO_DAYS('2026-01-02'), TO_DAYS('1970-01-01').
    expect(toDays(parseDay("2026-01-02"))).toBe(739983);
    expect(dailyPartition(parseDay("2026-01-01"))).toEqual({
      name: "p20260101",
      date: "2026-01-01",
      day: parseDay("2026-01-01"),
      lessThan: 739983,
    });
  });

  it("refuses dates that are not real, naming the field", () => {
    for (const bad of ["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "0999-01-01", ""])
      expect(() => parseDay(bad, "today")).toThrow(`today: "${bad}" is not a date (YYYY-MM-DD)`);
    expect(parseDay("2028-02-29")).toBe(parseDay("2028-03-01") - 1);
    expect(() => dayOf(new Date(Number.NaN))).toThrow("today: an invalid Date");
  });

  it("takes today's UTC day from a Date", () => {
    expect(formatDay(dayOf(new Date("2026-03-15T23:59:59.999Z")))).toBe("2026-03-15");
    expect(formatDay(dayOf(new Date("2026-03-16T00:30:00+01:00")))).toBe("2026-03-15");
  });

  it("names a day's partition p<YYYYMMDD> and reads it back", () => {
    fc.assert(
      fc.property(fc.integer({ min: parseDay("1970-01-01"), max: parseDay("9999-12-31") }), (day) => {
        expect(dayOfPartitionName(partitionName(day))).toBe(day);
        expect(parseDay(formatDay(day))).toBe(day);
      }),
    );
    for (const name of ["p20260230", "p2026011", "pmax", "p0", "P20260101", "p20260101x"])
      expect(dayOfPartitionName(name)).toBeUndefined();
  });
});

describe("declared tables", () => {
  it("fills in aheadDays 7 and keepDays 30", () => {
    expect(resolveTables([{ table: "game_logs", column: "logged_at" }])).toEqual([
      { table: "game_logs", column: "logged_at", aheadDays: 7, keepDays: 30 },
    ]);
  });

  it("names every bad field and the allowed values", () => {
    expect(() =>
      resolveTables([
        { table: "game_logs", column: "logged_at" },
        { table: "x;y", column: "", aheadDays: 0, keepDays: 1.5 },
      ]),
    ).toThrow(
      new PartitionSpecError(
        "tables[1].table: not an identifier: 1-64 characters of A-Z a-z 0-9 _ $; " +
          "tables[1].column: not an identifier: 1-64 characters of A-Z a-z 0-9 _ $; " +
          "tables[1].aheadDays: an integer from 1 to 366; tables[1].keepDays: an integer from 1 to 3660",
      ),
    );
    expect(() => resolveTables([{ table: "t", column: "c", keep: 3 }])).toThrow('tables[0]: Unrecognized key: "keep"');
    expect(() =>
      resolveTables([
        { table: "t", column: "c" },
        { table: "t", column: "d" },
      ]),
    ).toThrow("tables[1].table: t is declared twice");
  });
});

describe("layouts refused, with the reason", () => {
  const refused = (partitions: PartitionRow[], why: string, o = {}) =>
    expect(() => plan(partitions, o)).toThrow(new PartitionLayoutError(`table game_logs: ${why}`));

  it("a table that is not partitioned, or not by RANGE (TO_DAYS(column))", () => {
    const declare = "declare it PARTITION BY RANGE (TO_DAYS(logged_at)) with daily partitions p<YYYYMMDD>";
    refused(
      [{ name: null, method: null, expression: null, description: null, subpartitionMethod: null }],
      `is not partitioned; ${declare}`,
    );
    refused([], `is not partitioned; ${declare}`);
    refused([{ ...range("p0", "1"), method: "HASH" }], `is partitioned by HASH, not RANGE; ${declare}`);
    refused(
      [{ ...range("p0", "1"), method: "RANGE COLUMNS" }],
      `is partitioned by RANGE COLUMNS, not RANGE; ${declare}`,
    );
    refused(
      [{ ...range("p20260101", "739983"), expression: "to_days(`created_at`)" }],
      "is partitioned by to_days(`created_at`), not TO_DAYS(logged_at)",
    );
    refused(
      [{ ...range("p20260101", "739983"), expression: "year(`logged_at`)" }],
      "is partitioned by year(`logged_at`), not TO_DAYS(logged_at)",
    );
    refused(
      [{ ...range("p20260101", "739983"), subpartitionMethod: "HASH" }],
      "has subpartitions, which the job does not manage",
    );
  });

  it("a time column that is missing, or not DATE/DATETIME (TO_DAYS cannot partition a TIMESTAMP on MySQL 8.4)", () => {
    refused(daily(TODAY, TODAY), "has no column logged_at", { columnType: undefined });
    refused(
      daily(TODAY, TODAY),
      "column logged_at is timestamp; daily partitions by TO_DAYS need a DATE or DATETIME column",
      {
        columnType: "timestamp",
      },
    );
    expect(plan(daily(TODAY, TODAY + 7), { columnType: "date" }).create).toEqual([]);
  });

  it("a table as a migration creates it (a start partition, no daily ones yet) gets days from today on", () => {
    // V0002__game_logs: p_start before 2025-01-01 only. Today's partition holds everything from p_start's bound.
    const fresh = plan([range("p_start", String(toDays(parseDay("2025-01-01"))))]);
    expect(fresh.create.map((p) => p.date)).toEqual(
      Array.from({ length: 8 }, (_, i) => formatDay(TODAY + i)), // today and 7 ahead
    );
    expect(fresh.archive).toEqual([]);
    // Only MAXVALUE: from today, by REORGANIZE of it.
    const tail = plan([range("p0", "739000"), range("pmax", "MAXVALUE")]);
    expect(tail.create[0]!.date).toBe(formatDay(TODAY));
    expect(tail.createSql).toMatch(/REORGANIZE PARTITION `pmax`/);
    // A start partition that ends after today: the days start where it ends (bounds must increase).
    const later = plan([range("p_start", String(toDays(TODAY + 3)))]);
    expect(later.create.map((p) => p.date)).toEqual([3, 4, 5, 6, 7].map((d) => formatDay(TODAY + d)));
  });

  it("a daily name whose bound is not the next day's TO_DAYS", () => {
    refused(
      [range("p20260101", "739982")],
      "partition p20260101 has VALUES LESS THAN 739982; a daily partition of 2026-01-01 has 739983 (TO_DAYS('2026-01-02'))",
    );
  });

  it("another name after the daily partitions", () => {
    refused(
      [...daily(TODAY, TODAY), range("pextra", String(toDays(TODAY + 5)))],
      "partition pextra follows daily partitions but is not named p<YYYYMMDD> (nor MAXVALUE)",
    );
  });
});

describe("the plan", () => {
  it("creates one partition a day through today + aheadDays, after the newest", () => {
    const p = plan(daily(TODAY - 3, TODAY + 1));
    expect(p.create.map((c) => c.name)).toEqual(
      ["2026-03-17", "2026-03-18", "2026-03-19", "2026-03-20", "2026-03-21", "2026-03-22"].map(
        (d) => `p${d.replace(/-/g, "")}`,
      ),
    );
    expect(p.create[0]?.lessThan).toBe(toDays(parseDay("2026-03-18")));
    expect(plan(daily(TODAY - 3, TODAY + 7)).createSql).toBeUndefined();
    expect(plan(daily(TODAY - 3, TODAY + 9)).create).toEqual([]);
  });

  it("fills the days since a stale newest partition, and says so", () => {
    const p = plan(daily(TODAY - 10, TODAY - 5));
    expect(p.create[0]?.date).toBe("2026-03-11");
    expect(p.create).toHaveLength(12);
    expect(p.notes).toContain("the newest daily partition was 2026-03-10: days since then are created too");
  });

  it("archives exactly the partitions whose every row is older than today - keepDays, oldest first", () => {
    const p = plan(daily(TODAY - 40, TODAY + 7));
    // keepDays 30: 2026-02-13 (today - 30) stays, 2026-02-12 goes.
    expect(p.archive.map((a) => a.date)).toEqual(
      Array.from({ length: 10 }, (_, i) => formatDay(parseDay("2026-02-03") + i)),
    );
    expect(plan(daily(TODAY - 2, TODAY + 7), { table: { keepDays: 1 } }).archive.map((a) => a.date)).toEqual([
      "2026-03-13",
    ]);
  });

  it("leaves older partitions of other names alone, and notes days that share a partition", () => {
    const p = plan([
      range("p_history", String(toDays(TODAY - 50))),
      ...daily(TODAY - 45, TODAY - 44),
      ...daily(TODAY - 40, TODAY + 7),
    ]);
    expect(p.notes).toEqual([
      "left alone: p_history (not daily partitions)",
      "p20260203 also holds the days from 2026-01-31: they have no partition of their own",
    ]);
    expect(p.archive[0]?.name).toBe("p20260129");
  });

  it("is always a run of days up to today + aheadDays, and archives only what keepDays no longer covers", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -400, max: 20 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 90 }),
        fc.boolean(),
        (start, length, aheadDays, keepDays, maxvalue) => {
          const rows = daily(TODAY + start, TODAY + start + length);
          if (maxvalue) rows.push(range("pmax", "MAXVALUE"));
          const p = plan(rows, { table: { aheadDays, keepDays } });
          const days = [...p.daily, ...p.create].map((d) => d.day);
          days.forEach((d, i) => i === 0 || expect(d).toBe((days[i - 1] as number) + 1));
          expect(days[days.length - 1]).toBe(Math.max(TODAY + aheadDays, TODAY + start + length));
          const cutoff = toDays(TODAY - keepDays);
          for (const d of p.daily) expect(p.archive.includes(d)).toBe(d.lessThan <= cutoff);
          expect(p.archive.every((a) => a.day < TODAY)).toBe(true);
        },
      ),
    );
  });
});

describe("statements: MySQL 8.4 and MariaDB 10.11", () => {
  const days = [dailyPartition(parseDay("2026-03-16")), dailyPartition(parseDay("2026-03-17"))];
  const defs =
    "PARTITION `p20260316` VALUES LESS THAN (TO_DAYS('2026-03-17')), " +
    "PARTITION `p20260317` VALUES LESS THAN (TO_DAYS('2026-03-18'))";

  it("MySQL 8.4: ALGORITHM/LOCK before the partition operation, in place", () => {
    expect(createSql("mysql", "game", "game_logs", days, undefined)).toBe(
      `ALTER TABLE \`game\`.\`game_logs\` ALGORITHM=INPLACE, LOCK=NONE, ADD PARTITION (${defs})`,
    );
    // REORGANIZE offers no LOCK=NONE on 8.4 (Table 17.23): SHARED is stated rather than a NONE the server refuses.
    expect(createSql("mysql", "game", "game_logs", days, "pmax")).toBe(
      "ALTER TABLE `game`.`game_logs` ALGORITHM=INPLACE, LOCK=SHARED, REORGANIZE PARTITION `pmax` INTO " +
        `(${defs}, PARTITION \`pmax\` VALUES LESS THAN MAXVALUE)`,
    );
  });

  it("MySQL 8.4: DROP PARTITION states ALGORITHM=INPLACE, so old_alter_table=ON cannot move the rows into the next partition", () => {
    expect(dropSql("mysql", "game", "game_logs", "p20260212")).toBe(
      "ALTER TABLE `game`.`game_logs` ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION `p20260212`",
    );
  });

  it("MariaDB 10.11: no ALGORITHM/LOCK with partition operations (a syntax error there)", () => {
    expect(createSql("mariadb", "game", "game_logs", days, undefined)).toBe(
      `ALTER TABLE \`game\`.\`game_logs\` ADD PARTITION (${defs})`,
    );
    expect(createSql("mariadb", "game", "game_logs", days, "pmax")).toBe(
      `ALTER TABLE \`game\`.\`game_logs\` REORGANIZE PARTITION \`pmax\` INTO (${defs}, PARTITION \`pmax\` VALUES LESS THAN MAXVALUE)`,
    );
    expect(dropSql("mariadb", "game", "game_logs", "p20260212")).toBe(
      "ALTER TABLE `game`.`game_logs` DROP PARTITION `p20260212`",
    );
  });

  it("never IF [NOT] EXISTS (MariaDB-only), never ALGORITHM=COPY or DEFAULT, never a trailing ALGORITHM", () => {
    for (const dialect of ["mysql", "mariadb"] as const) {
      const all = [
        createSql(dialect, "game", "t", days, undefined),
        createSql(dialect, "game", "t", days, "pmax"),
        dropSql(dialect, "game", "t", "p20260101"),
      ];
      for (const sql of all) {
        expect(sql).not.toMatch(/IF (NOT )?EXISTS|ALGORITHM=(COPY|DEFAULT)|PARTITION[^,]*, ALGORITHM/);
        if (dialect === "mysql")
          expect(sql).toMatch(
            /^ALTER TABLE \S+ ALGORITHM=INPLACE, LOCK=(NONE|SHARED), (ADD|REORGANIZE|DROP) PARTITION /,
          );
      }
    }
  });

  it("the plan carries the statement for its dialect and its MAXVALUE partition", () => {
    const rows = [...daily(TODAY - 1, TODAY + 5), range("pmax", "MAXVALUE")];
    expect(plan(rows, { dialect: "mariadb" }).createSql).toMatch(
      /^ALTER TABLE `game`.`game_logs` REORGANIZE PARTITION `pmax` INTO \(PARTITION `p20260321` .*, PARTITION `p20260322` .*, PARTITION `pmax` VALUES LESS THAN MAXVALUE\)$/,
    );
    expect(plan(rows).notes).toContain("creates by REORGANIZE of pmax: its rows are copied and writes wait meanwhile");
  });

  it("quotes names with backticks doubled", () => {
    expect(dropSql("mysql", "ga`me", "t", "p20260101")).toBe(
      "ALTER TABLE `ga``me`.`t` ALGORITHM=INPLACE, LOCK=NONE, DROP PARTITION `p20260101`",
    );
    expect(() => createSql("mysql", "game", "t", [], undefined)).toThrow("createSql: no partitions to create");
  });
});
