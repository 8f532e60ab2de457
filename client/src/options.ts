/**
 * The client's options, checked once at construction: a wrong value is refused naming the field and what is
 * allowed, never silently replaced by a default.
 */
import type { PoolOptions } from "mysql2/promise";
import { z } from "zod";
import type { ClientEndpoints } from "../../infra/contracts/endpoints";
import { OptionsError } from "./errors";

const ms = (max: number) =>
  z
    .int({ error: `must be a whole number of milliseconds from 1 to ${max}` })
    .min(1)
    .max(max);
const count = (max: number) =>
  z
    .int({ error: `must be a whole number from 1 to ${max}` })
    .min(1)
    .max(max);

/** An object that refuses a key it does not know, naming the key and the keys it allows. */
const strict = <S extends z.ZodRawShape>(shape: S) =>
  z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}; allowed: ${Object.keys(shape).join(", ")}`;
    },
  });

const ENDPOINTS =
  "must be a path (the mounted gamedb-endpoints directory, or a JSON file) or an object {routers, slotMap}";
const USER = "must be the MySQL account name (a string)";
const DATABASE = "must be the schema name (a string)";

const optionsSchema = strict({
  endpoints: z.union([z.string().min(1, { error: ENDPOINTS }), z.record(z.string(), z.unknown())], {
    error: ENDPOINTS,
  }),
  user: z.string({ error: USER }).min(1, { error: USER }),
  password: z.string({ error: "must be a string" }).optional(),
  database: z.string({ error: DATABASE }).min(1, { error: DATABASE }),
  pool: strict({
    /** Connections per shard and port (rw, ro). @default 10 */
    connectionLimit: count(1000).default(10),
    /** Requests waiting for a connection, per pool, before one is refused. @default 200 */
    queueLimit: count(100_000).default(200),
    /** @default 5000 */
    connectTimeoutMs: ms(120_000).default(5000),
    /** Idle connections are closed after this. @default 60000 */
    idleTimeoutMs: ms(3_600_000).default(60_000),
  }).prefault({}),
  breaker: strict({
    /** Consecutive connection failures that open a shard's breaker. @default 3 */
    failureThreshold: count(100).default(3),
    /** Between probes of an open breaker. @default 1000 */
    probeIntervalMs: ms(600_000).default(1000),
  }).prefault({}),
  tryAgain: strict({
    /** How long a write waits for a frozen slot in all, before SlotFrozenError. @default 3000 */
    maxWaitMs: ms(600_000).default(3000),
    /** The first wait; each next one doubles, up to maxDelayMs. @default 10 */
    initialDelayMs: ms(60_000).default(10),
    /** @default 200 */
    maxDelayMs: ms(60_000).default(200),
  }).prefault({}),
  /** How often a watched endpoints path is re-read without a file event. @default 5000 */
  reloadPollMs: ms(3_600_000).default(5000),
  /** More mysql2 pool options (TLS, charset, type casting); host, port, user, password and database are ours. */
  mysql: z
    .record(z.string(), z.unknown(), { error: "must be an object of more mysql2 pool options (ssl, charset, ...)" })
    .default({}),
  /** Called on reloads, refused documents, breakers opening and closing, and slots learned from MOVED. */
  onEvent: z
    .custom<(event: ClientEvent) => void>((v) => typeof v === "function", { error: "must be a function" })
    .optional(),
});

export type ClientEvent =
  | { type: "reloaded" }
  | { type: "reloadFailed"; error: Error }
  | { type: "breakerOpen"; shard: number; error: Error }
  | { type: "breakerClosed"; shard: number }
  | { type: "slotLearned"; slot: number; shard: number; epoch: number };

export interface ClientOptionsInput {
  endpoints: string | ClientEndpoints;
  user: string;
  password?: string;
  database: string;
  pool?: Partial<{ connectionLimit: number; queueLimit: number; connectTimeoutMs: number; idleTimeoutMs: number }>;
  breaker?: Partial<{ failureThreshold: number; probeIntervalMs: number }>;
  tryAgain?: Partial<{ maxWaitMs: number; initialDelayMs: number; maxDelayMs: number }>;
  reloadPollMs?: number;
  mysql?: Omit<PoolOptions, "host" | "port" | "user" | "password" | "database">;
  onEvent?: (event: ClientEvent) => void;
}

export type ClientOptions = Omit<z.infer<typeof optionsSchema>, "endpoints" | "mysql"> & {
  endpoints: string | ClientEndpoints;
  mysql: ClientOptionsInput["mysql"] & object;
};

const RESERVED = ["host", "port", "user", "password", "database"];

export function parseOptions(input: ClientOptionsInput): ClientOptions {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join(".") || "(options)"}: ${i.message}`).join("; ");
    throw new OptionsError(`gamedb client options: ${what}`);
  }
  const reserved = Object.keys(parsed.data.mysql).filter((k) => RESERVED.includes(k));
  if (reserved.length > 0) {
    throw new OptionsError(
      `gamedb client options: mysql.${reserved[0]}: set by the client from the endpoints and options; ` +
        `use the top-level user, password and database`,
    );
  }
  return parsed.data as ClientOptions;
}
