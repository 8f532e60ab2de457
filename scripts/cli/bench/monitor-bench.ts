/**
 * Benchmark of the monitoring worker (not a timed test): one worker polling every member of N simulated shards
 * (3 members each; 256 shards = 768 members) on its real interval.
 *
 *   npm run bench:monitor                                  256 shards, 10 s interval, 6 measured cycles
 *   npm run bench:monitor -- --shards 64 --cycles 3 --interval 5
 *   npm run bench:monitor -- --json monitor-bench.json     also write every figure as JSON
 *
 * The members are the Group Replication SIMULATOR (tests/sim/run-simulator.ts) in a child process, so the
 * worker's CPU figures are its own. The worker is built exactly as the CLI builds it (createWorker), and cycles
 * are started every interval, start to start, as Monitor.start() does; this loop only adds the measuring.
 *
 * Reported: the first cycle (it opens every connection) apart; then per steady cycle its duration (must be well
 * inside the interval), CPU time (process.cpuUsage, user + system) and RSS; the peak RSS; the time to render
 * /metrics. Then detection latency: members in different shards stop accepting TCP at spread-out moments of the
 * interval, and each latency runs from the moment the simulator is told to fail the member to the moment its node
 * alarm is handed to the sinks, against the bound failureThreshold x interval + checkTimeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command } from "commander";
import type { AlertEvent } from "../../apps/monitor/alerts";
import { parseConfig } from "../../apps/monitor/config";
import { memoryLogger } from "../../apps/monitor/log";
import { createWorker } from "../../apps/monitor/worker";

const ROOT = resolve(__dirname, "../../..");
// The simulator lives with the tests: this is a dev-only command, the image never ships it.
const SIM = resolve(ROOT, "tests/sim/run-simulator.ts");

interface Options {
  shards: string;
  cycles: string;
  interval: string;
  timeout: string;
  threshold: string;
  concurrency: string;
  failures: string;
  json?: string;
}

interface CycleFigures {
  cycle: number;
  ms: number;
  cpuMs: number;
  rssMiB: number;
  failedChecks: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

/** Starts the simulator child and waits for its ready message. */
async function startSimulator(
  shards: number,
  dir: string,
  interval: number,
): Promise<{ child: ChildProcess; config: string; members: number; command: (c: string) => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", SIM, "--shards", String(shards), "--dir", dir, "--interval", String(interval), "--port", "0"],
    { cwd: ROOT, env: process.env, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  let next = 0;
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const ready = new Promise<{ config: string; members: number }>((resolveReady, reject) => {
    child.once("exit", (code) => reject(new Error(`the simulator exited (${code}) before it was ready`)));
    child.on(
      "message",
      (m: { type?: string; config: string; members: number; id: number; ok: boolean; error?: string }) => {
        if (m.type === "ready") return resolveReady(m);
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (m.ok) w?.resolve();
        else w?.reject(new Error(m.error));
      },
    );
  });
  const { config, members } = await ready;
  const command = (c: string) =>
    new Promise<void>((res, rej) => {
      const id = next++;
      waiting.set(id, { resolve: res, reject: rej });
      child.send({ id, command: c });
    });
  return { child, config, members, command };
}

async function main(argv: string[]): Promise<void> {
  const opts = new Command("monitor-bench")
    .option("--shards <n>", "simulated shards (3 members each)", "256")
    .option("--cycles <n>", "steady cycles measured before the failures", "6")
    .option("--interval <s>", "intervalSeconds", "10")
    .option("--timeout <s>", "checkTimeoutSeconds", "3")
    .option("--threshold <n>", "failureThreshold", "3")
    .option("--concurrency <n>", "checks in flight", "64")
    .option("--failures <n>", "members failed (in different shards, spread over the interval)", "3")
    .option("--json <file>", "also write the figures as JSON")
    .parse(argv, { from: "user" })
    .opts<Options>();
  const [shards, cycles, interval, timeout, threshold, concurrency, failures] = [
    opts.shards,
    opts.cycles,
    opts.interval,
    opts.timeout,
    opts.threshold,
    opts.concurrency,
    opts.failures,
  ].map(Number) as [number, number, number, number, number, number, number];
  if (failures > shards) throw new Error("--failures must not exceed --shards (one failure per shard)");

  const dir = join(tmpdir(), `gamedb-monitor-bench-${process.pid}`);
  const sim = await startSimulator(shards, dir, interval);
  const written = JSON.parse(readFileSync(sim.config, "utf8")) as Record<string, unknown>;
  const config = parseConfig(
    JSON.stringify({ ...written, checkTimeoutSeconds: timeout, failureThreshold: threshold, concurrency }),
    sim.config,
  );
  const handed: { event: AlertEvent; at: number }[] = [];
  const log = memoryLogger();
  const worker = createWorker(
    config,
    { mysqlPassword: "simulator" },
    {
      log,
      extraSinks: [{ name: "bench", send: async () => undefined }],
      onEvents: (events, at) => events.forEach((event) => handed.push({ event, at })),
    },
  );
  const intervalMs = interval * 1000;
  const figures: CycleFigures[] = [];
  let peakRss = 0;
  let cycleStart = performance.now();

  const runOne = async (): Promise<CycleFigures> => {
    cycleStart = performance.now();
    const cpu = process.cpuUsage();
    const report = await worker.monitor.runCycle();
    const used = process.cpuUsage(cpu);
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    return {
      cycle: report.number,
      ms: report.durationMs,
      cpuMs: (used.user + used.system) / 1000,
      rssMiB: mib(rss),
      failedChecks: report.shards.reduce((n, s) => n + s.members.filter((m) => !m.outcome.ok).length, 0),
    };
  };
  const waitNext = () => sleep(cycleStart + intervalMs - performance.now());

  console.log(
    `monitor benchmark: ${shards} shards, ${sim.members} simulated members, interval ${interval} s, ` +
      `timeout ${timeout} s, threshold ${threshold}, concurrency ${concurrency}`,
  );
  const first = await runOne();
  await waitNext();
  for (let i = 0; i < cycles; i++) {
    figures.push(await runOne());
    if (i < cycles - 1) await waitNext();
  }

  // Detection: fail one member of each of the first `failures` shards, spread over one interval.
  const targets = Array.from({ length: failures }, (_, k) => ({ shard: `shard${k + 1}`, node: `shard${k + 1}-node1` }));
  const failedAt = new Map<string, number>();
  const injections = targets.map(async (t, k) => {
    await sleep(((k + 0.5) / failures) * intervalMs - (performance.now() - cycleStart));
    failedAt.set(t.node, Date.now());
    await sim.command(`down ${t.shard} 1`);
  });
  const bound = (threshold * interval + timeout) * 1000;
  const deadline = Date.now() + bound + 3 * intervalMs;
  const during: CycleFigures[] = [];
  const alarmOf = (node: string) =>
    handed.find(
      (h) => h.event.kind === "firing" && h.event.key.startsWith("mysql:down:") && h.event.key.endsWith(`/${node}`),
    );
  await waitNext();
  while (targets.some((t) => !alarmOf(t.node)) && Date.now() < deadline) {
    during.push(await runOne());
    await waitNext();
  }
  await Promise.all(injections);
  const latencies = targets.map((t) => {
    const alarm = alarmOf(t.node);
    return { node: t.node, ms: alarm ? alarm.at - failedAt.get(t.node)! : NaN };
  });

  const renderStart = performance.now();
  const metricsText = await worker.metrics.registry.metrics();
  const renderMs = performance.now() - renderStart;
  const statusBytes = JSON.stringify(worker.monitor.statusDocument()).length;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const maxRssMiB = mib(process.resourceUsage().maxRSS * 1024);

  await worker.close(1000);
  sim.child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });

  const ms = figures.map((f) => f.ms);
  const cpu = figures.map((f) => f.cpuMs);
  const rows: [string, string][] = [
    ["members polled per cycle", String(sim.members)],
    ["first cycle (opens every connection)", `${first.ms} ms, CPU ${first.cpuMs.toFixed(0)} ms`],
    ["steady cycle duration median / max", `${median(ms)} / ${Math.max(...ms)} ms (interval ${intervalMs} ms)`],
    ["  share of the interval (max)", `${((Math.max(...ms) / intervalMs) * 100).toFixed(1)}%`],
    ["CPU per steady cycle median / max", `${median(cpu).toFixed(0)} / ${Math.max(...cpu).toFixed(0)} ms`],
    ["  CPU share of one core (median / interval)", `${((median(cpu) / intervalMs) * 100).toFixed(2)}%`],
    ["cycles while members were failing (max)", `${Math.max(...during.map((f) => f.ms))} ms`],
    ["RSS after steady cycles / peak (maxRSS)", `${figures.at(-1)!.rssMiB} / ${maxRssMiB} MiB`],
    ["/metrics render", `${renderMs.toFixed(0)} ms, ${Math.round(metricsText.length / 1024)} KiB`],
    ["/status document", `${Math.round(statusBytes / 1024)} KiB`],
    ...latencies.map((l): [string, string] => [
      `detection latency ${l.node}`,
      Number.isNaN(l.ms) ? "NOT DETECTED" : `${(l.ms / 1000).toFixed(1)} s (bound ${bound / 1000} s)`,
    ]),
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  console.log("");
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log("");
  console.log("steady cycles:");
  console.log("  cycle      ms   cpu ms   rss MiB");
  for (const f of figures) {
    console.log(
      `  ${String(f.cycle).padStart(5)} ${String(f.ms).padStart(7)} ${f.cpuMs.toFixed(0).padStart(8)} ${String(f.rssMiB).padStart(9)}`,
    );
  }
  const ok = latencies.every((l) => l.ms <= bound) && Math.max(...ms) < intervalMs / 2;
  console.log(
    ok
      ? "\nverdict: every cycle took under half the interval; every failure was alarmed within its bound"
      : "\nverdict: NOT within bounds (see above)",
  );
  if (opts.json) {
    writeFileSync(
      opts.json,
      JSON.stringify(
        {
          shards,
          members: sim.members,
          interval,
          timeout,
          threshold,
          concurrency,
          first,
          figures,
          during,
          latencies,
          boundMs: bound,
          metricsRenderMs: renderMs,
          metricsBytes: metricsText.length,
          statusBytes,
          peakRssMiB: mib(peakRss),
          maxRssMiB,
          warnings: log.records.filter((r) => r.level !== "info").length,
        },
        null,
        2,
      ),
    );
  }
  process.exitCode = ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(2);
  });
}
