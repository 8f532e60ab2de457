/**
 * CONTRACT: the `gamedb-endpoints` ConfigMap, one JSON document per key, written by the program
 * (infra/kubernetes/endpoints.ts) and read by the monitoring worker (scripts/apps/monitor/targets.ts) and game servers.
 * Its schemas are the only definition of the format: the writer validates what it writes with them, every reader
 * parses with them.
 *
 *   routers.json    {"shard7": {host, ports: {rw, ro, ...}}}           each shard's Router Service
 *   members.json    {"shard7": {shardId, clusterName, state, members: [{node, host, port, vcpus}]}}
 *   redis.json      {"engine": "kubernetes" | "elasticache", "seeds": ["host:port", ...], "tls"?: {"ca": PEM}}
 *   slot-map.json   [{slots: "0-4095", from, to, shard, epoch?}]         which shard owns which slots
 *   mysql-tls.json  {"ca": PEM}: the stack CA's certificate (public), which signed every MySQL member's
 *                   certificate: what a client that connects to the members directly (the monitor) verifies them with
 *
 * The game-server client (client/src/endpoints.ts) reads routers.json and slot-map.json, from the mounted directory
 * or as one JSON file or object of the `clientEndpointsSchema` shape.
 */
import { z } from "zod";

export const ENDPOINT_FILES = {
  routers: "routers.json",
  members: "members.json",
  redis: "redis.json",
  slotMap: "slot-map.json",
  mysqlTls: "mysql-tls.json",
} as const;

/** mysql-tls.json: the CA every MySQL member's certificate is signed by. */
export const mysqlTlsSchema = z.object({
  ca: z.string().regex(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/, {
    error: "must be a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
  }),
});
export type MysqlTlsDocument = z.infer<typeof mysqlTlsSchema>;

const port = z.int({ error: "must be a port from 1 to 65535" }).min(1).max(65535);
const shardKey = z.string().regex(/^shard\d+$/, { error: 'must be a shard key such as "shard7"' });

/** "host:port" (the last colon splits, so a bracketed IPv6 address survives). */
export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(text: string): HostPort {
  const at = text.lastIndexOf(":");
  const host = text.slice(0, at).replace(/^\[(.*)\]$/, "$1");
  const p = Number(text.slice(at + 1));
  if (at <= 0 || host === "" || !Number.isInteger(p) || p < 1 || p > 65535) {
    throw new Error(`"${text}" is not host:port`);
  }
  return { host, port: p };
}

function isHostPort(text: string): boolean {
  try {
    parseHostPort(text);
    return true;
  } catch {
    return false;
  }
}

export const routersSchema = z.record(
  shardKey,
  z.object({ host: z.string().min(1), ports: z.record(z.string().min(1), port) }),
);
export type RoutersDocument = z.infer<typeof routersSchema>;
export type RouterEndpoint = RoutersDocument[string];

export const shardMembersSchema = z.object({
  shardId: z.int().min(0),
  clusterName: z.string().min(1),
  state: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, { error: "must be a state name such as active" }),
  members: z
    .array(
      z.object({
        node: z.string().min(1),
        host: z.string().min(1),
        port,
        /** null (or absent): unknown, as on static hosts. */
        vcpus: z.int().min(1).nullish(),
      }),
    )
    .min(1),
});
export type ShardMembers = z.infer<typeof shardMembersSchema>;
export const membersSchema = z.record(z.string().min(1), shardMembersSchema);
export type MembersDocument = z.infer<typeof membersSchema>;

export const redisSchema = z.object({
  engine: z.enum(["kubernetes", "elasticache"], { error: "must be one of kubernetes, elasticache" }),
  seeds: z
    .array(z.string().refine(isHostPort, { error: "must be host:port" }))
    .min(1, { error: "needs at least one seed" }),
  /**
   * Present when Redis on Kubernetes speaks only TLS (redis.tls): clients connect with TLS, verify each node's
   * certificate against `ca` (the stack CA's PEM; public) and the name they dialled (the nodes' announced DNS
   * names, which redirects carry). Absent: plain TCP on Kubernetes; ElastiCache always speaks TLS with Amazon's CA.
   */
  tls: z
    .object({
      ca: z.string().regex(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/, {
        error: "must be a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
      }),
    })
    .optional(),
});
export type RedisDocument = z.infer<typeof redisSchema>;

export const slotMapSchema = z.array(
  z.object({
    slots: z.string().regex(/^\d+(-\d+)?$/, { error: 'must be a slot range such as "0-4095"' }),
    from: z.int().min(0).max(16383),
    to: z.int().min(0).max(16383),
    shard: z.int().min(0),
    /**
     * The fence epoch of this ownership (infra/contracts/slotFence.ts), raised by every slot move's switch; absent
     * means 0. A client never lets a map with a lower epoch undo what a MOVED at a higher epoch taught it.
     */
    epoch: z.int().min(0).optional(),
  }),
);
export type SlotMapDocument = z.infer<typeof slotMapSchema>;

/** The two documents a game server needs, as one JSON file or object: `{routers: {...}, slotMap: [...]}`. */
export const clientEndpointsSchema = z.object({ routers: routersSchema, slotMap: slotMapSchema });
export type ClientEndpoints = z.infer<typeof clientEndpointsSchema>;

export interface EndpointsDocuments {
  routers: RoutersDocument;
  members: MembersDocument;
  redis: RedisDocument;
  slotMap: SlotMapDocument;
  mysqlTls: MysqlTlsDocument;
}

/** `path: message` for every problem. */
export function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`).join("; ");
}

/** Parses one document with its schema; throws with every problem, naming the file. */
export function parseDocument<T>(schema: z.ZodType<T>, file: string, text: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON: ${(e as Error).message}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new Error(`${file}: ${problems(result.error)}`);
  return result.data;
}

/**
 * The ConfigMap's data. Each document is checked against its schema first, so the program can never publish what
 * its readers would refuse.
 */
export function endpointsData(docs: EndpointsDocuments): Record<string, string> {
  const write = <T>(schema: z.ZodType<T>, file: string, value: T) =>
    JSON.stringify(parseDocument(schema, file, JSON.stringify(value)), null, 2);
  return {
    [ENDPOINT_FILES.routers]: write(routersSchema, ENDPOINT_FILES.routers, docs.routers),
    [ENDPOINT_FILES.members]: write(membersSchema, ENDPOINT_FILES.members, docs.members),
    [ENDPOINT_FILES.redis]: write(redisSchema, ENDPOINT_FILES.redis, docs.redis),
    [ENDPOINT_FILES.slotMap]: write(slotMapSchema, ENDPOINT_FILES.slotMap, docs.slotMap),
    [ENDPOINT_FILES.mysqlTls]: write(mysqlTlsSchema, ENDPOINT_FILES.mysqlTls, docs.mysqlTls),
  };
}
