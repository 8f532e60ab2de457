/**
 * Redis rules: what reaches Redis is encrypted in transit. On Kubernetes, read from redis.conf in a ConfigMap (any
 * ConfigMap with a `redis.conf` key, whatever its name): in prod only TLS listens (port 0, tls-port) and the
 * cluster bus and replication use it too, with the certificate, key and CA files set. Dev may run without TLS
 * (redis.tls defaults off there); this rule does not look at dev. ElastiCache: transit encryption in every
 * environment (gamedb always turns it on; the auth token needs it).
 */
import { Rule } from "./model";

const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

/** The last value of each directive in a redis.conf (a later line wins, as in Redis). Pure. */
export function redisDirectives(conf: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of conf.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [name, ...rest] = line.split(/\s+/);
    out.set(name!.toLowerCase(), rest.join(" "));
  }
  return out;
}

/** Why a redis.conf does not speak TLS only, between clients and nodes alike; empty when it does. Pure. */
export function redisTlsProblems(conf: string): string[] {
  const d = redisDirectives(conf);
  const problems: string[] = [];
  const port = d.get("port");
  if (port !== "0") problems.push(`plain port ${port ?? "6379 (the default)"} listens: set port 0`);
  const tlsPort = Number(d.get("tls-port") ?? "0");
  if (!(Number.isInteger(tlsPort) && tlsPort > 0)) problems.push("no tls-port");
  for (const key of ["tls-cluster", "tls-replication"])
    if (d.get(key) !== "yes") problems.push(`${key} is not yes: nodes talk to each other in plain text`);
  for (const key of ["tls-cert-file", "tls-key-file", "tls-ca-cert-file"])
    if (!d.get(key)) problems.push(`${key} is not set`);
  return problems;
}

export const redisRules: Rule[] = [
  {
    id: "GDB-REDIS-001",
    title: "In prod, Redis on Kubernetes speaks only TLS (redis.tls); dev may run without",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: [CONFIGMAP],
    check: (cm, ctx) => {
      if (ctx.plan.environment !== "prod") return [];
      const conf = (cm.inputs.data as Record<string, unknown> | undefined)?.["redis.conf"];
      if (typeof conf !== "string") return [];
      return redisTlsProblems(conf).map((p) => `redis.conf: ${p} (set gamedb:redis tls: true)`);
    },
  },
  {
    id: "GDB-REDIS-002",
    title: "ElastiCache encrypts in transit",
    checkov: ["CKV_AWS_30"],
    fsbp: ["ElastiCache.5"],
    severity: "high",
    appliesTo: [REPLICATION_GROUP],
    check: (group) => (group.inputs.transitEncryptionEnabled === true ? [] : ["transitEncryptionEnabled is not true"]),
  },
];
