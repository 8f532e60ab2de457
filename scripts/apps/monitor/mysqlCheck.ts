/**
 * One check of one Group Replication member, as the monitoring account (PROCESS, REPLICATION CLIENT on *.*,
 * SELECT on performance_schema.*): two queries on one kept-open connection per member.
 *
 * The query texts are exported constants: the Group Replication simulator (tests/sim/group-replication.ts)
 * answers exactly these, so the worker and the simulator cannot drift apart.
 *
 * Lag: the oldest transaction a group_replication_applier worker is applying right now, measured as NOW(6) minus
 * its APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP (the commit time on the member that ran it); 0 when no worker
 * is applying anything (the applier queue is drained). Both times are read on the server, but the commit time comes
 * from the originating member's clock, so clock skew between members adds to it. The primary applies nothing
 * remote, so its lag is 0.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as mysql from "mysql2";
import type { RowDataPacket } from "mysql2";
import { describeError, withTimeout, type CheckOutcome } from "./async";
import type { MysqlMember } from "./targets";
import { type VerifiedTls, verifiedTls } from "../../lib/mysqlTls";
import { ENDPOINT_FILES, mysqlTlsSchema, parseDocument } from "../../../infra/contracts/endpoints";

/** Every member of the group as this member sees it (its own row included). */
export const MEMBERS_QUERY =
  "SELECT MEMBER_ID, MEMBER_HOST, MEMBER_PORT, MEMBER_STATE, MEMBER_ROLE, MEMBER_VERSION " +
  "FROM performance_schema.replication_group_members";

/** This member's own figures, one row. NULL columns: Group Replication is not running (no stats row). */
export const LOCAL_QUERY = [
  "SELECT @@global.server_uuid AS server_uuid,",
  "@@global.innodb_buffer_pool_size AS buffer_pool_size,",
  "(SELECT VARIABLE_VALUE FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Threads_running') AS threads_running,",
  "(SELECT VARIABLE_VALUE FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Threads_connected') AS threads_connected,",
  "(SELECT VARIABLE_VALUE FROM performance_schema.global_status WHERE VARIABLE_NAME = 'Innodb_buffer_pool_bytes_data') AS buffer_pool_bytes_data,",
  // Active connections as the seed counts them: non-sleeping client threads (not this check, not system threads).
  "(SELECT COUNT(*) FROM performance_schema.processlist WHERE COMMAND NOT IN ('Sleep', 'Daemon') AND USER <> 'system user' AND ID <> CONNECTION_ID()) AS active_connections,",
  "(SELECT COUNT_TRANSACTIONS_IN_QUEUE FROM performance_schema.replication_group_member_stats WHERE MEMBER_ID = @@global.server_uuid) AS transactions_in_queue,",
  "(SELECT COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE FROM performance_schema.replication_group_member_stats WHERE MEMBER_ID = @@global.server_uuid) AS applier_queue,",
  "(SELECT COUNT_CONFLICTS_DETECTED FROM performance_schema.replication_group_member_stats WHERE MEMBER_ID = @@global.server_uuid) AS conflicts_detected,",
  "(SELECT COUNT_TRANSACTIONS_CHECKED FROM performance_schema.replication_group_member_stats WHERE MEMBER_ID = @@global.server_uuid) AS transactions_checked,",
  "(SELECT COALESCE(MAX(TIMESTAMPDIFF(MICROSECOND, APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP, NOW(6))), 0) / 1000000",
  "FROM performance_schema.replication_applier_status_by_worker WHERE CHANNEL_NAME = 'group_replication_applier'",
  "AND APPLYING_TRANSACTION <> '' AND UNIX_TIMESTAMP(APPLYING_TRANSACTION_ORIGINAL_COMMIT_TIMESTAMP) > 0) AS lag_seconds",
].join(" ");

/** The Group Replication member states (MEMBER_STATE). */
export const MEMBER_STATES = ["ONLINE", "RECOVERING", "UNREACHABLE", "OFFLINE", "ERROR"] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

export interface GroupMemberRow {
  memberId: string;
  host: string;
  port: number;
  state: MemberState;
  /** PRIMARY, SECONDARY, or "" when not ONLINE. */
  role: string;
  version: string;
}

export interface MemberObservation {
  serverUuid: string;
  /** replication_group_members as this member sees it. */
  view: GroupMemberRow[];
  /** This member's own state: its row in its own view; OFFLINE when it has none (Group Replication stopped). */
  selfState: MemberState;
  threadsRunning: number;
  threadsConnected: number;
  activeConnections: number;
  bufferPoolDataBytes: number;
  bufferPoolSizeBytes: number;
  /** Certifier queue; null when Group Replication is not running. */
  transactionsInQueue: number | null;
  applierQueue: number | null;
  conflictsDetected: number | null;
  transactionsChecked: number | null;
  lagSeconds: number;
}

function num(value: unknown, column: string): number | null {
  if (value === null || value === undefined || value === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`column ${column} is not a number`);
  return n;
}

function required(value: unknown, column: string): number {
  const n = num(value, column);
  if (n === null) throw new Error(`column ${column} is NULL`);
  return n;
}

function memberState(value: unknown): MemberState {
  const s = String(value ?? "").toUpperCase();
  // Anything unexpected counts as ERROR: never as ONLINE.
  return (MEMBER_STATES as readonly string[]).includes(s) ? (s as MemberState) : "ERROR";
}

/** Pure: the rows of MEMBERS_QUERY and LOCAL_QUERY as one observation. */
export function parseObservation(
  members: Record<string, unknown>[],
  local: Record<string, unknown>,
): MemberObservation {
  const serverUuid = String(local.server_uuid ?? "");
  const view: GroupMemberRow[] = members
    // A stopped member shows one row with an empty host; it is not a member of any group view.
    .filter((r) => String(r.MEMBER_HOST ?? "") !== "")
    .map((r) => ({
      memberId: String(r.MEMBER_ID ?? ""),
      host: String(r.MEMBER_HOST),
      port: required(r.MEMBER_PORT, "MEMBER_PORT"),
      state: memberState(r.MEMBER_STATE),
      role: String(r.MEMBER_ROLE ?? ""),
      version: String(r.MEMBER_VERSION ?? ""),
    }));
  const own = members.find((r) => String(r.MEMBER_ID ?? "") === serverUuid);
  return {
    serverUuid,
    view,
    selfState: own ? memberState(own.MEMBER_STATE) : "OFFLINE",
    threadsRunning: required(local.threads_running, "threads_running"),
    threadsConnected: required(local.threads_connected, "threads_connected"),
    activeConnections: required(local.active_connections, "active_connections"),
    bufferPoolDataBytes: required(local.buffer_pool_bytes_data, "buffer_pool_bytes_data"),
    bufferPoolSizeBytes: required(local.buffer_pool_size, "buffer_pool_size"),
    transactionsInQueue: num(local.transactions_in_queue, "transactions_in_queue"),
    applierQueue: num(local.applier_queue, "applier_queue"),
    conflictsDetected: num(local.conflicts_detected, "conflicts_detected"),
    transactionsChecked: num(local.transactions_checked, "transactions_checked"),
    lagSeconds: num(local.lag_seconds, "lag_seconds") ?? 0,
  };
}

export interface MysqlCheckerOptions {
  user: string;
  password: string;
  timeoutMs: number;
  /**
   * TLS: reads the CA certificate (PEM) every member's certificate is verified against, with the address dialled.
   * Called at each new connection, so a rotated CA (the endpoints ConfigMap swapped by the kubelet) applies without
   * a restart.
   * @default plain TCP (the simulator only: members require TLS)
   */
  ca?: () => string;
}

/** The CA of the endpoints' mysql-tls.json in `endpointsDir`; throws naming the file. */
export function endpointsCa(endpointsDir: string): string {
  const file = join(endpointsDir, ENDPOINT_FILES.mysqlTls);
  return parseDocument(mysqlTlsSchema, file, readFileSync(file, "utf8")).ca;
}

/**
 * Checks members over one kept-open connection each. Any error or timeout destroys that connection; the next check
 * reconnects (connectTimeout = the check timeout), so a member that stops accepting connections fails every check.
 */
export class MysqlChecker {
  private readonly connections = new Map<string, mysql.Connection>();

  constructor(private readonly options: MysqlCheckerOptions) {}

  async check(member: Pick<MysqlMember, "host" | "port">): Promise<CheckOutcome<MemberObservation>> {
    const key = `${member.host}:${member.port}`;
    const started = performance.now();
    let conn = this.connections.get(key);
    if (conn === undefined) {
      let tls: VerifiedTls | undefined;
      try {
        tls = this.options.ca === undefined ? undefined : verifiedTls(this.options.ca(), member.host, member.port);
      } catch (e) {
        return { ok: false, error: `cannot read the CA: ${describeError(e)}`, ms: performance.now() - started };
      }
      conn = mysql.createConnection({
        host: member.host,
        port: member.port,
        user: this.options.user,
        password: this.options.password,
        connectTimeout: this.options.timeoutMs,
        ...(tls ?? {}),
        // No prepared statements here; the default (16000) preallocates ~0.5 MB of cache per connection.
        maxPreparedStatements: 1,
      });
      const created = conn;
      // A fatal error between checks (server gone) just drops the connection; the next check reports it.
      created.on("error", () => this.drop(key, created));
      this.connections.set(key, conn);
    }
    const c = conn;
    try {
      const value = await withTimeout(this.query(c), this.options.timeoutMs, () => this.drop(key, c));
      return { ok: true, value, ms: performance.now() - started };
    } catch (e) {
      this.drop(key, c);
      return { ok: false, error: describeError(e), ms: performance.now() - started };
    }
  }

  private async query(conn: mysql.Connection): Promise<MemberObservation> {
    const p = conn.promise();
    const [members] = await p.query<RowDataPacket[]>(MEMBERS_QUERY);
    const [local] = await p.query<RowDataPacket[]>(LOCAL_QUERY);
    if (local.length !== 1) throw new Error(`the local query returned ${local.length} rows`);
    return parseObservation(members, local[0]!);
  }

  private drop(key: string, conn: mysql.Connection): void {
    if (this.connections.get(key) === conn) this.connections.delete(key);
    conn.destroy();
  }

  /** Drops connections to members no longer in the targets. */
  retain(keep: ReadonlySet<string>): void {
    for (const [key, conn] of this.connections) if (!keep.has(key)) this.drop(key, conn);
  }

  get openConnections(): number {
    return this.connections.size;
  }

  close(): void {
    for (const [key, conn] of this.connections) this.drop(key, conn);
  }
}
