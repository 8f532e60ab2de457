import type * as pulumi from "@pulumi/pulumi";

/**
 * What the mock runtime answers for provider-computed values: deterministic ids and ARNs derived from the
 * resource name, so two plans of the same config are identical and diffs show only real changes.
 */
export function mockState(type: string, name: string, _inputs: Record<string, unknown>): Record<string, unknown> {
  const [pkg, mod] = type.split(":");
  if (pkg !== "aws") return {};
  const service = (mod ?? "").split("/")[0];
  return { arn: `arn:aws:${service}:mock:000000000000:${name}` };
}

/** Function calls (data sources). None are made yet; an unknown one fails loudly rather than returning a guess. */
export function mockCall(token: string, _inputs: Record<string, unknown>): Record<string, unknown> {
  throw new Error(`the offline plan has no mock for ${token}; add one in scripts/lib/mockValues.ts`);
}

/**
 * The mocks of the offline plan: every resource's inputs are kept in `inputs` by `type::name`, and its state is
 * its inputs plus the computed values above.
 */
export function planMocks(inputs: Map<string, Record<string, unknown>>): pulumi.runtime.Mocks {
  return {
    newResource: (args) => {
      inputs.set(`${args.type}::${args.name}`, args.inputs);
      return {
        id: args.custom ? `${args.name}-id` : undefined,
        state: { ...args.inputs, ...mockState(args.type, args.name, args.inputs) },
      };
    },
    call: (args) => mockCall(args.token, args.inputs),
  };
}

/** Resolves an Output's value (the mocks run outside preview, so every value is known). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => (resolve(v), v)));
}
