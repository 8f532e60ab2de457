/**
 * The declared time-partitioned tables, checked and with the defaults filled in. Pure. The shape is the contract's
 * (infra/contracts/migrations.ts partitionedTableSchema), which the migrate Job's config carries.
 */
import { z } from "zod";
import { PartitionedTable, partitionedTableSchema } from "../../../infra/contracts/migrations";

export type { PartitionedTable } from "../../../infra/contracts/migrations";

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
