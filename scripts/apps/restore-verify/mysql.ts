/**
 * The processes of a verification: a throwaway mysqld (initialized empty, then started on a socket only) and one
 * `mysqlsh --js` run with the script on stdin. processRunner spawns the real programs; tests give stand-in
 * executables, or another MysqlRunner.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { type ShellOutcome, tail } from "./decide";

/** Where one shard's throwaway server lives; all of it is removed after the shard. */
export interface ServerDirs {
  root: string;
  data: string;
  socket: string;
  errorLog: string;
  pidFile: string;
  /** MYSQLSH_USER_CONFIG_HOME: MySQL Shell's log and history stay in the workdir too. */
  shellHome: string;
  /** secure_file_priv: an empty directory of ours, not the image's /var/lib/mysql-files. */
  files: string;
}

/** Unix socket paths are limited (108 bytes on Linux, with the terminating NUL). */
export const MAX_SOCKET_PATH = 100;

export function serverDirs(root: string): ServerDirs {
  return {
    root,
    data: join(root, "data"),
    socket: join(root, "mysqld.sock"),
    errorLog: join(root, "error.log"),
    pidFile: join(root, "mysqld.pid"),
    shellHome: join(root, "mysqlsh"),
    files: join(root, "files"),
  };
}

export interface ServerOptions {
  /** mysqld --user, when this process runs as root (mysqld refuses root without it). */
  user?: string;
  /** More server options, e.g. --innodb-buffer-pool-size=2G. */
  extra?: readonly string[];
}

/** `mysqld --initialize-insecure`: an empty data directory whose root@localhost has no password. */
export function initializeArgs(d: ServerDirs, o: ServerOptions): string[] {
  // --no-defaults first: nothing from the image's my.cnf (its datadir, socket, user) applies.
  return [
    "--no-defaults",
    "--initialize-insecure",
    `--datadir=${d.data}`,
    ...(o.user ? [`--user=${o.user}`] : []),
    `--log-error=${d.errorLog}`,
  ];
}

/** The server: socket only (no TCP, no X Protocol), no binary log, LOAD DATA LOCAL for util.loadDump. */
export function serverArgs(d: ServerDirs, o: ServerOptions): string[] {
  return [
    "--no-defaults",
    `--datadir=${d.data}`,
    `--socket=${d.socket}`,
    `--pid-file=${d.pidFile}`,
    `--log-error=${d.errorLog}`,
    `--secure-file-priv=${d.files}`,
    ...(o.user ? [`--user=${o.user}`] : []),
    "--skip-networking",
    "--skip-mysqlx",
    "--skip-log-bin",
    "--local-infile=ON",
    ...(o.extra ?? []),
  ];
}

export const SHELL_ARGS = ["--js", "--no-wizard"] as const;

export interface RunningServer {
  pid: number | undefined;
  /** SIGTERM (a clean shutdown), SIGKILL after the timeout; resolves when the process is gone. */
  stop(timeoutMs: number): Promise<void>;
}

export interface MysqlRunner {
  /** Initializes d.data; rejects with the reason. */
  initialize(d: ServerDirs): Promise<void>;
  /** Starts the server and waits until it answers on d.socket; rejects (with the server stopped) otherwise. */
  start(d: ServerDirs, timeoutMs: number): Promise<RunningServer>;
  /** Runs the script with mysqlsh; never rejects for the script's own failure (that is in the outcome). */
  shell(script: string, d: ServerDirs, timeoutMs: number): Promise<ShellOutcome>;
}

export interface ProcessRunnerOptions extends ServerOptions {
  mysqld: string;
  mysqlsh: string;
  /** The children's environment (AWS credentials for MySQL Shell come from here). */
  env: NodeJS.ProcessEnv;
}

/** Keeps the last `max` characters of a stream. */
function collect(stream: NodeJS.ReadableStream | null, max = 256 * 1024): () => string {
  let text = "";
  stream?.setEncoding("utf8");
  stream?.on("data", (chunk: string) => {
    text += chunk;
    if (text.length > max) text = text.slice(-max);
  });
  return () => text;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function errorLogTail(d: ServerDirs): string {
  try {
    return existsSync(d.errorLog) ? tail(readFileSync(d.errorLog, "utf8")) : "";
  } catch {
    return "";
  }
}

/**
 * Whether a MySQL server answers on the socket: it sends its handshake first, whose fifth byte is the protocol
 * version (10). An error packet (0xff), a refused connection or no socket yet mean: not yet.
 */
export function greets(socket: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = connect({ path: socket });
    let data = Buffer.alloc(0);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      conn.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    conn.on("data", (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 5) done(data[4] === 10);
    });
    conn.on("error", () => done(false));
    conn.on("close", () => done(false));
  });
}

function stopper(child: ChildProcess): RunningServer["stop"] {
  return async (timeoutMs) => {
    const gone = exited(child);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), timeoutMs).unref());
    if ((await Promise.race([gone, timer])) === "timeout") {
      child.kill("SIGKILL");
      await gone;
    }
  };
}

export function processRunner(o: ProcessRunnerOptions): MysqlRunner {
  return {
    async initialize(d) {
      const child = spawn(o.mysqld, initializeArgs(d, o), { env: o.env, stdio: ["ignore", "pipe", "pipe"] });
      const out = collect(child.stdout);
      const err = collect(child.stderr);
      const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
      const result = await Promise.race([exited(child), spawnError]);
      if (result instanceof Error) throw new Error(`cannot run ${o.mysqld}: ${result.message}`);
      if (result.code !== 0) {
        const why = errorLogTail(d) || tail(err() + out()) || "no output";
        throw new Error(`mysqld --initialize-insecure exited with ${result.code ?? result.signal}: ${why}`);
      }
    },

    async start(d, timeoutMs) {
      const child = spawn(o.mysqld, serverArgs(d, o), { env: o.env, stdio: ["ignore", "pipe", "pipe"] });
      const err = collect(child.stderr);
      collect(child.stdout);
      let spawnError: Error | undefined;
      child.once("error", (e) => (spawnError = e));
      const server: RunningServer = { pid: child.pid, stop: stopper(child) };
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (spawnError) throw new Error(`cannot run ${o.mysqld}: ${spawnError.message}`);
        if (child.exitCode !== null || child.signalCode !== null) {
          const why = errorLogTail(d) || tail(err()) || "no output";
          throw new Error(`mysqld exited during startup (${child.exitCode ?? child.signalCode}): ${why}`);
        }
        if (await greets(d.socket)) return server;
        if (Date.now() >= deadline) {
          await server.stop(10_000);
          const why = errorLogTail(d);
          throw new Error(
            `mysqld did not answer on ${d.socket} within ${Math.round(timeoutMs / 1000)}s${why ? `: ${why}` : ""}`,
          );
        }
        await sleep(200);
      }
    },

    async shell(script, d, timeoutMs) {
      const child = spawn(o.mysqlsh, [...SHELL_ARGS], {
        env: { ...o.env, MYSQLSH_USER_CONFIG_HOME: d.shellHome },
        stdio: ["pipe", "pipe", "pipe"],
      });
      const stdout = collect(child.stdout);
      const stderr = collect(child.stderr);
      let spawnError: Error | undefined;
      child.once("error", (e) => (spawnError = e));
      // A child that exits before reading all of stdin must not crash this process (EPIPE).
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(script);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutMs);
      const { code, signal } = await exited(child);
      clearTimeout(timer);
      if (spawnError) {
        return {
          code: null,
          signal: null,
          stdout: "",
          stderr: `cannot run ${o.mysqlsh}: ${spawnError.message}`,
          timedOut,
        };
      }
      return { code, signal, stdout: stdout(), stderr: stderr(), timedOut };
    },
  };
}
