/**
 * `npm run migrate -- --stack S plan`: what the migration Job of the stack would run, offline (no database): the
 * migrations in order with their rollback and sharded tables, the MySQL 8.4 copy warnings, the shards it would
 * migrate and the partitioned tables. Pure: from the planned slice (infra/plan/gameSchemaPlan.ts).
 */
import type { SchemaPlan } from "../../../infra/plan/gameSchemaPlan";

export interface MigratePlanDocument {
  stack: string;
  database: string;
  /** As the stack names it (gamedb:schema.migrations), from the project root. */
  migrationsDirectory: string;
  concurrency: number;
  batch: SchemaPlan["jobConfig"]["batch"];
  shards: SchemaPlan["jobConfig"]["shards"];
  migrations: SchemaPlan["migrations"];
  partitioned: SchemaPlan["jobConfig"]["partitioned"];
  /** The digest that names the migration Job: a change runs a new Job. */
  contentHash: string;
}

export function migratePlanDocument(stack: string, plan: SchemaPlan): MigratePlanDocument {
  const j = plan.jobConfig;
  return {
    stack,
    database: j.database,
    migrationsDirectory: plan.config.migrations,
    concurrency: j.concurrency,
    batch: j.batch,
    shards: j.shards,
    migrations: [...plan.migrations],
    partitioned: j.partitioned,
    contentHash: plan.contentHash,
  };
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

export function renderMigratePlan(d: MigratePlanDocument): string {
  const out = [
    `stack ${d.stack}: database ${d.database}, migrations from ${d.migrationsDirectory}`,
    `shards it would migrate (${d.concurrency} at once): ` + d.shards.map((s) => `${s.id} (${s.state})`).join(", "),
    `batched statements: ${d.batch.rows} rows a chunk, paused above ${d.batch.pauseThreadsRunning} ` +
      `Threads_running, stopped above ${d.batch.stopThreadsRunning}`,
    "",
  ];
  if (d.migrations.length === 0) out.push(`no migrations in ${d.migrationsDirectory}`);
  else
    out.push(
      ...table(
        ["migration", "rollback", "sharded tables", "checksum"],
        d.migrations.map((m) => [
          m.name,
          m.rollback ? "yes" : "no",
          m.sharded.join(", ") || "-",
          m.checksum.slice(0, 12),
        ]),
      ),
    );
  const warnings = d.migrations.flatMap((m) => m.warnings);
  out.push("", `MySQL 8.4 copy warnings: ${warnings.length === 0 ? "none" : ""}`.trimEnd());
  out.push(...warnings.map((w) => `  ${w}`));
  out.push(
    `partitioned tables: ${d.partitioned.length === 0 ? "none" : ""}`.trimEnd(),
    ...d.partitioned.map(
      (p) => `  ${p.table} by day of ${p.column}: ${p.aheadDays} days ahead, archived after ${p.keepDays} days`,
    ),
    "",
    "Offline: what each shard has applied is not read here; `status` reads it.",
  );
  return out.join("\n");
}
