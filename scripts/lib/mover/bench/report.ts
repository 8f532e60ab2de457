/**
 * The report of `npm run bench:move`: the JSON document (--json) and its text table, with the figures of
 * ../shared/design/SLOT-MOVES.md ("Numbers to compare with") beside them. Pure.
 */
import type { BenchOptions } from "./plan";
import {
  CatchupResult,
  CopyResult,
  FenceComparison,
  FenceResult,
  PAUSE_GOAL,
  PauseStats,
  SwitchResult,
  VerifyResult,
  pauseGoalMet,
  verifySummary,
} from "./stats";

export interface MoveBenchContext {
  node: string;
  mariadb: string;
  cores: number;
  cpu: string;
  loadavgStart: number[];
  loadavgEnd: number[];
  /** The 1-minute load average as each part began. */
  loadByPart: Record<string, number>;
  options: BenchOptions;
  seconds: number;
}

export interface MoveBenchReport {
  context: MoveBenchContext;
  copies: CopyResult[];
  catchup: CatchupResult | null;
  verify: VerifyResult | null;
  switches: SwitchResult | null;
  fence: FenceResult | null;
}

/** Whole numbers with thousands separators; "-" for what is not a number. */
export const count = (v: number): string =>
  Number.isFinite(v) ? Math.round(v).toLocaleString("en-US", { maximumFractionDigits: 0 }) : "-";
export const fixed = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : "-");
const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(v < 10 ? 1 : 0) : "-");
const span = (s: { from: number; to: number }): string => `${s.from}-${s.to}`;
const pct = (ratio: number): string => (Number.isFinite(ratio) ? `${((ratio - 1) * 100).toFixed(0)}%` : "-");

function pauseRow(what: string, s: PauseStats, detail: string): string[] {
  return [what, `${ms(s.p50Ms)} / ${ms(s.p99Ms)} / ${ms(s.maxMs)} ms`, detail];
}

function fenceRow(what: string, c: FenceComparison): string[] {
  const r = c.perRoundRatio;
  // The per-round median leads: on a shared machine a burst of other work hits a few rounds, not the median.
  return [
    what,
    `ratio ${fixed(r.median, 3)} (${pct(r.median)})`,
    `with/without triggers, median of the rounds' ratios [min ${fixed(r.min, 3)}, max ${fixed(r.max, 3)}]; over ` +
      `all rounds ${count(c.withRowsPerSec)} against ${count(c.withoutRowsPerSec)} rows/s, ratio ${fixed(c.ratio, 3)}`,
  ];
}

/** Columns padded to their widest cell: the figure and its detail left-aligned, the value right-aligned. */
export function figureTable(rows: readonly (readonly string[])[]): string {
  const widths = [0, 1].map((c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows
    .map((r) => `${(r[0] ?? "").padEnd(widths[0]!)}  ${(r[1] ?? "").padStart(widths[1]!)}  ${r[2] ?? ""}`.trimEnd())
    .join("\n");
}

/** The figures as rows of [figure, value, detail]. */
export function reportRows(r: MoveBenchReport): string[][] {
  const rows: string[][] = [];
  for (const c of r.copies) {
    rows.push([
      `copy, chunk ${count(c.chunkRows)} (idle source)`,
      `${count(c.rowsPerSec)} rows/s`,
      `${count(c.rows)} rows in ${fixed(c.seconds)} s (slots ${span(c.slots)}), state copying to streaming; ` +
        `the mover's process used ${fixed(c.moverCpuSeconds)} s of CPU`,
    ]);
  }
  const u = r.catchup;
  if (u) {
    rows.push([
      "catch-up (mover restarted behind)",
      `${count(u.rowsPerSec)} rows/s`,
      `${count(u.rowsStreamed)} rows streamed in ${fixed(u.seconds)} s (${count(u.changes)} single-row updates, ` +
        `${count(u.transactions)} transactions, written at ${count(u.writeRowsPerSec)} rows/s); the mover's ` +
        `process used ${fixed(u.moverCpuSeconds)} s of CPU, its first verification pass ran alongside; its status ` +
        `showed lag 0 after ${u.statusLagZeroSeconds === null ? "-" : fixed(u.statusLagZeroSeconds)} s`,
    ]);
  }
  const s = r.switches;
  if (s) {
    const paused = s.samples.reduce((a, x) => a + x.pausedWrites, 0);
    const acked = s.samples.reduce((a, x) => a + x.acked, 0);
    const slowest = Math.max(...s.samples.map((x) => x.slowestWriteMs));
    const slots = s.samples[0] ? s.samples[0].slots.to - s.samples[0].slots.from + 1 : 0;
    rows.push(
      pauseRow(
        "switch pause p50 / p99 / max, mover",
        s.mover,
        `status.pauseMs of ${s.mover.n} switches of ${slots}-slot ranges, ${s.writers} writers on each`,
      ),
      pauseRow(
        "switch pause p50 / p99 / max, writers",
        s.client,
        `per switch the longest write that met TRYAGAIN; ${count(paused)} of ${count(acked)} writes paused, ` +
          `slowest write ${ms(slowest)} ms`,
      ),
      [
        `switch pause goal: p99 < ${PAUSE_GOAL.p99UnderMs} ms, max <= ${PAUSE_GOAL.neverOverMs} ms`,
        pauseGoalMet(s.mover) && pauseGoalMet(s.client) ? "MET" : "NOT MET",
        `mover ${pauseGoalMet(s.mover) ? "met" : "not met"}, writers ${pauseGoalMet(s.client) ? "met" : "not met"}`,
      ],
    );
  }
  if (r.verify) {
    const v = verifySummary(r.verify);
    rows.push([
      "verification per million rows",
      `${fixed(v.bothSidesPerMillion)} s`,
      `RangeVerifier full pass, both sides one after the other (source ${fixed(v.sourcePerMillion)} s, target ` +
        `${fixed(v.targetPerMillion)} s alone); ${count(r.verify.rows)} rows, median of ${r.verify.passes.length} ` +
        `passes; ${v.differingSlots} slots differed`,
    ]);
  }
  if (r.fence) {
    rows.push(fenceRow("fence triggers, single-row INSERTs", r.fence.single));
    rows.push(fenceRow(`fence triggers, ${r.fence.batched.rowsPerStatement}-row INSERTs`, r.fence.batched));
  }
  return rows;
}

const COMPARE =
  "compare (../shared/design/SLOT-MOVES.md): copy 58k rows/s (chunk 1,000), 74k (5,000); Vitess catch-up about " +
  "250k rows/s; fence triggers: single-row 3.5-3.8k -> 2.8-3.4k rows/s, 100-row batches 110-129k -> 49-61k rows/s; " +
  "pause budgets: gh-ost 3 s, Vitess 30 s, ours p99 under 1 s";

export function formatReport(r: MoveBenchReport): string {
  const c = r.context;
  const lines = [
    `machine: ${c.cores} cores (${c.cpu}), load average ${c.loadavgStart.join(" ")} at start, ` +
      `${c.loadavgEnd.join(" ")} at end; node ${c.node}; MariaDB ${c.mariadb} (3 stand-ins on loopback, flush at ` +
      `commit off, buffer pool ${c.options.bufferPoolMb} MB); ${fixed(c.seconds, 0)} s in all`,
    `1-minute load as each part began: ${Object.entries(c.loadByPart)
      .map(([k, v]) => `${k} ${fixed(v)}`)
      .join(", ")}`,
    "",
    figureTable([["figure", "value", "detail"], ...reportRows(r)]),
  ];
  if (r.switches && r.switches.samples.length > 0) {
    lines.push(
      "",
      `switch pauses, mover (ms): ${r.switches.samples.map((x) => ms(x.pauseMs)).join(" ")}`,
      `switch pauses, writers (ms): ${r.switches.samples.map((x) => ms(x.clientPauseMs)).join(" ")}`,
      `seconds from start to switched: ${r.switches.samples.map((x) => fixed(x.secondsToSwitch, 1)).join(" ")}`,
    );
  }
  lines.push("", COMPARE);
  const load = Math.max(c.loadavgStart[0] ?? 0, c.loadavgEnd[0] ?? 0, ...Object.values(c.loadByPart));
  if (load > c.cores) {
    lines.push(
      `note: load average up to ${fixed(load)} on ${c.cores} cores: other processes shared the CPUs, so these ` +
        "figures are lower (and pauses longer) than on an idle machine; the fence ratios are medians of rounds " +
        "measured back to back",
    );
  }
  return lines.join("\n");
}
