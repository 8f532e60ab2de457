/**
 * The MODEL's ClassicSession and its result sets: mysql-shell 8.4.3 (= 8.4.8) modules/mod_mysql_session.cc
 * (ClassicSession: runSql, close, isOpen) and modules/mod_mysql_resultset.cc (ClassicResult). Not MySQL Shell.
 */
import type { ModelApi } from "./api";
import type { InstanceState } from "./fleet";
import { ER, mysqlError, shellError } from "./errors";

/** SQL that changes state (recorded as mutating). */
export const MUTATING_SQL =
  /^\s*(SET|RESTART|CREATE|ALTER|GRANT|REVOKE|DROP|INSERT|UPDATE|DELETE|INSTALL|START|STOP|RESET)\b/i;

/**
 * A row set as ClassicResult exposes it: mod_mysql_resultset.cc ClassicResult::fetch_one (null at the end),
 * fetch_all; rows are plain arrays here (upstream an indexed Row, modules/devapi/base_resultset.cc).
 */
export class ModelResult {
  private i = 0;
  constructor(private readonly rows: unknown[][]) {}
  fetchOne(): unknown[] | null {
    return this.i < this.rows.length ? this.rows[this.i++]! : null;
  }
  fetchAll(): unknown[][] {
    const rest = this.rows.slice(this.i);
    this.i = this.rows.length;
    return rest;
  }
  getAffectedItemsCount(): number {
    return 0;
  }
}

export interface Credentials {
  /** "tcp": user/password over TCP; "socket": root over the local socket (auth_socket). */
  kind: "tcp" | "socket";
  user: string;
  password?: string;
}

/** The model's ClassicSession. */
export class ModelSession {
  private closed = false;
  readonly bootId: number;
  /** SET SESSION sql_log_bin = 0: this session's writes are not binary-logged, so not replicated and no GTID. */
  noBinlog = false;

  constructor(
    private readonly api: ModelApi,
    readonly address: string,
    readonly creds: Credentials,
  ) {
    this.bootId = api.fleet.get(address).bootId;
  }

  /** Throws like a dead connection when mysqld went away or restarted since the session opened. */
  alive(): InstanceState {
    if (this.closed) throw shellError("Not connected.", undefined);
    const inst = this.api.fleet.get(this.address);
    const up = this.creds.kind === "socket" ? inst.mysqldRunning : this.api.fleet.isUp(inst);
    if (!up || inst.bootId !== this.bootId)
      throw mysqlError("Lost connection to MySQL server during query", ER.SERVER_LOST);
    return inst;
  }

  /**
   * mod_mysql_session.cc ClassicSession::run_sql; `?` placeholders are filled client-side by
   * mysqlshdk/shellcore/base_session.cc ShellBaseSession::sub_query_placeholders. The statement itself: ./sql.ts.
   */
  runSql(sql: string, args?: unknown[]): ModelResult {
    return this.api.record(
      "session.runSql",
      this.address,
      [sql, args],
      MUTATING_SQL.test(sql),
      () => this.api.runSql(this, sql, args ?? []),
      sql,
    );
  }

  close(): void {
    this.closed = true;
  }

  isOpen(): boolean {
    return !this.closed;
  }

  getUri(): string {
    return this.creds.kind === "socket" ? `root@/var/run/mysqld/mysqld.sock` : `${this.creds.user}@${this.address}`;
  }
}
