/** Plans for policy tests: the shipped stacks evaluated once per test file, and copies to break. */
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { planOf } from "../helpers/plan";

const cache = new Map<string, Promise<PlanDocument>>();

/** The plan of a shipped stack; evaluated once per test file, so callers must copy before mutating. */
export function shippedPlan(stack: "dev" | "prod"): Promise<PlanDocument> {
  if (!cache.has(stack)) cache.set(stack, planOf(stack));
  return cache.get(stack)!;
}

/** A deep copy, through JSON as plans travel between CI steps. */
export const copyOf = (doc: PlanDocument): PlanDocument => JSON.parse(JSON.stringify(doc)) as PlanDocument;

/** The one resource of this type and name in a plan copy (to mutate it); throws when there is none. */
export function res(doc: PlanDocument, type: string, name: string): PlannedResource {
  const r = doc.resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} ${name} in the plan`);
  return r;
}

/** Removes a resource from a plan copy and returns it. */
export function drop(doc: PlanDocument, type: string, name: string): PlannedResource {
  const r = res(doc, type, name);
  doc.resources.splice(doc.resources.indexOf(r), 1);
  return r;
}

/** A resource to add to a plan copy, shaped as the offline plan records one. */
export function resource(
  doc: PlanDocument,
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  dependencies: string[] = [],
): PlannedResource {
  const r: PlannedResource = {
    urn: `urn:pulumi:${doc.stack}::${doc.project}::${type}::${name}`,
    type,
    name,
    parent: doc.resources[0]!.urn,
    custom: true,
    inputs,
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], dependsOn: [] },
    dependencies,
  };
  doc.resources.push(r);
  return r;
}
