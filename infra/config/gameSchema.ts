/**
 * `gamedb:schema`: the game's database on every shard, migrated from versioned SQL files, and its day-partitioned
 * tables. Absent: gamedb creates no database, accounts, migration Job or partition CronJob.
 */
import { z } from "zod";
import { MYSQL_NAME, RESERVED_DATABASES } from "../catalog/mysql";
import { CRON, image, strict } from "./fields";

const identifier = z.string().regex(MYSQL_NAME, {
  error: "must be a MySQL name of 1-64 letters, digits and _, not starting with a digit",
});

const partitionedTable = strict({
  /** A table the migrations create with PARTITION BY RANGE (TO_DAYS(column)), one partition per day. */
  table: identifier,
  /** Its DATE or DATETIME column. */
  column: identifier,
  /** Days of partitions kept ready ahead of today. @default 7 */
  aheadDays: z.int().min(1).max(90).default(7),
  /** Partitions older than this many days are archived to the backup bucket, verified, then dropped. @default 30 */
  keepDays: z.int().min(1).max(3650).default(30),
});

export const gameSchemaSection = strict({
  /** The game's database on every shard. */
  database: identifier.refine((d) => !RESERVED_DATABASES.includes(d.toLowerCase()), {
    error: `must not be one of ${RESERVED_DATABASES.join(", ")}`,
  }),
  /** Directory of the versioned SQL files (V0001__name.sql, U0001__name.sql), from the project root. @default "stacks/migrations" */
  migrations: z
    .string()
    .regex(/^[A-Za-z0-9_.][A-Za-z0-9_./-]*$/, { error: "must be a relative path such as stacks/migrations" })
    .refine((p) => !p.split("/").includes(".."), { error: "must stay inside the project (no ..)" })
    .default("stacks/migrations"),
  /** The image with the migration runner and partition manager (Dockerfile target migrate). Required. */
  image,
  /** How long `pulumi up` waits for the migration Job before failing. @default 30 */
  timeoutMinutes: z.int().min(1).max(1440).default(30),
  /** Shards migrated at once. @default 4 */
  concurrency: z.int().min(1).max(64).default(4),
  /** Batched UPDATE and DELETE migrations (`-- gamedb:batch`). */
  batch: strict({
    /** Rows per chunk. @default 1000 */
    rows: z.int().min(1).max(100_000).default(1000),
    /** Wait while the shard's Threads_running is above this. @default 25 */
    pauseThreadsRunning: z.int().min(1).max(10_000).default(25),
    /** Stop the migration (resumable) when Threads_running is above this. @default 50 */
    stopThreadsRunning: z.int().min(1).max(10_000).default(50),
  })
    .refine((b) => b.stopThreadsRunning > b.pauseThreadsRunning, {
      error: "must be above pauseThreadsRunning",
      path: ["stopThreadsRunning"],
    })
    .prefault({}),
  /** Day-partitioned tables kept by the partition CronJob. @default [] */
  partitioned: z.array(partitionedTable).default([]),
  /** When partition maintenance runs (cron, UTC). @default "15 3 * * *" */
  partitionSchedule: z
    .string()
    .regex(CRON, { error: "must be five cron fields such as 15 3 * * *" })
    .default("15 3 * * *"),
});
