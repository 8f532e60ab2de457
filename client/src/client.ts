/**
 * The shard-aware client for game servers. A key goes to its slot (Redis Cluster's key-slot function,
 * infra/contracts/slots.ts), the slot to the shard that owns it (the endpoints' slot map, corrected by what the
 * shards' fences answer), the shard to its MySQL Router Service: writes and strong reads to the read-write port,
 * eventual reads to the read-only port.
 */
import type * as mysql from "mysql2/promise";
import { ShardKey, keySlot as contractKeySlot } from "../../infra/contracts/slots";
import { EndpointsWatcher, readTopology, topologyFromObject } from "./endpoints";
import { CrossShardError, EndpointsError, GameDbError } from "./errors";
import { FenceRetryDeps, withFence } from "./fenceRetry";
import { ClientEvent, ClientOptions, ClientOptionsInput, parseOptions } from "./options";
import { ScatterOptions, ScatterResult, scatterRows } from "./scatter";
import { Port, ShardConnections, ShardHealth } from "./shardConnections";
import { LearnedOwner, Topology } from "./topology";

/** Positional (?) values, or named (:name) ones with the mysql2 option namedPlaceholders. */
export type Params = unknown[] | { [name: string]: unknown };

export interface ReadOptions {
  /** "eventual" (default): a secondary through the read-only port; "strong": the primary. */
  consistency?: "eventual" | "strong";
}

/** A transaction's handle: statements run on the transaction's connection, on one shard. */
export interface Transaction {
  readonly shard: number;
  query<T = unknown>(sql: string, params?: Params): Promise<T>;
  /** Checks that `key` belongs to this transaction's shard (CrossShardError if not), then runs the statement. */
  queryFor<T = unknown>(key: ShardKey, sql: string, params?: Params): Promise<T>;
}

export interface ShardStatus extends ShardHealth {
  shard: number;
  host: string;
  ports: { rw: number; ro: number };
  health: "up" | "down" | "unknown";
  slots: number;
  slotRanges: string;
}

export class GameDbClient {
  private readonly options: ClientOptions;
  private topology: Topology;
  private readonly learned = new Map<number, LearnedOwner>();
  private readonly connections = new Map<number, ShardConnections>();
  private readonly watcher: EndpointsWatcher | undefined;
  private lastReloadError: EndpointsError | undefined;
  private closed = false;
  private fence: FenceRetryDeps | undefined;

  constructor(input: ClientOptionsInput) {
    this.options = parseOptions(input);
    const { endpoints } = this.options;
    if (typeof endpoints === "string") {
      const first = readTopology(endpoints);
      this.topology = first.topology;
      this.watcher = new EndpointsWatcher(endpoints, first.text, {
        pollIntervalMs: this.options.reloadPollMs,
        onChange: (t) => this.install(t),
        onError: (e) => this.reloadFailed(e),
        onRecovered: () => (this.lastReloadError = undefined),
      });
    } else {
      this.topology = topologyFromObject(endpoints);
    }
  }

  slotOf(key: ShardKey): number {
    return keySlot(key);
  }

  shardOf(key: ShardKey): number {
    return this.topology.shardOfSlot(keySlot(key));
  }

  /** A statement that changes data, on the primary of the key's shard, following the slot fence. */
  async write<T = mysql.ResultSetHeader>(key: ShardKey, sql: string, params?: Params): Promise<T> {
    const slot = keySlot(key);
    return withFence(slot, (shard) => this.on(shard, "rw", (c) => query<T>(c, sql, params)), this.fenceDeps());
  }

  /** A read on the key's shard: a secondary by default, the primary with consistency "strong". */
  async read<T = mysql.RowDataPacket[]>(
    key: ShardKey,
    sql: string,
    params?: Params,
    options: ReadOptions = {},
  ): Promise<T> {
    const port: Port = readPort(options.consistency);
    return this.on(this.shardOf(key), port, (c) => query<T>(c, sql, params));
  }

  /**
   * Runs `fn` in a transaction on the primary of the key's shard and commits; rolls back if it throws. When the
   * fence refuses a statement (the slot moved or is frozen), the transaction is rolled back and `fn` runs again
   * on the right shard, so it must not have effects outside the database.
   */
  async transaction<T>(key: ShardKey, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const slot = keySlot(key);
    return withFence(
      slot,
      (shard) =>
        this.on(shard, "rw", async (conn) => {
          let open = true; // the handle outlives the attempt: after it, conn is back in the pool, someone else's
          await conn.beginTransaction();
          try {
            const result = await fn(this.transactionHandle(shard, key, conn, () => open));
            await conn.commit();
            return result;
          } catch (e) {
            await conn.rollback().catch(() => undefined); // the connection may be gone; the error that matters is e
            throw e;
          } finally {
            open = false;
          }
        }),
      this.fenceDeps(),
    );
  }

  /** The statement on every shard in parallel, rows merged by `orderBy` and cut to `limit`. */
  async scatter<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: Params | undefined,
    options: ScatterOptions,
  ): Promise<ScatterResult<T>> {
    const shards = [...this.topology.shards.keys()].sort((a, b) => a - b);
    const port = readPort(options.consistency);
    return scatterRows<T>(shards, options, (shard, timeoutMs) =>
      this.on(shard, port, (c) => query<T[]>(c, sql, params), timeoutMs),
    );
  }

  /** Every shard: its Router, breaker and pools, the slots it owns, its last error. */
  status(): ShardStatus[] {
    const ranges = this.topology.rangesByShard();
    return [...this.topology.shards.values()]
      .sort((a, b) => a.shard - b.shard)
      .map((endpoint) => {
        const conns = this.connections.get(endpoint.shard);
        const health = conns?.health() ?? {
          breaker: "closed" as const,
          consecutiveFailures: 0,
          pools: { rw: { inUse: 0, waiting: 0, limit: 0 }, ro: { inUse: 0, waiting: 0, limit: 0 } },
          lastError: undefined,
        };
        const owned = ranges.get(endpoint.shard) ?? [];
        return {
          shard: endpoint.shard,
          host: endpoint.host,
          ports: { rw: endpoint.rw, ro: endpoint.ro },
          health: !conns ? "unknown" : health.breaker === "open" ? "down" : "up",
          slots: owned.reduce((n, r) => n + r.to - r.from + 1, 0),
          slotRanges: owned.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(","),
          ...health,
        };
      });
  }

  /** The last endpoints document that was refused, if the map in force is older than the files. */
  get endpointsError(): EndpointsError | undefined {
    return this.lastReloadError;
  }

  /** Re-reads a watched endpoints path now; true when the map changed. Throws if the endpoints came as an object. */
  reload(): boolean {
    if (!this.watcher) throw new EndpointsError("endpoints were given as an object: use setEndpoints to change them");
    return this.watcher.check();
  }

  /** Replaces the map with a new document (checked first; refused with the field named, keeping the old one). */
  setEndpoints(doc: unknown): void {
    this.install(topologyFromObject(doc));
  }

  /** Stops watching and closes every pool after the work in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    await Promise.all([...this.connections.values()].map((c) => c.retire()));
    this.connections.clear();
  }

  private on<T>(shard: number, port: Port, fn: (c: mysql.PoolConnection) => Promise<T>, timeoutMs?: number) {
    return this.shardConnections(shard).run(port, fn, timeoutMs);
  }

  private shardConnections(shard: number): ShardConnections {
    if (this.closed) throw new GameDbError("CLOSED", "the gamedb client is closed");
    let conns = this.connections.get(shard);
    if (!conns) {
      const endpoint = this.topology.endpoint(shard);
      if (!endpoint) throw new GameDbError("NO_OWNER", `shard ${shard} has no Router in the endpoints`);
      conns = new ShardConnections(endpoint, this.options, (e) => this.emit(e));
      this.connections.set(shard, conns);
    }
    return conns;
  }

  private transactionHandle(
    shard: number,
    key: ShardKey,
    conn: mysql.PoolConnection,
    isOpen: () => boolean,
  ): Transaction {
    const run = <T>(sql: string, params?: Params) =>
      isOpen()
        ? query<T>(conn, sql, params)
        : Promise.reject(
            new GameDbError("CLOSED", `transaction on shard ${shard} (key ${String(key)}) has ended: ${sql}`),
          );
    return {
      shard,
      query: (sql, params) => run(sql, params),
      queryFor: (other, sql, params) => {
        const otherShard = this.shardOf(other);
        if (otherShard !== shard) {
          throw new CrossShardError(
            `key ${String(other)} (slot ${keySlot(other)}) belongs to shard ${otherShard}, but this transaction ` +
              `is on shard ${shard} (key ${String(key)}, slot ${keySlot(key)}); a transaction spans one shard: ` +
              "give related keys one hash tag ({guild42}:...) to keep them together",
          );
        }
        return run(sql, params);
      },
    };
  }

  /**
   * Built once: the closures read this.topology when called. A new set per write cost ~1 µs where the code runs
   * through esbuild with keepNames (tsx: a defineProperty per named closure), as in npm run bench:client.
   */
  private fenceDeps(): FenceRetryDeps {
    return (this.fence ??= {
      ownerOf: (slot: number) => this.topology.shardOfSlot(slot),
      learn: (slot: number, shard: number, epoch: number) => {
        const changed = this.topology.learn(slot, { shard, epoch });
        if (changed) {
          this.learned.set(slot, { shard, epoch });
          this.emit({ type: "slotLearned", slot, shard, epoch });
        }
        return changed;
      },
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      tryAgain: this.options.tryAgain,
    });
  }

  /** A new, checked map: what MOVED taught at newer epochs stays; shards whose Router moved get new pools. */
  private install(next: Topology): void {
    // Forget what the new map already knows (its epoch caught up), then lay what is still newer over it.
    for (const [slot, owner] of this.learned) if (owner.epoch <= next.epoch[slot]!) this.learned.delete(slot);
    next.keepNewer(this.learned);
    for (const [shard, conns] of this.connections) {
      const e = next.endpoint(shard);
      if (!e || e.host !== conns.endpoint.host || e.rw !== conns.endpoint.rw || e.ro !== conns.endpoint.ro) {
        this.connections.delete(shard);
        void conns.retire(); // requests in flight finish on the old pools
      }
    }
    this.topology = next;
    this.lastReloadError = undefined;
    this.emit({ type: "reloaded" });
  }

  private reloadFailed(error: EndpointsError): void {
    this.lastReloadError = error;
    this.emit({ type: "reloadFailed", error });
  }

  private emit(event: ClientEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // a listener's bug must not break routing
    }
  }
}

/** The key's slot; a key of a type that cannot be hashed alike everywhere is a GameDbError BAD_KEY. */
function keySlot(key: ShardKey): number {
  try {
    return contractKeySlot(key);
  } catch (e) {
    throw new GameDbError("BAD_KEY", (e as Error).message, { cause: e });
  }
}

function readPort(consistency: ReadOptions["consistency"]): Port {
  if (consistency === undefined || consistency === "eventual") return "ro";
  if (consistency === "strong") return "rw";
  throw new GameDbError(
    "BAD_OPTION",
    `consistency: must be "eventual" or "strong", got ${JSON.stringify(consistency)}`,
  );
}

async function query<T>(conn: mysql.PoolConnection, sql: string, params?: Params): Promise<T> {
  const [result] = await conn.query(sql, params as mysql.QueryOptions["values"]);
  return result as T;
}
