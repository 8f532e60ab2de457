/**
 * Benchmark of @gamedb/client (issue 14) against bare mysql2 pools to the same servers, on real MariaDB 10.11
 * STAND-INS started here (clientBenchFleet.ts) and stopped at the end, on an error and on SIGINT/SIGTERM.
 *
 *   npm run bench:client                                   8 shards, concurrency 1 and 16 (~40 s on 2 idle cores)
 *   npm run bench:client -- --rounds 12 --requests 2000 --concurrency 1,4,16
 *   npm run bench:client -- --json                         the figures as JSON on stdout (progress on stderr)
 *   npm run bench:client -- --json client-bench.json       the text report, and the JSON written to the file
 *
 * 1. Single key, on shard 1's server: every measured key is owned by shard 1, so the client and the bare pool hit
 *    the same server with the same statement and the same pool size; the difference is the client's own work
 *    (key slot, routing, the fence wrapper for writes, the shard's pool bookkeeping, and its use of
 *    getConnection + query + release where the bare side calls pool.query). Point read by primary key
 *    (client.read strong -> rw pool, eventual -> ro pool; both ports lead to the same stand-in) and the players
 *    upsert of PlayerStore.savePlayer through the fence triggers (both sides fire them).
 * 2. Scatter over every shard: client.scatter of a name-prefix search (ORDER BY player_id LIMIT 100, joined with
 *    the fence) against the same statement through one bare pool per shard, fanned out IN PARALLEL (the fair
 *    baseline: per request the slowest of the shards' latencies) and, for context, run SEQUENTIALLY (the sum).
 *
 * Closed loop: C workers each issue the next request when their last one answered. Each variant first runs a
 * warm-up (connections opened, code compiled); then every round runs each variant for N requests, in an order that
 * rotates per round, so machine noise hits every variant alike. Latencies from process.hrtime.bigint(). The client
 * runs from source through tsx, as in the tests: esbuild's keepNames adds a defineProperty to every named closure
 * created per call (~0.3 µs each), which the tsc-built package does not pay.
 */
import * as os from "node:os";
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import type * as mysql from "mysql2/promise";
import { GameDbClient } from "../../../client/src";
import { ownedSlotsJoin } from "../../../infra/contracts/slotFence";
import { keySlot } from "../../../infra/contracts/slots";
import type { MariaDbFleet } from "../../lib/standins/mariadb";
import { BenchFleet, DATABASE, LOCATION, SYLLABLES, USER, barePool, nameOf, startBenchFleet } from "./clientBenchFleet";
import * as stats from "../../lib/bench/stats";

const READ_SQL =
  "SELECT player_id, name, level, experience, location_data, last_updated FROM players WHERE player_id = ?";
// PlayerStore.savePlayer's statement (client/examples/players/playerStore.ts).
const UPSERT_SQL = `INSERT INTO players (player_id, gamedb_slot, name, level, experience, location_data, last_updated)
       VALUES (?, ?, ?, ?, ?, ?, NOW())
       ON DUPLICATE KEY UPDATE name = VALUES(name), level = VALUES(level), experience = VALUES(experience),
         location_data = VALUES(location_data), last_updated = NOW()`;
// PlayerStore.searchPlayersByName's statement.
const SEARCH_SQL = `SELECT p.player_id, p.name, p.level FROM players AS p ${ownedSlotsJoin("p")}
       WHERE p.name LIKE ? ORDER BY p.player_id LIMIT ?`;
const MEASURED_SHARD = 1;
const STRONG = { consistency: "strong" } as const;
const EVENTUAL = { consistency: "eventual" } as const;

interface Options {
  shards: string;
  rounds: string;
  requests: string;
  concurrency: string;
  warmup: string;
  pool: string;
  players: string;
  keys: string;
  scatterRequests: string;
  scatterConcurrency: string;
  limit: string;
  json?: string | boolean;
}

/** A request; it may return extra figures (µs) of its own, named by the variant's `extras`. */
interface Variant {
  name: string;
  extras?: string[];
  op(i: number): Promise<readonly number[] | void>;
}

interface Series {
  /** Each request's time from issue to answer (µs), rounds one after another. */
  wallUs: Float64Array;
  extras: Float64Array[];
  roundWallNs: number[];
  /** This process's CPU time (user + system, µs) over the rounds: the client's work shows here first. */
  cpuUs: number;
}

const now = process.hrtime.bigint;

/** N requests from C workers; fills `series` from `offset`, returns the wall time (ns). */
async function closedLoop(v: Variant, n: number, concurrency: number, series?: Series, offset = 0): Promise<number> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const t0 = now();
      const extra = await v.op(i);
      const t = Number(now() - t0) / 1000;
      if (!series) continue;
      series.wallUs[offset + i] = t;
      extra?.forEach((x, k) => (series.extras[k]![offset + i] = x));
    }
  };
  const start = now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return Number(now() - start);
}

async function measure(
  variants: Variant[],
  p: { rounds: number; requests: number; concurrency: number; warmup: number },
): Promise<Map<string, Series>> {
  const out = new Map<string, Series>();
  for (const v of variants) {
    await closedLoop(v, p.warmup, p.concurrency);
    const size = p.rounds * p.requests;
    out.set(v.name, {
      wallUs: new Float64Array(size),
      extras: (v.extras ?? []).map(() => new Float64Array(size)),
      roundWallNs: [],
      cpuUs: 0,
    });
  }
  for (let r = 0; r < p.rounds; r++) {
    for (const v of stats.rotation(variants, r)) {
      const s = out.get(v.name)!;
      const cpu = process.cpuUsage();
      s.roundWallNs.push(await closedLoop(v, p.requests, p.concurrency, s, r * p.requests));
      const used = process.cpuUsage(cpu);
      s.cpuUs += used.user + used.system;
    }
  }
  return out;
}

const totalNs = (s: Series) => s.roundWallNs.reduce((a, b) => a + b, 0);
const summaryOf = (s: Series) => ({
  ...stats.summarize(s.wallUs, totalNs(s)),
  cpuUsPerOp: s.cpuUs / s.wallUs.length,
});
async function singleKeyPhase(
  client: GameDbClient,
  pool: mysql.Pool,
  keys: readonly bigint[],
  p: { rounds: number; requests: number; concurrency: number; warmup: number },
): Promise<stats.PhaseResult> {
  const names = keys.map(nameOf);
  let sequence = 0n; // every write changes the row, on both sides alike
  const upsertParams = (i: number) => {
    const k = i % keys.length;
    return [keys[k]!, keySlot(keys[k]!), names[k]!, (i % 60) + 1, ++sequence, LOCATION];
  };
  const key = (i: number) => keys[i % keys.length]!;
  const reads: Variant[] = [
    { name: "read  bare pool", op: (i) => pool.query(READ_SQL, [key(i)]).then(() => undefined) },
    { name: "read  client strong", op: (i) => client.read(key(i), READ_SQL, [key(i)], STRONG).then(() => undefined) },
    {
      name: "read  client eventual",
      op: (i) => client.read(key(i), READ_SQL, [key(i)], EVENTUAL).then(() => undefined),
    },
  ];
  const writes: Variant[] = [
    { name: "write bare pool", op: (i) => pool.query(UPSERT_SQL, upsertParams(i)).then(() => undefined) },
    { name: "write client", op: (i) => client.write(key(i), UPSERT_SQL, upsertParams(i)).then(() => undefined) },
  ];
  // Reads and writes apart: a read round right after a write round would pay for the writes' background work.
  const series = new Map([...(await measure(reads, p)), ...(await measure(writes, p))]);
  const summaries = Object.fromEntries([...series].map(([name, s]) => [name, summaryOf(s)]));
  const side = (name: string): [string, Float64Array, stats.Summary] => [
    name,
    series.get(name)!.wallUs,
    summaries[name]!,
  ];
  return {
    concurrency: p.concurrency,
    summaries,
    comparisons: [
      stats.compare("read strong / bare", side("read  client strong"), side("read  bare pool"), p.rounds),
      stats.compare("read eventual / bare", side("read  client eventual"), side("read  bare pool"), p.rounds),
      stats.compare("write / bare", side("write client"), side("write bare pool"), p.rounds),
    ],
  };
}

async function scatterPhase(
  client: GameDbClient,
  pools: Map<number, mysql.Pool>,
  limit: number,
  p: { rounds: number; requests: number; concurrency: number; warmup: number },
): Promise<stats.PhaseResult> {
  const shardPools = [...pools.values()];
  const params = (i: number) => [`${SYLLABLES[i % SYLLABLES.length]}%`, limit];
  const orderBy = [{ column: "player_id" }];
  const timed = async (pool: mysql.Pool, args: unknown[]) => {
    const t0 = now();
    await pool.query(SEARCH_SQL, args);
    return Number(now() - t0) / 1000;
  };
  let rowsSeen = 0;
  const variants: Variant[] = [
    {
      name: "client scatter",
      op: async (i) => {
        const r = await client.scatter(SEARCH_SQL, params(i), { limit, orderBy });
        rowsSeen = r.rows.length;
      },
    },
    {
      name: "bare parallel fan-out",
      extras: ["slowest shard"],
      op: async (i) => {
        const args = params(i);
        return [Math.max(...(await Promise.all(shardPools.map((pool) => timed(pool, args)))))];
      },
    },
    {
      name: "bare sequential",
      extras: ["sum", "slowest shard"],
      op: async (i) => {
        const args = params(i);
        const each: number[] = [];
        for (const pool of shardPools) each.push(await timed(pool, args));
        return [each.reduce((a, b) => a + b, 0), Math.max(...each)];
      },
    },
  ];
  const series = await measure(variants, p);
  if (rowsSeen !== limit) {
    throw new Error(
      `the scatter returned ${rowsSeen} rows, not --limit ${limit}: raise --players (a name prefix matches about ` +
        `1/${SYLLABLES.length} of a shard's players) or lower --limit`,
    );
  }
  const get = (name: string) => series.get(name)!;
  const rows: [string, Float64Array, stats.Summary][] = [
    ["client scatter", get("client scatter").wallUs, summaryOf(get("client scatter"))],
    ["bare parallel: slowest shard", get("bare parallel fan-out").extras[0]!, summaryOf(get("bare parallel fan-out"))],
    ["bare parallel: fan-out wall", get("bare parallel fan-out").wallUs, summaryOf(get("bare parallel fan-out"))],
    ["bare sequential: sum", get("bare sequential").extras[0]!, summaryOf(get("bare sequential"))],
    ["bare sequential: slowest shard", get("bare sequential").extras[1]!, summaryOf(get("bare sequential"))],
  ];
  // Latency figures from each row's samples; throughput is the variant's (one request = the whole fan-out).
  const summaries = Object.fromEntries(
    rows.map(([name, samples, s]) => [
      name,
      { ...stats.summarize(samples, 0), opsPerSec: s.opsPerSec, cpuUsPerOp: s.cpuUsPerOp },
    ]),
  );
  const side = (i: number): [string, Float64Array, stats.Summary] => [
    rows[i]![0],
    rows[i]![1],
    summaries[rows[i]![0]]!,
  ];
  return {
    concurrency: p.concurrency,
    summaries,
    comparisons: [
      stats.compare("scatter / slowest shard (parallel)", side(0), side(1), p.rounds),
      stats.compare("scatter / bare fan-out wall", side(0), side(2), p.rounds),
      stats.compare("scatter / sequential sum", side(0), side(3), p.rounds),
    ],
  };
}

function machine() {
  const cpus = os.cpus();
  return { cores: cpus.length, cpu: cpus[0]?.model ?? "?", loadavg: os.loadavg().map((x) => +x.toFixed(2)) };
}

function printPhase(title: string, r: stats.PhaseResult): void {
  console.log(`\n${title}, concurrency ${r.concurrency}\n${stats.formatPhase(r)}`);
}

async function main(argv: string[]): Promise<void> {
  const opts = new Command("client-bench")
    .option("--shards <n>", "stand-in shards (servers) for the scatter", "8")
    .option("--rounds <n>", "interleaved rounds per phase", "20")
    .option("--requests <n>", "single-key requests per variant per round", "750")
    .option("--concurrency <list>", "single-key phases: concurrent workers (closed loop), comma-separated", "1,16")
    .option("--warmup <n>", "requests per variant before the rounds", "300")
    .option("--pool <n>", "connectionLimit of every pool, the client's and the bare ones", "8")
    .option("--players <n>", "players seeded per shard", "3000")
    .option("--keys <n>", "distinct keys of the single-key phases (all on shard 1)", "1000")
    .option("--scatter-requests <n>", "scatters per variant per round", "60")
    .option("--scatter-concurrency <n>", "concurrent scatters", "1")
    .option("--limit <n>", "the scatter's LIMIT", "100")
    .option("--json [file]", "the figures as JSON: to the file, or alone on stdout without one")
    .parse(argv, { from: "user" })
    .opts<Options>();
  const n = (name: keyof Options & string, flag: string) => stats.intOption(flag, String(opts[name]));
  const shards = n("shards", "shards");
  const rounds = n("rounds", "rounds");
  const pool = n("pool", "pool");
  const players = n("players", "players");
  const keyCount = n("keys", "keys");
  const limit = n("limit", "limit");
  if (keyCount > players) throw new Error(`--keys (${keyCount}) must not exceed --players (${players})`);
  const single = { rounds, requests: n("requests", "requests"), warmup: stats.intOption("warmup", opts.warmup, 0) };
  const levels = stats.intListOption("concurrency", opts.concurrency);
  const scatter = {
    rounds,
    requests: n("scatterRequests", "scatter-requests"),
    concurrency: n("scatterConcurrency", "scatter-concurrency"),
    warmup: Math.ceil(single.warmup / 10),
  };
  const jsonOnly = opts.json === true;
  const log = (line: string) => (jsonOnly ? console.error(line) : console.log(line));

  const atStart = machine();
  let fleet: MariaDbFleet | undefined;
  let client: GameDbClient | undefined;
  const pools = new Map<number, mysql.Pool>();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await client?.close().catch(() => undefined);
      await Promise.all([...pools.values()].map((p) => p.end().catch(() => undefined)));
      await fleet?.stopAll();
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the stand-ins`);
    void stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    log(`starting ${shards} MariaDB stand-ins, seeding ${players} players each...`);
    const bench: BenchFleet = await startBenchFleet(shards, players, (f) => (fleet = f));
    client = new GameDbClient({
      endpoints: bench.doc,
      user: USER,
      database: DATABASE,
      pool: { connectionLimit: pool },
    });
    for (const s of bench.shards) pools.set(s, barePool(bench.port(s), pool));
    const keys = bench.keys.get(MEASURED_SHARD)!.slice(0, keyCount);
    if (keys.some((k) => client!.shardOf(k) !== MEASURED_SHARD)) throw new Error("a measured key is off shard 1");

    const phases: stats.PhaseResult[] = [];
    for (const concurrency of levels) {
      log(
        `single key, concurrency ${concurrency}: ${rounds} rounds x ${single.requests} requests, 3 read and 2 write variants...`,
      );
      phases.push(await singleKeyPhase(client, pools.get(MEASURED_SHARD)!, keys, { ...single, concurrency }));
    }
    log(`scatter over ${shards} shards: ${rounds} rounds x ${scatter.requests} requests x 3 variants...`);
    const scattered = await scatterPhase(client, pools, limit, scatter);
    const atEnd = machine();
    const context = {
      node: process.version,
      mariadb: bench.mariadbVersion,
      cores: atStart.cores,
      cpu: atStart.cpu,
      loadavgStart: atStart.loadavg,
      loadavgEnd: atEnd.loadavg,
      shards,
      poolConnectionLimit: pool,
      rounds,
      requests: single.requests,
      warmup: single.warmup,
      playersPerShard: players,
      keys: keyCount,
      scatter: { requests: scatter.requests, concurrency: scatter.concurrency, limit },
    };
    const report = { context, singleKey: phases, scatter: scattered };
    if (jsonOnly) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(
        `\nmachine: ${context.cores} cores (${context.cpu}), load average ${atStart.loadavg.join(" ")} at start, ` +
          `${atEnd.loadavg.join(" ")} at end; node ${context.node}; MariaDB ${context.mariadb} (stand-ins, ` +
          `flush at commit off); pools: connectionLimit ${pool} on both sides`,
      );
      console.log(
        `single key: shard ${MEASURED_SHARD}'s server, ${keyCount} keys, ${rounds} interleaved rounds of ` +
          `${single.requests} requests per variant (after ${single.warmup} warm-up)`,
      );
      for (const r of phases) printPhase("single key", r);
      console.log(
        `\nscatter: ${shards} shards x ${players} players, name prefix LIKE 'xx%' ORDER BY player_id LIMIT ${limit}, ` +
          `${rounds} rounds of ${scatter.requests} per variant; bare fan-out runs the shards in parallel ` +
          `(baseline: per request the slowest shard) and sequentially (the sum, for context)`,
      );
      printPhase("scatter", scattered);
      console.log(`\n${stats.verdict(phases, 1.1)}`);
      const load = Math.max(atStart.loadavg[0]!, atEnd.loadavg[0]!);
      if (load > context.cores) {
        console.log(
          `note: load average ${load} on ${context.cores} cores: other processes shared the CPUs, so single ` +
            "figures are noisy; the per-round ratios (each round measured both sides back to back) show the spread",
        );
      }
    }
    if (typeof opts.json === "string") writeFileSync(opts.json, JSON.stringify(report, null, 2));
  } finally {
    await stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(2);
  });
}
