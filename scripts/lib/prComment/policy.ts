/** The comment's policy section: the violations, marked new or already on the base when its results are given. */
import type { PlanDocument } from "../planDocument";
import { stackFreeUrn } from "../planDiff";
import type { PolicyReport } from "../../../policy/check";
import { references } from "../../../policy/check";
import { capped, cell, code, plural } from "./markdown";
import type { PrCommentOptions } from "./options";

function shortResource(urn: string, head: PlanDocument): string {
  const r = head.resources.find((x) => x.urn === urn);
  if (r) return `${code(r.type)} ${code(r.name)}`;
  const name = urn.split("::").pop() ?? urn;
  return code(name);
}

/** The "Policy" section: not run, no violations, or a table of them. */
export function policySection(
  policy: PolicyReport | undefined,
  head: PlanDocument,
  options: PrCommentOptions,
): string[] {
  if (!policy) return ["#### Policy", "", "Not run."];
  const ran = policy.results.filter((r) => r.status !== "skipped").length;
  if (policy.violations.length === 0)
    return ["#### Policy", "", `✅ No violations: ${ran} rules over ${policy.resources} resources.`];
  const key = (v: { ruleId: string; urn: string; reason: string }) => `${v.ruleId} ${stackFreeUrn(v.urn)} ${v.reason}`;
  const before = options.basePolicy ? new Set(options.basePolicy.violations.map(key)) : undefined;
  const rules = new Map(policy.results.map((r) => [r.id, r]));
  const failed = policy.results.filter((r) => r.status === "fail").length;
  const lines = [
    "#### Policy",
    "",
    `❌ **${plural(policy.violations.length, "violation")} of ${plural(failed, "rule")}** (${ran} rules over ${policy.resources} resources). \`npm run plan -- --stack ${options.stack} --check\` lists them.`,
    "",
    `| rule | resource | reason |${before ? " on base |" : ""}`,
    `| --- | --- | --- |${before ? " --- |" : ""}`,
  ];
  lines.push(
    ...capped(policy.violations, options.maxItems ?? 50, (v) => {
      const rule = rules.get(v.ruleId);
      const refs = rule ? references(rule) : "";
      const ruleCell = `**${v.ruleId}** ${rule?.title ?? ""}${refs ? ` (${refs})` : ""}`;
      const isNew = before ? (before.has(key(v)) ? " | already there |" : " | **new** |") : " |";
      return `| ${cell(ruleCell)} | ${cell(shortResource(v.urn, head))} | ${cell(v.reason)}${isNew}`;
    }),
  );
  return lines;
}
