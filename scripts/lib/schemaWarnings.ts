/**
 * The plan's MySQL 8.4 copy warnings with what the migration runner will do about each, for the offline plan's
 * summary and the PR comment. The plan's MigrationSummary.warnings are text; whether a warning means "refused" depends
 * on its effect and on how the runner executes the statement, so both are derived again from the plan's files with
 * the plan's own pure functions (infra/plan/migrations), exactly as the plan and the runner decide.
 */
import { formatVersion } from "../../infra/contracts/migrations";
import type { SchemaPlan } from "../../infra/plan/gameSchemaPlan";
import { CopyEffect, formatCopyWarning, migrationCopyWarnings } from "../../infra/plan/migrations/copyWarnings";
import { loadMigrations } from "../../infra/plan/migrations/files";
import type { Execution, StatementKind } from "../../infra/plan/migrations/types";

/**
 * What happens to a statement with a copy warning (infra/plan/migrations/online.ts decideExecution):
 * - `allow-copy`: annotated; the runner accepts the copy.
 * - `refused`: tried as INSTANT, then INPLACE with LOCK=NONE; MySQL 8.4 accepts neither for this operation, so the
 *   runner stops the migration.
 * - `refused-if-type-changes`: as `refused` when the column's data type changes; other redefinitions run online.
 * - `online-rebuild`: the manual permits it in place with concurrent DML, so the INPLACE, LOCK=NONE attempt is
 *   expected to pass: no annotation needed, but every row is rewritten.
 * - `as-written`: not tried online (OPTIMIZE TABLE, or an ALTER naming its own online ALGORITHM/LOCK): the runner
 *   does not refuse it.
 */
export type CopyVerdict = "allow-copy" | "refused" | "refused-if-type-changes" | "online-rebuild" | "as-written";

export interface PlannedCopyWarning {
  version: number;
  /** V0003__level_type */
  name: string;
  /** `V0003 statement 2 (line 5): players: MODIFY COLUMN level copies ... (MySQL 8.4 manual ...)` */
  text: string;
  /** Undefined when it could not be derived (a plan without its files): then only the text is shown. */
  verdict?: CopyVerdict;
  /** The statement's kind, for the wording of `as-written`. */
  kind?: StatementKind;
}

export function copyVerdict(effect: CopyEffect, allowCopy: boolean, run: Execution): CopyVerdict {
  if (allowCopy) return "allow-copy";
  if (run.mode !== "online") return "as-written";
  if (effect === "rebuild") return "online-rebuild";
  if (effect === "copy-if-type-changes") return "refused-if-type-changes";
  return "refused";
}

const NEEDS = "needs -- gamedb:allow-copy or an online tool (pt-online-schema-change, gh-ost)";

/** What the runner does, in a few words (after the warning's text). */
export function verdictText(w: Pick<PlannedCopyWarning, "verdict" | "kind">): string {
  switch (w.verdict) {
    case "allow-copy":
      return "[allow-copy]";
    case "refused":
      return `refused by the runner: ${NEEDS}`;
    case "refused-if-type-changes":
      return `refused by the runner if it changes the data type: then it ${NEEDS}`;
    case "online-rebuild":
      return "expected to run online (ALGORITHM=INPLACE, LOCK=NONE) while rewriting every row: no annotation needed";
    case "as-written":
      return w.kind === "optimize"
        ? "runs as written (the runner does not refuse OPTIMIZE TABLE)"
        : "runs as written with the ALGORITHM/LOCK it names: MySQL 8.4 fails it if it cannot honour them";
    default:
      return "";
  }
}

/** The warning and its verdict on one line. */
export const formatPlannedWarning = (w: PlannedCopyWarning): string => {
  const verdict = verdictText(w);
  return verdict === "" ? w.text : `${w.text} → ${verdict}`;
};

/** Every copy warning of the schema's migrations, in version and statement order. */
export function plannedCopyWarnings(schema: Pick<SchemaPlan, "files" | "migrations">): PlannedCopyWarning[] {
  const names = new Map(schema.migrations.map((m) => [m.version, m.name]));
  if (!schema.files?.length) return fromSummaries(schema);
  try {
    const migrations = loadMigrations(schema.files);
    const statements = new Map(migrations.map((m) => [m.version, m.up.statements]));
    return migrationCopyWarnings(migrations).flatMap((s) => {
      const statement = statements.get(s.version)![s.statement - 1]!;
      return s.warnings.map((w) => ({
        version: s.version,
        name: names.get(s.version) ?? formatVersion(s.version),
        text: `${formatVersion(s.version)} statement ${s.statement} (line ${s.line}): ${formatCopyWarning(w)}`,
        verdict: copyVerdict(w.effect, s.allowCopy, statement.run),
        kind: statement.kind,
      }));
    });
  } catch {
    // The plan checked these files when it was made: they fail only in a plan edited by hand.
    return fromSummaries(schema);
  }
}

/** The plan's own texts, without verdicts but for allow-copy. */
function fromSummaries(schema: Pick<SchemaPlan, "migrations">): PlannedCopyWarning[] {
  return schema.migrations.flatMap((m) =>
    m.warnings.map((text) => ({
      version: m.version,
      name: m.name,
      text: text.replace(/ \[allow-copy\]$/, ""),
      ...(text.endsWith(" [allow-copy]") ? { verdict: "allow-copy" as const } : {}),
    })),
  );
}
