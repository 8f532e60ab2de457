/**
 * The difference between two plans: resources created, deleted and changed (with the input keys), slot movement,
 * the slot moves with their phase changes and the review check's violations, and the host toolkit's files and the
 * steps that run them (scripts/lib/toolkitDiff.ts).
 */
import { isDeepStrictEqual } from "node:util";
import type { PlanDocument, PlannedResource } from "./planDocument";
import { TopologyDiff, diffTopology } from "../../infra/plan/diff";
import { MoveChange, MoveViolation, moveTransitions, moveViolations } from "../../infra/plan/moveTransitions";
import { ResourcePair, ToolkitDiff, diffToolkit } from "./toolkitDiff";

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  /** Top-level input keys whose values differ. */
  inputs: string[];
  /** Option names whose values differ (protect, retainOnDelete, ignoreChanges, dependsOn). */
  options: string[];
}

export interface PlanDiff {
  created: PlannedResource[];
  deleted: PlannedResource[];
  changed: ResourceChange[];
  topology: TopologyDiff;
  /** Every move of either plan, with its phase in the base ("new") and here ("removed"). */
  moves: MoveChange[];
  /** The review check (`--against BASE --check` exits 1 on any). */
  moveViolations: MoveViolation[];
  /** The toolkit's files and changed steps; absent when neither plan has a toolkit section. */
  toolkit?: ToolkitDiff;
}

/** A URN without its stack, so a plan can be compared with another stack's (urn:pulumi:<stack>::<project>::...). */
export function stackFreeUrn(urn: string): string {
  return urn.replace(/^urn:pulumi:[^:]*::/, "");
}

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !isDeepStrictEqual(a[k], b[k])).sort();
}

function normalizeOptions(o: PlannedResource["options"]): Record<string, unknown> {
  return { ...o, dependsOn: o.dependsOn.map(stackFreeUrn) };
}

export function diffPlans(before: PlanDocument, after: PlanDocument): PlanDiff {
  const old = new Map(before.resources.map((r) => [stackFreeUrn(r.urn), r]));
  const now = new Map(after.resources.map((r) => [stackFreeUrn(r.urn), r]));
  const changed: ResourceChange[] = [];
  const pairs: ResourcePair[] = [];
  for (const r of after.resources) {
    const prev = old.get(stackFreeUrn(r.urn));
    if (!prev) continue;
    const inputs = changedKeys(prev.inputs, r.inputs);
    const options = changedKeys(normalizeOptions(prev.options), normalizeOptions(r.options));
    if (inputs.length > 0 || options.length > 0)
      changed.push({ urn: r.urn, type: r.type, name: r.name, inputs, options });
    if (inputs.length > 0) pairs.push({ before: prev, after: r });
  }
  return {
    created: after.resources.filter((r) => !old.has(stackFreeUrn(r.urn))),
    deleted: before.resources.filter((r) => !now.has(stackFreeUrn(r.urn))),
    changed,
    topology: diffTopology(before.topology, after.topology),
    moves: moveTransitions(before.topology, after.topology),
    moveViolations: moveViolations(before.topology, after.topology),
    ...(before.toolkit || after.toolkit ? { toolkit: diffToolkit(before.toolkit, after.toolkit, pairs) } : {}),
  };
}
