/**
 * Evaluates the real gamedb program under Pulumi's mock runtime and records every resource with its inputs and
 * options. No CLI, no credentials, no network. Secrets are recorded as "[secret]" only.
 *
 * Mocks do not see resource options, so a transformation on the top-level component records them (it sees every
 * descendant); the mock monitor's inputs are joined to those records by type and name.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./stackFile";
import { SECRET_PLACEHOLDER } from "./stackFile";
import { planMocks, valueOf } from "./mockValues";
import type { PlanDocument, PlannedResource } from "./planDocument";
import { declarePlatform } from "../../infra/program";
import { withoutPromiseStacks } from "./promiseStacks";

/** Replaces Pulumi secret envelopes by the placeholder, recursively. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (obj[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return SECRET_PLACEHOLDER;
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}

async function resolveOutput(value: unknown): Promise<unknown> {
  const out = pulumi.output(value);
  const secret = await (out as unknown as { isSecret: Promise<boolean> }).isSecret;
  return secret ? SECRET_PLACEHOLDER : redactSecrets(await valueOf(out));
}

async function urnsOf(
  deps: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined,
): Promise<string[]> {
  if (!deps) return [];
  const list = await (deps as Promise<unknown>);
  const arr = Array.isArray(list) ? list : [list];
  const out: string[] = [];
  for (const d of arr) out.push(await valueOf((await (d as Promise<pulumi.Resource>)).urn));
  return out;
}

/** Every resource an input's Outputs come from: the dependencies Pulumi infers, besides `dependsOn`. */
async function inputDependencies(value: unknown, out: Set<pulumi.Resource>, depth = 0): Promise<void> {
  if (depth > 32 || value === null || value === undefined) return;
  if (pulumi.Output.isInstance(value)) {
    const all = (value as unknown as { allResources?: () => Promise<Set<pulumi.Resource>> }).allResources;
    for (const r of all ? await all() : []) out.add(r);
    return;
  }
  if (Array.isArray(value)) for (const v of value) await inputDependencies(v, out, depth + 1);
  else if (typeof value === "object" && !pulumi.Resource.isInstance(value))
    for (const v of Object.values(value as Record<string, unknown>)) await inputDependencies(v, out, depth + 1);
}

interface Seen {
  resource: pulumi.Resource;
  type: string;
  name: string;
  props: Record<string, unknown>;
  opts: pulumi.ResourceOptions;
}

/** What the offline plan shows for the converge request of a shard with mysql.converge: always. */
export const CONVERGE_EVERY_RUN = "<on every pulumi up>";

export function evaluate(stack: StackConfig): Promise<PlanDocument> {
  return withoutPromiseStacks(() => evaluateWithStacks(stack));
}

async function evaluateWithStacks(stack: StackConfig): Promise<PlanDocument> {
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(planMocks(inputs), stack.project, stack.stack, false);
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);

  const seen: Seen[] = [];
  const record: pulumi.ResourceTransformation = (args) => {
    seen.push({ resource: args.resource, type: args.type, name: args.name, props: args.props, opts: args.opts });
    return undefined;
  };
  // The converge request differs on every real run; the plan names it instead, so two plans of one config agree.
  const { plan, outputs } = declarePlatform({ transformations: [record], runStamp: CONVERGE_EVERY_RUN });

  const resolvedOutputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(outputs)) resolvedOutputs[key] = await resolveOutput(value);

  const resources: PlannedResource[] = [];
  const keys = new Set<string>();
  for (const s of seen) {
    const key = `${s.type}::${s.name}`;
    if (keys.has(key)) throw new Error(`two resources share the type and name ${key}; names must be unique`);
    keys.add(key);
    const urn = await valueOf(s.resource.urn);
    const parent = s.opts.parent ? await valueOf(s.opts.parent.urn) : null;
    const dependsOn = await urnsOf(s.opts.dependsOn);
    const inferred = new Set<pulumi.Resource>();
    await inputDependencies(s.props, inferred);
    const inferredUrns = await Promise.all([...inferred].map((r) => valueOf(r.urn)));
    resources.push({
      urn,
      type: s.type,
      name: s.name,
      parent,
      custom: pulumi.CustomResource.isInstance(s.resource),
      inputs: redactSecrets(inputs.get(key) ?? {}) as Record<string, unknown>,
      options: {
        protect: s.opts.protect === true,
        retainOnDelete: s.opts.retainOnDelete === true,
        ignoreChanges: [...(s.opts.ignoreChanges ?? [])],
        dependsOn,
      },
      dependencies: [...new Set([...dependsOn, ...inferredUrns])].filter((u) => u !== urn).sort(),
    });
  }
  return { project: stack.project, stack: stack.stack, resources, outputs: resolvedOutputs, topology: plan };
}
