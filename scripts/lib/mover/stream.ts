/**
 * Following a shard's binlog from a GTID position with @vlasky/zongji 0.9.0 (pinned: one maintainer, and 0.7
 * changed value types), as typed events in commit order: rows of the watched tables, and each transaction's end
 * with its GTID. Values are decoded with the connection options of connect.ts (EXACT_VALUES), so they match what a
 * SELECT on the same server returns (zongji README, "Binlog row values follow the same mysql2 connection options").
 *
 * Any stream error stops the stream: the mover then fails and resumes from its last committed checkpoint.
 * zongji has no flow control of its own; when the consumer falls behind, the binlog socket is paused (zongji pauses
 * it the same way while it fetches table metadata, which binlog_row_metadata=FULL, required by preflight, avoids).
 */
import { EXACT_VALUES, Flavour, ShardLogin } from "./connect";
import { verifiedTls } from "../mysqlTls";
import { Position, formatPosition } from "./position";

export type Row = Record<string, unknown>;

export type StreamEvent =
  | { kind: "rows"; schema: string; table: string; op: "insert" | "update" | "delete"; rows: RowImage[] }
  | {
      kind: "commit";
      gtid: string;
      timestampMs: number;
      /** Ended by its own Query event (a DDL statement), not by XID or COMMIT: table definitions may have changed. */
      ddl?: true;
    };

export interface RowImage {
  before?: Row;
  after?: Row;
}

export interface StreamOptions {
  /** The server_id this client announces (moverServerId): unique per stream. */
  serverId: number;
  /** Resume after everything in this position. */
  from: Position;
  /** Databases and their tables whose row events are wanted. */
  include: Record<string, string[]>;
  /** Pause the socket when this many events wait to be consumed; resume below half. @default 20000 */
  highWater?: number;
}

export interface ZongJiEvent {
  getTypeName(): string;
  gtid?: string;
  timestamp: number;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string }>;
  rows?: unknown[];
  query?: string;
}

/** The part of zongji's ZongJi class the stream uses (tests give a fake with the same shape). */
export interface ZongJiLike {
  on(event: "binlog", fn: (e: ZongJiEvent) => void): void;
  on(event: "error", fn: (e: Error) => void): void;
  once(event: "ready", fn: () => void): void;
  once(event: "error", fn: (e: Error) => void): void;
  start(options: Record<string, unknown>): void;
  stop(): void;
  connection?: { pause(): void; resume(): void } | null;
}

export type ZongJiConstructor = () => Promise<new (dsn: Record<string, unknown>) => ZongJiLike>;

/** @vlasky/zongji is ESM-only (0.6+): loaded with import() from this CommonJS project. */
const loadZongJi: ZongJiConstructor = async () =>
  ((await import("@vlasky/zongji")) as unknown as { default: new (dsn: Record<string, unknown>) => ZongJiLike })
    .default;

/** Query events that stay inside their transaction. */
const IN_TRANSACTION =
  /^\s*(BEGIN|START TRANSACTION|SAVEPOINT|ROLLBACK\s+(WORK\s+)?TO|RELEASE\s+SAVEPOINT|XA\s+(START|BEGIN|END|PREPARE))\b/i;

const ROW_KINDS: Record<string, "insert" | "update" | "delete"> = {
  WriteRows: "insert",
  UpdateRows: "update",
  DeleteRows: "delete",
};

/**
 * A running binlog stream. `next()` resolves with the next event (in binlog order), or rejects once the stream has
 * failed; `stop()` ends it.
 */
export class BinlogStream {
  private readonly queue: StreamEvent[] = [];
  private waiter: { resolve: (e: StreamEvent) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private paused = false;
  private pendingGtid: string | undefined;
  private zongji: ZongJiLike | undefined;
  private readonly highWater: number;

  private constructor(
    private readonly login: ShardLogin,
    private readonly flavour: Flavour,
    private readonly options: StreamOptions,
  ) {
    this.highWater = options.highWater ?? 20_000;
  }

  static async start(
    login: ShardLogin,
    flavour: Flavour,
    options: StreamOptions,
    zongji: ZongJiConstructor = loadZongJi,
  ): Promise<BinlogStream> {
    const stream = new BinlogStream(login, flavour, options);
    await stream.open(zongji);
    return stream;
  }

  private async open(zongji: ZongJiConstructor): Promise<void> {
    const ZongJi = await zongji();
    const zj = new ZongJi({
      host: this.login.host,
      port: this.login.port,
      user: this.login.user,
      password: this.login.password,
      ...EXACT_VALUES,
      // zongji hands these options to mysql2 for both its connections (@vlasky/zongji index.js _establishConnection).
      ...(this.login.ca !== undefined ? verifiedTls(this.login.ca, this.login.host, this.login.port) : {}),
    });
    this.zongji = zj;
    zj.on("error", (e) => this.fail(e));
    zj.on("binlog", (e) => this.onEvent(e));
    const ready = new Promise<void>((resolve, reject) => {
      zj.once("ready", () => resolve());
      zj.once("error", reject);
    });
    const gtidEvent = this.flavour === "mysql" ? "gtid" : "mariadbgtid";
    zj.start({
      serverId: this.options.serverId,
      gtidSet: formatPosition(this.options.from),
      includeEvents: ["tablemap", "writerows", "updaterows", "deleterows", gtidEvent, "xid", "query"],
      includeSchema: this.options.include,
    });
    await ready;
  }

  private onEvent(e: ZongJiEvent): void {
    const type = e.getTypeName();
    const op = ROW_KINDS[type];
    if (op) {
      const map = e.tableMap?.[e.tableId ?? -1];
      if (!map) return this.fail(new Error(`binlog ${type} event without its table map`));
      const rows = (e.rows ?? []).map((r) =>
        op === "update"
          ? (r as { before: Row; after: Row })
          : op === "insert"
            ? { after: r as Row }
            : { before: r as Row },
      );
      return this.push({ kind: "rows", schema: map.parentSchema, table: map.tableName, op, rows });
    }
    if (type === "Gtid" || type === "MariadbGtid") {
      this.pendingGtid = e.gtid;
      return;
    }
    // A transaction ends at its XID event; a DDL (or a non-transactional engine's COMMIT) at its Query event. Query
    // events inside a transaction (SAVEPOINT, ROLLBACK TO, XA START/END/PREPARE) do not end it: both servers log
    // them mid-transaction, and a checkpoint there would skip the rest of it on resume.
    const ends = type === "Xid" || (type === "Query" && !IN_TRANSACTION.test(e.query ?? ""));
    if (ends) {
      const gtid = e.gtid ?? this.pendingGtid;
      this.pendingGtid = undefined;
      if (gtid === undefined) {
        return this.fail(new Error("a binlog transaction without a GTID: the mover needs GTIDs on (preflight)"));
      }
      const ddl = type === "Query" && !/^\s*(COMMIT|ROLLBACK|XA\s+(COMMIT|ROLLBACK))\b/i.test(e.query ?? "");
      this.push({ kind: "commit", gtid, timestampMs: e.timestamp, ...(ddl ? { ddl: true as const } : {}) });
    }
  }

  private push(event: StreamEvent): void {
    if (this.failure) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(event);
      return;
    }
    this.queue.push(event);
    if (!this.paused && this.queue.length >= this.highWater && this.zongji?.connection) {
      this.paused = true;
      this.zongji.connection.pause();
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(e);
    }
  }

  /** Events waiting to be consumed. */
  get backlog(): number {
    return this.queue.length;
  }

  /** The next event; resolves as soon as one arrives. */
  next(): Promise<StreamEvent> {
    if (this.failure) return Promise.reject(this.failure);
    const e = this.queue.shift();
    if (this.paused && this.queue.length < this.highWater / 2 && this.zongji?.connection) {
      this.paused = false;
      this.zongji.connection.resume();
    }
    if (e) return Promise.resolve(e);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The next event if one is already queued (no waiting). */
  poll(): StreamEvent | undefined {
    if (this.failure) throw this.failure;
    const e = this.queue.shift();
    if (this.paused && this.queue.length < this.highWater / 2 && this.zongji?.connection) {
      this.paused = false;
      this.zongji.connection.resume();
    }
    return e;
  }

  stop(): void {
    this.fail(new Error("stream stopped"));
    this.zongji?.stop();
  }
}
