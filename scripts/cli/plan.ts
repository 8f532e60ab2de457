/**
 * The offline plan: evaluates the gamedb program under Pulumi's mock runtime and prints what it would declare.
 *
 *   npm run plan -- --stack dev                      reads Pulumi.dev.yaml
 *   npm run plan -- --config path/Pulumi.x.yaml      any file of that shape (stack from the name, or --stack)
 *   npm run plan -- --stack prod --json plan.json    also writes the machine-readable plan
 *   npm run plan -- --stack prod --against base.json what changes against another plan, stack or stack file
 *   npm run plan -- --stack prod --check             also runs the policy rules (policy/rules)
 *   npm run plan -- --plan-file plan.json --check    checks a plan written earlier with --json
 *
 * Exit codes: 0 ok, 1 invalid config (every problem printed) or policy violations (each listed), 2 bad usage.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { parseOptions, runMain } from "../lib/cli";
import { ConfigError } from "../../infra/config";
import { evaluate } from "../lib/evaluate";
import { diffPlans } from "../lib/planDiff";
import type { PlanDocument } from "../lib/planDocument";
import { renderReport } from "../../policy/check";
import { checkPlanDocument } from "../lib/policyPlan";
import { renderDiff, renderPlan } from "../lib/render";
import { StackConfig, UsageError, readStackConfig } from "../lib/stackFile";

/** Policy violations share 1 with an invalid config: either way the change is not fit to deploy. */
export const EXIT = { ok: 0, invalidConfig: 1, policyViolations: 1, usage: 2 } as const;

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

async function loadAgainst(spec: string): Promise<PlanDocument> {
  if (spec.endsWith(".json")) return readPlanFile(spec);
  if (/\.ya?ml$/.test(spec)) return evaluate(stackConfig({ config: spec }));
  return evaluate(stackConfig({ stack: spec }));
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
    .option("--plan-file <file>", "read a plan JSON written by --json instead of evaluating a stack");
  const opts = parseOptions<Options>(program, argv, out, err);
  if (typeof opts === "number") return opts;
  try {
    if (opts.planFile && (opts.stack || opts.config))
      throw new UsageError("give either --plan-file or --stack/--config, not both");
    if (opts.checkJson && !opts.check) throw new UsageError("--check-json needs --check");
    const doc = opts.planFile ? readPlanFile(opts.planFile) : await evaluate(stackConfig(opts));
    out(renderPlan(doc, { tree: opts.tree }));
    if (opts.json) {
      writeFileSync(opts.json, JSON.stringify(doc, null, 2) + "\n");
      out(`\nwrote ${opts.json}`);
    }
    if (opts.against) {
      const base = await loadAgainst(opts.against);
      out("\n" + renderDiff(diffPlans(base, doc), opts.against));
    }
    if (opts.check) {
      const report = checkPlanDocument(doc);
      out("\n" + renderReport(report));
      if (opts.checkJson) writeFileSync(opts.checkJson, JSON.stringify(report, null, 2) + "\n");
      if (report.violations.length > 0) return EXIT.policyViolations;
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}`);
      return EXIT.usage;
    }
    const message = (e as Error).message ?? String(e);
    if (e instanceof ConfigError || message.startsWith("invalid gamedb config")) {
      err(message);
      return EXIT.invalidConfig;
    }
    throw e;
  }
}

runMain(module, () => main(process.argv.slice(2)));
