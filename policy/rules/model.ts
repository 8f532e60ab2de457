/**
 * What the policy rules read: a plan reduced to the facts both of its sources know. The offline plan
 * (`fromPlanDocument` in scripts/lib/policyPlan.ts) and the Pulumi policy pack (policy/pack.ts) each adapt their
 * own resources to this shape, so one set of rule functions serves both. Nothing here imports Pulumi: the pack
 * runs it as is.
 */

/** How secret values appear in the offline plan's inputs (scripts/lib/stackFile.ts SECRET_PLACEHOLDER). */
export const SECRET = "[secret]";

export interface PolicyResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent, or null. */
  parent: string | null;
  inputs: Record<string, unknown>;
  options: {
    protect: boolean;
    /** Undefined when the source cannot tell (the policy analyzer protocol does not carry it). */
    retainOnDelete?: boolean;
  };
  /**
   * Top-level input key -> URNs its value comes from (`bucket` of a BucketVersioning -> the Bucket). The pack has
   * it from Pulumi's property dependencies; the offline plan derives it from the mock ids.
   */
  refs: Record<string, string[]>;
}

export interface PolicyPlan {
  stack: string;
  /** dev or prod; undefined when unknown (then prod-only rules do not run). */
  environment?: string;
  resources: PolicyResource[];
  /**
   * True when secret inputs show as SECRET (the offline plan). The policy pack sees secrets already decrypted, so
   * it cannot tell a secret from a plain value and skips the rules that need this.
   */
  secretsMarked: boolean;
  /** Values of generated secrets (offline plan: the mock values), to prove they never appear in plain text. */
  generatedSecrets?: string[];
}

export type Severity = "low" | "medium" | "high" | "critical";

export interface Violation {
  ruleId: string;
  urn: string;
  reason: string;
}

export interface RuleContext {
  plan: PolicyPlan;
  byUrn(urn: string): PolicyResource | undefined;
  ofType(types: readonly string[]): PolicyResource[];
  /** Resources of `types` whose input `key` refers to `target` (e.g. the BucketVersioning of a bucket). */
  referencing(target: PolicyResource, types: readonly string[], key: string): PolicyResource[];
}

export interface Rule {
  id: string;
  title: string;
  /** checkov check ids covering the same control, where one exists. */
  checkov: string[];
  /** AWS Foundational Security Best Practices (Security Hub) control ids, where one exists. */
  fsbp: string[];
  severity: Severity;
  /** Resource types the check runs on. */
  appliesTo: readonly string[];
  /** What the rule needs from the source beyond inputs; a source without it skips the rule. */
  requires?: "secretMarkers" | "generatedSecrets";
  /** Reasons this resource breaks the rule; empty when it complies. */
  check(resource: PolicyResource, ctx: RuleContext): string[];
}

export function ruleContext(plan: PolicyPlan): RuleContext {
  const urns = new Map(plan.resources.map((r) => [r.urn, r]));
  const types = new Map<string, PolicyResource[]>();
  for (const r of plan.resources) types.set(r.type, [...(types.get(r.type) ?? []), r]);
  const ofType = (ts: readonly string[]) => ts.flatMap((t) => types.get(t) ?? []);
  return {
    plan,
    byUrn: (urn) => urns.get(urn),
    ofType,
    referencing: (target, ts, key) => ofType(ts).filter((r) => (r.refs[key] ?? []).includes(target.urn)),
  };
}
