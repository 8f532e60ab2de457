/**
 * The longest chain of resources that must be created one after another, from a plan's dependency graph
 * (`dependencies`: dependsOn plus what inputs' values come from). With shards deployed in parallel, its length is
 * what bounds a deployment's duration, so it must not grow with the number of shards.
 */
import type { PlanDocument, PlannedResource } from "./planDocument";

export interface CriticalPath {
  /** Resources on the longest chain, first to last. */
  chain: PlannedResource[];
  /** The same chain counting remote commands only (the slow, minutes-long steps). */
  commands: PlannedResource[];
}

const COMMAND = "command:remote:Command";

/** Longest path by weight in a DAG; weight(r) = 1 for every counted resource, 0 otherwise. */
function longest(doc: PlanDocument, counted: (r: PlannedResource) => boolean): PlannedResource[] {
  const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
  const children = new Map<string, PlannedResource[]>();
  for (const r of doc.resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  // Waiting on a component means waiting on everything under it.
  const expand = (urn: string): PlannedResource[] => {
    const r = byUrn.get(urn);
    if (!r) return [];
    if (r.custom) return [r];
    return (children.get(urn) ?? []).flatMap((c) => expand(c.urn));
  };
  const memo = new Map<string, PlannedResource[]>();
  const visiting = new Set<string>();
  const walk = (r: PlannedResource): PlannedResource[] => {
    const done = memo.get(r.urn);
    if (done) return done;
    if (visiting.has(r.urn)) throw new Error(`dependency cycle through ${r.urn}`);
    visiting.add(r.urn);
    let best: PlannedResource[] = [];
    for (const d of r.dependencies.flatMap(expand)) {
      const path = walk(d);
      if (path.length > best.length) best = path;
    }
    visiting.delete(r.urn);
    const path = counted(r) ? [...best, r] : best;
    memo.set(r.urn, path);
    return path;
  };
  let out: PlannedResource[] = [];
  for (const r of doc.resources) {
    const p = walk(r);
    if (p.length > out.length) out = p;
  }
  return out;
}

export function criticalPath(doc: PlanDocument): CriticalPath {
  return { chain: longest(doc, (r) => r.custom), commands: longest(doc, (r) => r.type === COMMAND) };
}
