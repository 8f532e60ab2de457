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

interface Seen {
  resource: pulumi.Resource;
  type: string;
  name: string;
  opts: pulumi.ResourceOptions;
}

export async function evaluate(stack: StackConfig): Promise<PlanDocument> {
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(planMocks(inputs), stack.project, stack.stack, false);
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);

  const seen: Seen[] = [];
  const record: pulumi.ResourceTransformation = (args) => {
    seen.push({ resource: args.resource, type: args.type, name: args.name, opts: args.opts });
    return undefined;
  };
  const { plan, outputs } = declarePlatform({ transformations: [record] });

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
        dependsOn: await urnsOf(s.opts.dependsOn),
      },
    });
  }
  return { project: stack.project, stack: stack.stack, resources, outputs: resolvedOutputs, topology: plan };
}
