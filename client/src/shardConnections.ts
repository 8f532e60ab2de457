/**
 * One shard's connections: a mysql2 pool per Router port (rw, ro), created on first use and bounded by the
 * options' limits, the shard's breaker with its probe, and the figures status() reports. When the endpoints move a
 * shard to another Router address, the client makes a new ShardConnections and retires this one: retire() lets
 * every request in flight finish before the pools close.
 */
import * as mysql from "mysql2/promise";
import { Breaker, BreakerState } from "./breaker";
import { GameDbError, ShardUnavailableError } from "./errors";
import { isConnectionFailure, isFatal } from "./failures";
import type { ClientOptions, ClientEvent } from "./options";
import type { ShardEndpoint } from "./topology";

export type Port = "rw" | "ro";

export interface PoolUse {
  /** Connections lent out right now. */
  inUse: number;
  /** Requests waiting for a connection. */
  waiting: number;
  limit: number;
}

export interface ShardHealth {
  breaker: BreakerState;
  consecutiveFailures: number;
  pools: Record<Port, PoolUse>;
  lastError: { message: string; at: string } | undefined;
}

export class ShardConnections {
  private readonly pools = new Map<Port, mysql.Pool>();
  private readonly use: Record<Port, { inUse: number; waiting: number }> = {
    rw: { inUse: 0, waiting: 0 },
    ro: { inUse: 0, waiting: 0 },
  };
  private readonly breaker: Breaker;
  private probeTimer: NodeJS.Timeout | undefined;
  private lastError: { message: string; at: string } | undefined;
  private retired = false;
  private drained: (() => void) | undefined;
  private retiring: Promise<void> | undefined;

  constructor(
    readonly endpoint: ShardEndpoint,
    private readonly options: ClientOptions,
    private readonly emit: (event: ClientEvent) => void,
  ) {
    this.breaker = new Breaker(options.breaker);
  }

  get shard(): number {
    return this.endpoint.shard;
  }

  /** Runs `fn` with a connection to the port; `timeoutMs` bounds waiting for a connection and the work. */
  async run<T>(port: Port, fn: (conn: mysql.PoolConnection) => Promise<T>, timeoutMs?: number): Promise<T> {
    if (this.retired) throw new GameDbError("CLOSED", `shard ${this.shard}: connections closed`);
    if (!this.breaker.allows()) {
      throw new ShardUnavailableError(
        this.shard,
        `shard ${this.shard} is unavailable: ${this.breaker.consecutiveFailures} consecutive connection failures ` +
          `to ${this.address(port)}; probing every ${this.options.breaker.probeIntervalMs} ms` +
          (this.lastError ? `; last error: ${this.lastError.message}` : ""),
      );
    }
    const use = this.use[port];
    let conn: mysql.PoolConnection | undefined;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const work = (async () => {
      use.waiting++;
      try {
        conn = await this.pool(port).getConnection();
      } catch (e) {
        use.waiting--;
        this.checkDrained(); // retire() may be waiting for this request alone
        this.failed(e, port);
        throw isConnectionFailure(e)
          ? new ShardUnavailableError(
              this.shard,
              `shard ${this.shard}: cannot connect to ${this.address(port)}: ${(e as Error).message}`,
              { cause: e },
            )
          : e;
      }
      use.waiting--;
      if (timedOut) {
        // The caller gave up while this request waited for a connection: the statement is not sent at all.
        conn.release();
        this.checkDrained();
        throw new GameDbError("TIMEOUT", `shard ${this.shard}: timed out waiting for a connection`);
      }
      use.inUse++;
      let broken = false;
      try {
        const result = await fn(conn);
        this.answered();
        return result;
      } catch (e) {
        if (isFatal(e)) broken = true;
        // After a timeout the socket was cut here (below): a slow statement, not an unreachable server.
        if (timedOut) throw e;
        if (isConnectionFailure(e)) this.failed(e, port);
        // A fatal error without a connection code (a closed connection) says nothing about the server.
        else if (!isFatal(e)) this.answered();
        throw e;
      } finally {
        use.inUse--;
        if (broken || timedOut) conn.destroy();
        else conn.release();
        this.checkDrained();
      }
    })();
    if (timeoutMs === undefined) return work;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        // Cut the socket: destroy() alone only half-closes it, and mysql2 then never settles the statement, which
        // would stay in use (and hold up retire()) until the server finished it, if ever. With the socket cut,
        // mysql2 fails the statement (lib/base/connection.js, the stream's 'close' handler) and the finally above
        // drops the connection.
        (conn?.connection as { stream?: { destroy(): void } } | undefined)?.stream?.destroy();
        reject(
          new GameDbError("TIMEOUT", `shard ${this.shard}: no answer from ${this.address(port)} in ${timeoutMs} ms`),
        );
      }, timeoutMs);
    });
    work.catch(() => undefined); // after a timeout its rejection has no listener
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  health(): ShardHealth {
    const pool = (port: Port): PoolUse => ({ ...this.use[port], limit: this.options.pool.connectionLimit });
    return {
      breaker: this.breaker.state,
      consecutiveFailures: this.breaker.consecutiveFailures,
      pools: { rw: pool("rw"), ro: pool("ro") },
      lastError: this.lastError,
    };
  }

  /** Stops new work; closes the pools once the work in flight has finished. */
  retire(): Promise<void> {
    // One retirement, whoever asks (close() twice, a reload then close()): a second waiter must not replace the first.
    return (this.retiring ??= this.drainAndEnd());
  }

  private async drainAndEnd(): Promise<void> {
    this.retired = true;
    clearTimeout(this.probeTimer);
    if (this.busy()) await new Promise<void>((resolve) => (this.drained = resolve));
    await Promise.all([...this.pools.values()].map((p) => p.end().catch(() => undefined)));
    this.pools.clear();
  }

  private busy(): boolean {
    return this.use.rw.inUse + this.use.rw.waiting + this.use.ro.inUse + this.use.ro.waiting > 0;
  }

  private checkDrained(): void {
    if (this.drained && !this.busy()) this.drained();
  }

  private address(port: Port): string {
    return `${this.endpoint.host}:${this.endpoint[port]}`;
  }

  private pool(port: Port): mysql.Pool {
    let pool = this.pools.get(port);
    if (!pool) {
      const { pool: limits, user, password, database, mysql: extra } = this.options;
      pool = mysql.createPool({
        // BIGINT ids (player_id) as exact strings unless the caller says otherwise: a number would round them.
        supportBigNumbers: true,
        bigNumberStrings: true,
        ...extra,
        host: this.endpoint.host,
        port: this.endpoint[port],
        user,
        password,
        database,
        waitForConnections: true,
        connectionLimit: limits.connectionLimit,
        maxIdle: limits.connectionLimit,
        queueLimit: limits.queueLimit,
        connectTimeout: limits.connectTimeoutMs,
        idleTimeout: limits.idleTimeoutMs,
        enableKeepAlive: true,
      });
      // A pooled connection that dies while idle emits here; the next request finds out on its own.
      pool.on("connection", (c) => c.on("error", () => undefined));
      this.pools.set(port, pool);
    }
    return pool;
  }

  private answered(): void {
    if (this.breaker.state === "open") this.emit({ type: "breakerClosed", shard: this.shard });
    this.breaker.success();
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private failed(error: unknown, port: Port): void {
    if (!isConnectionFailure(error)) return;
    this.lastError = { message: `${this.address(port)}: ${(error as Error).message}`, at: new Date().toISOString() };
    if (this.breaker.failure(Date.now())) {
      this.emit({ type: "breakerOpen", shard: this.shard, error: error as Error });
      this.scheduleProbe();
    }
  }

  /** A timer at the moment the breaker says a probe is due (a timer may fire a little early: probe() re-arms). */
  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    const wait = this.breaker.msUntilProbe(Date.now());
    if (wait === undefined || this.retired) return;
    this.probeTimer = setTimeout(() => void this.probe(), wait);
    this.probeTimer.unref();
  }

  /** A fresh connection (not the pool's) to the read-write port and SELECT 1. */
  private async probe(): Promise<void> {
    if (!this.breaker.probeDue(Date.now())) return this.scheduleProbe();
    this.breaker.probeStarted();
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection({
        ...this.options.mysql,
        host: this.endpoint.host,
        port: this.endpoint.rw,
        user: this.options.user,
        password: this.options.password,
        database: this.options.database,
        connectTimeout: this.options.pool.connectTimeoutMs,
      });
      await conn.query("SELECT 1");
      this.answered();
    } catch (e) {
      this.lastError = {
        message: `probe ${this.address("rw")}: ${(e as Error).message}`,
        at: new Date().toISOString(),
      };
      this.breaker.probeFailed(Date.now());
      this.scheduleProbe();
    } finally {
      conn?.destroy();
    }
  }
}
