/**
 * How the offline plan scales with the number of shards, against the floor that Pulumi's mock runtime itself sets.
 *
 *   npm run bench                                   sizes 8, 64, 256 shards (3 nodes each)
 *   npm run bench -- --sizes 8,64 --repeat 3        other sizes; median of 3 runs per measurement
 *   npm run bench -- --json bench.json              also write every run and the summary as JSON
 *
 * For each size: one fresh process runs evaluate() (scripts/lib/evaluate.ts) on the prod-shaped topology from
 * topologies.ts; then one fresh process runs the bare baseline (bare.ts) registering as many custom and component
 * resources as gamedb registered, under the same mocks. See worker.ts for exactly what each time covers.
 * "wall ms" in the main table is the evaluation only (setMocks -> every resource resolved); process startup and
 * module import are reported apart.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { DEFAULT_BENCH_SIZES } from "./topologies";
import type { WorkerResult } from "./worker";

const ROOT = resolve(__dirname, "../../..");
const WORKER = resolve(__dirname, "worker.ts");

/** Ratio gamedb/bare at the largest size that passes. */
export const RATIO_LIMIT = 1.5;
/** Growth counts as linear when the ms per resource at the largest size is at most this times that at the smallest. */
export const LINEAR_LIMIT = 1.25;

export interface ProcessRun extends WorkerResult {
  /** Spawn -> exit, measured by the parent: startup + import + evaluation + exit. */
  processMs: number;
}

export interface Measurement {
  /** Medians over the repeats. */
  evalMs: number;
  maxRssKiB: number;
  startupMs: number;
  importMs: number;
  processMs: number;
  runs: ProcessRun[];
}

export interface BenchRow {
  shards: number;
  resources: number;
  customResources: number;
  componentResources: number;
  gamedb: Measurement;
  bare: Measurement;
  ratioWall: number;
  ratioRss: number;
  gamedbMsPerResource: number;
  bareMsPerResource: number;
}

export interface Verdict {
  /** Size the ratio check applies to: 256 when measured, else the largest size measured. */
  ratioSize: number;
  ratioWall: number;
  ratioRss: number;
  ratioWallOk: boolean;
  ratioRssOk: boolean;
  /** null when the resource count does not change between sizes (nothing to judge growth on). */
  gamedbLinear: boolean | null;
  bareLinear: boolean | null;
  notes: string[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

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

function summarize(runs: ProcessRun[]): Measurement {
  return {
    evalMs: median(runs.map((r) => r.evalMs)),
    maxRssKiB: median(runs.map((r) => r.maxRssKiB)),
    startupMs: median(runs.map((r) => r.startupMs)),
    importMs: median(runs.map((r) => r.importMs)),
    processMs: median(runs.map((r) => r.processMs)),
    runs,
  };
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
  const gamedbRuns: ProcessRun[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await runWorker(["gamedb", String(shards)]);
    log(
      `  gamedb ${shards} shards: ${r.resources} resources, eval ${r.evalMs.toFixed(0)} ms, peak RSS ${mib(r.maxRssKiB)} MiB`,
    );
    gamedbRuns.push(r);
  }
  sameCounts(gamedbRuns, `gamedb ${shards} shards`);
  const { resources, customResources, componentResources } = gamedbRuns[0]!;

  const bareRuns: ProcessRun[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await runWorker(["bare", String(customResources), String(componentResources)]);
    log(`  bare   ${resources} resources: eval ${r.evalMs.toFixed(0)} ms, peak RSS ${mib(r.maxRssKiB)} MiB`);
    bareRuns.push(r);
  }
  sameCounts(bareRuns, `bare ${resources} resources`);
  if (bareRuns[0]!.resources !== resources)
    throw new Error(`bare registered ${bareRuns[0]!.resources} resources, gamedb ${resources}`);

  const gamedb = summarize(gamedbRuns);
  const bare = summarize(bareRuns);
  return {
    shards,
    resources,
    customResources,
    componentResources,
    gamedb,
    bare,
    ratioWall: gamedb.evalMs / bare.evalMs,
    ratioRss: gamedb.maxRssKiB / bare.maxRssKiB,
    gamedbMsPerResource: gamedb.evalMs / resources,
    bareMsPerResource: bare.evalMs / resources,
  };
}

function mib(kib: number): string {
  return (kib / 1024).toFixed(1);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...rows.map(line)].join("\n");
}

function growth(
  rows: BenchRow[],
  pick: (r: BenchRow) => number,
  name: string,
): { linear: boolean | null; note: string } {
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const perResource = rows.map((r) => `${r.shards} shards ${(pick(r) / r.resources).toFixed(3)}`).join(", ");
  if (rows.length < 2 || first.resources === last.resources) {
    return {
      linear: null,
      note:
        `${name}: the resource count does not grow with the shard count (${rows.map((r) => r.resources).join(", ")}), so growth per ` +
        `resource cannot be judged yet; eval ms ${rows.map((r) => pick(r).toFixed(0)).join(" -> ")}; ms/resource ${perResource}.`,
    };
  }
  const ratio = pick(last) / last.resources / (pick(first) / first.resources);
  const exponent = Math.log(pick(last) / pick(first)) / Math.log(last.resources / first.resources);
  const linear = ratio <= LINEAR_LIMIT;
  return {
    linear,
    note:
      `${name}: ms/resource ${perResource}; largest/smallest ${ratio.toFixed(2)} (limit ${LINEAR_LIMIT}), ` +
      `time ~ resources^${exponent.toFixed(2)} -> ${linear ? "linear" : "NOT linear (grows faster than the resource count)"}.`,
  };
}

export function verdict(rows: BenchRow[]): Verdict {
  const at = rows.find((r) => r.shards === 256) ?? [...rows].sort((a, b) => a.shards - b.shards).pop()!;
  const sorted = [...rows].sort((a, b) => a.shards - b.shards);
  const g = growth(sorted, (r) => r.gamedb.evalMs, "gamedb");
  const b = growth(sorted, (r) => r.bare.evalMs, "bare");
  const notes = [g.note, b.note];
  if (at.shards !== 256)
    notes.push(`256 shards was not measured; the ratio check uses the largest size, ${at.shards} shards.`);
  return {
    ratioSize: at.shards,
    ratioWall: at.ratioWall,
    ratioRss: at.ratioRss,
    ratioWallOk: at.ratioWall <= RATIO_LIMIT,
    ratioRssOk: at.ratioRss <= RATIO_LIMIT,
    gamedbLinear: g.linear,
    bareLinear: b.linear,
    notes,
  };
}

export function renderReport(rows: BenchRow[], v: Verdict, repeat: number): string {
  const main = table(
    [
      "shards",
      "resources",
      "gamedb wall ms",
      "gamedb peak RSS MiB",
      "bare wall ms",
      "bare peak RSS MiB",
      "ratio wall",
      "ratio RSS",
    ],
    rows.map((r) => [
      String(r.shards),
      String(r.resources),
      r.gamedb.evalMs.toFixed(0),
      mib(r.gamedb.maxRssKiB),
      r.bare.evalMs.toFixed(0),
      mib(r.bare.maxRssKiB),
      r.ratioWall.toFixed(2),
      r.ratioRss.toFixed(2),
    ]),
  );
  const side = table(
    [
      "shards",
      "custom+component",
      "gamedb ms/resource",
      "bare ms/resource",
      "gamedb startup ms",
      "gamedb import ms",
      "gamedb process ms",
      "bare startup ms",
      "bare import ms",
      "bare process ms",
    ],
    rows.map((r) => [
      String(r.shards),
      `${r.customResources}+${r.componentResources}`,
      r.gamedbMsPerResource.toFixed(3),
      r.bareMsPerResource.toFixed(3),
      r.gamedb.startupMs.toFixed(0),
      r.gamedb.importMs.toFixed(0),
      r.gamedb.processMs.toFixed(0),
      r.bare.startupMs.toFixed(0),
      r.bare.importMs.toFixed(0),
      r.bare.processMs.toFixed(0),
    ]),
  );
  const ok = (b: boolean) => (b ? "yes" : "NO");
  return [
    `wall ms = evaluation only: just before setMocks -> every resource registered and resolved${repeat > 1 ? ` (median of ${repeat} runs)` : ""}.`,
    "peak RSS = process.resourceUsage().maxRSS of the run's own fresh process (includes node, tsx and module loading).",
    "",
    main,
    "",
    "Not included in wall ms: startup = node + tsx loader up to the worker's first line; import = loading the code under test",
    "(gamedb: evaluate.ts, the program, @pulumi/pulumi, @pulumi/aws index; bare: @pulumi/pulumi); process = spawn -> exit seen by the parent.",
    "",
    side,
    "",
    "Growth:",
    ...v.notes.map((n) => `  ${n}`),
    "",
    `Ratio at ${v.ratioSize} shards: wall ${v.ratioWall.toFixed(2)} <= ${RATIO_LIMIT}? ${ok(v.ratioWallOk)}; ` +
      `peak RSS ${v.ratioRss.toFixed(2)} <= ${RATIO_LIMIT}? ${ok(v.ratioRssOk)}.`,
  ].join("\n");
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
      "Offline plan benchmark: gamedb evaluate() against a bare program with as many resources, per shard count",
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
        evalMs: "just before setMocks -> every resource registered and resolved (gamedb: evaluate(); bare: runBare())",
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
