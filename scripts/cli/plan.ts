/**
 * The offline plan: evaluates the gamedb program under Pulumi's mock runtime and prints what it would declare.
 *
 *   npm run plan -- --stack dev                      reads Pulumi.dev.yaml
 *   npm run plan -- --config path/Pulumi.x.yaml      any file of that shape (stack from the name, or --stack)
 *   npm run plan -- --stack prod --json plan.json    also writes the machine-readable plan
 *   npm run plan -- --stack prod --against base.json what changes against another plan, stack or stack file
 *                                                    (with --json, the toolkit's changes go in the plan JSON too)
 *   npm run plan -- --stack prod --check             also runs the policy rules (policy/rules)
 *   npm run plan -- --plan-file plan.json --check    checks a plan written earlier with --json
 *   npm run plan -- --stack prod --against base.yaml --check
 *                                                    also the slot moves' review check against the base
 *   npm run plan -- --stack prod --move-status status.json
 *                                                    shows the movers' live status; refuses a switch they refuse
 *
 * Exit codes: 0 ok, 1 invalid config (every problem printed), policy violations or slot move violations (each
 * listed), or a switch the movers' status refuses (with the reason), 2 bad usage.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { RunError } from "@pulumi/pulumi";
import { parseOptions, runMain } from "../lib/cli";
import { ConfigError } from "../../infra/config";
import { evaluate } from "../lib/evaluate";
import { diffPlans } from "../lib/planDiff";
import type { PlanDocument } from "../lib/planDocument";
import { renderReport } from "../../policy/check";
import { checkPlanDocument } from "../lib/policyPlan";
import { renderDiff, renderPlan } from "../lib/render";
import { StackConfig, UsageError, readStackConfig, stackNameFromFile } from "../lib/stackFile";
import { liveStatus, readMoveStatusFile } from "../lib/moveStatus";
import { withToolkit } from "../lib/toolkitPlan";

/** Policy violations share 1 with an invalid config: either way the change is not fit to deploy. */
export const EXIT = {
  ok: 0,
  invalidConfig: 1,
  policyViolations: 1,
  moveViolations: 1,
  switchRefused: 1,
  usage: 2,
} as const;

const PROJECT_DIR = resolve(__dirname, "../..");

interface Options {
  stack?: string;
  config?: string;
  json?: string;
  against?: string;
  tree: boolean;
  check?: boolean;
  checkJson?: string;
  planFile?: string;
  moveStatus?: string;
}

function stackConfig(opts: { stack?: string; config?: string }): StackConfig {
  if (opts.config) return readStackConfig(resolve(opts.config), { stack: opts.stack, projectDir: PROJECT_DIR });
  if (!opts.stack) throw new UsageError("give --stack NAME or --config FILE");
  const file = join(PROJECT_DIR, `Pulumi.${opts.stack}.yaml`);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`);
  return readStackConfig(file, { stack: opts.stack, projectDir: PROJECT_DIR });
}

/** --against takes a plan JSON, a stack file, or a stack name. */
function readPlanFile(file: string): PlanDocument {
  if (!existsSync(file)) throw new UsageError(`no plan file ${file}`);
  let doc: PlanDocument;
  try {
    doc = JSON.parse(readFileSync(file, "utf8")) as PlanDocument;
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc?.resources) || !doc.topology) throw new UsageError(`${file} is not a plan written by --json`);
  return doc;
}

/** The program evaluated on this checkout, with the toolkit its steps were written with. */
async function evaluatePlan(config: StackConfig): Promise<PlanDocument> {
  return withToolkit(await evaluate(config));
}

/** A stack file not named Pulumi.<stack>.yaml (base.yaml) is read as the head's stack. */
async function loadAgainst(spec: string, headStack: string): Promise<PlanDocument> {
  if (spec.endsWith(".json")) return readPlanFile(spec);
  if (/\.ya?ml$/.test(spec))
    return evaluatePlan(stackConfig({ config: spec, stack: stackNameFromFile(spec) ? undefined : headStack }));
  return evaluatePlan(stackConfig({ stack: spec }));
}

export async function main(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
): Promise<number> {
  const program = new Command("plan")
    .description("Offline plan of a gamedb stack under Pulumi's mock runtime")
    .option("--stack <name>", "stack name; reads Pulumi.<name>.yaml unless --config is given")
    .option("--config <file>", "a stack file of the Pulumi.<stack>.yaml shape")
    .option("--json <file>", "write the machine-readable plan to this file")
    .option("--against <plan|stack|file>", "print what changes against a plan JSON, a stack, or a stack file")
    .option("--no-tree", "leave out the resource tree")
    .option("--check", "run the policy rules; exit 1 when any is violated")
    .option("--check-json <file>", "with --check, also write the policy results as JSON")
    .option("--plan-file <file>", "read a plan JSON written by --json instead of evaluating a stack")
    .option(
      "--move-status <file>",
      "a JSON array of the movers' status documents: show them, refuse a switch they refuse",
    );
  const opts = parseOptions<Options>(program, argv, out, err);
  if (typeof opts === "number") return opts;
  try {
    if (opts.planFile && (opts.stack || opts.config))
      throw new UsageError("give either --plan-file or --stack/--config, not both");
    if (opts.checkJson && !opts.check) throw new UsageError("--check-json needs --check");
    const statuses = opts.moveStatus ? readMoveStatusFile(opts.moveStatus) : undefined;
    const doc = opts.planFile ? readPlanFile(opts.planFile) : await evaluatePlan(stackConfig(opts));
    // A plan JSON written before slot moves has none.
    const live = statuses && liveStatus(doc.topology.moves ?? [], statuses, opts.moveStatus!);
    out(renderPlan(doc, { tree: opts.tree, live }));
    let code: number = EXIT.ok;
    const diff = opts.against ? diffPlans(await loadAgainst(opts.against, doc.stack), doc) : undefined;
    if (opts.json) {
      // The base's toolkit changes ride along for tools that read the JSON; a later diff never reads them.
      const written: PlanDocument = { ...doc };
      delete written.toolkitChanges; // a --plan-file's, against its own base
      if (diff?.toolkit) written.toolkitChanges = { against: opts.against!, ...diff.toolkit };
      writeFileSync(opts.json, JSON.stringify(written, null, 2) + "\n");
      out(`\nwrote ${opts.json}`);
    }
    if (diff) out("\n" + renderDiff(diff, opts.against!));
    if (opts.check) {
      const report = checkPlanDocument(doc);
      out("\n" + renderReport(report));
      if (opts.checkJson) writeFileSync(opts.checkJson, JSON.stringify(report, null, 2) + "\n");
      if (report.violations.length > 0) code = EXIT.policyViolations;
      // Ownership and phase changes are judged against what is deployed: only with a base.
      if (!diff) out("slot moves: not checked against a base (give --against BASE)");
      else if (diff.moveViolations.length > 0) {
        out(`slot moves: ${diff.moveViolations.length} violation(s) against ${opts.against} (listed above)`);
        code = EXIT.moveViolations;
      } else out(`slot moves: no violations against ${opts.against}`);
    }
    for (const l of live?.moves ?? [])
      if (l.refusal) {
        err(`error: move ${l.move.id} is at phase switch, and the switch is refused: ${l.refusal}`);
        code = EXIT.switchRefused;
      }
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}`);
      return EXIT.usage;
    }
    const message = (e as Error).message ?? String(e);
    // The program raises RunError for what the operator must fix (config problems, unreadable migration files),
    // its message the whole report: the engine prints it without a stack trace, and so does the plan.
    if (e instanceof ConfigError || RunError.isInstance(e) || message.startsWith("invalid gamedb config")) {
      err(message);
      return EXIT.invalidConfig;
    }
    throw e;
  }
}

runMain(module, () => main(process.argv.slice(2)));
