/**
 * How a game server reaches the Redis Cluster: the `redis.json` document of the gamedb-endpoints ConfigMap (the
 * contract's schema, infra/contracts/endpoints.ts) turned into the options of a Redis Cluster client (ioredis's
 * `new Cluster(startupNodes, options)` shape; the package does not depend on ioredis). With Redis TLS the document
 * carries the CA: every connection is TLS and verifies each node's certificate against it and the name dialled.
 * Nodes announce their DNS names and redirect by them, and the certificate names those; so the seeds must be
 * dialled by name too (`dnsLookup` keeps them: ioredis otherwise resolves startup nodes to IPs first, ioredis
 * 6.0.0 built/cluster/index.js resolveStartupNodeHostnames, and an IP matches no name in the certificate).
 * ElastiCache always speaks TLS, verified against the system's trust store.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  ENDPOINT_FILES,
  parseDocument,
  parseHostPort,
  redisSchema,
  type RedisDocument,
} from "../../infra/contracts/endpoints";
import { EndpointsError } from "./errors";

export interface RedisClusterConnection {
  /** The seeds, dialled by name. */
  readonly startupNodes: { host: string; port: number }[];
  readonly options: {
    /** Keeps host names as they are (TLS verifies the name dialled). */
    readonly dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => void;
    readonly redisOptions: {
      readonly password?: string;
      /** Present when the cluster speaks TLS: `ca` when it is the stack's own CA. */
      readonly tls?: { readonly ca?: string };
    };
  };
}

/** `redis.json` from the mounted endpoints directory, or a file holding that document; throws naming the file. */
export function readRedisEndpoints(location: string): RedisDocument {
  let file = location;
  try {
    if (fs.statSync(location).isDirectory()) file = path.join(location, ENDPOINT_FILES.redis);
    return parseDocument(redisSchema, file, fs.readFileSync(file, "utf8"));
  } catch (e) {
    if (e instanceof Error && e.message.startsWith(`${file}:`)) throw new EndpointsError(`endpoints: ${e.message}`);
    throw new EndpointsError(`endpoints: cannot read ${file}: ${(e as Error).message}`);
  }
}

/** The cluster client's options from the document and the password (none: no AUTH). Pure. */
export function redisClusterConnection(doc: RedisDocument, password?: string): RedisClusterConnection {
  const tls = doc.tls !== undefined ? { ca: doc.tls.ca } : doc.engine === "elasticache" ? {} : undefined;
  return {
    startupNodes: doc.seeds.map(parseHostPort),
    options: {
      dnsLookup: (address, callback) => callback(null, address),
      redisOptions: { ...(password ? { password } : {}), ...(tls ? { tls } : {}) },
    },
  };
}
