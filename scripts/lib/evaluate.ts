/**
 * Evaluates the real gamedb program under Pulumi's mock runtime and records every resource with its inputs and
 * options. No CLI, no credentials, no network. Secrets are recorded as "[secret]" only.
 *
 * Mocks do not see resource options, so a transformation on the top-level component records them (it sees every
 * descendant); the mock monitor's inputs are joined to those records by type and name. The transformation keeps
 * only what the plan shows (recordOptions.ts), not the props, so the program's input objects can be freed once
 * registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./stackFile";
import { SECRET_PLACEHOLDER } from "./stackFile";
import { planMocks, valueOf } from "./mockValues";
import type { PlanDocument, PlannedResource } from "./planDocument";
import { declarePlatform } from "../../infra/program";
import { withoutPromiseStacks } from "./promiseStacks";
import { Recorded, UrnCache, dependenciesOf, recordResource } from "./recordOptions";
import { redactSecrets } from "./redactSecrets";
import { withResolvedAssets } from "./recordedAssets";

export { redactSecrets };

async function resolveOutput(value: unknown): Promise<unknown> {
  const out = pulumi.output(value);
  const secret = await (out as unknown as { isSecret: Promise<boolean> }).isSecret;
  return secret ? SECRET_PLACEHOLDER : redactSecrets(await valueOf(out));
}

/** What the offline plan shows for the converge request of a shard with mysql.converge: always. */
export const CONVERGE_EVERY_RUN = "<on every pulumi up>";

export function evaluate(stack: StackConfig): Promise<PlanDocument> {
  return withoutPromiseStacks(() => evaluateWithStacks(stack));
}

/** Throws on the first type and name seen twice: the mocks' inputs are joined to the records by them. */
function checkUniqueNames(seen: readonly Recorded[]): void {
  const keys = new Set<string>();
  for (const s of seen) {
    const key = `${s.type}::${s.name}`;
    if (keys.has(key)) throw new Error(`two resources share the type and name ${key}; names must be unique`);
    keys.add(key);
  }
}

async function planned(
  s: Recorded,
  inputs: Map<string, Record<string, unknown>>,
  urns: UrnCache,
): Promise<PlannedResource> {
  const [urn, parent, dependsOn, inferred] = await Promise.all([
    urns.of(s.resource),
    s.parent ? urns.of(s.parent) : null,
    urns.ofDependsOn(s.dependsOn),
    s.inferred,
  ]);
  // Read after the URN: the mocks record a resource's inputs when it registers.
  const recorded = await withResolvedAssets(inputs.get(`${s.type}::${s.name}`) ?? {});
  // Read after the URN: registering the resource completed its Outputs' resource sets.
  const inferredUrns = await Promise.all([...dependenciesOf(inferred)].map((r) => urns.of(r)));
  return {
    urn,
    type: s.type,
    name: s.name,
    parent,
    custom: pulumi.CustomResource.isInstance(s.resource),
    inputs: redactSecrets(recorded) as Record<string, unknown>,
    options: { ...s.options, dependsOn },
    dependencies: [...new Set([...dependsOn, ...inferredUrns])].filter((u) => u !== urn).sort(),
  };
}

async function evaluateWithStacks(stack: StackConfig): Promise<PlanDocument> {
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(planMocks(inputs), stack.project, stack.stack, false);
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);

  const seen: Recorded[] = [];
  const record: pulumi.ResourceTransformation = (args) => {
    seen.push(recordResource(args));
    return undefined;
  };
  // The converge request differs on every real run; the plan names it instead, so two plans of one config agree.
  const { plan, outputs } = declarePlatform({ transformations: [record], runStamp: CONVERGE_EVERY_RUN });

  const resolvedOutputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) resolvedOutputs[key] = await resolveOutput(value);

  checkUniqueNames(seen);
  // All at once: each resource waits only for its own URN and dependencies, not for every resource before it.
  const urns = new UrnCache();
  const resources = await Promise.all(seen.map((s) => planned(s, inputs, urns)));
  return { project: stack.project, stack: stack.stack, resources, outputs: resolvedOutputs, topology: plan };
}
