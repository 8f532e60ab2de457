/**
 * Runs the Group Replication SIMULATOR (group-replication.ts; not MySQL) for a local run of the monitoring worker,
 * and writes what the worker needs: an endpoints directory (members.json, and redis.json when --redis-seeds is
 * given) and a worker config.
 *
 *   npx tsx tests/sim/run-simulator.ts --shards 2 --dir /tmp/gamedb-sim
 *   GAMEDB_MONITOR_PASSWORD=simulator npm run monitor -- --config /tmp/gamedb-sim/monitor.json
 *
 * Then type commands on its stdin to script the groups (S a shard: its number, 1, or its name, shard1; I/J member
 * indexes, from 0):
 *   online S [P]       all ONLINE, member P primary        unreachable S I   member I cut off from the group
 *   primary-lost S     the primary dies, none elected yet  elect S J         the lost primary expelled, J elected
 *   quorum-lost S I    all but I die                       down S I          member I stops accepting TCP
 *   hang S I           member I accepts TCP, never answers up S              everything back, ONLINE
 *   set S I key=value  a figure, e.g. threadsRunning=8 lagSeconds=7 applierQueue=40
 *   quit
 * Started with an IPC channel (the benchmark), it takes the same commands as messages {id, command} and answers
 * {id, ok, error?}; it first sends {type: "ready", dir, config, members}.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Command } from "commander";
import { GroupReplicationSimulator, type SimFigures } from "./group-replication";

interface Options {
  shards: string;
  dir?: string;
  password: string;
  redisSeeds?: string;
  interval: string;
  port: string;
  vcpus: string;
}

/**
 * The group a command's shard argument names: its number (`1`, as the README's example types it) or its name
 * (`shard1`, as members.json and the benchmark name it).
 */
export function shardName(arg: string, names: readonly string[]): string {
  const name = /^\d+$/.test(arg) ? `shard${Number(arg)}` : arg;
  if (names.includes(name)) return name;
  const numbers = names.map((n) => n.replace(/^shard/, ""));
  throw new Error(`no simulated shard ${arg}: the shards are ${numbers.join(", ")} (or ${names.join(", ")})`);
}

export async function runCommand(sim: GroupReplicationSimulator, line: string): Promise<string> {
  const [cmd, arg, ...rest] = line.trim().split(/\s+/);
  if (!cmd) return "";
  if (arg === undefined) throw new Error(`${cmd}: which shard?`);
  const shard = shardName(
    arg,
    sim.groups.map((x) => x.name),
  );
  const g = sim.group(shard);
  const index = (s: string | undefined) => {
    const n = Number(s);
    if (s === undefined || !Number.isInteger(n)) throw new Error(`${cmd}: wants a member index`);
    return n;
  };
  switch (cmd) {
    case "online":
      await g.allOnline(rest[0] === undefined ? undefined : index(rest[0]));
      break;
    case "unreachable":
      await g.secondaryUnreachable(index(rest[0]));
      break;
    case "primary-lost":
      await g.primaryLost();
      break;
    case "elect":
      await g.electPrimary(index(rest[0]));
      break;
    case "quorum-lost":
      await g.quorumLost(index(rest[0]));
      break;
    case "down":
      await g.stopAccepting(index(rest[0]));
      break;
    case "hang":
      await g.hang(index(rest[0]));
      break;
    case "up":
      await g.restore();
      break;
    case "set": {
      const m = g.members[index(rest[0])];
      if (m === undefined) throw new Error(`set: ${shard} has no member ${rest[0]}`);
      for (const kv of rest.slice(1)) {
        const [k, v] = kv.split("=");
        if (k === undefined || !(k in m.figures) || !Number.isFinite(Number(v))) throw new Error(`set: bad ${kv}`);
        m.figures = { ...m.figures, [k as keyof SimFigures]: Number(v) };
      }
      break;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
  return `${shard}: ${cmd} done`;
}

async function main(argv: string[]): Promise<void> {
  const opts = new Command("run-simulator")
    .description("Run the Group Replication simulator and write an endpoints directory and a monitor config")
    .option("--shards <n>", "simulated shards, 3 members each", "2")
    .option("--dir <dir>", "where to write endpoints/ and monitor.json (default: a new temp dir)")
    .option("--password <pw>", "the monitoring account's password the simulator accepts", "simulator")
    .option("--redis-seeds <list>", "comma-separated host:port of a real Redis Cluster to watch too")
    .option("--interval <s>", "intervalSeconds in the written config", "10")
    .option("--port <n>", "listen.port in the written config", "9464")
    .option("--vcpus <n>", "vCPUs written for every member (0: unknown)", "4")
    .parse(argv, { from: "user" })
    .opts<Options>();
  const shards = Number(opts.shards);
  if (!Number.isInteger(shards) || shards < 1) throw new Error("--shards wants a positive whole number");
  const vcpus = Number(opts.vcpus);
  const sim = await GroupReplicationSimulator.start({
    shards,
    password: opts.password,
    vcpus: vcpus > 0 ? vcpus : null,
  });
  const dir = opts.dir ?? join(tmpdir(), `gamedb-sim-${process.pid}`);
  const endpoints = join(dir, "endpoints");
  mkdirSync(endpoints, { recursive: true });
  writeFileSync(join(endpoints, "members.json"), JSON.stringify(sim.membersJson(), null, 2));
  if (opts.redisSeeds) {
    const seeds = opts.redisSeeds.split(",").filter((s) => s !== "");
    writeFileSync(join(endpoints, "redis.json"), JSON.stringify({ engine: "kubernetes", seeds }, null, 2));
  }
  const config = join(dir, "monitor.json");
  const interval = Number(opts.interval);
  writeFileSync(
    config,
    JSON.stringify(
      {
        environment: "dev",
        endpointsDir: endpoints,
        intervalSeconds: interval,
        failureThreshold: 3,
        checkTimeoutSeconds: Math.min(3, Math.max(1, interval - 1)),
        concurrency: 64,
        thresholds: { cpuPercent: 80, bufferPoolPercent: 85, lagSeconds: 5 },
        mysql: { user: "gamedb_monitor", passwordEnv: "GAMEDB_MONITOR_PASSWORD" },
        redis: { tls: false },
        sinks: {},
        listen: { port: Number(opts.port) },
      },
      null,
      2,
    ),
  );
  const members = sim.groups.reduce((n, g) => n + g.members.length, 0);
  const shutdown = async () => {
    await sim.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());

  if (process.send) {
    process.on("message", (msg: { id: number; command: string }) => {
      runCommand(sim, msg.command).then(
        () => process.send!({ id: msg.id, ok: true }),
        (e: Error) => process.send!({ id: msg.id, ok: false, error: e.message }),
      );
    });
    process.on("disconnect", () => void shutdown());
    process.send({ type: "ready", dir, config, members });
    return;
  }
  console.log(`Group Replication simulator (not MySQL): ${shards} shards, ${members} members on 127.0.0.1`);
  console.log(`endpoints: ${endpoints}\nconfig:    ${config}\n\nrun the worker with:`);
  console.log(`  GAMEDB_MONITOR_PASSWORD=${opts.password} npm run monitor -- --config ${config}\n`);
  console.log("commands: online S [P] | unreachable S I | primary-lost S | elect S J | quorum-lost S I | down S I |");
  console.log("          hang S I | up S | set S I key=value... | quit");
  console.log(`S: a shard, 1..${shards} or shard1..shard${shards}; I, J, P: a member, 0..2   e.g. "down 1 2", "up 1"`);
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === "quit") break;
    try {
      const said = await runCommand(sim, line);
      if (said) console.log(said);
    } catch (e) {
      console.log(`error: ${(e as Error).message}`);
    }
  }
  await shutdown();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  });
}
