/**
 * The offline plan (planDocument.ts) as the policy rules' PolicyPlan, and its policy check. The rules live in
 * policy/ and know nothing of the offline plan's mocks: the mock ids and secrets arrive here as `PlanValues`.
 */
import { PolicyReport, checkPolicy } from "../../policy/check";
import type { PolicyPlan, PolicyResource } from "../../policy/rules";
import type { PlanDocument } from "./planDocument";
import { mockId, mockSecret } from "./mockValues";

/** The values the offline plan's runtime gave provider-computed outputs, by resource name. */
export interface PlanValues {
  /** The id of a custom resource: an input equal to it refers to that resource. */
  idOf(name: string): string;
  /** The value of a generated secret, which must never appear in plain text. */
  secretOf(name: string): string;
}

/** The offline plan's own values (mockValues.ts). */
export const MOCK_VALUES: PlanValues = { idOf: mockId, secretOf: mockSecret };

/** Types whose secret outputs the offline plan fills with `secretOf(name)`. */
const SECRET_GENERATORS = ["random:index/randomPassword:RandomPassword", "tls:index/privateKey:PrivateKey"];

/** The offline plan as the rules see it; input references are recovered from the ids (`values.idOf`). */
export function fromPlanDocument(doc: PlanDocument, values: PlanValues): PolicyPlan {
  const byId = new Map<string, string[]>();
  for (const r of doc.resources)
    if (r.custom) byId.set(values.idOf(r.name), [...(byId.get(values.idOf(r.name)) ?? []), r.urn]);
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
    generatedSecrets: doc.resources
      .filter((r) => SECRET_GENERATORS.includes(r.type))
      .map((r) => values.secretOf(r.name)),
  };
}

export const checkPlanDocument = (doc: PlanDocument): PolicyReport => checkPolicy(fromPlanDocument(doc, MOCK_VALUES));
