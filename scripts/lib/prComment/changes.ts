/**
 * What a change does to each resource: created, deleted, updated in place, replaced, or changed only in inputs
 * under ignoreChanges. Inputs under the resource's ignoreChanges are left out, as Pulumi leaves them out.
 */
import { isDeepStrictEqual } from "node:util";
import type { PlanDocument, PlannedResource } from "../planDocument";
import { diffPlans, stackFreeUrn } from "../planDiff";
import { Obj, replacedBy, STATEFUL_TYPES, under } from "./replacement";

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Dotted paths that differ, down to the first array or scalar. */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return isDeepStrictEqual(a, b) ? [] : [prefix];
}

/** ignoreChanges entries as dotted paths: `tags["Name"]` -> `tags.Name`, array indexes dropped. */
const ignorePath = (p: string) => p.replace(/\["([^"]*)"\]/g, ".$1").replace(/\[(\d+|\*)\]/g, "");

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  /** Changed input paths Pulumi acts on (ignoreChanges left out). */
  paths: string[];
  /** The paths among them that force a replacement. */
  replacedBy: string[];
  /** Changed resource options (protect, retainOnDelete, ...). */
  options: string[];
  stateful: boolean;
}

export interface ChangeSummary {
  created: PlannedResource[];
  deleted: PlannedResource[];
  updated: ResourceChange[];
  replaced: ResourceChange[];
  /** Changed only in inputs under ignoreChanges: Pulumi leaves them as they are (counted as unchanged). */
  ignored: ResourceChange[];
  unchanged: number;
}

const byTypeName = (a: { type: string; name: string }, b: { type: string; name: string }) =>
  a.type.localeCompare(b.type) || a.name.localeCompare(b.name);

export function summarizeChanges(base: PlanDocument, head: PlanDocument): ChangeSummary {
  const diff = diffPlans(base, head);
  const before = new Map(base.resources.map((r) => [stackFreeUrn(r.urn), r]));
  const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
  const updated: ResourceChange[] = [];
  const replaced: ResourceChange[] = [];
  const ignored: ResourceChange[] = [];
  for (const c of diff.changed) {
    const now = headByUrn.get(c.urn)!;
    const prev = before.get(stackFreeUrn(c.urn))!;
    const ignores = now.options.ignoreChanges.map(ignorePath);
    const paths = changedPaths(prev.inputs, now.inputs).filter((p) => !under(p, ignores));
    const change: ResourceChange = {
      urn: c.urn,
      type: c.type,
      name: c.name,
      paths,
      replacedBy: paths.filter((p) => replacedBy(c.type, p, now.inputs)),
      // A dependsOn change only orders operations: Pulumi updates nothing for it, so neither does the comment.
      options: c.options.filter((o) => o !== "dependsOn"),
      stateful: STATEFUL_TYPES.includes(c.type),
    };
    if (change.replacedBy.length > 0) replaced.push(change);
    else if (paths.length > 0 || change.options.length > 0) updated.push(change);
    else if (c.inputs.length > 0) ignored.push(change);
    // else: only its dependsOn changed; not a change Pulumi makes.
  }
  return {
    created: [...diff.created].sort(byTypeName),
    deleted: [...diff.deleted].sort(byTypeName),
    updated: updated.sort(byTypeName),
    replaced: replaced.sort(byTypeName),
    ignored: ignored.sort(byTypeName),
    // Changes Pulumi ignores leave the resource as it is.
    unchanged: head.resources.length - diff.created.length - updated.length - replaced.length,
  };
}
