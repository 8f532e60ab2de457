/**
 * Reads a project file and a stack file the way the Pulumi CLI would hand them to the program: a flat map of
 * `namespace:key` -> string (structured values as JSON text). `secure:` values are never decrypted: they become
 * "[secret]" and their keys are marked secret.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse } from "yaml";

export const SECRET_PLACEHOLDER = "[secret]";

export interface StackConfig {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
}

export class UsageError extends Error {}

/** `Pulumi.prod.yaml` -> `prod`; undefined for other names. */
export function stackNameFromFile(file: string): string | undefined {
  return /^Pulumi\.(.+)\.ya?ml$/.exec(basename(file))?.[1];
}

function hasSecure(value: unknown): boolean {
  if (value && typeof value === "object") {
    if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return true;
    return Object.values(value).some(hasSecure);
  }
  return false;
}

function redactSecure(value: unknown): unknown {
  if (value && typeof value === "object") {
    if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return SECRET_PLACEHOLDER;
    if (Array.isArray(value)) return value.map(redactSecure);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecure(v)]));
  }
  return value;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
  try {
    return parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid YAML: ${(e as Error).message}`);
  }
}

/** Reads `Pulumi.yaml` beside the stack file (or in `projectDir`) for the project name and config defaults. */
export function readProject(projectDir: string): { name: string; defaults: Record<string, unknown> } {
  const doc = readYaml(join(projectDir, "Pulumi.yaml")) as {
    name?: string;
    config?: Record<string, { default?: unknown }>;
  };
  const defaults: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(doc?.config ?? {})) {
    if (decl && typeof decl === "object" && "default" in decl) defaults[key] = decl.default;
  }
  return { name: doc?.name ?? "project", defaults };
}

export function readStackConfig(file: string, options: { stack?: string; projectDir?: string } = {}): StackConfig {
  const stack = options.stack ?? stackNameFromFile(file);
  if (!stack)
    throw new UsageError(
      `cannot tell the stack name from ${basename(file)}; name it Pulumi.<stack>.yaml or pass --stack`,
    );
  const project = readProject(options.projectDir ?? dirname(file));
  const doc = readYaml(file) as { config?: Record<string, unknown> } | null;
  // No prototype: a key `__proto__` is kept (and reported unknown), not made the prototype of the others.
  const entries: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, value] of Object.entries(project.defaults)) entries[key] = value;
  for (const [key, value] of Object.entries(doc?.config ?? {})) entries[key] = value;

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(entries)) {
    // Keys without a namespace belong to the project, as in the CLI.
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    if (hasSecure(value)) secretKeys.push(key);
    const clean = redactSecure(value);
    config[key] = typeof clean === "string" ? clean : JSON.stringify(clean);
  }
  return { project: project.name, stack, config, secretKeys };
}
