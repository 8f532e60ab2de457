/** The offline plan's "Schema" section (gamedb:schema): the database, the migrations and their MySQL 8.4 copies. */
import type { SchemaPlan } from "../../infra/plan/gameSchemaPlan";
import { formatPlannedWarning, plannedCopyWarnings } from "./schemaWarnings";

/** The section's lines; [] without gamedb:schema. */
export function renderSchema(schema: SchemaPlan | undefined): string[] {
  if (!schema) return [];
  const c = schema.config;
  const shards = schema.jobConfig.shards.map((s) => s.id);
  const lines = [
    `Schema: database ${c.database}, ${schema.migrations.length} migration${schema.migrations.length === 1 ? "" : "s"} from ${c.migrations}`,
    `  migration Job: digest ${schema.contentHash.slice(0, 10)} (a new one runs when it changes), ` +
      `shards ${shards.length ? shards.join(", ") : "none"} (${c.concurrency} at a time), timeout ${c.timeoutMinutes} min`,
  ];
  const width = Math.max(0, ...schema.migrations.map((m) => m.name.length));
  for (const m of schema.migrations) {
    const sharded = m.sharded.length ? `  sharded ${m.sharded.join(", ")}` : "";
    lines.push(`  ${m.name.padEnd(width)}  rollback ${m.rollback ? "yes" : "no "}${sharded}`.trimEnd());
  }
  for (const p of c.partitioned)
    lines.push(`  partitioned ${p.table} by day of ${p.column}: ${p.aheadDays} days ahead, kept ${p.keepDays} days`);
  const warnings = plannedCopyWarnings(schema);
  if (warnings.length > 0) {
    lines.push("  MySQL 8.4 table copies (online = ALGORITHM=INSTANT, then INPLACE, LOCK=NONE):");
    for (const w of warnings) lines.push(`    ${formatPlannedWarning(w)}`);
  }
  return lines;
}
