/**
 * The typed floor of the plan benchmark: bare.ts's program, but each custom resource has the type token and the
 * declared properties of one of gamedb's (resourceShapes.ts, summarized from the gamedb run itself), so Pulumi does
 * the same per-property work as for the provider SDKs' classes (an Output per declared property, set or not). The
 * gap between bare and typed is the SDKs' cost; between typed and gamedb, gamedb's own. Informative only: the
 * issue 17 target stays gamedb against bare.
 *
 * Same mocks, same runtime settings (promise stack traces off), same components and round-robin parenting as
 * bare.ts. Inputs: every declared property undefined except `name` (typedInputs). The mocks compute the same
 * per-type values (ids, ARNs, addresses) as in the gamedb run, since they key on the type token.
 */
import * as pulumi from "@pulumi/pulumi";
import { planMocks, valueOf } from "../../lib/mockValues";
import { withoutPromiseStacks } from "../../lib/promiseStacks";
import { type ShapeSummary, typedInputs } from "../../lib/bench/resourceShapes";
import { BARE_COMPONENT_TYPE } from "./bare";

class Group extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super(BARE_COMPONENT_TYPE, name, {}, opts);
    this.registerOutputs({});
  }
}

class Typed extends pulumi.CustomResource {
  constructor(type: string, name: string, props: Record<string, unknown>, opts?: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

/** Registers the resources and resolves once every URN has; returns the number of resources registered. */
export function runTyped(shapes: ShapeSummary, components: number, project: string, stack: string): Promise<number> {
  return withoutPromiseStacks(() => declareTyped(shapes, components, project, stack));
}

async function declareTyped(shapes: ShapeSummary, components: number, project: string, stack: string): Promise<number> {
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(planMocks(inputs), project, stack, false);

  const resources: pulumi.Resource[] = [];
  const groups: Group[] = [];
  for (let i = 0; i < components; i++) {
    const group = new Group(`group-${i}`, i === 0 ? {} : { parent: groups[0] });
    groups.push(group);
    resources.push(group);
  }
  let i = 0;
  for (const [type, shape] of Object.entries(shapes.types)) {
    for (let n = 0; n < shape.count; n++, i++) {
      const parent = groups.length > 0 ? groups[i % groups.length] : undefined;
      const name = `typed-${i}`;
      resources.push(new Typed(type, name, typedInputs(shape.properties, name), { parent }));
    }
  }
  for (const r of resources) await valueOf(r.urn);
  if (inputs.size !== resources.length)
    throw new Error(`the mocks saw ${inputs.size} resources, ${resources.length} were declared`);
  return resources.length;
}
