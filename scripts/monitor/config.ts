/**
 * The monitoring worker's config file (JSON or YAML; the stack writes it as JSON into the worker's ConfigMap) and
 * the secrets it names. Secrets (database and Redis passwords, the webhook URL) never appear in the file: it names
 * the environment variables that hold them, and a missing one is a startup error that names it.
 *
 * Every problem is reported at once as `path: message`, and a message never echoes the value it rejects (a
 * secret pasted where a variable name belongs must not end up in a log).
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** A strict object: an unknown key (a typo) is an error that lists the keys allowed there. */
function strict<T extends z.core.$ZodLooseShape>(shape: T) {
  const allowed = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "unrecognized_keys" ? `unknown key; allowed keys here: ${allowed}` : undefined),
  });
}

const int = (min: number, max: number, what: string) =>
  z
    .int({ error: `must be a whole number of ${what} from ${min} to ${max}` })
    .min(min)
    .max(max);
const percent = z
  .number({ error: "must be a percentage from 1 to 100" })
  .min(1, { error: "must be a percentage from 1 to 100" })
  .max(100, { error: "must be a percentage from 1 to 100" });
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
  error: "must be the name of an environment variable (letters, digits and _), not the secret itself",
});

export const monitorConfigSchema = strict({
  /** Names the environment in every alert and metric (`dev`, `prod`). */
  environment: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
    error: "must be an environment (stack) name such as prod: letters, digits, '_', '.', '-', up to 64 characters",
  }),
  /** Where the gamedb-endpoints ConfigMap is mounted (members.json, redis.json). */
  endpointsDir: z.string({ error: "must be a directory path" }).min(1, { error: "must be a directory path" }),
  intervalSeconds: int(1, 300, "seconds").default(10),
  /**
   * Consecutive failed checks before a node alarm; also consecutive breaches before a threshold warning, and
   * consecutive cycles a shard is seen without a primary, without quorum or degraded, and a Redis cluster is seen
   * not ok, with failed slots or with a replica's master link down, before those alerts.
   */
  failureThreshold: int(1, 20, "checks").default(3),
  checkTimeoutSeconds: int(1, 60, "seconds").default(3),
  /** Checks in flight at once. */
  concurrency: int(1, 1024, "checks").default(64),
  thresholds: strict({
    cpuPercent: percent.default(80),
    bufferPoolPercent: percent.default(85),
    lagSeconds: z
      .number({ error: "must be a number of seconds from 0 to 3600" })
      .min(0, { error: "must be a number of seconds from 0 to 3600" })
      .max(3600, { error: "must be a number of seconds from 0 to 3600" })
      .default(5),
  }).prefault({}),
  mysql: strict({
    user: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, { error: "must be a MySQL user name (1-32 of A-Z a-z 0-9 _ . -)" })
      .default("gamedb_monitor"),
    passwordEnv: envName,
  }),
  redis: strict({
    /** No password when absent. */
    passwordEnv: envName.optional(),
    tls: z.boolean({ error: "must be true or false" }).default(false),
  }).prefault({}),
  sinks: strict({
    sns: strict({
      // A standard topic: a FIFO topic (.fifo) would need a message group id on every publish.
      topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
        error: "must be a standard SNS topic ARN such as arn:aws:sns:ap-northeast-2:123456789012:gamedb-prod-alerts",
      }),
      region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "must be an AWS region such as ap-northeast-2" }),
      /** An SNS-compatible endpoint (tests); the region's endpoint when absent. */
      endpoint: z.url({ error: "must be an http(s) URL" }).optional(),
    }).optional(),
    webhook: strict({
      /** The variable holding the Slack-compatible incoming-webhook URL (the URL is a secret). */
      urlEnv: envName,
    }).optional(),
  }).prefault({}),
  listen: strict({
    port: int(0, 65535, "port").default(9464),
  }).prefault({}),
});

export type MonitorConfig = z.output<typeof monitorConfigSchema>;

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
