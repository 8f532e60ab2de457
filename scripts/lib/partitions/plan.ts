/**
 * The daily-partition decisions for one table on one shard, from what information_schema.PARTITIONS shows. Pure.
 *
 * Layout accepted: PARTITION BY RANGE (TO_DAYS(<column>)) on a DATE or DATETIME column, with daily partitions
 * `p<YYYYMMDD>` each VALUES LESS THAN (TO_DAYS(<the next day>)), optionally preceded by partitions of other names
 * (older history, left alone) and optionally followed by one MAXVALUE partition. Anything else is refused with the
 * reason: the job never guesses at a layout it did not make.
 *
 * Creating ahead: one partition per day from the day after the newest daily partition through today + aheadDays.
 * Without a MAXVALUE partition that is ADD PARTITION; with one, REORGANIZE of it into the new days plus itself (ADD
 * after MAXVALUE is refused: ER 1481 "MAXVALUE can only be used in last partition definition"). ADD is the better
 * layout: on MySQL 8.4 it runs in place with concurrent writes and copies nothing, while REORGANIZE copies the MAXVALUE
 * partition's rows and blocks writes meanwhile (LOCK=NONE is not offered for it) (MySQL 8.4 manual 17.12.1 "Online DDL
 * Operations", Table 17.23 "Online DDL Support for Partitioning Operations"). MAXVALUE buys only that inserts beyond
 * the last day do not fail if the job stops for more than aheadDays.
 *
 * Archiving: a daily partition whose every row is older than today - keepDays (its bound is at most that day) is
 * exported, verified and dropped, oldest first. So keepDays whole days before today stay, plus today.
 *
 * MySQL 8.4 vs MariaDB 10.11 (the stand-ins), each in the statements below:
 * - MySQL takes ALGORITHM/LOCK on partition operations, but only before them: `ALTER TABLE t ALGORITHM=INPLACE,
 *   LOCK=NONE, DROP PARTITION p` (sql/sql_yacc.yy standalone_alter_table_action: alter_commands_modifier_list ','
 *   standalone_alter_commands; the same rule since 8.0). MariaDB 10.11 refuses any ALGORITHM/LOCK next to a partition
 *   operation with a syntax error (1064, seen on the stand-ins), so it gets the bare statement.
 * - DROP PARTITION on MySQL 8.4 with ALGORITHM=COPY, or with old_alter_table=ON and no ALGORITHM, rebuilds the table
 *   and MOVES the dropped partition's rows into another partition whose range takes them (Table 17.23): after an
 *   archive the rows would stay, duplicated. ALGORITHM=INPLACE is therefore stated, not left to the default; "an
 *   ALGORITHM clause requires the operation to use the specified algorithm ... or fail" (15.1.9 ALTER TABLE).
 * - MariaDB accepts ADD PARTITION IF NOT EXISTS and DROP PARTITION IF EXISTS; MySQL 8.4 has neither (its grammar's
 *   DROP PARTITION takes a plain name list), so reruns are made safe by re-reading information_schema, not by them.
 */
import { type Day, TO_DAYS_1970, dayOfPartitionName, formatDay, partitionName, toDays } from "./dates";
import type { PartitionedTable } from "./spec";

export type Dialect = "mysql" | "mariadb";

/** One row of information_schema.PARTITIONS for the table, in PARTITION_ORDINAL_POSITION order. */
export interface PartitionRow {
  /** PARTITION_NAME (null for a table that is not partitioned: its one row). */
  name: string | null;
  /** PARTITION_METHOD: "RANGE", "RANGE COLUMNS", "LIST", "HASH", ... */
  method: string | null;
  /** PARTITION_EXPRESSION, e.g. "to_days(`logged_at`)". */
  expression: string | null;
  /** PARTITION_DESCRIPTION: the evaluated bound ("739983") or "MAXVALUE". */
  description: string | null;
  subpartitionMethod: string | null;
}

export interface DailyPartition {
  name: string;
  /** The day its rows belong to (YYYY-MM-DD). */
  date: string;
  day: Day;
  /** TO_DAYS of the next day: VALUES LESS THAN this. */
  lessThan: number;
}

export interface PartitionPlan {
  /** The daily partitions that exist, oldest first. */
  daily: DailyPartition[];
  /** The trailing MAXVALUE partition's name, when there is one. */
  maxvalue: string | undefined;
  /** Partitions to create, oldest first, and the statement that does it (undefined when none). */
  create: DailyPartition[];
  createSql: string | undefined;
  /** Daily partitions to archive then drop, oldest first. */
  archive: DailyPartition[];
  notes: string[];
}

export class PartitionLayoutError extends Error {
  override name = "PartitionLayoutError";
}

/** Column types TO_DAYS partitioning takes (MySQL 8.4 refuses it on TIMESTAMP: use UNIX_TIMESTAMP there). */
const DAY_TYPES = new Set(["date", "datetime"]);

const quote = (id: string): string => `\`${id.replace(/`/g, "``")}\``;
const qualified = (schema: string, table: string): string => `${quote(schema)}.${quote(table)}`;

export function dailyPartition(day: Day): DailyPartition {
  return { name: partitionName(day), date: formatDay(day), day, lessThan: toDays(day + 1) };
}

/** `PARTITION p20260105 VALUES LESS THAN (TO_DAYS('2026-01-06'))`: the bound as the brief's layout writes it. */
function definition(p: DailyPartition): string {
  return `PARTITION ${quote(p.name)} VALUES LESS THAN (TO_DAYS('${formatDay(p.day + 1)}'))`;
}

/** The ALTER TABLE prefix: MySQL's ALGORITHM/LOCK go before the partition operation; MariaDB takes none. */
function alter(dialect: Dialect, schema: string, table: string, lock: "NONE" | "SHARED"): string {
  const head = `ALTER TABLE ${qualified(schema, table)} `;
  return dialect === "mysql" ? `${head}ALGORITHM=INPLACE, LOCK=${lock}, ` : head;
}

/** The statement creating `parts` (oldest first): ADD PARTITION, or REORGANIZE of the MAXVALUE partition. */
export function createSql(
  dialect: Dialect,
  schema: string,
  table: string,
  parts: readonly DailyPartition[],
  maxvalue: string | undefined,
): string {
  if (parts.length === 0) throw new Error("createSql: no partitions to create");
  const defs = parts.map(definition);
  if (maxvalue === undefined) return `${alter(dialect, schema, table, "NONE")}ADD PARTITION (${defs.join(", ")})`;
  const tail = `PARTITION ${quote(maxvalue)} VALUES LESS THAN MAXVALUE`;
  return (
    `${alter(dialect, schema, table, "SHARED")}REORGANIZE PARTITION ${quote(maxvalue)} INTO ` +
    `(${[...defs, tail].join(", ")})`
  );
}

/** Drops one partition, its rows with it (never moved: see the header). */
export function dropSql(dialect: Dialect, schema: string, table: string, partition: string): string {
  return `${alter(dialect, schema, table, "NONE")}DROP PARTITION ${quote(partition)}`;
}

/** "to_days(`logged_at`)" and spellings of it → "to_days(logged_at)". */
function normaliseExpression(expression: string): string {
  return expression.replace(/[`\s]/g, "").toLowerCase();
}

/** The table's daily partitions and MAXVALUE tail, or a PartitionLayoutError saying why the layout is not ours. */
export function readLayout(
  table: PartitionedTable,
  columnType: string | undefined,
  rows: readonly PartitionRow[],
): { daily: DailyPartition[]; maxvalue: string | undefined; others: string[]; othersEnd: number | undefined } {
  const t = table.table;
  const refuse: (why: string) => never = (why) => {
    throw new PartitionLayoutError(`table ${t}: ${why}`);
  };
  const declare = `PARTITION BY RANGE (TO_DAYS(${table.column})) with daily partitions p<YYYYMMDD>`;
  if (columnType === undefined) refuse(`has no column ${table.column}`);
  if (!DAY_TYPES.has(String(columnType).toLowerCase()))
    refuse(`column ${table.column} is ${columnType}; daily partitions by TO_DAYS need a DATE or DATETIME column`);
  const first = rows[0];
  if (!first || first.name === null || first.method === null) refuse(`is not partitioned; declare it ${declare}`);
  if (first.method !== "RANGE") refuse(`is partitioned by ${first.method}, not RANGE; declare it ${declare}`);
  if (rows.some((r) => r.subpartitionMethod !== null)) refuse("has subpartitions, which the job does not manage");
  const expected = `to_days(${table.column.toLowerCase()})`;
  if (normaliseExpression(first.expression ?? "") !== expected)
    refuse(`is partitioned by ${first.expression}, not TO_DAYS(${table.column})`);

  const daily: DailyPartition[] = [];
  const others: string[] = [];
  let maxvalue: string | undefined;
  /** The highest bound (TO_DAYS) of the partitions before the daily ones, such as a migration's p_start. */
  let othersEnd: number | undefined;
  for (const r of rows) {
    const name = r.name ?? "";
    if (r.description === "MAXVALUE") {
      maxvalue = name; // the server keeps MAXVALUE last
      continue;
    }
    const day = dayOfPartitionName(name);
    if (day === undefined) {
      if (daily.length > 0)
        refuse(`partition ${name} follows daily partitions but is not named p<YYYYMMDD> (nor MAXVALUE)`);
      others.push(name);
      const bound = Number(r.description);
      if (Number.isInteger(bound)) othersEnd = Math.max(othersEnd ?? bound, bound);
      continue;
    }
    const p = dailyPartition(day);
    if (r.description !== String(p.lessThan))
      refuse(
        `partition ${name} has VALUES LESS THAN ${r.description}; a daily partition of ${p.date} has ` +
          `${p.lessThan} (TO_DAYS('${formatDay(day + 1)}'))`,
      );
    daily.push(p);
  }
  return { daily, maxvalue, others, othersEnd };
}

export interface PlanInput {
  schema: string;
  table: PartitionedTable;
  /** information_schema.COLUMNS.DATA_TYPE of the table's time column (undefined: no such column). */
  columnType: string | undefined;
  partitions: readonly PartitionRow[];
  today: Day;
  dialect: Dialect;
}

/** What to create and what to archive; throws a PartitionLayoutError when the table's layout is not ours. */
export function planPartitions(input: PlanInput): PartitionPlan {
  const { schema, table, today, dialect } = input;
  const { daily, maxvalue, others, othersEnd } = readLayout(table, input.columnType, input.partitions);
  const notes: string[] = [];
  if (others.length > 0) notes.push(`left alone: ${others.join(", ")} (not daily partitions)`);
  daily.forEach((p, i) => {
    const previous = daily[i - 1];
    if (previous && p.day - previous.day > 1)
      notes.push(
        `${p.name} also holds the days from ${formatDay(previous.day + 1)}: they have no partition of their own`,
      );
  });

  // A table as a migration creates it (a start partition such as p_start, or only MAXVALUE) gets daily partitions
  // from today, or from the day its start partition ends if that is later: bounds must increase.
  const newest = daily[daily.length - 1]?.day ?? Math.max(today - 1, (othersEnd ?? 0) - TO_DAYS_1970 - 1);
  const create: DailyPartition[] = [];
  for (let day = newest + 1; day <= today + table.aheadDays; day++) create.push(dailyPartition(day));
  if (daily.length > 0 && newest < today - 1)
    notes.push(`the newest daily partition was ${formatDay(newest)}: days since then are created too`);
  if (maxvalue !== undefined && create.length > 0)
    notes.push(`creates by REORGANIZE of ${maxvalue}: its rows are copied and writes wait meanwhile`);

  // Every row of a partition is before its bound, so it may go once the bound is at most today - keepDays.
  const cutoff = toDays(today - table.keepDays);
  const archive = daily.filter((p) => p.lessThan <= cutoff);
  return {
    daily,
    maxvalue,
    create,
    createSql: create.length > 0 ? createSql(dialect, schema, table.table, create, maxvalue) : undefined,
    archive,
    notes,
  };
}
