/**
 * CONTRACT: the Redis Cluster controller's inputs, its environment. Written by the program into the drain and
 * reconcile Jobs (infra/redis/cluster.ts, through `controllerEnv`) and read by the controller
 * (scripts/apps/redis-controller/main.ts, through `parseControllerEnv`). One schema checks both sides, so a bad
 * topology fails at plan time with the words the controller would use.
 *
 *   REDIS_MASTERS              M, 3..1000
 *   REDIS_REPLICAS_PER_MASTER  R, 0..5
 *   REDIS_HOST_TEMPLATE        host of pod i, "{i}" replaced by the ordinal
 *                              (gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local)
 *   REDIS_PORT_BASE            port of pod 0 (6379)
 *   REDIS_PORT_STEP            pod i listens on REDIS_PORT_BASE + i * REDIS_PORT_STEP (0 in Kubernetes, 1 in tests)
 *   REDIS_MAX_ORDINAL_PROBE    drain: ordinals N..N+probe-1 are looked at for going pods (default 64)
 *   REDIS_WAIT_SECONDS         bound on each wait (nodes answering, cluster agreeing, failover) (default 300)
 *   REDISCLI_AUTH              the password (from a Secret; not rendered here); unset or empty: none
 *   REDIS_TLS_CA_FILE          with redis.tls: the CA certificate file; every connection is TLS, verified against
 *                              it and the node's host name; unset or empty: plain TCP
 */
import { z } from "zod";

export interface ControllerInput {
  /** Masters (M), 3..1000. */
  readonly masters: number;
  /** Replicas per master (R), 0..5. */
  readonly replicasPerMaster: number;
  /** Host of pod i, `{i}` replaced by the ordinal. */
  readonly hostTemplate: string;
  /** Port of pod 0. */
  readonly portBase: number;
  /** Pod i listens on portBase + i * portStep. */
  readonly portStep: number;
  /** Ordinals N..N+probe-1 are looked at for going pods. @default 64 */
  readonly probe?: number;
  /** Bound on each wait, in seconds. @default 300 */
  readonly waitSeconds?: number;
}

/** The password's variable: redis-cli reads it too, for the one command the controller leaves to it. */
export const PASSWORD_ENV = "REDISCLI_AUTH";

/** The CA file's variable (redis.tls); read apart from the topology, like the password. */
export const TLS_CA_FILE_ENV = "REDIS_TLS_CA_FILE";

const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
const HOST = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/**
 * A decimal integer (no sign, at most 6 digits) within min..max, or the message naming the variable. With a
 * fallback, unset or empty means the fallback.
 */
function integer(name: string, min: number, max: number, what: string, fallback?: number) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      const value = text ?? "";
      if (value === "" && fallback !== undefined) return fallback;
      if (/^[0-9]{1,6}$/.test(value) && Number(value) >= min && Number(value) <= max) return Number(value);
      ctx.addIssue({ code: "custom", message: `${name} must be ${what}, got '${value}'` });
      return z.NEVER;
    });
}

/** The environment the controller accepts. */
export const controllerEnvSchema = z
  .object({
    REDIS_MASTERS: integer(
      "REDIS_MASTERS",
      3,
      1000,
      "an integer from 3 to 1000 (a Redis Cluster needs at least 3 masters)",
    ),
    REDIS_REPLICAS_PER_MASTER: integer("REDIS_REPLICAS_PER_MASTER", 0, 5, "an integer from 0 to 5"),
    REDIS_HOST_TEMPLATE: z
      .string()
      .optional()
      .transform((text, ctx) => {
        const value = text ?? "";
        if (value.length <= 253 && HOST.test(value.split("{i}").join("0"))) return value;
        ctx.addIssue({
          code: "custom",
          message:
            "REDIS_HOST_TEMPLATE must be a host name (letters, digits, '-' and '.') with {i} for the pod ordinal, " +
            `e.g. gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local, got '${value}'`,
        });
        return z.NEVER;
      }),
    REDIS_PORT_BASE: integer("REDIS_PORT_BASE", 1, 65535, "a port number from 1 to 65535"),
    REDIS_PORT_STEP: integer(
      "REDIS_PORT_STEP",
      0,
      1000,
      "an integer from 0 to 1000 (0: every pod listens on REDIS_PORT_BASE)",
    ),
    REDIS_MAX_ORDINAL_PROBE: integer("REDIS_MAX_ORDINAL_PROBE", 1, 1000, "an integer from 1 to 1000", 64),
    REDIS_WAIT_SECONDS: integer("REDIS_WAIT_SECONDS", 1, 86400, "an integer from 1 to 86400", 300),
  })
  .transform((e, ctx): ControllerInput => {
    if (e.REDIS_PORT_STEP === 0 && !e.REDIS_HOST_TEMPLATE.includes("{i}")) {
      ctx.addIssue({
        code: "custom",
        message:
          "REDIS_HOST_TEMPLATE must contain {i} when REDIS_PORT_STEP is 0 (every pod listens on the same port), " +
          `got '${e.REDIS_HOST_TEMPLATE}'`,
      });
    }
    const nodes = e.REDIS_MASTERS * (1 + e.REDIS_REPLICAS_PER_MASTER);
    if (e.REDIS_PORT_BASE + (nodes - 1) * e.REDIS_PORT_STEP > 65535) {
      ctx.addIssue({
        code: "custom",
        message: `REDIS_PORT_BASE + (N - 1) x REDIS_PORT_STEP exceeds 65535 (N = ${nodes} nodes)`,
      });
    }
    return {
      masters: e.REDIS_MASTERS,
      replicasPerMaster: e.REDIS_REPLICAS_PER_MASTER,
      hostTemplate: e.REDIS_HOST_TEMPLATE,
      portBase: e.REDIS_PORT_BASE,
      portStep: e.REDIS_PORT_STEP,
      probe: e.REDIS_MAX_ORDINAL_PROBE,
      waitSeconds: e.REDIS_WAIT_SECONDS,
    };
  });

/** Bad inputs: every problem, one per line, each naming its variable. */
export class ControllerInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ControllerInputError";
  }
}

/** The reader's side: the controller's inputs from its environment (the password is read apart). */
export function parseControllerEnv(env: Readonly<Record<string, string | undefined>>): Required<ControllerInput> {
  const picked = Object.fromEntries(Object.keys(controllerEnvSchema.in.shape).map((k) => [k, env[k]]));
  const result = controllerEnvSchema.safeParse(picked);
  if (!result.success) throw new ControllerInputError(result.error.issues.map((i) => i.message));
  return result.data as Required<ControllerInput>;
}

/** The writer's side: the Job's environment for one topology, checked by the reader's schema. */
export function controllerEnv(input: ControllerInput): Record<string, string> {
  const env: Record<string, string> = {
    REDIS_MASTERS: String(input.masters),
    REDIS_REPLICAS_PER_MASTER: String(input.replicasPerMaster),
    REDIS_HOST_TEMPLATE: input.hostTemplate,
    REDIS_PORT_BASE: String(input.portBase),
    REDIS_PORT_STEP: String(input.portStep),
  };
  if (input.probe !== undefined) env.REDIS_MAX_ORDINAL_PROBE = String(input.probe);
  if (input.waitSeconds !== undefined) env.REDIS_WAIT_SECONDS = String(input.waitSeconds);
  parseControllerEnv(env);
  return env;
}
