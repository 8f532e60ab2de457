/**
 * Private MariaDB 10.11 servers (Debian's mariadb-server) on loopback, each with its own data directory and port:
 * STAND-INS for a shard's Router endpoints, for what needs only the MySQL protocol and SQL (the client, schema
 * migrations, the slot fence, slot moves). They are not MySQL 8.4: no Group Replication, no Router. Never the
 * system service: nothing here reads /etc/mysql (--no-defaults) or touches /var/lib/mysql.
 *
 * Used by the integration tests and `npm run bench:client`.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as mysql from "mysql2/promise";

export const MARIADB_PACKAGE = "mariadb-server";

export interface MariaDbServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly dataDir: string;
  readonly running: boolean;
  /** Starts it (again, after stop: same port and data) and waits until it accepts a connection. */
  start(): Promise<void>;
  /** Sends the signal and waits for the process to exit (SIGKILL after 10 s). */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** A root connection (no password: the instance is private to this process's user and loopback). */
  connect(options?: mysql.ConnectionOptions): Promise<mysql.Connection>;
}

export interface MariaDbFleet {
  readonly servers: readonly MariaDbServer[];
  stopAll(): Promise<void>;
}

export interface FleetOptions {
  /**
   * Commit durably (flush the redo log and sync the binlog at every commit), as production does; the default
   * trades that for speed, which tests do not need.
   */
  durable?: boolean;
  /** Extra mariadbd options, such as "--max-connections=2000". */
  extraArgs?: string[];
}

/** Throws, naming the Debian package, when the MariaDB programs are missing. */
export function requireMariaDb(): void {
  for (const program of ["mariadbd", "mariadb-install-db"]) {
    const found = spawnSync("sh", ["-c", `command -v ${program} || test -x /usr/sbin/${program}`]).status === 0;
    if (!found) {
      throw new Error(
        `${program} is not installed: the stand-in tests need Debian's ${MARIADB_PACKAGE} ` +
          `(apt-get install -y ${MARIADB_PACKAGE}); npm test installs it when run as root`,
      );
    }
  }
}

const live = new Set<ChildProcess>();
let exitHook = false;
let template: string | undefined;

const parentDir = (): string => (fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir());
const isRoot = (): boolean => process.getuid?.() === 0;

const PREFIX = "gamedb-mariadb-";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** mariadbd processes a fleet directory's servers wrote (`server-<i>/mysqld.pid`). */
function serverPids(dir: string): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    try {
      const pid = Number(fs.readFileSync(path.join(dir, e, "mysqld.pid"), "utf8").trim());
      return Number.isInteger(pid) && pid > 0 ? [pid] : [];
    } catch {
      return [];
    }
  });
}

/**
 * Removes the directories of processes that are gone, after killing the servers they left running. Names carry the
 * owner's pid, because jest's test sandbox has its own `process`, whose exit hooks never run, and in /dev/shm what a
 * run leaves behind is memory until reboot. Another user's directory (a run as root) is left alone.
 */
function sweepStale(parent: string): void {
  for (const name of fs.readdirSync(parent)) {
    const owner = new RegExp(`^${PREFIX}(?:template-)?(\\d+)(?:-|$)`).exec(name);
    if (!owner || alive(Number(owner[1]))) continue;
    const dir = path.join(parent, name);
    try {
      for (const pid of serverPids(dir)) if (alive(pid)) process.kill(pid, "SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // EPERM/EACCES: not ours to remove.
    }
  }
}

/**
 * One initialised data directory per process, copied for every server (install-db takes ~2 s, a copy ~0.1 s).
 * Found by the process id, not a module variable: jest loads this module afresh for every test file.
 */
function templateDir(): string {
  if (template) return template;
  const dir = path.join(parentDir(), `${PREFIX}template-${process.pid}`);
  if (fs.existsSync(dir)) return (template = dir);
  const building = fs.mkdtempSync(`${dir}-`);
  const result = spawnSync(
    "mariadb-install-db",
    [
      "--no-defaults",
      `--datadir=${building}`,
      "--auth-root-authentication-method=normal",
      "--skip-test-db",
      "--innodb-log-file-size=16M",
      ...(isRoot() ? ["--user=root"] : []),
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) {
    fs.rmSync(building, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed (exit ${result.status}): ${result.stderr || result.stdout}`);
  }
  fs.renameSync(building, dir);
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return (template = dir);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen({ port: 0, host: "127.0.0.1" }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`mariadbd on port ${port} exited during start-up: ${fs.readFileSync(log, "utf8").slice(-2000)}`);
    }
    try {
      const conn = await mysql.createConnection({ host: "127.0.0.1", port, user: "root", connectTimeout: 1000 });
      await conn.end();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`mariadbd on port ${port} not ready in 30 s: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function createServer(root: string, serverId: number, options: FleetOptions): Promise<MariaDbServer> {
  const dataDir = path.join(root, "data");
  fs.cpSync(templateDir(), dataDir, { recursive: true });
  const port = await freePort();
  let child: ChildProcess | undefined;
  const log = path.join(root, "error.log");
  const tmpDir = path.join(root, "tmp");
  fs.mkdirSync(tmpDir, { recursive: true });
  const args = [
    "--no-defaults",
    `--datadir=${dataDir}`,
    `--port=${port}`,
    "--bind-address=127.0.0.1",
    `--socket=${path.join(root, "mysqld.sock")}`,
    `--pid-file=${path.join(root, "mysqld.pid")}`,
    `--log-error=${log}`,
    // Its own temporary directory: internal temporary tables live there, and a shared /tmp is cleaned by others.
    `--tmpdir=${tmpDir}`,
    "--skip-name-resolve",
    "--innodb-buffer-pool-size=64M",
    "--innodb-log-file-size=16M",
    // Row-based binlog with GTIDs: what the slot mover follows.
    `--server-id=${serverId}`,
    "--log-bin=binlog",
    "--binlog-format=ROW",
    "--binlog-row-image=FULL",
    "--max-connections=1000",
    ...(options.durable ? [] : ["--innodb-flush-log-at-trx-commit=2", "--sync-binlog=0"]),
    ...(isRoot() ? ["--user=root"] : []),
    ...(options.extraArgs ?? []),
  ];
  const server: MariaDbServer = {
    host: "127.0.0.1",
    port,
    dataDir,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    async start() {
      if (server.running) throw new Error(`mariadbd on port ${port} is already running`);
      const proc = spawn("mariadbd", args, { stdio: "ignore" });
      live.add(proc);
      proc.once("exit", () => live.delete(proc));
      child = proc;
      await waitReady(port, proc, log);
    },
    async stop(signal = "SIGTERM") {
      const proc = child;
      if (!proc || !server.running) return;
      const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
    connect(extra = {}) {
      return mysql.createConnection({ host: "127.0.0.1", port, user: "root", ...extra });
    },
  };
  await server.start();
  return server;
}

/** Starts `count` servers in parallel; stop them with stopAll (also killed if the process exits). */
export async function startMariaDbFleet(count: number, options: FleetOptions = {}): Promise<MariaDbFleet> {
  requireMariaDb();
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => live.forEach((proc) => proc.kill("SIGKILL")));
  }
  sweepStale(parentDir());
  templateDir();
  const dir = fs.mkdtempSync(path.join(parentDir(), `${PREFIX}${process.pid}-`));
  const roots = Array.from({ length: count }, (_, i) => path.join(dir, `server-${i}`));
  roots.forEach((r) => fs.mkdirSync(r));
  const servers = await Promise.all(roots.map((r, i) => createServer(r, i + 1, options)));
  return {
    servers,
    async stopAll() {
      await Promise.all(servers.map((s) => s.stop()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
