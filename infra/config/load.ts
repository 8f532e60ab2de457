/**
 * From raw config values to a validated Topology: environment first (it picks the defaults), then the schema,
 * then the cross-key rules. Nothing is declared unless all of it passes.
 */
import { ENVIRONMENTS, Environment } from "./defaults";
import { ConfigError, NAMESPACE, Problem, problem, problemsFromZod, show } from "./errors";
import { TOPOLOGY_KEYS, Topology, topologySchema } from "./schema";
import { validateTopology } from "./validate";

/**
 * Keys of the namespace that are not topology: secrets the program reads with `pulumi.Config.requireSecret`.
 * `sshPrivateKey`: the private key for the hosts (required with hosts.provider static; generated otherwise).
 * `kubeconfig`: the Kubernetes cluster's kubeconfig (optional; the ambient one otherwise).
 */
export const SECRET_KEYS = ["sshPrivateKey", "kubeconfig", "alertWebhookUrl"] as const;

export type ParseResult = { ok: true; topology: Topology } | { ok: false; problems: Problem[] };

/** `gamedb:environment`, or the stack name when that is an environment name. */
export function resolveEnvironment(raw: Record<string, unknown>, stack: string): Environment | Problem {
  const given = raw.environment;
  if (given === undefined) {
    if ((ENVIRONMENTS as readonly string[]).includes(stack)) return stack as Environment;
    return problem(
      ["environment"],
      `is required for stack ${show(stack)}; use one of ${ENVIRONMENTS.map((e) => show(e)).join(", ")}`,
    );
  }
  if (typeof given === "string" && (ENVIRONMENTS as readonly string[]).includes(given)) return given as Environment;
  return problem(
    ["environment"],
    `${show(given)} is not allowed; use one of ${ENVIRONMENTS.map((e) => show(e)).join(", ")}`,
  );
}

/** Validates the `gamedb:` keys (without the namespace) of a stack. Reports every problem it finds. */
export function parseTopology(raw: Record<string, unknown>, stack: string): ParseResult {
  const problems: Problem[] = [];
  for (const key of Object.keys(raw)) {
    if (!(TOPOLOGY_KEYS as string[]).includes(key)) {
      problems.push(problem([key], `unknown key; the gamedb namespace has ${TOPOLOGY_KEYS.join(", ")}`));
    }
  }
  const env = resolveEnvironment(raw, stack);
  // With a bad environment, check the rest against prod, the stricter rules, so no other problem hides.
  const environment = typeof env === "string" ? env : "prod";
  if (typeof env !== "string") problems.push(env);
  const known: Record<string, unknown> = { ...raw, environment };
  for (const key of Object.keys(known)) if (!(TOPOLOGY_KEYS as string[]).includes(key)) delete known[key];
  const schema = topologySchema(environment);
  const parsed = schema.safeParse(known);
  if (parsed.success) {
    problems.push(...validateTopology(parsed.data));
    return problems.length > 0 ? { ok: false, problems } : { ok: true, topology: parsed.data };
  }
  problems.push(...problemsFromZod(parsed.error.issues, known));
  // Still run the cross-key rules over the sections that did parse, so no problem waits for a second pass.
  const sections: Partial<Record<keyof Topology, unknown>> = {};
  for (const key of TOPOLOGY_KEYS) {
    const section = schema.shape[key].safeParse(known[key]);
    if (section.success) sections[key] = section.data;
  }
  problems.push(...validateTopology(sections as Topology, new Set(Object.keys(sections) as (keyof Topology)[])));
  return { ok: false, problems };
}

/**
 * Reads every `gamedb:` key from a flat Pulumi config map (`{"gamedb:shards": "[...]"}`, structured values as
 * JSON text, as the engine passes them) into plain values.
 */
export function rawFromConfigMap(config: Record<string, string>): {
  raw: Record<string, unknown>;
  problems: Problem[];
} {
  const raw: Record<string, unknown> = {};
  const problems: Problem[] = [];
  const prefix = `${NAMESPACE}:`;
  for (const [fullKey, text] of Object.entries(config)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if ((SECRET_KEYS as readonly string[]).includes(key)) continue;
    if (key === "environment") {
      raw[key] = text;
      continue;
    }
    try {
      raw[key] = JSON.parse(text);
    } catch {
      problems.push(
        problem([key], `${show(text)} is not a structured value; write it as YAML under config: in the stack file`),
      );
    }
  }
  return { raw, problems };
}

/** The whole path from a Pulumi config map to a Topology; throws a ConfigError listing every problem. */
export function loadTopology(config: Record<string, string>, stack: string): Topology {
  const { raw, problems } = rawFromConfigMap(config);
  const result = parseTopology(raw, stack);
  // A key whose text is not a structured value was reported once already; its "is required" would mislead.
  const unreadable = new Set(problems.map((p) => p.path));
  const all = [...problems, ...(result.ok ? [] : result.problems.filter((p) => !unreadable.has(p.path)))];
  if (all.length > 0 || !result.ok) throw new ConfigError(all);
  return result.topology;
}
