/**
 * CONTRACT: the monitoring worker's config file, written by the program into the worker's ConfigMap
 * (infra/monitoring/worker.ts workerConfig, as JSON) and read by the worker (scripts/apps/monitor/config.ts, JSON or
 * YAML). This schema is its only definition. Secrets never appear in it: it names the environment variables that
 * hold them.
 */
import { z } from "zod";

/** The file's name in the ConfigMap, and so in the mounted directory. */
export const WORKER_CONFIG_FILE = "config.json";

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
    /**
     * TLS to the members, each certificate verified against the CA in the endpoints' mysql-tls.json and the address
     * dialled. Every gamedb member requires TLS (require_secure_transport), so the program always writes true;
     * false or absent: plain TCP, for the Group Replication simulator only.
     */
    tls: z.boolean({ error: "must be true or false" }).optional(),
  }),
  redis: strict({
    /** No password when absent. */
    passwordEnv: envName.optional(),
    /**
     * TLS with the system's trust store (ElastiCache). Redis on Kubernetes with redis.tls needs nothing here:
     * redis.json carries its CA, and the worker then connects over TLS and verifies against it whatever this says.
     */
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

/** What a writer may put in the file (defaults may be left out). */
export type MonitorConfigInput = z.input<typeof monitorConfigSchema>;
