/**
 * Benchmark of slot moves (issue 16, "Benchmark"): the mover (scripts/lib/mover) run in this process against
 * private MariaDB 10.11 STAND-INS started here (scripts/lib/mover/bench/fleet.ts) and stopped at the end, on an
 * error and on SIGINT/SIGTERM. In one run:
 *
 * 1. copy rows/s of a move of --rows players rows, once per --chunks size, idle source;
 * 2. catch-up rows/s: --catchup-changes single-row updates written while the mover is stopped, then the time until
 *    the restarted mover's stream has applied them;
 * 3. the write pause of the switch under load: --switches moves of --switch-slots-slot ranges, each switched under
 *    --writers concurrent writers on that range, as the mover reports it and as the writers saw it;
 * 4. verification seconds per million rows (RangeVerifier full passes over the first copied range);
 * 5. the fence triggers' cost: single-row and batched INSERTs into players with and without the triggers, same
 *    server, interleaved rounds.
 *
 *   npm run bench:move                                       the defaults (about 2 minutes here: 2 cores, load 5-7)
 *   npm run bench:move -- --rows 20000 --catchup-changes 10000 --switches 5 --fence-rounds 4     a quick run
 *   npm run bench:move -- --json move-bench.json            the text report, and the JSON written to the file
 *   npm run bench:move -- --json                            the figures as JSON on stdout (progress on stderr)
 */
import * as os from "node:os";
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { USAGE_EXIT, parseOptions, runMain } from "../../lib/cli";
import type { MariaDbFleet } from "../../lib/standins/mariadb";
import { measureCatchup, measureCopy, measureVerify } from "../../lib/mover/bench/copyPhases";
import { MoveBenchFleet, SOURCE, startMoveBenchFleet } from "../../lib/mover/bench/fleet";
import { measureFenceCost } from "../../lib/mover/bench/fencePhase";
import { BenchOptions, DEFAULTS, layout } from "../../lib/mover/bench/plan";
import { MoveBenchReport, formatReport } from "../../lib/mover/bench/report";
import { idsInRanges, seedPlayers } from "../../lib/mover/bench/seed";
import { SwitchSample, switchResult } from "../../lib/mover/bench/stats";
import { measureSwitch } from "../../lib/mover/bench/switchPhase";
import { startWriterProcess } from "../../lib/mover/bench/writerProcess";
import { intListOption, intOption } from "../../lib/bench/stats";

interface Flags {
  rows: string;
  chunks: string;
  catchupChanges: string;
  catchupTxn: string;
  switches: string;
  switchSlots: string;
  switchRows: string;
  writers: string;
  verifyPasses: string;
  fenceRounds: string;
  fenceSingle: string;
  fenceBatches: string;
  fenceBatchRows: string;
  bufferPool: string;
  json?: string | boolean;
  verbose?: boolean;
}

function program(): Command {
  const d = DEFAULTS;
  return new Command("move-bench")
    .description("slot-move benchmark on MariaDB stand-ins: copy, catch-up, switch pause, verification, fence cost")
    .option("--rows <n>", "players rows in each copied range", String(d.rows))
    .option("--chunks <list>", "copy chunk sizes, one copy each, comma-separated", d.chunks.join(","))
    .option(
      "--catchup-changes <n>",
      "single-row updates written while the mover is stopped (0: skip)",
      String(d.catchupChanges),
    )
    .option("--catchup-txn <n>", "updates per transaction of the catch-up's writes", String(d.catchupTxnRows))
    .option("--switches <n>", "switches measured under load (0: skip)", String(d.switches))
    .option("--switch-slots <n>", "slots per switched range", String(d.switchSlots))
    .option("--switch-rows <n>", "players rows per switched range (the writers' keys)", String(d.switchRows))
    .option("--writers <n>", "concurrent writers on each switched range", String(d.writers))
    .option(
      "--verify-passes <n>",
      "full verification passes over the first copied range (0: skip)",
      String(d.verifyPasses),
    )
    .option("--fence-rounds <n>", "interleaved rounds of the fence-trigger cost (0: skip)", String(d.fenceRounds))
    .option("--fence-single <n>", "single-row INSERTs per variant per round", String(d.fenceSingle))
    .option("--fence-batches <n>", "batched INSERTs per variant per round", String(d.fenceBatches))
    .option("--fence-batch-rows <n>", "rows per batched INSERT", String(d.fenceBatchRows))
    .option("--buffer-pool <mb>", "InnoDB buffer pool of each stand-in (MB)", String(d.bufferPoolMb))
    .option("--json [file]", "the figures as JSON: to the file, or alone on stdout without one")
    .option("--verbose", "print the mover's log lines");
}

/** The flags as checked numbers; throws naming the flag and what it accepts. */
export function benchOptions(f: Flags): BenchOptions {
  const n = (flag: string, text: string, min = 1) => intOption(flag, text, min);
  const o: BenchOptions = {
    rows: n("rows", f.rows),
    chunks: intListOption("chunks", f.chunks),
    catchupChanges: n("catchup-changes", f.catchupChanges, 0),
    catchupTxnRows: n("catchup-txn", f.catchupTxn),
    switches: n("switches", f.switches, 0),
    switchSlots: n("switch-slots", f.switchSlots),
    switchRows: n("switch-rows", f.switchRows),
    writers: n("writers", f.writers),
    verifyPasses: n("verify-passes", f.verifyPasses, 0),
    fenceRounds: n("fence-rounds", f.fenceRounds, 0),
    fenceSingle: n("fence-single", f.fenceSingle),
    fenceBatches: n("fence-batches", f.fenceBatches),
    fenceBatchRows: n("fence-batch-rows", f.fenceBatchRows),
    bufferPoolMb: n("buffer-pool", f.bufferPool, 64),
  };
  layout(o);
  return o;
}

const load1 = () => +os.loadavg()[0]!.toFixed(2);
const loads = () => os.loadavg().map((x) => +x.toFixed(2));

async function measure(
  fleet: MoveBenchFleet,
  o: BenchOptions,
  log: (line: string) => void,
  moverLog: (line: string) => void,
  loadByPart: Record<string, number>,
): Promise<Omit<MoveBenchReport, "context">> {
  const plan = layout(o);
  const seeded = idsInRanges([
    ...plan.copies.map((c) => ({ slots: c.slots, count: o.rows })),
    ...plan.switches.map((s) => ({ slots: s.slots, count: o.switchRows })),
  ]).ids;
  const copyIds = seeded.slice(0, plan.copies.length);
  const switchIds = seeded.slice(plan.copies.length);
  loadByPart.seed = load1();
  log(`seeding ${seeded.reduce((a, x) => a + x.length, 0)} players rows on shard ${SOURCE}...`);
  const conn = await fleet.root(SOURCE);
  try {
    await seedPlayers(conn, seeded.flat());
  } finally {
    await conn.end();
  }
  const out: Omit<MoveBenchReport, "context"> = {
    copies: [],
    catchup: null,
    verify: null,
    switches: null,
    fence: null,
  };
  if (o.fenceRounds > 0) {
    loadByPart.fence = load1();
    log(
      `fence triggers: ${o.fenceRounds} rounds of ${o.fenceSingle} single-row and ${o.fenceBatches} x ${o.fenceBatchRows}-row INSERTs per variant...`,
    );
    out.fence = await measureFenceCost(
      fleet,
      { rounds: o.fenceRounds, single: o.fenceSingle, batches: o.fenceBatches, batchRows: o.fenceBatchRows },
      log,
    );
  }
  for (const c of plan.copies) {
    loadByPart[`copy ${c.chunkRows}`] = load1();
    log(`copy of ${o.rows} rows, slots ${c.slots.from}-${c.slots.to}, chunk ${c.chunkRows}...`);
    out.copies.push(await measureCopy(fleet, c, o.rows, moverLog));
  }
  const first = plan.copies[0]!;
  if (o.catchupChanges > 0) {
    loadByPart["catch-up"] = load1();
    log(`catch-up: ${o.catchupChanges} updates in transactions of ${o.catchupTxnRows}, then the mover restarted...`);
    out.catchup = await measureCatchup(
      fleet,
      first,
      copyIds[0]!,
      { changes: o.catchupChanges, perTxn: o.catchupTxnRows },
      moverLog,
    );
  }
  if (o.verifyPasses > 0) {
    loadByPart.verify = load1();
    log(`verification: ${o.verifyPasses} full passes over slots ${first.slots.from}-${first.slots.to}...`);
    out.verify = await measureVerify(fleet, first, o.verifyPasses);
  }
  if (plan.switches.length > 0) {
    loadByPart.switch = load1();
    const samples: SwitchSample[] = [];
    const writers = startWriterProcess();
    try {
      for (const [k, s] of plan.switches.entries()) {
        const sample = await measureSwitch(fleet, s, switchIds[k]!, o.writers, writers, moverLog);
        samples.push(sample);
        log(
          `switch ${k + 1}/${plan.switches.length} (slots ${s.slots.from}-${s.slots.to}): pause ${sample.pauseMs.toFixed(0)} ms ` +
            `(writers ${sample.clientPauseMs.toFixed(0)} ms), ${sample.secondsToSwitch.toFixed(1)} s to switch`,
        );
      }
    } finally {
      await writers.close();
    }
    out.switches = switchResult(o.writers, samples);
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const flags = parseOptions<Flags>(
    program(),
    argv,
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
  if (typeof flags === "number") return flags;
  let o: BenchOptions;
  try {
    o = benchOptions(flags);
  } catch (e) {
    process.stderr.write(`move-bench: ${(e as Error).message}\n`);
    return USAGE_EXIT;
  }
  const jsonOnly = flags.json === true;
  const log = (line: string) => (jsonOnly ? console.error(line) : console.log(line));
  const moverLog = flags.verbose ? (line: string) => console.error(`  ${line}`) : () => undefined;
  const started = performance.now();
  const loadavgStart = loads();
  const loadByPart: Record<string, number> = {};
  let fleet: MariaDbFleet | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= fleet?.stopAll() ?? Promise.resolve());
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping the stand-ins`);
    void stop().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    log(`load average ${loadavgStart.join(" ")}; starting 3 MariaDB stand-ins...`);
    const bench = await startMoveBenchFleet({ bufferPoolMb: o.bufferPoolMb }, (f) => (fleet = f));
    const parts = await measure(bench, o, log, moverLog, loadByPart);
    const cpus = os.cpus();
    const report: MoveBenchReport = {
      context: {
        node: process.version,
        mariadb: bench.mariadbVersion,
        cores: cpus.length,
        cpu: cpus[0]?.model ?? "?",
        loadavgStart,
        loadavgEnd: loads(),
        loadByPart,
        options: o,
        seconds: (performance.now() - started) / 1000,
      },
      ...parts,
    };
    if (jsonOnly) console.log(JSON.stringify(report, null, 2));
    else console.log(`\n${formatReport(report)}`);
    if (typeof flags.json === "string") writeFileSync(flags.json, JSON.stringify(report, null, 2));
    return 0;
  } finally {
    await stop();
  }
}

runMain(module, () => main(process.argv.slice(2)));
