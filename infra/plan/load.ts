/**
 * From a stack's config to a valid StackConfig: the config layer's schema (infra/config/load.ts), then the cross-key
 * rules (./validate.ts), which run even over the sections that parsed when others did not, so an operator sees every
 * problem at once. Nothing is declared unless all of it passes.
 */
import { ConfigError, Problem } from "../config/errors";
import { parseSections, rawFromConfigMap } from "../config/load";
import type { StackConfig } from "../config/schema";
import { validateStackConfig } from "./validate";

export type ParseResult = { ok: true; topology: StackConfig } | { ok: false; problems: Problem[] };

/** Validates the `gamedb:` keys (without the namespace) of a stack. Reports every problem it finds. */
export function parseStackConfig(raw: Record<string, unknown>, stack: string): ParseResult {
  const r = parseSections(raw, stack);
  const problems = [...r.problems, ...validateStackConfig(r.sections as StackConfig, r.valid)];
  if (r.topology && problems.length === 0) return { ok: true, topology: r.topology };
  return { ok: false, problems };
}

/** The whole path from a Pulumi config map to a StackConfig; throws a ConfigError listing every problem. */
export function loadStackConfig(config: Record<string, string>, stack: string): StackConfig {
  const { raw, problems } = rawFromConfigMap(config);
  const result = parseStackConfig(raw, stack);
  // A key whose text is not a structured value was reported once already; its "is required" would mislead.
  const unreadable = new Set(problems.map((p) => p.path));
  const all = [...problems, ...(result.ok ? [] : result.problems.filter((p) => !unreadable.has(p.path)))];
  if (all.length > 0 || !result.ok) throw new ConfigError(all);
  return result.topology;
}
