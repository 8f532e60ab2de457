/**
 * Renders the pull-request comment of one stack from two offline plans (scripts/lib/prComment.ts), with the
 * policy results of both, and the host toolkit's file diffs from the plans' toolkit sections:
 *
 *   npm run pr-comment -- --base base.json --head head.json --stack prod [--out comment.md]
 *
 * A missing --base file means the base branch has no plan of the stack (new stack, or its plan failed).
 * Exit codes: 0 rendered (policy violations are shown, not fatal: `npm run plan -- --check` gates), 2 bad usage.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { Command } from "commander";
import { parseOptions, runMain } from "../lib/cli";
import type { PlanDocument } from "../lib/planDocument";
import { checkPlanDocument } from "../lib/policyPlan";
import { renderPrComment } from "../lib/prComment";

export const EXIT = { ok: 0, usage: 2 } as const;

interface Options {
  base: string;
  head: string;
  stack: string;
  out?: string;
  baseRef?: string;
  headRef?: string;
  realPreview?: string;
}

class UsageError extends Error {}

function readPlan(file: string): PlanDocument {
  let doc: PlanDocument;
  try {
    doc = JSON.parse(readFileSync(file, "utf8")) as PlanDocument;
  } catch (e) {
    throw new UsageError(`cannot read plan ${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(doc?.resources) || !doc.topology) throw new UsageError(`${file} is not a plan written by --json`);
  return doc;
}

export function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = console.error,
): number {
  const program = new Command("pr-comment")
    .description(
      "Markdown PR comment of one stack: topology change, resource changes, host toolkit diffs, policy results",
    )
    .requiredOption("--base <file>", "plan JSON of the base branch (missing file: no plan there)")
    .requiredOption("--head <file>", "plan JSON of the pull request's head")
    .requiredOption("--stack <name>", "stack name, also the comment's marker")
    .option("--out <file>", "write the markdown here instead of stdout")
    .option("--base-ref <sha>", "base commit, shown in the footer")
    .option("--head-ref <sha>", "head commit, shown in the footer")
    .option("--real-preview <runs|skipped>", "whether the real pulumi preview runs for this PR");
  const opts = parseOptions<Options>(program, argv, out, err);
  if (typeof opts === "number") return opts;
  try {
    if (opts.realPreview !== undefined && opts.realPreview !== "runs" && opts.realPreview !== "skipped")
      throw new UsageError(`--real-preview must be runs or skipped, not ${opts.realPreview}`);
    const head = readPlan(opts.head);
    const base = existsSync(opts.base) ? readPlan(opts.base) : null;
    const markdown = renderPrComment(base, head, checkPlanDocument(head), {
      stack: opts.stack,
      baseRef: opts.baseRef,
      headRef: opts.headRef,
      realPreview: opts.realPreview as "runs" | "skipped" | undefined,
      basePolicy: base ? checkPlanDocument(base) : undefined,
    });
    if (opts.out) writeFileSync(opts.out, markdown);
    else out(markdown);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${e.message}`);
      return EXIT.usage;
    }
    throw e;
  }
}

runMain(module, () => main(process.argv.slice(2)));
