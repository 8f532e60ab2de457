/**
 * The baseline of the plan benchmark: a program that does nothing but register resources under the same mocks as
 * the offline plan (scripts/lib/evaluate.ts), so that Pulumi's own per-resource cost can be told apart from
 * gamedb's.
 *
 * Shape: `components` ComponentResources (the first is the root, the others are its children, each calls
 * registerOutputs like gamedb's components) and `custom` CustomResources of type bench:index:Thing with three small
 * inputs, spread over the components round-robin as their parent (top-level when there is no component). No
 * transformations, no config, no outputs between resources. "Resolved" means every resource's URN has resolved,
 * as evaluate() waits for.
 *
 * The floor is a low one: Pulumi makes an Output, some ten promises, for every property a resource class declares,
 * and the provider SDKs declare every output (an aws Instance 61, a MetricAlarm 28, a remote Command 11): gamedb's
 * resources average about 15 properties against Thing's 3. At 64 shards, Things with 12 more undefined properties
 * took about 1.5x the time and 1.6x the peak memory of these (measured for issue 17; not the floor used here).
 */
import * as pulumi from "@pulumi/pulumi";
import { planMocks, valueOf } from "../../lib/mockValues";
import { withoutPromiseStacks } from "../../lib/promiseStacks";

export const BARE_CUSTOM_TYPE = "bench:index:Thing";
export const BARE_COMPONENT_TYPE = "bench:index:Group";

export interface BareCounts {
  custom: number;
  components: number;
}

class Group extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super(BARE_COMPONENT_TYPE, name, {}, opts);
    this.registerOutputs({});
  }
}

class Thing extends pulumi.CustomResource {
  constructor(
    name: string,
    props: { index: number; label: string; tags: Record<string, string> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(BARE_CUSTOM_TYPE, name, props, opts);
  }
}

/** Registers the resources and resolves once every URN has; returns the number of resources registered. */
export function runBare(counts: BareCounts, project: string, stack: string): Promise<number> {
  // Under the same conditions as evaluate(), stack traces off included.
  return withoutPromiseStacks(() => declareBare(counts, project, stack));
}

async function declareBare(counts: BareCounts, project: string, stack: string): Promise<number> {
  // The same mocks as evaluate(): inputs kept by type and name, state = inputs plus the mock computed values.
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(planMocks(inputs), project, stack, false);

  const resources: pulumi.Resource[] = [];
  const groups: Group[] = [];
  for (let i = 0; i < counts.components; i++) {
    const group = new Group(`group-${i}`, i === 0 ? {} : { parent: groups[0] });
    groups.push(group);
    resources.push(group);
  }
  for (let i = 0; i < counts.custom; i++) {
    const parent = groups.length > 0 ? groups[i % groups.length] : undefined;
    resources.push(new Thing(`thing-${i}`, { index: i, label: `thing ${i}`, tags: { bench: "bare" } }, { parent }));
  }
  for (const r of resources) await valueOf(r.urn);
  if (inputs.size !== resources.length)
    throw new Error(`the mocks saw ${inputs.size} resources, ${resources.length} were declared`);
  return resources.length;
}
