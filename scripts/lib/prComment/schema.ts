/**
 * The comment's schema section (gamedb:schema): the migrations pending per shard against the base, the shards the
 * runner will refuse and why, and the MySQL 8.4 copy warnings of the pending migrations. Absent when neither plan
 * has gamedb:schema or nothing changes (scripts/lib/schemaDiff.ts).
 */
import type { SchemaPlan } from "../../../infra/plan/gameSchemaPlan";
import { formatVersion } from "../../../infra/contracts/migrations";
import type { PlanDocument } from "../planDocument";
import { diffSchema, groupShards, SchemaRefusal, schemaChanged, ShardGroup } from "../schemaDiff";
import { formatPlannedWarning, plannedCopyWarnings } from "../schemaWarnings";
import { capped, cell, code } from "./markdown";

const list = (xs: readonly number[]) => xs.join(", ");

function refusalLine(r: SchemaRefusal, all: readonly number[]): string {
  const where =
    r.shards.length === all.length ? `every shard (${list(r.shards)})` : `shards ${list(r.shards)}, which applied it`;
  switch (r.reason) {
    case "checksum-changed":
      return `- ❌ ${code(r.name)}: **will be refused on ${where}** (checksum changed since the base). Restore the file and put the change in a new migration.`;
    case "removed":
      return `- ❌ ${code(r.name)} is removed: **${where} will refuse to migrate** while it is recorded as applied there without its file. Restore its V file.`;
    case "below-applied":
      return `- ❌ ${code(r.name)} is new but below ${formatVersion(r.newest!)}, the newest applied: **will be refused on ${where}**. Give it a version above ${formatVersion(r.newest!)}.`;
  }
}

function groupRow(g: ShardGroup, head: PlanDocument, showNew: boolean, max: number): string {
  const name = (id: number) => head.topology.shards.find((s) => s.id === id)?.name;
  const shards = capped(g.shards, max, (s) => `${s.shard}${name(s.shard) ? ` ${code(name(s.shard)!)}` : ""}`);
  const label = shards.join(", ") + (showNew && !g.migratedByBase ? " (new: every migration)" : "");
  const pending = g.pending.length ? capped(g.pending, max, (p) => code(p.name)).join(", ") : "none";
  const text = g.refused ? `❌ refused, nothing runs${g.pending.length ? `; waiting: ${pending}` : ""}` : pending;
  return `| ${cell(label)} | ${cell(text)} |`;
}

/** The "Schema" section's lines, or [] when there is nothing to say. `base` undefined: no schema (or no plan). */
export function schemaSection(
  base: SchemaPlan | undefined,
  head: SchemaPlan | undefined,
  headDoc: PlanDocument,
  max: number,
): string[] {
  const d = diffSchema(base, head);
  if (!schemaChanged(d)) return [];
  const lines = ["#### Schema", ""];
  if (!head) {
    lines.push("The head has no `gamedb:schema`: no migration Job is declared, so nothing is migrated.");
    return lines;
  }
  lines.push(
    base
      ? `Migrations of ${code(head.config.database)} pending per shard against the base (its migrations taken as applied on the shards it migrates):`
      : `The base has no \`gamedb:schema\`: every migration of ${code(head.config.database)} is pending on every shard.`,
    "",
    "| shard | pending |",
    "| --- | --- |",
    ...capped(groupShards(d.shards), max, (g) => groupRow(g, headDoc, base !== undefined, max)).map((r) =>
      r.startsWith("|") ? r : `| ${r} | |`,
    ),
  );
  const all = d.shards.map((s) => s.shard);
  const bullet = (r: string) => (r.startsWith("- ") ? r : `- ${r}`);
  if (d.refusals.length > 0) lines.push("", ...capped(d.refusals, max, (r) => refusalLine(r, all)).map(bullet));
  const pending = new Set(d.shards.flatMap((s) => s.pending.map((p) => p.version)));
  const warnings = plannedCopyWarnings(head).filter((w) => pending.has(w.version));
  if (warnings.length > 0) {
    lines.push(
      "",
      "MySQL 8.4 table copies in the pending migrations (online = `ALGORITHM=INSTANT`, then `INPLACE, LOCK=NONE`):",
      "",
    );
    lines.push(
      ...capped(warnings, max, (w) => {
        const flag = w.verdict === "refused" || w.verdict === "refused-if-type-changes" ? "⚠️ " : "";
        return `- ${flag}${cell(formatPlannedWarning(w))}`;
      }).map(bullet),
    );
  }
  return lines;
}
