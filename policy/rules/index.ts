/**
 * gamedb's policy rules: pure functions over a PolicyPlan (model.ts), run by `npm run plan -- --check` and by the
 * policy pack in policy/. Rules match resources by type, never by name, so they cover what later edits add.
 * Each names its checkov check and AWS Foundational Security Best Practices control where one exists.
 */
import { Rule } from "./model";
import { s3Rules } from "./s3";
import { ec2Rules } from "./ec2";
import { k8sRules } from "./kubernetes";
import { networkPolicyRules } from "./networkPolicy";
import { secretRules } from "./secrets";
import { dataRules } from "./data";
import { vpcRules } from "./vpc";
import { snsRules } from "./sns";
import { redisRules } from "./redis";
import { mysqlRules } from "./mysql";
import { identityRules } from "./identity";

export type { PolicyPlan, PolicyResource, Rule, RuleContext, Severity, Violation } from "./model";
export { SECRET, ruleContext } from "./model";

export const RULES: readonly Rule[] = [
  ...s3Rules,
  ...ec2Rules,
  ...vpcRules,
  ...snsRules,
  ...redisRules,
  ...mysqlRules,
  ...k8sRules,
  ...networkPolicyRules,
  ...identityRules,
  ...secretRules,
  ...dataRules,
];

/** Whether a rule runs on resources of this type ("*" in appliesTo: every type). */
export const appliesTo = (rule: Rule, type: string): boolean =>
  rule.appliesTo.includes("*") || rule.appliesTo.includes(type);
