/**
 * The monitoring worker's config file (JSON or YAML; the stack writes it as JSON into the worker's ConfigMap; its
 * format is the contract infra/contracts/workerConfig.ts) and the secrets it names. Secrets (database and Redis passwords, the webhook URL) never appear in the file: it names
 * the environment variables that hold them, and a missing one is a startup error that names it.
 *
 * Every problem is reported at once as `path: message`, and a message never echoes the value it rejects (a
 * secret pasted where a variable name belongs must not end up in a log).
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { MonitorConfig, monitorConfigSchema } from "../../../infra/contracts/workerConfig";

export type { MonitorConfig };

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `invalid monitor config ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

function pathOf(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments) out += typeof s === "number" ? `[${s}]` : out === "" ? String(s) : `.${String(s)}`;
  return out === "" ? "(top level)" : out;
}

function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => `${pathOf([...issue.path, k])}: ${issue.message}`).join("\n");
  }
  // zod's own "expected number, received undefined" for a required key reads better as "required".
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) {
    return `${pathOf(issue.path)}: required`;
  }
  return `${pathOf(issue.path)}: ${issue.message}`;
}

/** Parses and validates a config document (JSON is YAML, so one parser reads both). */
export function parseConfig(text: string, source: string): MonitorConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new ConfigError(source, [`not valid JSON or YAML: ${(e as Error).message.split("\n")[0]}`]);
  }
  const result = monitorConfigSchema.safeParse(raw ?? {});
  const problems = result.success ? [] : result.error.issues.flatMap((i) => issueText(i).split("\n"));
  if (result.success && result.data.checkTimeoutSeconds >= result.data.intervalSeconds) {
    problems.push(
      `checkTimeoutSeconds: ${result.data.checkTimeoutSeconds} must be shorter than intervalSeconds ` +
        `(${result.data.intervalSeconds}), or a slow member would delay the next cycle`,
    );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(source, problems);
  return result.data;
}

export function loadConfig(file: string): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  return parseConfig(text, file);
}

export interface Secrets {
  mysqlPassword: string;
  redisPassword?: string;
  webhookUrl?: string;
}

/** Reads the secrets from the variables the config names; every missing variable is one problem. */
export function resolveSecrets(config: MonitorConfig, env: NodeJS.ProcessEnv, source = "config"): Secrets {
  const problems: string[] = [];
  const need = (name: string, field: string): string => {
    const value = env[name];
    if (value === undefined || value === "") {
      problems.push(`${field}: environment variable ${name} is not set (or empty)`);
      return "";
    }
    return value;
  };
  const secrets: Secrets = { mysqlPassword: need(config.mysql.passwordEnv, "mysql.passwordEnv") };
  if (config.redis.passwordEnv !== undefined) {
    secrets.redisPassword = need(config.redis.passwordEnv, "redis.passwordEnv");
  }
  if (config.sinks.webhook !== undefined) {
    const url = need(config.sinks.webhook.urlEnv, "sinks.webhook.urlEnv");
    if (url !== "" && !/^https?:\/\/[^\s]+$/.test(url)) {
      problems.push(`sinks.webhook.urlEnv: ${config.sinks.webhook.urlEnv} does not hold an http(s) URL`);
    }
    secrets.webhookUrl = url;
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return secrets;
}
