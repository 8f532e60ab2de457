/**
 * From raw config values to schema-checked sections: environment first (it picks the defaults), then the schema.
 * The cross-key rules run in the plan layer (infra/plan/load.ts), which calls this first.
 */
import { ENVIRONMENTS, Environment } from "./defaults";
import { NAMESPACE, Problem, problem, problemsFromZod, show } from "./errors";
import { CONFIG_KEYS, StackConfig, stackConfigSchema } from "./schema";

/**
 * Keys of the namespace that are not topology: secrets the program reads with `pulumi.Config.requireSecret`.
 * `sshPrivateKey`: the private key for the hosts (required with hosts.provider static; generated otherwise).
 * `kubeconfig`: the Kubernetes cluster's kubeconfig (optional; the ambient one otherwise).
 */
export const SECRET_KEYS = ["sshPrivateKey", "kubeconfig", "alertWebhookUrl"] as const;

/**
 * The schema-level result: `topology` when every section parsed; `sections` (and `valid`, their names) otherwise,
 * so the cross-key rules can still run over what did parse and no problem waits for a second pass.
 */
export interface SectionsResult {
  topology?: StackConfig;
  sections: Partial<StackConfig>;
  valid: Set<keyof StackConfig>;
  problems: Problem[];
}

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

/** Checks the `gamedb:` keys (without the namespace) of a stack against the schema. Reports every problem. */
export function parseSections(raw: Record<string, unknown>, stack: string): SectionsResult {
  const problems: Problem[] = [];
  for (const key of Object.keys(raw)) {
    if (!(CONFIG_KEYS as string[]).includes(key)) {
      problems.push(problem([key], `unknown key; the gamedb namespace has ${CONFIG_KEYS.join(", ")}`));
    }
  }
  const env = resolveEnvironment(raw, stack);
  // With a bad environment, check the rest against prod, the stricter rules, so no other problem hides.
  const environment = typeof env === "string" ? env : "prod";
  if (typeof env !== "string") problems.push(env);
  const known: Record<string, unknown> = { ...raw, environment };
  for (const key of Object.keys(known)) if (!(CONFIG_KEYS as string[]).includes(key)) delete known[key];
  const schema = stackConfigSchema(environment);
  const parsed = schema.safeParse(known);
  if (parsed.success) return { topology: parsed.data, sections: parsed.data, valid: new Set(CONFIG_KEYS), problems };
  problems.push(...problemsFromZod(parsed.error.issues, known));
  const sections: Partial<Record<keyof StackConfig, unknown>> = {};
  for (const key of CONFIG_KEYS) {
    const section = schema.shape[key].safeParse(known[key]);
    if (section.success) sections[key] = section.data;
  }
  return {
    sections: sections as Partial<StackConfig>,
    valid: new Set(Object.keys(sections) as (keyof StackConfig)[]),
    problems,
  };
}

/**
 * Reads every `gamedb:` key from a flat Pulumi config map (`{"gamedb:shards": "[...]"}`, structured values as
 * JSON text, as the engine passes them) into plain values.
 */
export function rawFromConfigMap(config: Record<string, string>): {
  raw: Record<string, unknown>;
  problems: Problem[];
} {
  // No prototype: `gamedb:__proto__` is an unknown key like any other, not the prototype of the other keys.
  const raw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
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
