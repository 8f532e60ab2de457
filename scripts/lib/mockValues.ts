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
