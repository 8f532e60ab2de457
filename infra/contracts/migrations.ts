/**
 * CONTRACT: schema migrations. The game's schema is a directory of versioned SQL files (`gamedb:schema.migrations`,
 * default stacks/migrations) applied to every shard by the migrate Job; each shard records what it applied in
 * `gamedb_meta.schema_migrations`.
 *
 * Written by: game studios (the files and their `-- gamedb:` annotations), the platform (the Job's config document,
 * migrateJobConfigSchema) and the runner (scripts/lib/migrations/runner.ts writes schema_migrations rows).
 * Read by: the runner and the operator CLI (status, plan, apply, rollback), the offline plan and PR comment (pending
 * migrations and copy warnings per shard).
 *
 * Everything here is pure: names, checksums, the annotation grammar, the ledger's DDL and the Job's config.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { FENCE_SCHEMA } from "./slotFence";
import { parseDocument, slotMapSchema } from "./endpoints";
import { MYSQL_NAME } from "../catalog/mysql";

// ---------------------------------------------------------------------------------------------------------------
// File names

/** `V0001__players.sql` applies version 1; `U0001__players.sql` rolls it back. */
export const MIGRATION_FILE = /^([VU])(\d{4,15})__([A-Za-z0-9_]{1,200})\.sql$/;
export const MIGRATION_FILE_HELP =
  "name it V<version>__<description>.sql (up) or U<version>__<description>.sql (rollback): version 4 to 15 " +
  "digits (V0001), description of letters, digits and _";

export interface MigrationFileName {
  kind: "up" | "down";
  version: number;
  description: string;
  /** `V0001__players`, without `.sql`. */
  name: string;
}

/** The parts of a migration file's name, or undefined when it is not one (see MIGRATION_FILE_HELP). */
export function parseMigrationFileName(file: string): MigrationFileName | undefined {
  const m = MIGRATION_FILE.exec(file);
  if (!m) return undefined;
  return {
    kind: m[1] === "V" ? "up" : "down",
    // 15 digits stay below 2^53, so the version is exact as a number and as BIGINT UNSIGNED.
    version: Number(m[2]),
    description: m[3]!,
    name: file.slice(0, -".sql".length),
  };
}

/** `V0007`: a version as the files spell it (at least 4 digits). */
export function formatVersion(version: number): string {
  return `V${String(version).padStart(4, "0")}`;
}

/** sha256 hex of the file's text with CRLF normalised to LF, so a checkout's line endings do not count as a change. */
export function migrationChecksum(text: string): string {
  return createHash("sha256").update(text.replace(/\r\n/g, "\n"), "utf8").digest("hex");
}

// ---------------------------------------------------------------------------------------------------------------
// Annotations: SQL line comments `-- gamedb:...`

/** The table is sharded by `key`: after the migration it must pass checkShardedTable and gets the fence triggers. */
export interface ShardedAnnotation {
  kind: "sharded";
  table: string;
  key: string;
}
/** The next statement, an ALTER TABLE or CREATE INDEX, may run with the server's default algorithm (a table copy). */
export interface AllowCopyAnnotation {
  kind: "allow-copy";
}
/** The next statement, an UPDATE or DELETE, runs in chunks of `rows` (default: the Job's batch.rows). */
export interface BatchAnnotation {
  kind: "batch";
  rows?: number;
}
export type Annotation = ShardedAnnotation | AllowCopyAnnotation | BatchAnnotation;

export const ANNOTATION_PREFIX = "gamedb:";
export const MAX_BATCH_ROWS = 100_000;
export const ANNOTATION_FORMS = [
  "-- gamedb:sharded <table> key=<column>",
  "-- gamedb:allow-copy",
  "-- gamedb:batch",
  `-- gamedb:batch rows=<1-${MAX_BATCH_ROWS}>`,
];

const NAME = "[A-Za-z0-9_$]{1,64}";
const SHARDED = new RegExp(`^sharded\\s+(${NAME})\\s+key=(${NAME})$`);
const BATCH = /^batch(?:\s+rows=(\d{1,7}))?$/;

/**
 * The annotation in a line comment's text (what follows `--` and its whitespace), undefined when the comment is not
 * an annotation (does not start with `gamedb:`, in any case), or an error message naming the allowed forms.
 */
export function parseAnnotation(comment: string): Annotation | { error: string } | undefined {
  const text = comment.trim();
  if (text.slice(0, ANNOTATION_PREFIX.length).toLowerCase() !== ANNOTATION_PREFIX) return undefined;
  const body = text.slice(ANNOTATION_PREFIX.length).trim();
  const refuse = (why: string) => ({
    error: `${why} in "-- ${text}"; the annotations are: ${ANNOTATION_FORMS.join(", ")}`,
  });
  if (!text.startsWith(ANNOTATION_PREFIX)) return refuse("annotations are lower case (gamedb:)");
  if (body === "allow-copy") return { kind: "allow-copy" };
  const sharded = SHARDED.exec(body);
  if (sharded) return { kind: "sharded", table: sharded[1]!, key: sharded[2]! };
  const batch = BATCH.exec(body);
  if (batch) {
    if (batch[1] === undefined) return { kind: "batch" };
    const rows = Number(batch[1]);
    if (rows < 1 || rows > MAX_BATCH_ROWS) return refuse(`rows=${batch[1]} is outside 1-${MAX_BATCH_ROWS}`);
    return { kind: "batch", rows };
  }
  return refuse("unknown annotation");
}

// ---------------------------------------------------------------------------------------------------------------
// The ledger: gamedb_meta.schema_migrations

export const MIGRATIONS_SCHEMA = FENCE_SCHEMA;
export const MIGRATIONS_TABLE = "schema_migrations";
export type MigrationState = "running" | "applied" | "failed" | "rolled_back";
export const MIGRATION_STATES: readonly MigrationState[] = ["running", "applied", "failed", "rolled_back"];

/**
 * Idempotent: the schema and the table if missing. Times are UTC DATETIME(3) (no 2038 limit).
 * `statements_checksum` is migrationChecksum over the statements already run (statementsChecksum), so a failed
 * migration resumes only if the statements it already ran are unchanged.
 */
export function schemaMigrationsSql(): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS \`${MIGRATIONS_SCHEMA}\``,
    `CREATE TABLE IF NOT EXISTS \`${MIGRATIONS_SCHEMA}\`.\`${MIGRATIONS_TABLE}\` (` +
      "version BIGINT UNSIGNED NOT NULL PRIMARY KEY, " +
      "description VARCHAR(200) NOT NULL, " +
      "checksum CHAR(64) NOT NULL, " +
      `state ENUM(${MIGRATION_STATES.map((s) => `'${s}'`).join(",")}) NOT NULL, ` +
      "statements_done INT UNSIGNED NOT NULL DEFAULT 0, " +
      "statements_checksum CHAR(64) NULL, " +
      "executed_at DATETIME(3) NULL, " +
      "duration_ms BIGINT UNSIGNED NULL, " +
      "rollback_sql MEDIUMTEXT NULL, " +
      "error TEXT NULL, " +
      "rolled_back_at DATETIME(3) NULL" +
      ") ENGINE=InnoDB",
  ];
}

/** The checksum recorded for the first `done` statements: their texts, each ended by `;\n`. */
export function statementsChecksum(statements: readonly string[], done: number): string {
  return migrationChecksum(
    statements
      .slice(0, done)
      .map((s) => `${s};\n`)
      .join(""),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The migrate Job's config document

const identifier = z.string().regex(MYSQL_NAME, {
  error: "must be a MySQL name of 1-64 letters, digits and _, not starting with a digit",
});

const DEFAULT_AHEAD_DAYS = 7;
const DEFAULT_KEEP_DAYS = 30;
/**
 * Upper bounds that keep a table far below the 8192 partitions MySQL 8.4 and MariaDB allow a table (MySQL 8.4 manual
 * 26.6 "Restrictions and Limitations on Partitioning"): one per kept day, today, and one per day ahead.
 */
const MAX_AHEAD_DAYS = 366;
const MAX_KEEP_DAYS = 3660;

/** An unquoted MySQL identifier: it goes into SQL between backticks and into the archive's S3 keys. */
const partitionIdentifier = z.string().regex(/^[A-Za-z0-9_$]{1,64}$/, {
  message: "not an identifier: 1-64 characters of A-Z a-z 0-9 _ $",
});

function days(max: number) {
  const error = `an integer from 1 to ${max}`;
  return z.int({ error }).min(1, { error }).max(max, { error });
}

/** A day-partitioned table, as the Job's config carries it to the partition manager (scripts/lib/partitions). */
export const partitionedTableSchema = z.strictObject({
  /** The table, in the shard's database (the connection's default database unless the caller names another). */
  table: partitionIdentifier,
  /** The DATE or DATETIME column the table is partitioned on: PARTITION BY RANGE (TO_DAYS(column)). */
  column: partitionIdentifier,
  /** Days of partitions kept ready after today. */
  aheadDays: days(MAX_AHEAD_DAYS).default(DEFAULT_AHEAD_DAYS),
  /** Whole days kept before today: a partition is archived once its day is more than keepDays before today. */
  keepDays: days(MAX_KEEP_DAYS).default(DEFAULT_KEEP_DAYS),
});
export type PartitionedTable = z.output<typeof partitionedTableSchema>;

export const migrateJobConfigSchema = z.strictObject({
  /** The game's database on every shard (migrations run in it). */
  database: identifier,
  /** Shards migrated at once. */
  concurrency: z.int({ error: "must be an integer from 1 to 64" }).min(1).max(64).default(4),
  batch: z
    .strictObject({
      rows: z
        .int({ error: `must be an integer from 1 to ${MAX_BATCH_ROWS}` })
        .min(1)
        .max(MAX_BATCH_ROWS)
        .default(1000),
      pauseThreadsRunning: z.int({ error: "must be an integer from 1 to 10000" }).min(1).max(10_000).default(25),
      stopThreadsRunning: z.int({ error: "must be an integer from 1 to 10000" }).min(1).max(10_000).default(50),
    })
    .refine((b) => b.stopThreadsRunning > b.pauseThreadsRunning, {
      error: "stopThreadsRunning must be above pauseThreadsRunning",
      path: ["stopThreadsRunning"],
    })
    .prefault({}),
  /** Every shard to migrate: active ones and those being provisioned (which own no slots yet). */
  shards: z
    .array(
      z.strictObject({
        id: z.int({ error: "must be a shard number (integer >= 0)" }).min(0),
        state: z.enum(["active", "provisioning"], { error: "must be one of active, provisioning" }),
      }),
    )
    .min(1, { error: "needs at least one shard" })
    .refine((s) => new Set(s.map((x) => x.id)).size === s.length, { error: "lists a shard id twice" }),
  /** Slot ownership, as the endpoints' slot-map.json: each shard's fence rows start from it. */
  slotMap: slotMapSchema,
  /** Day-partitioned tables (the partition CronJob's; the migrations create them). */
  partitioned: z.array(partitionedTableSchema).default([]),
});
export type MigrateJobConfig = z.infer<typeof migrateJobConfigSchema>;
export type MigrateShard = MigrateJobConfig["shards"][number];

/** Parses the Job's config (JSON text); throws naming the file and every problem's path. */
export function parseMigrateJobConfig(file: string, text: string): MigrateJobConfig {
  return parseDocument(migrateJobConfigSchema, file, text);
}
