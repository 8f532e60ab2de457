/**
 * A time-partitioned table as config declares it: `{table, column, aheadDays?, keepDays?}`, checked and with the
 * defaults filled in. Pure. (The migrate Job's config document embeds the same shape; its schema may reuse this one.)
 */
import { z } from "zod";

export const DEFAULT_AHEAD_DAYS = 7;
export const DEFAULT_KEEP_DAYS = 30;
/**
 * Upper bounds that keep a table far below the 8192 partitions MySQL 8.4 and MariaDB allow a table (MySQL 8.4 manual
 * 26.6 "Restrictions and Limitations on Partitioning"): one per kept day, today, and one per day ahead.
 */
export const MAX_AHEAD_DAYS = 366;
export const MAX_KEEP_DAYS = 3660;

/** An unquoted MySQL identifier: it goes into SQL between backticks and into the archive's S3 keys. */
const identifier = z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, {
  message: "not an identifier: 1-64 characters of A-Z a-z 0-9 _ $",
});

function days(max: number) {
  const error = `an integer from 1 to ${max}`;
  return z.int({ error }).min(1, { error }).max(max, { error });
}

export const partitionedTableSchema = z.strictObject({
  /** The table, in the shard's database (the connection's default database unless the caller names another). */
  table: identifier,
  /** The DATE or DATETIME column the table is partitioned on: PARTITION BY RANGE (TO_DAYS(column)). */
  column: identifier,
  /** Days of partitions kept ready after today. */
  aheadDays: days(MAX_AHEAD_DAYS).default(DEFAULT_AHEAD_DAYS),
  /** Whole days kept before today: a partition is archived once its day is more than keepDays before today. */
  keepDays: days(MAX_KEEP_DAYS).default(DEFAULT_KEEP_DAYS),
});
export type PartitionedTableInput = z.input<typeof partitionedTableSchema>;
export type PartitionedTable = z.output<typeof partitionedTableSchema>;

export class PartitionSpecError extends Error {
  override name = "PartitionSpecError";
}

/** The declared tables with defaults; throws a PartitionSpecError naming each bad field (`tables[1].keepDays: ...`). */
export function resolveTables(input: readonly unknown[]): PartitionedTable[] {
  const parsed = z.array(partitionedTableSchema).safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
      return `tables${path}: ${i.message}`;
    });
    throw new PartitionSpecError(problems.join("; "));
  }
  const seen = new Set<string>();
  for (const [i, t] of parsed.data.entries()) {
    if (seen.has(t.table)) throw new PartitionSpecError(`tables[${i}].table: ${t.table} is declared twice`);
    seen.add(t.table);
  }
  return parsed.data;
}
