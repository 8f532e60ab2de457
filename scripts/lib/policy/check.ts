/**
 * Runs the policy rules over a plan and renders the results (text for terminals and CI logs, JSON for tools).
 * `fromPlanDocument` adapts the offline plan; policy/pack.ts adapts what `pulumi preview` hands a policy pack.
 */
import type { PlanDocument } from "../planDocument";
import { mockId, mockSecret } from "../mockValues";
import { PolicyPlan, PolicyResource, Rule, RuleContext, Severity, Violation, ruleContext } from "./model";
import { RULES, appliesTo } from "./rules";

/** Types whose secret outputs the offline plan fills with mockSecret(name) (scripts/lib/mockValues.ts). */
const SECRET_GENERATORS = ["random:index/randomPassword:RandomPassword", "tls:index/privateKey:PrivateKey"];

/** The offline plan as the rules see it; input references are recovered from the mock ids (`<name>-id`). */
export function fromPlanDocument(doc: PlanDocument): PolicyPlan {
  const byId = new Map<string, string[]>();
  for (const r of doc.resources) if (r.custom) byId.set(mockId(r.name), [...(byId.get(mockId(r.name)) ?? []), r.urn]);
  const resources = doc.resources.map((r): PolicyResource => {
    const deps = new Set(r.dependencies ?? []);
    const refs: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(r.inputs)) {
      const candidates = (Array.isArray(value) ? value : [value]).flatMap((v) =>
        typeof v === "string" ? (byId.get(v) ?? []) : [],
      );
      if (candidates.length === 0) continue;
      // Mock ids derive from names, which only types keep apart; the dependencies say which resource it was.
      const known = candidates.filter((u) => deps.has(u));
      refs[key] = known.length > 0 ? known : candidates;
    }
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      inputs: r.inputs,
      options: { protect: r.options.protect, retainOnDelete: r.options.retainOnDelete },
      refs,
    };
  });
  return {
    stack: doc.stack,
    environment: doc.topology?.environment,
    resources,
    secretsMarked: true,
    generatedSecrets: doc.resources.filter((r) => SECRET_GENERATORS.includes(r.type)).map((r) => mockSecret(r.name)),
  };
}

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

export const checkPlanDocument = (doc: PlanDocument): PolicyReport => checkPolicy(fromPlanDocument(doc));

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
