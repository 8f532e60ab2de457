/**
 * How the offline plan scales with the number of shards, against the floor that Pulumi's mock runtime itself sets.
 *
 *   npm run bench                                   sizes 8, 64, 256 shards (3 nodes each)
 *   npm run bench -- --sizes 8,64 --repeat 3        other sizes; median of 3 runs per measurement
 *   npm run bench -- --json bench.json              also write every run and the summary as JSON
 *
 * For each size: one fresh process runs evaluate() (scripts/lib/evaluate.ts) on the prod-shaped topology from
 * topologies.ts and writes its custom resources' shapes to a temp file; then one fresh process runs the bare baseline
 * (bare.ts) registering as many custom and component resources as gamedb registered, under the same mocks; then one
 * runs the typed floor (typed.ts) with those shapes. See worker.ts for exactly what each time covers.
 * "wall ms" in the main table is the evaluation only (setMocks -> every resource resolved); process startup and
 * module import are reported apart.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { DEFAULT_BENCH_SIZES } from "./topologies";
import type { WorkerResult } from "./worker";
import { parseShapeSummary } from "../../lib/bench/resourceShapes";
import {
  type BenchRow,
  type ProcessRun,
  benchRow,
  mib,
  renderReport,
  summarize,
  verdict,
} from "../../lib/bench/planReport";

export { LINEAR_LIMIT, RATIO_LIMIT, renderReport, verdict } from "../../lib/bench/planReport";
export type { BenchRow, Measurement, ProcessRun, Verdict } from "../../lib/bench/planReport";

const ROOT = resolve(__dirname, "../../..");
const WORKER = resolve(__dirname, "worker.ts");

/** Runs worker.ts in a fresh node process with tsx's loader and returns its JSON report. */
export function runWorker(args: string[]): Promise<ProcessRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code, signal) => {
      const processMs = performance.now() - started;
      if (code !== 0) {
        fail(new Error(`worker ${args.join(" ")} exited with ${signal ?? code}\n${stderr}${stdout}`));
        return;
      }
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        done({ ...(JSON.parse(last) as WorkerResult), processMs });
      } catch {
        fail(new Error(`worker ${args.join(" ")} printed no JSON result:\n${stdout}\n${stderr}`));
      }
    });
  });
}

function sameCounts(runs: ProcessRun[], what: string): void {
  const first = runs[0]!;
  for (const r of runs) {
    if (
      r.resources !== first.resources ||
      r.customResources !== first.customResources ||
      r.componentResources !== first.componentResources
    ) {
      throw new Error(`${what}: resource counts differ between repeats (${first.resources} vs ${r.resources})`);
    }
    if (r.monitorResources !== r.resources) {
      throw new Error(`${what}: ${r.resources} resources recorded but the mock monitor holds ${r.monitorResources}`);
    }
  }
}

export async function measureSize(shards: number, repeat: number, log: (s: string) => void): Promise<BenchRow> {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-bench-"));
  try {
    return await measureIn(dir, shards, repeat, log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureIn(dir: string, shards: number, repeat: number, log: (s: string) => void): Promise<BenchRow> {
  const shapesFile = join(dir, `shapes-${shards}.json`);
  const gamedbRuns: ProcessRun[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await runWorker(["gamedb", String(shards), shapesFile]);
    log(
      `  gamedb ${shards} shards: ${r.resources} resources, eval ${r.evalMs.toFixed(0)} ms, peak RSS ${mib(r.maxRssKiB)} MiB`,
    );
    gamedbRuns.push(r);
  }
  sameCounts(gamedbRuns, `gamedb ${shards} shards`);
  const { resources, customResources, componentResources } = gamedbRuns[0]!;
  const typedShapes = parseShapeSummary(JSON.parse(readFileSync(shapesFile, "utf8")) as unknown);

  const floor = async (name: string, args: string[]): Promise<ProcessRun[]> => {
    const runs: ProcessRun[] = [];
    for (let i = 0; i < repeat; i++) {
      const r = await runWorker(args);
      log(
        `  ${name.padEnd(6)} ${resources} resources: eval ${r.evalMs.toFixed(0)} ms, peak RSS ${mib(r.maxRssKiB)} MiB`,
      );
      runs.push(r);
    }
    sameCounts(runs, `${name} ${resources} resources`);
    const r0 = runs[0]!;
    if (r0.customResources !== customResources || r0.componentResources !== componentResources)
      throw new Error(
        `${name} registered ${r0.customResources}+${r0.componentResources} resources, gamedb ${customResources}+${componentResources}`,
      );
    return runs;
  };
  const bareRuns = await floor("bare", ["bare", String(customResources), String(componentResources)]);
  const typedRuns = await floor("typed", ["typed", shapesFile, String(componentResources)]);
  return benchRow(shards, summarize(gamedbRuns), summarize(bareRuns), summarize(typedRuns), typedShapes);
}

function parseSizes(text: string): number[] {
  const sizes = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 16384)) {
    throw new CommanderError(
      2,
      "bench.sizes",
      `--sizes takes shard counts from 1 to 16384 separated by commas, got ${JSON.stringify(text)}`,
    );
  }
  return sizes;
}

function parseRepeat(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderError(2, "bench.repeat", `--repeat takes a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

export async function main(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
): Promise<number> {
  const program = new Command("bench")
    .description(
      "Offline plan benchmark: gamedb evaluate() against bare and typed programs with as many resources, per shard count",
    )
    .option("--sizes <list>", "shard counts, comma-separated", DEFAULT_BENCH_SIZES.join(","))
    .option("--repeat <n>", "fresh-process runs per measurement; the median is reported", "1")
    .option("--json <file>", "also write the results as JSON to this file")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });
  let sizes: number[];
  let repeat: number;
  let json: string | undefined;
  try {
    const opts = program.parse(argv, { from: "user" }).opts<{ sizes: string; repeat: string; json?: string }>();
    sizes = parseSizes(opts.sizes);
    repeat = parseRepeat(opts.repeat);
    json = opts.json;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode !== 0 && e.code.startsWith("bench.")) err(`error: ${e.message}`);
      return e.exitCode === 0 ? 0 : 2;
    }
    throw e;
  }

  out(
    `plan bench: ${sizes.join(", ")} shards x 3 nodes, ${repeat} run(s) each, node ${process.version}, ${cpus().length} CPU(s)`,
  );
  const rows: BenchRow[] = [];
  for (const shards of sizes) {
    out(`measuring ${shards} shards`);
    rows.push(await measureSize(shards, repeat, out));
  }
  const v = verdict(rows);
  out("");
  out(renderReport(rows, v, repeat));
  if (json) {
    const doc = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      sizes,
      repeat,
      definitions: {
        evalMs:
          "just before setMocks -> every resource registered and resolved (gamedb: evaluate(); bare: runBare(); typed: runTyped())",
        typed:
          "gamedb's custom resource types, each registered with the property names its SDK class declares (all undefined but name); typedShapes per row",
        importMs: "dynamic import of the code under test, before evalMs",
        startupMs: "process start -> first line of worker.ts (node + tsx loader)",
        processMs: "spawn -> exit, measured by the parent",
        maxRssKiB: "process.resourceUsage().maxRSS at the end of the run, KiB",
      },
      rows,
      verdict: v,
    };
    writeFileSync(json, JSON.stringify(doc, null, 2) + "\n");
    out(`\nwrote ${json}`);
  }
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
