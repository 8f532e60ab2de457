/**
 * What the offline plan keeps of each resource the program declares, taken by the recording transformation
 * (evaluate.ts): its options and the resources its inputs' Outputs come from. Not the props themselves: holding
 * every props object to the end kept the whole program's input objects and their Outputs alive.
 */
import * as pulumi from "@pulumi/pulumi";
import { valueOf } from "./mockValues";

export interface Recorded {
  resource: pulumi.Resource;
  type: string;
  name: string;
  parent: pulumi.Resource | undefined;
  options: { protect: boolean; retainOnDelete: boolean; ignoreChanges: string[] };
  dependsOn: pulumi.ResourceOptions["dependsOn"];
  /**
   * The resource sets of the input's Outputs: every resource they come from, the dependencies Pulumi infers
   * besides `dependsOn`. Complete once the resource is registered (resourceSetsOf).
   */
  inferred: Promise<Set<pulumi.Resource>[]>;
}

/** Inputs nested deeper than this are not searched for Outputs. */
export const MAX_INPUT_DEPTH = 32;

/**
 * The Outputs in an input value, in order: arrays and plain values are searched, a Resource is not, nor is what a
 * Promise resolves to.
 */
export function outputsIn(value: unknown, found: pulumi.Output<unknown>[] = [], depth = 0): pulumi.Output<unknown>[] {
  if (depth > MAX_INPUT_DEPTH || value === null || typeof value !== "object") return found;
  if (pulumi.Output.isInstance(value)) found.push(value as pulumi.Output<unknown>);
  else if (Array.isArray(value)) for (const v of value) outputsIn(v, found, depth + 1);
  else if (!pulumi.Resource.isInstance(value))
    for (const v of Object.values(value as Record<string, unknown>)) outputsIn(v, found, depth + 1);
  return found;
}

const NONE: Promise<Set<pulumi.Resource>[]> = Promise.resolve([]);

/**
 * The resource sets behind the Outputs (Output.allResources is internal to @pulumi/pulumi's types). The sets
 * themselves, not a copy: serializing a resource's inputs adds to an Output's set the resources of Outputs nested
 * in its value (runtime/rpc.js serializeProperty, propResources.add), so they are complete only once the
 * resource is registered. Read them after its URN has resolved (dependenciesOf).
 */
export function resourceSetsOf(outputs: readonly pulumi.Output<unknown>[]): Promise<Set<pulumi.Resource>[]> {
  if (outputs.length === 0) return NONE;
  const sets = Promise.all(
    outputs.map((o) => {
      const f = (o as unknown as { allResources?: () => Promise<Set<pulumi.Resource>> }).allResources;
      return f ? f() : new Set<pulumi.Resource>();
    }),
  );
  // Awaited only once the program has run: a failure must not count as unhandled before then.
  sets.catch(() => undefined);
  return sets;
}

/** The union of the sets, read now. */
export function dependenciesOf(sets: readonly Set<pulumi.Resource>[]): Set<pulumi.Resource> {
  const all = new Set<pulumi.Resource>();
  for (const set of sets) for (const r of set) all.add(r);
  return all;
}

export function recordResource(args: pulumi.ResourceTransformationArgs): Recorded {
  const { opts } = args;
  return {
    resource: args.resource,
    type: args.type,
    name: args.name,
    parent: opts.parent,
    options: {
      protect: opts.protect === true,
      retainOnDelete: opts.retainOnDelete === true,
      ignoreChanges: [...(opts.ignoreChanges ?? [])],
    },
    dependsOn: opts.dependsOn,
    inferred: resourceSetsOf(outputsIn(args.props)),
  };
}

/** Each resource's URN, resolved once however many resources name it as parent or dependency. */
export class UrnCache {
  private readonly urns = new Map<pulumi.Resource, Promise<string>>();

  of(resource: pulumi.Resource): Promise<string> {
    let urn = this.urns.get(resource);
    if (!urn) this.urns.set(resource, (urn = valueOf(resource.urn)));
    return urn;
  }

  /** `dependsOn`'s URNs in its order: one resource or a list, each maybe a promise. */
  async ofDependsOn(deps: pulumi.ResourceOptions["dependsOn"]): Promise<string[]> {
    if (!deps) return [];
    const list = await (deps as Promise<unknown>);
    const arr = Array.isArray(list) ? list : [list];
    return Promise.all(arr.map(async (d) => this.of(await (d as Promise<pulumi.Resource>))));
  }
}
