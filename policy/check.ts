/**
 * Runs the policy rules over a plan and renders the results (text for terminals and CI logs, JSON for tools).
 * Each source adapts its own resources: scripts/lib/policyPlan.ts the offline plan, pack.ts what `pulumi preview`
 * hands a policy pack. Nothing here imports scripts/: the pack builds on its own.
 */
import {
  PolicyPlan,
  PolicyResource,
  Rule,
  RuleContext,
  RULES,
  Severity,
  Violation,
  appliesTo,
  ruleContext,
} from "./rules";

export interface RuleResult {
  id: string;
  title: string;
  checkov: string[];
  fsbp: string[];
  severity: Severity;
  status: "pass" | "fail" | "skipped";
  /** Resources the rule ran on. */
  checked: number;
  violations: Violation[];
  /** Why the rule did not run (status skipped). */
  skipped?: string;
}

export interface PolicyReport {
  stack: string;
  environment?: string;
  resources: number;
  results: RuleResult[];
  violations: Violation[];
}

/** Why this source cannot run the rule; undefined when it can. */
export function skipReason(rule: Rule, plan: PolicyPlan): string | undefined {
  if (rule.requires === "secretMarkers" && !plan.secretsMarked)
    return "secret values arrive decrypted here, so a secret cannot be told from a plain value; the offline plan checks it";
  if (rule.requires === "generatedSecrets" && !plan.generatedSecrets)
    return "generated secret values are unknown here; the offline plan checks it";
  return undefined;
}

/**
 * The violations of one rule. `onError` sees an exception from one resource's check and returns true to go on
 * with the others (the policy pack does this for values unknown during preview); otherwise it propagates.
 */
export function runRule(
  rule: Rule,
  ctx: RuleContext,
  onError?: (resource: PolicyResource, error: unknown) => boolean,
): { checked: number; violations: Violation[] } {
  const targets = ctx.plan.resources.filter((r) => appliesTo(rule, r.type));
  const violations: Violation[] = [];
  for (const r of targets) {
    try {
      for (const reason of rule.check(r, ctx)) violations.push({ ruleId: rule.id, urn: r.urn, reason });
    } catch (e) {
      if (!onError?.(r, e)) throw e;
    }
  }
  return { checked: targets.length, violations };
}

export function checkPolicy(plan: PolicyPlan, rules: readonly Rule[] = RULES): PolicyReport {
  const ctx = ruleContext(plan);
  const results = rules.map((rule): RuleResult => {
    const base = {
      id: rule.id,
      title: rule.title,
      checkov: rule.checkov,
      fsbp: rule.fsbp,
      severity: rule.severity,
    };
    const skipped = skipReason(rule, plan);
    if (skipped) return { ...base, status: "skipped", checked: 0, violations: [], skipped };
    const { checked, violations } = runRule(rule, ctx);
    return { ...base, status: violations.length ? "fail" : "pass", checked, violations };
  });
  return {
    stack: plan.stack,
    environment: plan.environment,
    resources: plan.resources.length,
    results,
    violations: results.flatMap((r) => r.violations),
  };
}

/** "checkov CKV_AWS_21; FSBP S3.14", or "" for a gamedb-only rule. */
export function references(r: { checkov: string[]; fsbp: string[] }): string {
  return [r.checkov.length && `checkov ${r.checkov.join(", ")}`, r.fsbp.length && `FSBP ${r.fsbp.join(", ")}`]
    .filter(Boolean)
    .join("; ");
}

export function summaryLine(report: PolicyReport): string {
  const failed = report.results.filter((r) => r.status === "fail").length;
  const ran = report.results.filter((r) => r.status !== "skipped").length;
  return report.violations.length === 0
    ? `policy: no violations (${ran} rules over ${report.resources} resources)`
    : `policy: ${report.violations.length} violation${report.violations.length === 1 ? "" : "s"} of ${failed} rule${failed === 1 ? "" : "s"} (${ran} rules over ${report.resources} resources)`;
}

/** Terminal and CI-log rendering: one line per rule, each violation with its resource URN and reason. */
export function renderReport(report: PolicyReport): string {
  const env = report.environment ? ` (environment ${report.environment})` : "";
  const lines = [`Policy check of stack ${report.stack}${env}:`];
  for (const r of report.results) {
    const refs = references(r);
    const label = { pass: "pass", fail: "FAIL", skipped: "n/a " }[r.status];
    lines.push(`  ${label}  ${r.id}  ${r.title}${refs ? `  [${refs}]` : ""}`);
    if (r.skipped) lines.push(`          ${r.skipped}`);
    for (const v of r.violations) lines.push(`          ${v.urn}`, `            ${v.reason}`);
  }
  lines.push(summaryLine(report));
  return lines.join("\n");
}
