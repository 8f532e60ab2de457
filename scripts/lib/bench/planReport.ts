/**
 * The plan benchmark's figures and verdict (scripts/cli/bench/plan-bench.ts runs the processes): medians, ratios
 * of gamedb against the bare floor (the issue 17 target) and against the typed floor (informative: the provider
 * SDKs' per-property cost), growth per resource, and the text report.
 */
import { median } from "./stats";
import type { WorkerResult } from "../../cli/bench/worker";
import { type ShapeSummary, shapeTotals } from "./resourceShapes";

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
  typed: Measurement;
  /** The custom resources' types and declared properties, from the gamedb run (what typed registered). */
  typedShapes: ShapeSummary;
  ratioWall: number;
  ratioRss: number;
  ratioWallTyped: number;
  ratioRssTyped: number;
  gamedbMsPerResource: number;
  bareMsPerResource: number;
  typedMsPerResource: number;
}

export interface Verdict {
  /** Size the ratio check applies to: 256 when measured, else the largest size measured. */
  ratioSize: number;
  ratioWall: number;
  ratioRss: number;
  ratioWallOk: boolean;
  ratioRssOk: boolean;
  /** gamedb against the typed floor at ratioSize: informative, no limit. */
  ratioWallTyped: number;
  ratioRssTyped: number;
  /** null when the resource count does not change between sizes (nothing to judge growth on). */
  gamedbLinear: boolean | null;
  bareLinear: boolean | null;
  typedLinear: boolean | null;
  notes: string[];
}

export function summarize(runs: ProcessRun[]): Measurement {
  return {
    evalMs: median(runs.map((r) => r.evalMs)),
    maxRssKiB: median(runs.map((r) => r.maxRssKiB)),
    startupMs: median(runs.map((r) => r.startupMs)),
    importMs: median(runs.map((r) => r.importMs)),
    processMs: median(runs.map((r) => r.processMs)),
    runs,
  };
}

export function benchRow(
  shards: number,
  gamedb: Measurement,
  bare: Measurement,
  typed: Measurement,
  typedShapes: ShapeSummary,
): BenchRow {
  const { resources, customResources, componentResources } = gamedb.runs[0]!;
  return {
    shards,
    resources,
    customResources,
    componentResources,
    gamedb,
    bare,
    typed,
    typedShapes,
    ratioWall: gamedb.evalMs / bare.evalMs,
    ratioRss: gamedb.maxRssKiB / bare.maxRssKiB,
    ratioWallTyped: gamedb.evalMs / typed.evalMs,
    ratioRssTyped: gamedb.maxRssKiB / typed.maxRssKiB,
    gamedbMsPerResource: gamedb.evalMs / resources,
    bareMsPerResource: bare.evalMs / resources,
    typedMsPerResource: typed.evalMs / resources,
  };
}

/**
 * How gamedb's excess over bare splits: typed - bare is the SDKs' per-property cost, gamedb - typed gamedb's own.
 * sdkShare is the SDKs' part of the excess (null when gamedb is not above bare).
 */
export function gapSplit(
  gamedb: number,
  bare: number,
  typed: number,
): { sdk: number; own: number; sdkShare: number | null } {
  const gap = gamedb - bare;
  return { sdk: typed - bare, own: gamedb - typed, sdkShare: gap > 0 ? (typed - bare) / gap : null };
}

export function mib(kib: number): string {
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

function splitNote(at: BenchRow): string {
  const pct = (share: number | null) => (share === null ? "n/a" : `${(share * 100).toFixed(0)}%`);
  const wall = gapSplit(at.gamedb.evalMs, at.bare.evalMs, at.typed.evalMs);
  const rss = gapSplit(at.gamedb.maxRssKiB, at.bare.maxRssKiB, at.typed.maxRssKiB);
  return (
    `gap over bare at ${at.shards} shards: wall ${wall.sdk.toFixed(0)} ms SDK properties (typed - bare, ${pct(wall.sdkShare)}) + ` +
    `${wall.own.toFixed(0)} ms gamedb's own (gamedb - typed); peak RSS ${mib(rss.sdk)} MiB SDK (${pct(rss.sdkShare)}) + ` +
    `${mib(rss.own)} MiB gamedb's own.`
  );
}

export function verdict(rows: BenchRow[]): Verdict {
  const at = rows.find((r) => r.shards === 256) ?? [...rows].sort((a, b) => a.shards - b.shards).pop()!;
  const sorted = [...rows].sort((a, b) => a.shards - b.shards);
  const g = growth(sorted, (r) => r.gamedb.evalMs, "gamedb");
  const b = growth(sorted, (r) => r.bare.evalMs, "bare");
  const t = growth(sorted, (r) => r.typed.evalMs, "typed");
  const notes = [g.note, b.note, t.note, splitNote(at)];
  if (at.shards !== 256)
    notes.push(`256 shards was not measured; the ratio check uses the largest size, ${at.shards} shards.`);
  return {
    ratioSize: at.shards,
    ratioWall: at.ratioWall,
    ratioRss: at.ratioRss,
    ratioWallOk: at.ratioWall <= RATIO_LIMIT,
    ratioRssOk: at.ratioRss <= RATIO_LIMIT,
    ratioWallTyped: at.ratioWallTyped,
    ratioRssTyped: at.ratioRssTyped,
    gamedbLinear: g.linear,
    bareLinear: b.linear,
    typedLinear: t.linear,
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
      "typed wall ms",
      "typed peak RSS MiB",
      "ratio wall vs typed",
      "ratio RSS vs typed",
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
      r.typed.evalMs.toFixed(0),
      mib(r.typed.maxRssKiB),
      r.ratioWallTyped.toFixed(2),
      r.ratioRssTyped.toFixed(2),
    ]),
  );
  const side = table(
    [
      "shards",
      "custom+component",
      "types",
      "props/custom",
      "gamedb ms/res",
      "bare ms/res",
      "typed ms/res",
      "startup ms g/b/t",
      "import ms g/b/t",
      "process ms g/b/t",
    ],
    rows.map((r) => {
      const totals = shapeTotals(r.typedShapes);
      const three = (pick: (m: Measurement) => number) =>
        [r.gamedb, r.bare, r.typed].map((m) => pick(m).toFixed(0)).join("/");
      return [
        String(r.shards),
        `${r.customResources}+${r.componentResources}`,
        String(Object.keys(r.typedShapes.types).length),
        (totals.properties / Math.max(1, totals.resources)).toFixed(1),
        r.gamedbMsPerResource.toFixed(3),
        r.bareMsPerResource.toFixed(3),
        r.typedMsPerResource.toFixed(3),
        three((m) => m.startupMs),
        three((m) => m.importMs),
        three((m) => m.processMs),
      ];
    }),
  );
  const ok = (b: boolean) => (b ? "yes" : "NO");
  return [
    `wall ms = evaluation only: just before setMocks -> every resource registered and resolved${repeat > 1 ? ` (median of ${repeat} runs)` : ""}.`,
    "peak RSS = process.resourceUsage().maxRSS of the run's own fresh process (includes node, tsx and module loading).",
    "bare = generic resources of 3 properties (the issue 17 floor); typed = gamedb's custom resource types, each with",
    "the properties its SDK class declares (all undefined but name), so the gap bare -> typed is the SDKs' per-property cost.",
    "",
    main,
    "",
    "Not included in wall ms: startup = node + tsx loader up to the worker's first line; import = loading the code under test",
    "(gamedb: evaluate.ts, the program, @pulumi/pulumi, @pulumi/aws index; bare, typed: @pulumi/pulumi); process = spawn -> exit",
    "seen by the parent. g/b/t = gamedb/bare/typed; props/custom = declared properties per custom resource (bare: 3).",
    "",
    side,
    "",
    "Growth and gap:",
    ...v.notes.map((n) => `  ${n}`),
    "",
    `Ratio at ${v.ratioSize} shards: wall ${v.ratioWall.toFixed(2)} <= ${RATIO_LIMIT}? ${ok(v.ratioWallOk)}; ` +
      `peak RSS ${v.ratioRss.toFixed(2)} <= ${RATIO_LIMIT}? ${ok(v.ratioRssOk)}. ` +
      `Against the typed floor (informative): wall ${v.ratioWallTyped.toFixed(2)}, peak RSS ${v.ratioRssTyped.toFixed(2)}.`,
  ].join("\n");
}
