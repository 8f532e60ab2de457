/**
 * The worker's targets, read from the mounted gamedb-endpoints ConfigMap (one file per key; the format is the
 * contract infra/contracts/endpoints.ts, whose schemas this parses with):
 *   members.json  {"shard7": {shardId, clusterName, state, members: [{node, host, port, vcpus}]}}
 *   redis.json    {"engine": "kubernetes" | "elasticache", "seeds": ["host:port", ...], "tls"?: {"ca": PEM}}
 * routers.json and slot-map.json are for game servers; the worker ignores them.
 *
 * The directory is read again every cycle: Kubernetes updates ConfigMap volumes in place. A file that does not
 * parse (caught mid-update, or broken) keeps the last good version of that file, and is logged; a file that is
 * absent means no targets of that kind.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ENDPOINT_FILES,
  HostPort,
  membersSchema,
  parseHostPort,
  problems,
  redisSchema,
} from "../../../infra/contracts/endpoints";

export type { HostPort };

import type { Logger } from "./log";

export interface MysqlMember {
  /** The members.json key, the `shard` label everywhere. */
  shard: string;
  node: string;
  host: string;
  port: number;
  /** null: unknown (static hosts): the CPU proxy is exported but never warned on. */
  vcpus: number | null;
}

export interface ShardTarget {
  shard: string;
  shardId: number;
  clusterName: string;
  /** The shard's lifecycle state (provisioning, active, retired, ...): every state is monitored, it is a label. */
  state: string;
  members: MysqlMember[];
}

export interface RedisTarget {
  engine: "kubernetes" | "elasticache";
  seeds: HostPort[];
  /** Redis on Kubernetes with TLS: the CA to verify the nodes with. */
  tls?: { ca: string };
}

export interface Targets {
  shards: ShardTarget[];
  /** null: no redis.json (no Redis to watch). */
  redis: RedisTarget | null;
}

/** Parses members.json; throws with every problem. Shards are sorted by id, members keep their order. */
export function parseMembers(text: string): ShardTarget[] {
  const result = membersSchema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(problems(result.error));
  return Object.entries(result.data)
    .map(([shard, s]) => ({
      shard,
      shardId: s.shardId,
      clusterName: s.clusterName,
      state: s.state,
      members: s.members.map((m) => ({ shard, node: m.node, host: m.host, port: m.port, vcpus: m.vcpus ?? null })),
    }))
    .sort((a, b) => a.shardId - b.shardId || a.shard.localeCompare(b.shard));
}

export function parseRedis(text: string): RedisTarget {
  const result = redisSchema.safeParse(JSON.parse(text));
  if (!result.success) throw new Error(problems(result.error));
  const { engine, seeds, tls } = result.data;
  return { engine, seeds: seeds.map(parseHostPort), ...(tls ? { tls: { ca: tls.ca } } : {}) };
}

/** Reads the endpoints directory each call, keeping the last good version of each file. */
export class TargetReader {
  private lastShards: ShardTarget[] = [];
  private lastRedis: RedisTarget | null = null;
  /** Last problem logged per file, so a file that stays broken is logged once, not every cycle. */
  private readonly reported = new Map<string, string>();
  /** Reads that failed (for the metric). */
  errors = 0;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {}

  read(): Targets {
    this.lastShards = this.readFile(ENDPOINT_FILES.members, parseMembers, this.lastShards, []);
    this.lastRedis = this.readFile(ENDPOINT_FILES.redis, parseRedis, this.lastRedis, null);
    return { shards: this.lastShards, redis: this.lastRedis };
  }

  private readFile<T>(name: string, parse: (text: string) => T, last: T, absent: T): T {
    const file = join(this.dir, name);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") {
        this.report(name, "absent", "info", `${file} is absent: no targets of that kind`);
        return absent;
      }
      this.errors++;
      this.report(name, (e as Error).message, "warn", `cannot read ${file}; keeping the last good targets`);
      return last;
    }
    try {
      const parsed = parse(text);
      if (this.reported.has(name)) this.log.log("info", `${file} reads again`, { file });
      this.reported.delete(name);
      return parsed;
    } catch (e) {
      this.errors++;
      const why = (e as Error).message;
      this.report(name, why, "warn", `${file} does not parse (${why}); keeping the last good targets`);
      return last;
    }
  }

  private report(name: string, key: string, level: "info" | "warn", msg: string): void {
    if (this.reported.get(name) === key) return;
    this.reported.set(name, key);
    this.log.log(level, msg, { file: join(this.dir, name) });
  }
}
