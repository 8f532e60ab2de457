/**
 * A MODEL of the MySQL Shell (8.4) scripting globals the gamedb AdminAPI scripts use: `dba` (./dba.ts), `shell`,
 * `session` (ClassicSession, ./session.ts), `Cluster` (./cluster.ts), `os`, `sys`, `println`. It is not MySQL Shell:
 * each function checks the preconditions and raises the errors documented for (or found in the source of) mysqlsh,
 * then changes the model fleet (./fleet.ts). Every call is recorded, marked mutating or not, so tests can assert what
 * a script did.
 *
 * Where the model had to choose (behaviour not confirmed from the mysqlsh source or docs), the choice is the stricter
 * one and is marked "model assumption".
 *
 * SQL: session.runSql understands only the statements the scripts send (./sql.ts).
 */
import type { ApiCall } from "./calls";
import { dbaGlobal } from "./dba";
import { ER, ModelShellError, argumentError, asThrown, mysqlError, shellError } from "./errors";
import { acceptsPassword, userKey } from "./fleet";
import type { Fleet, InstanceState } from "./fleet";
import { describeTarget, hostPort, redactCd } from "./options";
import type { Options } from "./options";
import { ModelSession } from "./session";
import type { ModelResult } from "./session";
import { runSql } from "./sql";

export type { ApiCall } from "./calls";
export { MUTATING_APIS } from "./calls";
export { ROUTER_GRANTS } from "./cluster";

export interface ModelEnvironment {
  fleet: Fleet;
  /** The Shell release imitated ("8.4.3", "8.4.8"): it decides the shape of thrown errors (errors.ts asThrown). */
  shellVersion: string;
  /** The host the script runs on ("host:3306"): where the local socket leads. */
  localAddress: string;
  files: Map<string, string>;
  argv: string[];
  /** Where calls are recorded. */
  calls: ApiCall[];
  /** What println/print wrote, one entry per call. */
  output: string[];
}

/** The globals a script sees, over one fleet. */
export class ModelApi {
  readonly fleet: Fleet;
  private globalSession: ModelSession | null = null;
  private seq = 0;
  private depth = 0;

  constructor(readonly env: ModelEnvironment) {
    this.fleet = env.fleet;
  }

  print(...parts: unknown[]): void {
    this.env.output.push(parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" "));
  }

  record<T>(api: string, target: string | undefined, args: unknown[], mutating: boolean, fn: () => T, sql?: string): T {
    const call: ApiCall = { seq: ++this.seq, api, target, args, mutating };
    if (sql !== undefined) call.sql = sql;
    this.env.calls.push(call);
    this.depth++;
    try {
      return fn();
    } catch (e) {
      call.error = e instanceof Error ? e.message : String(e);
      // The script sees the error as the modelled Shell release throws it; calls nested in a call see the model's.
      throw this.depth === 1 ? asThrown(e, this.env.shellVersion) : e;
    } finally {
      this.depth--;
    }
  }

  // ---- connections ----

  /**
   * Opens a session from connection data (a dict, or "user[:password]@host:port"), as modules/mod_utils.cc
   * establish_session does: MySQL errors 1045/2002/2003 keep their codes (Exception::mysql_error_with_code_and_state).
   * Model assumption: root authenticates with auth_socket, so only over the local socket.
   */
  open(cd: unknown, password?: unknown): ModelSession {
    let data: Options;
    if (typeof cd === "string") {
      const m = /^(?:mysql:\/\/)?([^:@]+)(?::([^@]*))?@([A-Za-z0-9._-]+)(?::([0-9]+))?$/.exec(cd);
      if (!m) throw argumentError(`Invalid URI: ${cd}`);
      data = { user: m[1], password: m[2], host: m[3], port: m[4] ? Number(m[4]) : 3306 };
    } else if (cd && typeof cd === "object") {
      data = { ...(cd as Options) };
      const bad = Object.keys(data).filter(
        (k) => !["scheme", "host", "port", "user", "password", "socket"].includes(k),
      );
      if (bad.length > 0) throw argumentError(`Invalid values in connection options: ${bad.join(", ")}`);
    } else throw argumentError("Invalid connection options, expected either a URI or a Connection Options Dictionary");
    if (password !== undefined) data.password = password;
    if (data.scheme !== undefined && data.scheme !== "mysql")
      throw argumentError(`Invalid scheme: ${String(data.scheme)}`);
    const user = String(data.user ?? "root");

    if (data.socket !== undefined) {
      const inst = this.fleet.get(this.env.localAddress);
      if (!inst.mysqldRunning)
        throw mysqlError(
          `Can't connect to local MySQL server through socket '${String(data.socket)}' (2)`,
          ER.CONNECTION_ERROR,
        );
      if (user !== "root") {
        const u = inst.users.get(userKey(user, "localhost")) ?? inst.users.get(userKey(user, "%"));
        if (!acceptsPassword(u, data.password))
          throw mysqlError(`Access denied for user '${user}'@'localhost' (using password: YES)`, ER.ACCESS_DENIED);
        return new ModelSession(this, inst.address, { kind: "tcp", user, password: String(data.password) });
      }
      return new ModelSession(this, inst.address, { kind: "socket", user: "root" });
    }

    const address = `${String(data.host)}:${String(data.port ?? 3306)}`;
    if (!this.fleet.has(address) || !this.fleet.isUp(this.fleet.get(address)))
      throw mysqlError(`Can't connect to MySQL server on '${address}' (113)`, ER.CONN_HOST_ERROR);
    const inst = this.fleet.get(address);
    const usingPw = data.password !== undefined && data.password !== "" ? "YES" : "NO";
    // root authenticates with auth_socket: never over TCP.
    const u = user === "root" ? undefined : inst.users.get(userKey(user, "%"));
    if (!acceptsPassword(u, data.password))
      throw mysqlError(
        `Access denied for user '${user}'@'${this.env.localAddress.split(":")[0]}' (using password: ${usingPw})`,
        ER.ACCESS_DENIED,
      );
    return new ModelSession(this, address, { kind: "tcp", user, password: String(data.password) });
  }

  requireSession(fn: string): ModelSession {
    if (!this.globalSession)
      throw shellError(`${fn}: An open session is required to perform this operation.`, undefined);
    return this.globalSession;
  }

  /** Resolves the instance a dba function acts on: the global session's, or the one `instance` names. */
  targetOf(fn: string, instance: unknown): { inst: InstanceState; session: ModelSession } {
    if (instance === undefined || instance === null || instance === "") {
      const s = this.requireSession(fn);
      return { inst: s.alive(), session: s };
    }
    const g = this.globalSession;
    const cd =
      typeof instance === "string" && !instance.includes("@") && g && g.creds.kind === "tcp"
        ? { user: g.creds.user, password: g.creds.password, ...hostPort(instance) }
        : instance;
    const s = this.open(cd);
    return { inst: s.alive(), session: s };
  }

  runSql(s: ModelSession, sql: string, args: unknown[]): ModelResult {
    return runSql(this, s, sql, args);
  }

  // ---- the script globals ----

  globals(): Record<string, unknown> {
    // mysql-shell 8.4.3 (= 8.4.8) modules/mod_shell.cc: Shell::connect (sets the global session and closes the
    // previous one: src/mysqlsh/mysql_shell.cc Mysql_shell::connect), Shell::open_session (a session that is not the
    // global one), Shell::get_session; the connection itself: modules/mod_utils.cc establish_session (./api.ts open).
    const shell = {
      connect: (cd: unknown, password?: unknown) =>
        this.record("shell.connect", describeTarget(cd, this.env.localAddress), [redactCd(cd)], false, () => {
          const s = this.open(cd, password);
          this.globalSession = s;
          return s;
        }),
      openSession: (cd: unknown, password?: unknown) =>
        this.record("shell.openSession", describeTarget(cd, this.env.localAddress), [redactCd(cd)], false, () =>
          this.open(cd, password),
        ),
      getSession: () => this.record("shell.getSession", undefined, [], false, () => this.globalSession),
    };

    const dba = dbaGlobal(this);

    // modules/mod_os.cc Os::sleep (seconds; here one model tick), Os::load_text_file (throws on a missing file).
    const os = {
      sleep: (seconds: unknown) =>
        this.record("os.sleep", undefined, [seconds], false, () => {
          this.fleet.tick();
        }),
      loadTextFile: (path: unknown) =>
        this.record("os.loadTextFile", undefined, [path], false, () => {
          const text = this.env.files.get(String(path));
          if (text === undefined) throw shellError(`Cannot open file '${String(path)}'`, undefined);
          return text;
        }),
    };

    // sys.argv = [script, args...] for `mysqlsh -f script args...`: mysqlshdk/shellcore/shell_options.cc (--file)
    // and base_shell.cc set_argv. println/print: 8.4.3 mysqlshdk/scripting/jscript_context.cc, 8.4.8
    // mysqlshdk/scripting/polyglot/shell_javascript.cc.
    const sys = { argv: [...this.env.argv] };
    const println = (...parts: unknown[]) => this.print(...parts);
    return { shell, dba, os, sys, println, print: println };
  }

  get currentSession(): ModelSession | null {
    return this.globalSession;
  }
}

export { ModelShellError };
