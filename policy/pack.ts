/**
 * The policy pack's policies: each gamedb rule (rules/) as a stack validation, run on what
 * `pulumi preview` / `pulumi up` hands the pack. This file only adapts Pulumi's PolicyResource objects to the
 * rules' PolicyPlan; it holds no rule logic. index.ts serves these policies (constructing the PolicyPack starts
 * the analyzer, so tests import this file instead).
 */
import type {
  PolicyResource as PulumiResource,
  ReportViolation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyPlan, PolicyResource, RULES, Rule, ruleContext } from "./rules";
import { references, runRule, skipReason } from "./check";

/**
 * Values unknown during preview throw @pulumi/policy's UnknownValueError when read; the class is internal to the
 * package, so it is recognised by name.
 */
export function isUnknownValueError(e: unknown): boolean {
  return e instanceof Error && e.constructor.name === "UnknownValueError";
}

function stackOfUrn(urn: string): string {
  return /^urn:pulumi:([^:]*)::/.exec(urn)?.[1] ?? "";
}

/** gamedb's AWS provider tags every resource with the environment (infra/platform/index.ts defaultTags). */
function providerEnvironment(resources: readonly PulumiResource[]): string | undefined {
  for (const r of resources) {
    if (r.type !== "pulumi:providers:aws") continue;
    try {
      const raw: unknown = r.props.defaultTags;
      const tags = (typeof raw === "string" ? JSON.parse(raw) : raw) as { tags?: Record<string, unknown> } | undefined;
      const env = tags?.tags?.environment;
      if (typeof env === "string") return env;
    } catch {
      // Unknown during preview or not JSON: fall back to the stack name.
    }
  }
  return undefined;
}

/** The environment: policy config `environment`, else the provider's tag, else a stack named dev or prod. */
export function environmentOf(resources: readonly PulumiResource[], configured?: string): string | undefined {
  if (configured) return configured;
  const tagged = providerEnvironment(resources);
  if (tagged) return tagged;
  const stack = resources[0] ? stackOfUrn(resources[0].urn) : "";
  return stack === "dev" || stack === "prod" ? stack : undefined;
}

/**
 * Pulumi's view of a stack as the rules' PolicyPlan. Input references come from property dependencies; props
 * stay the analyzer's proxies, so reading a value unknown during preview throws (see validate). Secrets arrive
 * decrypted and retainOnDelete is not part of the analyzer protocol: the rules that need them know it.
 */
export function adaptStack(resources: readonly PulumiResource[], environment?: string): PolicyPlan {
  return {
    stack: resources[0] ? stackOfUrn(resources[0].urn) : "",
    environment: environmentOf(resources, environment),
    secretsMarked: false,
    resources: resources.map((r): PolicyResource => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent?.urn ?? null,
      inputs: r.props,
      options: { protect: r.opts.protect },
      refs: Object.fromEntries(
        Object.entries(r.propertyDependencies ?? {}).map(([key, deps]) => [key, deps.map((d) => d.urn)]),
      ),
    })),
  };
}

export function validate(rule: Rule, args: StackValidationArgs, report: ReportViolation): void {
  const plan = adaptStack(args.resources, args.getConfig<{ environment?: string }>().environment);
  const skip = skipReason(rule, plan);
  if (skip) args.notApplicable(skip);
  let unknown: unknown;
  const { violations } = runRule(rule, ruleContext(plan), (_resource, e) => {
    if (!isUnknownValueError(e)) return false;
    unknown ??= e;
    return true;
  });
  for (const v of violations) report(v.reason, v.urn);
  // Rethrown after reporting the rest: Pulumi then notes, as advisory, that the rule could not see every value.
  if (unknown !== undefined) throw unknown;
}

export const policies: StackValidationPolicy[] = RULES.map((rule) => {
  const refs = references(rule);
  return {
    name: rule.id,
    description: `${rule.title}${refs ? ` (${refs})` : ""}`,
    enforcementLevel: "mandatory",
    severity: rule.severity,
    configSchema: { properties: { environment: { type: "string", enum: ["dev", "prod"] } } },
    validateStack: (args, report) => validate(rule, args, report),
  };
});
