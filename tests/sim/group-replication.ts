/**
 * A SIMULATOR of MySQL Group Replication groups, for the monitoring worker's tests, local runs and benchmark. It is
 * not MySQL: each simulated member is a mysql2 protocol server (`mysql.createServer()`) on its own 127.0.0.1 port
 * that checks the monitoring account's mysql_native_password login and answers exactly the worker's two queries
 * (MEMBERS_QUERY and LOCAL_QUERY from scripts/apps/monitor/mysqlCheck.ts) from a scripted group state. Any other query
 * gets an error.
 *
 * Scripted states (SimulatedGroup):
 *   allOnline(p)             every member ONLINE, member p PRIMARY
 *   secondaryUnreachable(i)  member i is cut off from the group (not from us): the others see it UNREACHABLE; it
 *                            sees itself ONLINE and the others UNREACHABLE (a minority partition, no quorum)
 *   primaryLost()            the primary's process dies: its port refuses connections, the others see it
 *                            UNREACHABLE and no primary is elected yet
 *   electPrimary(j)          the lost primary is expelled from the others' views and member j becomes PRIMARY
 *   quorumLost(s)            every member but s dies; s sees them UNREACHABLE
 *   stopAccepting(i)         member i dies: the listener is closed and its open connections destroyed; the others
 *                            see it UNREACHABLE
 *   hang(i)                  member i accepts TCP but never sends the handshake (a check must time out)
 *   restore()                every member serving and ONLINE again, the current primary kept
 * What the views say follows Group Replication: a member that stops answering is UNREACHABLE in the others' views
 * until it is expelled; the primary is only replaced once it has been expelled.
 */
import { createHash, randomUUID } from "node:crypto";
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import * as mysql from "mysql2";
import { LOCAL_QUERY, MEMBERS_QUERY, type MemberState } from "../../scripts/apps/monitor/mysqlCheck";

export interface SimFigures {
  threadsRunning: number;
  threadsConnected: number;
  activeConnections: number;
  bufferPoolDataBytes: number;
  bufferPoolSizeBytes: number;
  transactionsInQueue: number;
  applierQueue: number;
  conflictsDetected: number;
  transactionsChecked: number;
  lagSeconds: number;
}

export const DEFAULT_FIGURES: SimFigures = {
  threadsRunning: 2,
  threadsConnected: 12,
  activeConnections: 1,
  bufferPoolDataBytes: 600 * 2 ** 20,
  bufferPoolSizeBytes: 2 ** 30,
  transactionsInQueue: 0,
  applierQueue: 0,
  conflictsDetected: 0,
  transactionsChecked: 1000,
  lagSeconds: 0,
};

export interface SimViewRow {
  member: SimulatedMember;
  state: MemberState;
  role: "PRIMARY" | "SECONDARY" | "";
}

type Mode = "serving" | "refusing" | "hanging";

/** mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))). */
function nativeToken(password: string, scramble: Buffer): Buffer {
  const sha1 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash("sha1")).digest();
  const stage1 = sha1(Buffer.from(password, "utf8"));
  const mix = sha1(scramble, sha1(stage1));
  return Buffer.from(stage1.map((b, i) => b ^ mix[i]!));
}

const VAR_STRING = 253;
const UTF8_GENERAL_CI = 33;
/** Client capabilities offered: all of the classic set but SSL, compression and multi-statements. */
const CAPABILITIES = 0xffffff & ~0x800 & ~0x20 & ~0x10000;

interface ServerConnection {
  stream: Socket;
  sequenceId: number;
  serverHandshake(args: Record<string, unknown>): void;
  on(event: "query", listener: (sql: string) => void): void;
  on(event: "error", listener: (e: Error) => void): void;
  writeColumns(columns: Record<string, unknown>[]): void;
  writeTextRow(values: (string | null)[]): void;
  writeEof(): void;
  writeError(args: { message: string; code: number }): void;
}

let nextConnectionId = 1;

export class SimulatedMember {
  readonly uuid = randomUUID();
  port = 0;
  mode: Mode = "refusing";
  figures: SimFigures = { ...DEFAULT_FIGURES };
  /** This member's replication_group_members. */
  view: SimViewRow[] = [];
  /** Queries answered (both kinds). */
  queries = 0;
  private server: ReturnType<typeof mysql.createServer> | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly name: string,
    private readonly auth: { user: string; password: string },
    readonly host = "127.0.0.1",
  ) {}

  /** Listens (port 0 the first time: any free port; later the same port again). */
  async startAccepting(): Promise<void> {
    if (this.server !== undefined) {
      this.mode = "serving";
      return;
    }
    const server = mysql.createServer((conn) => this.accept(conn as unknown as ServerConnection));
    // mysql2's Server wraps a net.Server it does not expose in its types; its address gives the port.
    const net = (server as unknown as { _server: NetServer })._server;
    await new Promise<void>((resolve, reject) => {
      net.once("error", reject);
      net.listen(this.port, this.host, () => {
        net.off("error", reject);
        resolve();
      });
    });
    this.port = (net.address() as AddressInfo).port;
    this.server = server;
    this.mode = "serving";
  }

  /** The process "dies": no listener, every open connection destroyed. */
  async stopAccepting(): Promise<void> {
    this.mode = "refusing";
    const server = this.server;
    this.server = undefined;
    // Close the listener first, so no connection slips in after the open ones are destroyed.
    const closed = server === undefined ? Promise.resolve() : new Promise<void>((r) => server.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  /** Accepts TCP but never answers; open connections are cut so the next check reconnects into the hang. */
  async hang(): Promise<void> {
    if (this.server === undefined) await this.startAccepting();
    this.mode = "hanging";
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private accept(conn: ServerConnection): void {
    const socket = conn.stream;
    // A result set goes out as many small packets: without this, Nagle and delayed ACKs add ~40 ms per query.
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    conn.on("error", () => socket.destroy());
    if (this.mode === "hanging") return;
    conn.serverHandshake({
      protocolVersion: 10,
      serverVersion: "8.4.3-gamedb-simulator",
      connectionId: nextConnectionId++,
      statusFlags: 2,
      characterSet: UTF8_GENERAL_CI,
      capabilityFlags: CAPABILITIES,
      authCallback: (
        p: { user: string; authPluginData1: Buffer; authPluginData2: Buffer; authToken: Buffer },
        done: (err: null, mysqlError?: { message: string; code: number }) => void,
      ) => {
        const expected = nativeToken(this.auth.password, Buffer.concat([p.authPluginData1, p.authPluginData2]));
        const ok = p.user === this.auth.user && Buffer.compare(expected, p.authToken) === 0;
        done(null, ok ? undefined : { message: `Access denied for user '${p.user}' (simulator)`, code: 1045 });
        // mysql2's server side does not reset the sequence after the handshake: the next command starts at 0.
        conn.sequenceId = 0;
      },
    });
    conn.on("query", (sql) => this.answer(conn, sql));
  }

  private answer(conn: ServerConnection, sql: string): void {
    if (this.mode !== "serving") return; // hung since: say nothing
    this.queries++;
    if (sql === MEMBERS_QUERY) {
      this.writeRows(
        conn,
        ["MEMBER_ID", "MEMBER_HOST", "MEMBER_PORT", "MEMBER_STATE", "MEMBER_ROLE", "MEMBER_VERSION"],
        this.view.map((r) => [r.member.uuid, r.member.host, String(r.member.port), r.state, r.role, "8.4.3"]),
      );
    } else if (sql === LOCAL_QUERY) {
      const f = this.figures;
      // Without its own row in its view, Group Replication is stopped: no member stats.
      const gr = this.view.some((r) => r.member === this);
      const stat = (n: number) => (gr ? String(n) : null);
      this.writeRows(
        conn,
        [
          "server_uuid",
          "buffer_pool_size",
          "threads_running",
          "threads_connected",
          "buffer_pool_bytes_data",
          "active_connections",
          "transactions_in_queue",
          "applier_queue",
          "conflicts_detected",
          "transactions_checked",
          "lag_seconds",
        ],
        [
          [
            this.uuid,
            String(f.bufferPoolSizeBytes),
            String(f.threadsRunning),
            String(f.threadsConnected),
            String(f.bufferPoolDataBytes),
            String(f.activeConnections),
            stat(f.transactionsInQueue),
            stat(f.applierQueue),
            stat(f.conflictsDetected),
            stat(f.transactionsChecked),
            f.lagSeconds.toFixed(6),
          ],
        ],
      );
    } else {
      conn.writeError({ message: "the Group Replication simulator does not answer this query", code: 1064 });
      conn.sequenceId = 0;
    }
  }

  private writeRows(conn: ServerConnection, names: string[], rows: (string | null)[][]): void {
    conn.writeColumns(
      names.map((name) => ({
        catalog: "def",
        schema: "performance_schema",
        table: "",
        orgTable: "",
        name,
        orgName: name,
        characterSet: UTF8_GENERAL_CI,
        columnLength: 255,
        columnType: VAR_STRING,
        flags: 0,
        decimals: 0,
      })),
    );
    for (const row of rows) conn.writeTextRow(row);
    conn.writeEof();
    conn.sequenceId = 0;
  }
}

/** One shard's group and the scripted states it can be put in. */
export class SimulatedGroup {
  /** Index of the member that is (or was last) PRIMARY. */
  primary = 0;
  /** Members expelled from the group (no longer in the survivors' views). */
  private readonly expelled = new Set<number>();

  constructor(
    readonly name: string,
    readonly members: SimulatedMember[],
  ) {}

  private member(i: number): SimulatedMember {
    const m = this.members[i];
    if (m === undefined) throw new Error(`${this.name} has no member ${i}`);
    return m;
  }

  private rows(states: (i: number) => MemberState | undefined): SimViewRow[] {
    const out: SimViewRow[] = [];
    this.members.forEach((member, i) => {
      const state = states(i);
      if (state === undefined) return;
      out.push({ member, state, role: i === this.primary ? "PRIMARY" : "SECONDARY" });
    });
    return out;
  }

  async allOnline(primary = this.primary): Promise<void> {
    this.member(primary);
    this.primary = primary;
    this.expelled.clear();
    await Promise.all(this.members.map((m) => m.startAccepting()));
    const view = this.rows(() => "ONLINE");
    for (const m of this.members) m.view = view;
  }

  async secondaryUnreachable(i: number): Promise<void> {
    if (i === this.primary) throw new Error("secondaryUnreachable: that member is the primary");
    const cut = this.member(i);
    await cut.startAccepting();
    const majority = this.rows((k) => (k === i ? "UNREACHABLE" : "ONLINE"));
    for (const m of this.members) if (m !== cut) m.view = majority;
    cut.view = this.rows((k) => (k === i ? "ONLINE" : "UNREACHABLE"));
  }

  async primaryLost(): Promise<void> {
    await this.stopAccepting(this.primary);
  }

  async electPrimary(j: number): Promise<void> {
    const old = this.primary;
    if (j === old) throw new Error("electPrimary: that member is already the primary");
    this.member(j);
    this.expelled.add(old);
    this.primary = j;
    const view = this.rows((k) => (this.expelled.has(k) ? undefined : "ONLINE"));
    this.members.forEach((m, k) => {
      if (!this.expelled.has(k)) m.view = view;
    });
  }

  async quorumLost(survivor: number): Promise<void> {
    const s = this.member(survivor);
    await Promise.all(this.members.map((m, k) => (k === survivor ? m.startAccepting() : m.stopAccepting())));
    s.view = this.rows((k) => (k === survivor ? "ONLINE" : "UNREACHABLE"));
  }

  async stopAccepting(i: number): Promise<void> {
    const dead = this.member(i);
    await dead.stopAccepting();
    for (const m of this.members) {
      if (m === dead) continue;
      m.view = m.view.map((r) => (r.member === dead ? { ...r, state: "UNREACHABLE" } : r));
    }
  }

  async hang(i: number): Promise<void> {
    await this.member(i).hang();
  }

  async restore(): Promise<void> {
    await this.allOnline(this.primary);
  }
}

export interface SimulatorOptions {
  /** Shard count (named shard1..shardN, 3 members each), or explicit groups. */
  shards: number | { name: string; members: number }[];
  user?: string;
  password: string;
  /** vCPUs written to members.json (null: unknown, as for static hosts). @default 4 */
  vcpus?: number | null;
}

/** Many groups, one port per member. */
export class GroupReplicationSimulator {
  private constructor(
    readonly groups: SimulatedGroup[],
    private readonly vcpus: number | null,
  ) {}

  static async start(options: SimulatorOptions): Promise<GroupReplicationSimulator> {
    const auth = { user: options.user ?? "gamedb_monitor", password: options.password };
    const specs =
      typeof options.shards === "number"
        ? Array.from({ length: options.shards }, (_, i) => ({ name: `shard${i + 1}`, members: 3 }))
        : options.shards;
    const groups = specs.map(
      (s) =>
        new SimulatedGroup(
          s.name,
          Array.from({ length: s.members }, (_, k) => new SimulatedMember(`${s.name}-node${k}`, auth)),
        ),
    );
    const sim = new GroupReplicationSimulator(groups, options.vcpus === undefined ? 4 : options.vcpus);
    for (const g of groups) await g.allOnline(0);
    return sim;
  }

  group(name: string): SimulatedGroup {
    const g = this.groups.find((x) => x.name === name);
    if (g === undefined) throw new Error(`no simulated shard ${name}`);
    return g;
  }

  /** The members.json document of the endpoints ConfigMap for these groups. */
  membersJson(): Record<string, unknown> {
    return Object.fromEntries(
      this.groups.map((g, i) => [
        g.name,
        {
          shardId: Number(/\d+$/.exec(g.name)?.[0] ?? i + 1),
          clusterName: g.name,
          state: "active",
          members: g.members.map((m) => ({ node: m.name, host: m.host, port: m.port, vcpus: this.vcpus })),
        },
      ]),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.groups.flatMap((g) => g.members.map((m) => m.stopAccepting())));
  }
}
