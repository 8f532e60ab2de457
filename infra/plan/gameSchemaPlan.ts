/**
 * The schema slice of the plan (gamedb:schema): the migrations as read and checked, what each would cost in MySQL
 * 8.4 (copy warnings), the migration Job's config and the digest that names the Job. Pure: the program reads the
 * files and passes their text in.
 */
import { createHash } from "node:crypto";
import type { StackConfig } from "../config/schema";
import { MigrateJobConfig, formatVersion } from "../contracts/migrations";
import { formatCopyWarning, migrationCopyWarnings } from "./migrations/copyWarnings";
import { SourceFile, loadMigrations } from "./migrations/files";
import type { Migration } from "./migrations/types";
import type { SlotAssignment } from "./slots";
import { formatRange } from "./slots";

export interface MigrationSummary {
  version: number;
  /** V0001__players */
  name: string;
  checksum: string;
  /** A U file exists. */
  rollback: boolean;
  /** Tables the file declares sharded. */
  sharded: string[];
  /** What MySQL 8.4 would copy or block, per statement ("V0003 statement 2: ..."); allow-copy ones say so. */
  warnings: string[];
}

export interface SchemaPlan {
  readonly config: NonNullable<StackConfig["schema"]>;
  /** The files as read, by name. */
  readonly files: readonly SourceFile[];
  readonly migrations: readonly MigrationSummary[];
  /** The migration Job's config.json (infra/contracts/migrations.ts). */
  readonly jobConfig: MigrateJobConfig;
  /** sha256 over the files and the Job's config: a change runs a new Job. */
  readonly contentHash: string;
}

export function summarizeMigrations(migrations: readonly Migration[]): MigrationSummary[] {
  const warnings = migrationCopyWarnings(migrations);
  return migrations.map((m) => ({
    version: m.version,
    name: m.name,
    checksum: m.up.checksum,
    rollback: m.down !== undefined,
    sharded: m.sharded.map((s) => s.table),
    warnings: warnings
      .filter((w) => w.version === m.version)
      .flatMap((w) =>
        w.warnings.map(
          (x) =>
            `${formatVersion(w.version)} statement ${w.statement} (line ${w.line}): ${formatCopyWarning(x)}` +
            (w.allowCopy ? " [allow-copy]" : ""),
        ),
      ),
  }));
}

/**
 * The slice, or undefined without gamedb:schema. `files` are the migration directory's files; a problem in them
 * throws MigrationFilesError naming each file.
 */
export function planSchema(
  t: StackConfig,
  shards: readonly { id: number; state: string }[],
  slotMap: readonly SlotAssignment[],
  files: readonly SourceFile[],
): SchemaPlan | undefined {
  const config = t.schema;
  if (!config) return undefined;
  const migrations = loadMigrations(files, `gamedb:schema.migrations (${config.migrations})`);
  const jobConfig: MigrateJobConfig = {
    database: config.database,
    concurrency: config.concurrency,
    batch: config.batch,
    shards: shards
      .filter((s) => s.state === "active" || s.state === "provisioning")
      .map((s) => ({ id: s.id, state: s.state as "active" | "provisioning" })),
    slotMap: slotMap.map((r) => ({ slots: formatRange(r), from: r.from, to: r.to, shard: r.shard })),
    partitioned: config.partitioned,
  };
  const sorted = [...files].sort((a, b) => a.name.localeCompare(b.name));
  const contentHash = createHash("sha256")
    .update(JSON.stringify({ files: sorted, jobConfig, image: config.image }))
    .digest("hex");
  return { config, files: sorted, migrations: summarizeMigrations(migrations), jobConfig, contentHash };
}
