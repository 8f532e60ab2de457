/**
 * Redis Cluster checks: discover every node with CLUSTER NODES from the first seed that answers, then ask each node
 * CLUSTER INFO (state, slots ok/pfail/fail, known nodes) and INFO replication (role, the replica's master link).
 * One kept-open connection per node, no automatic reconnects (a failed check drops it; the next one reconnects),
 * the whole check bounded by the timeout. Parsers are pure and exported for tests.
 */
import Redis from "ioredis";
import { parseClusterNodes as parseNodeLines, parseInfoLines, slotCount } from "../../lib/redis/clusterNodes";
import { describeError, withTimeout, type CheckOutcome } from "./async";
import type { HostPort } from "./targets";

export interface ClusterInfo {
  state: string;
  slotsAssigned: number;
  slotsOk: number;
  slotsPfail: number;
  slotsFail: number;
  knownNodes: number;
  size: number;
}

export interface ReplicationInfo {
  role: "master" | "slave" | string;
  /** Replicas only: "up" or "down". */
  masterLinkStatus: string | null;
  masterHost: string | null;
  masterPort: number | null;
  connectedSlaves: number;
}

export interface RedisObservation {
  cluster: ClusterInfo;
  replication: ReplicationInfo;
}

export interface ClusterNodeEntry extends HostPort {
  id: string;
  /** myself, master, slave, fail?, fail, handshake, noaddr, nofailover ... */
  flags: string[];
  /** The master's id for a replica; null for a master. */
  masterId: string | null;
  linkState: string;
  slots: number;
}

function int(map: Map<string, string>, key: string): number {
  const v = Number(map.get(key));
  if (!Number.isInteger(v)) throw new Error(`${key} missing or not a number`);
  return v;
}

export function parseClusterInfo(text: string): ClusterInfo {
  const m = parseInfoLines(text);
  const state = m.get("cluster_state");
  if (state === undefined) throw new Error("cluster_state missing: is cluster mode enabled?");
  return {
    state,
    slotsAssigned: int(m, "cluster_slots_assigned"),
    slotsOk: int(m, "cluster_slots_ok"),
    slotsPfail: int(m, "cluster_slots_pfail"),
    slotsFail: int(m, "cluster_slots_fail"),
    knownNodes: int(m, "cluster_known_nodes"),
    size: int(m, "cluster_size"),
  };
}

export function parseReplicationInfo(text: string): ReplicationInfo {
  const m = parseInfoLines(text);
  const role = m.get("role");
  if (role === undefined) throw new Error("role missing from INFO replication");
  const port = m.get("master_port");
  return {
    role,
    masterLinkStatus: m.get("master_link_status") ?? null,
    masterHost: m.get("master_host") ?? null,
    masterPort: port === undefined ? null : Number(port),
    connectedSlaves: Number(m.get("connected_slaves") ?? 0),
  };
}

/**
 * The nodes to check, from CLUSTER NODES (parsed by the shared scripts/lib/redis/clusterNodes.ts). The address to
 * reach a node is its announced hostname when there is one (stable pod DNS names), else its ip; a node without an
 * address (noaddr, or mid-handshake) is left out. `self` fills in the asking node's own empty address.
 */
export function parseClusterNodes(text: string, self?: HostPort): ClusterNodeEntry[] {
  const out: ClusterNodeEntry[] = [];
  for (const node of parseNodeLines(text)) {
    const { flags } = node;
    if (flags.includes("noaddr") || flags.includes("handshake")) continue;
    let host = node.hostname !== "" ? node.hostname : node.ip;
    if (host === "" && flags.includes("myself") && self) host = self.host;
    if (host === "" || node.port <= 0) continue;
    out.push({
      id: node.id,
      host,
      port: node.port,
      flags: [...flags],
      masterId: node.masterId,
      linkState: node.linkState,
      slots: slotCount(node.slots),
    });
  }
  return out;
}

export interface RedisCheckerOptions {
  password?: string;
  /** TLS with the system's trust store (ElastiCache); a CA from redis.json (trust) turns TLS on by itself. */
  tls: boolean;
  timeoutMs: number;
}

export class RedisChecker {
  private readonly clients = new Map<string, Redis>();
  /** The CA redis.json carries (Redis on Kubernetes with redis.tls); undefined: none. */
  private ca: string | undefined;

  constructor(private readonly options: RedisCheckerOptions) {}

  /**
   * The TLS redis.json asks for, read every cycle: with a CA every connection is TLS and verifies each node's
   * certificate against it and the name dialled (announced DNS names). A different CA (a rotation) drops every
   * connection, so the next checks verify with the new one.
   */
  trust(tls: { ca: string } | undefined): void {
    if (tls?.ca === this.ca) return;
    this.ca = tls?.ca;
    this.close();
  }

  /** CLUSTER NODES from the first seed that answers; the error names every seed's failure. */
  async discover(seeds: readonly HostPort[]): Promise<CheckOutcome<ClusterNodeEntry[]>> {
    const started = performance.now();
    const errors: string[] = [];
    for (const seed of seeds) {
      const outcome = await this.run(seed, async (c) =>
        parseClusterNodes(String(await c.call("CLUSTER", "NODES")), seed),
      );
      if (outcome.ok && outcome.value.length > 0)
        return { ok: true, value: outcome.value, ms: performance.now() - started };
      errors.push(`${seed.host}:${seed.port}: ${outcome.ok ? "no nodes listed" : outcome.error}`);
    }
    return { ok: false, error: errors.join("; "), ms: performance.now() - started };
  }

  check(node: HostPort): Promise<CheckOutcome<RedisObservation>> {
    return this.run(node, async (c) => {
      const [cluster, replication] = await Promise.all([c.call("CLUSTER", "INFO"), c.info("replication")]);
      return { cluster: parseClusterInfo(String(cluster)), replication: parseReplicationInfo(replication) };
    });
  }

  private async run<T>(node: HostPort, work: (c: Redis) => Promise<T>): Promise<CheckOutcome<T>> {
    const key = `${node.host}:${node.port}`;
    const started = performance.now();
    let client = this.clients.get(key);
    if (client !== undefined && client.status !== "ready") {
      this.drop(key, client);
      client = undefined;
    }
    const fresh = client === undefined;
    if (client === undefined) {
      client = new Redis({
        host: node.host,
        port: node.port,
        password: this.options.password,
        tls:
          this.ca !== undefined
            ? { servername: node.host, ca: this.ca }
            : this.options.tls
              ? { servername: node.host }
              : undefined,
        connectTimeout: this.options.timeoutMs,
        lazyConnect: true,
        enableReadyCheck: false,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      // Between checks a dropped server connection still emits errors; they are reported by the next check.
      client.on("error", () => undefined);
      this.clients.set(key, client);
    }
    const c = client;
    // The socket's own error (ECONNREFUSED, ETIMEDOUT) says more than the "Connection is closed." a failed
    // connect() rejects with; listening also keeps it from being an unhandled error event.
    let socketError: unknown;
    const onError = (e: unknown) => (socketError ??= e);
    c.on("error", onError);
    try {
      const value = await withTimeout(
        (async () => {
          if (fresh) await c.connect();
          return work(c);
        })(),
        this.options.timeoutMs,
        () => this.drop(key, c),
      );
      return { ok: true, value, ms: performance.now() - started };
    } catch (e) {
      this.drop(key, c);
      return { ok: false, error: describeError(socketError ?? e), ms: performance.now() - started };
    } finally {
      c.off("error", onError);
    }
  }

  private drop(key: string, client: Redis): void {
    if (this.clients.get(key) === client) this.clients.delete(key);
    client.disconnect();
  }

  retain(keep: ReadonlySet<string>): void {
    for (const [key, client] of this.clients) if (!keep.has(key)) this.drop(key, client);
  }

  close(): void {
    for (const [key, client] of this.clients) this.drop(key, client);
  }
}
