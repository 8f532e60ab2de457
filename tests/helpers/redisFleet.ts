/**
 * Real `redis-server` processes (Redis Cluster mode) on loopback ports, for tests that run the Redis scripts.
 *
 *   const fleet = await createRedisFleet({ capacity: 12, password: "..." });
 *   await fleet.start(0);                 // node 0 on fleet.port(0) = fleet.portBase
 *   await fleet.cli(0, ["CLUSTER", "NODES"]);
 *   await fleet.stop(0, "SIGKILL");       // then fleet.start(0) again: same port, same data dir (a pod restart)
 *   await fleet.stopAll();                // every process, then the data dirs
 *
 * Node i listens on portBase + i (the scripts' REDIS_PORT_STEP=1), bound to 127.0.0.1, with its cluster bus on
 * port + 10000. The whole range, bus ports included, is checked free when the fleet is created and lies below the
 * kernel's ephemeral port range (so an outgoing connection cannot take a bus port). Each node announces the host
 * name 127.0.0.1 with cluster-preferred-endpoint-type hostname, as the Kubernetes pods announce their DNS names.
 * Data dirs go under /dev/shm when it exists (cluster config saves fsync on every slot move).
 *
 * Throws, naming the package, when redis-server or redis-cli is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export interface RedisFleetOptions {
  /** How many consecutive ports (node ordinals) to reserve. */
  capacity: number;
  /** requirepass and masterauth; none: no password. */
  password?: string;
  /**
   * TLS only, as infra/redis/tls.ts configures the pods (port 0, tls-port, tls-cluster, tls-replication,
   * tls-auth-clients no): the files' paths. Nodes then announce the host name `localhost`, which the certificate
   * must name. none: plain TCP.
   */
  tls?: { certFile: string; keyFile: string; caFile: string };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RedisFleet {
  readonly portBase: number;
  readonly password: string | undefined;
  /** The directory holding every node's data dir. */
  readonly dir: string;
  port(ordinal: number): number;
  running(ordinal: number): boolean;
  /** Starts node `ordinal` (again, after stop: same port and data dir) and waits until it answers PING. */
  start(ordinal: number): Promise<void>;
  /** Sends the signal and waits for the process to exit (SIGKILL after 10 s). */
  stop(ordinal: number, signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** `redis-cli -e -p PORT ARGS...` (the password, if any, in REDISCLI_AUTH); throws on a non-zero exit. */
  cli(ordinal: number, args: string[], input?: string): Promise<string>;
  stopAll(): Promise<void>;
}

/** Throws, naming the Debian package, when redis-server or redis-cli is missing. */
export function requireRedis(): void {
  for (const program of ["redis-server", "redis-cli"]) {
    const result = spawnSync(program, ["--version"], { encoding: "utf8" });
    if (result.error) {
      const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
      throw new Error(
        missing
          ? `${program} is not installed: install the redis-server package (apt-get install redis-server), ` +
              "which brings redis-cli (redis-tools)"
          : `${program} could not run: ${result.error.message}`,
      );
    }
  }
}

/** Runs a program to completion, stdin from `input`. */
export function run(
  program: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: options.env ?? process.env, cwd: options.cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => undefined); // the program may exit before reading all of stdin
    child.stdin.end(options.input ?? "");
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The lower bound of the kernel's ephemeral (outgoing) port range; 32768 when unknown. */
function ephemeralLow(): number {
  try {
    const low = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

/** A base port such that base..base+capacity-1 and their bus ports (+10000) are free and not ephemeral. */
async function findPortBase(capacity: number): Promise<number> {
  const high = Math.min(40000, ephemeralLow() - 10000 - capacity);
  const low = Math.min(20000, high - 1000);
  if (low < 1024) throw new Error(`no room for ${capacity} Redis ports and bus ports below the ephemeral range`);
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    let free = true;
    for (let i = 0; i < capacity && free; i++) {
      free = (await portFree(base + i)) && (await portFree(base + i + 10000));
    }
    if (free) return base;
  }
  throw new Error(`no ${capacity} consecutive free ports (with bus ports) found between ${low} and ${high}`);
}

const live = new Set<ChildProcess>();
let exitHook = false;

export async function createRedisFleet(options: RedisFleetOptions): Promise<RedisFleet> {
  requireRedis();
  if (!exitHook) {
    exitHook = true;
    // Never leave servers behind when a test process dies.
    process.once("exit", () => live.forEach((child) => child.kill("SIGKILL")));
  }
  const { capacity, password, tls } = options;
  const cliTls = tls ? ["--tls", "--cacert", tls.caFile] : [];
  const portBase = await findPortBase(capacity);
  const parent = fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir();
  const dir = fs.mkdtempSync(path.join(parent, "gamedb-redis-fleet-"));
  const processes = new Map<number, ChildProcess>();
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.REDISCLI_AUTH;
  if (password !== undefined) env.REDISCLI_AUTH = password;

  const port = (ordinal: number): number => {
    if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= capacity) {
      throw new Error(`ordinal ${ordinal} is outside the fleet's ${capacity} ports`);
    }
    return portBase + ordinal;
  };

  const cli = async (ordinal: number, args: string[], input?: string): Promise<string> => {
    const result = await run("redis-cli", [...cliTls, "-e", "-p", String(port(ordinal)), ...args], { input, env });
    if (result.code !== 0) {
      throw new Error(`redis-cli -p ${port(ordinal)} ${args.join(" ")}: exit ${result.code}: ${result.stderr.trim()}`);
    }
    return result.stdout.replace(/\r/g, "");
  };

  const nodeDir = (ordinal: number): string => path.join(dir, `node-${ordinal}`);

  const start = async (ordinal: number): Promise<void> => {
    if (processes.has(ordinal)) throw new Error(`node ${ordinal} is already running`);
    const p = port(ordinal);
    const data = nodeDir(ordinal);
    fs.mkdirSync(data, { recursive: true });
    const conf = [
      ...(tls
        ? [
            "port 0",
            `tls-port ${p}`,
            `tls-cert-file ${tls.certFile}`,
            `tls-key-file ${tls.keyFile}`,
            `tls-ca-cert-file ${tls.caFile}`,
            "tls-auth-clients no",
            "tls-replication yes",
            "tls-cluster yes",
          ]
        : [`port ${p}`]),
      "bind 127.0.0.1",
      "cluster-enabled yes",
      `cluster-config-file nodes-${p}.conf`,
      `dir ${data}`,
      "appendonly yes",
      "cluster-node-timeout 2000",
      'save ""',
      "logfile redis.log",
      `cluster-announce-hostname ${tls ? "localhost" : "127.0.0.1"}`,
      "cluster-preferred-endpoint-type hostname",
      ...(password === undefined ? [] : [`requirepass ${password}`, `masterauth ${password}`]),
    ];
    // The password goes in a 0600 file, not on the command line.
    const confFile = path.join(data, "redis.conf");
    fs.writeFileSync(confFile, conf.join("\n") + "\n", { mode: 0o600 });
    const child = spawn("redis-server", [confFile], { stdio: "ignore", cwd: data });
    processes.set(ordinal, child);
    live.add(child);
    let exited: string | undefined;
    child.once("exit", (code, signal) => {
      exited = `exited (${signal ?? code})`;
      live.delete(child);
      if (processes.get(ordinal) === child) processes.delete(ordinal);
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (exited !== undefined) {
        const log = fs.existsSync(path.join(data, "redis.log"))
          ? fs.readFileSync(path.join(data, "redis.log"), "utf8").trim().split("\n").slice(-5).join("\n")
          : "";
        throw new Error(`redis-server on port ${p} ${exited} while starting:\n${log}`);
      }
      const pong = await run("redis-cli", [...cliTls, "-p", String(p), "PING"], { env });
      if (pong.stdout.trim() === "PONG") return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${p} does not answer PING after 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const stop = async (ordinal: number, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> => {
    const child = processes.get(ordinal);
    if (child === undefined) return;
    const gone = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await gone;
    clearTimeout(timer);
    processes.delete(ordinal);
  };

  const stopAll = async (): Promise<void> => {
    await Promise.all([...processes.keys()].map((ordinal) => stop(ordinal, "SIGKILL")));
    fs.rmSync(dir, { recursive: true, force: true });
  };

  return {
    portBase,
    password,
    dir,
    port,
    running: (ordinal) => processes.has(ordinal),
    start,
    stop,
    cli,
    stopAll,
  };
}
