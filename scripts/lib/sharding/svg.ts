/**
 * The analysis as an SVG chart, written by hand so the file is byte-for-byte the same on every run (no dates, no
 * ids, fixed number formatting): grouped bars of each strategy's share per shard, then the share of keys that move
 * when a shard is added.
 */
import type { Analysis } from "./analysis";
import { percent, thousands } from "./table";

/** Okabe-Ito colours: told apart with the common colour-vision deficiencies. */
export const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"];

const WIDTH = 960;
const LEFT = 70;
const RIGHT = 20;
const PLOT_TOP = 100;
const PLOT_HEIGHT = 300;
const ROW = 24;

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Coordinates with at most two decimals, no "-0". */
const n = (x: number): string => String(Math.round(x * 100) / 100 + 0);

function text(x: number, y: number, body: string, attrs = ""): string {
  return `<text x="${n(x)}" y="${n(y)}"${attrs ? ` ${attrs}` : ""}>${escapeXml(body)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, attrs: string): string {
  return `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}" ${attrs}/>`;
}

function line(x1: number, y1: number, x2: number, y2: number, attrs: string): string {
  return `<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" ${attrs}/>`;
}

const colour = (i: number): string => PALETTE[i % PALETTE.length]!;

function legend(a: Analysis): string[] {
  const itemWidth = (WIDTH - LEFT - RIGHT) / (a.strategies.length + 1);
  const even = LEFT + a.strategies.length * itemWidth;
  return [
    ...a.strategies.flatMap((s, i) => [
      rect(LEFT + i * itemWidth, 66, 14, 14, `fill="${colour(i)}"`),
      text(LEFT + i * itemWidth + 20, 78, s.id),
    ]),
    line(even, 73, even + 24, 73, 'stroke="#444" stroke-dasharray="6 4"'),
    text(even + 30, 78, `even: ${percent(1 / a.shards)}`),
  ];
}

function sharePanel(a: Analysis): string[] {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const bottom = PLOT_TOP + PLOT_HEIGHT;
  const y = (share: number): number => bottom - share * PLOT_HEIGHT;
  const out: string[] = [];
  for (let p = 0; p <= 100; p += 10) {
    out.push(line(LEFT, y(p / 100), LEFT + plotWidth, y(p / 100), 'stroke="#ddd"'));
    out.push(text(LEFT - 6, y(p / 100) + 4, `${p}%`, 'text-anchor="end"'));
  }
  const even = 1 / a.shards;
  out.push(line(LEFT, y(even), LEFT + plotWidth, y(even), 'stroke="#444" stroke-dasharray="6 4"'));
  const group = plotWidth / a.shards;
  const bar = (group * 0.8) / a.strategies.length;
  for (let shard = 0; shard < a.shards; shard++) {
    const x0 = LEFT + shard * group + group * 0.1;
    a.strategies.forEach((s, i) => {
      const share = s.shares[shard]!;
      out.push(rect(x0 + i * bar, y(share), bar, share * PLOT_HEIGHT, `fill="${colour(i)}"`));
      // Only the tall bars are labelled, the outliers; every share is in the table.
      if (share >= 0.2) {
        out.push(text(x0 + (i + 0.5) * bar, y(share) - 4, percent(share), 'text-anchor="middle" font-size="11"'));
      }
    });
    out.push(text(LEFT + (shard + 0.5) * group, bottom + 18, `shard ${shard}`, 'text-anchor="middle"'));
  }
  out.push(line(LEFT, bottom, LEFT + plotWidth, bottom, 'stroke="#000"'));
  out.push(
    text(
      18,
      PLOT_TOP + PLOT_HEIGHT / 2,
      "share of keys",
      `text-anchor="middle" transform="rotate(-90 18 ${n(PLOT_TOP + PLOT_HEIGHT / 2)})"`,
    ),
  );
  return out;
}

function movedPanel(a: Analysis, top: number): string[] {
  const labelRight = 290;
  const barLeft = labelRight + 10;
  const barWidth = WIDTH - RIGHT - barLeft - 60;
  const rows: { label: string; moved: number; i: number; contrast: boolean }[] = [];
  a.strategies.forEach((s, i) => {
    rows.push({ label: s.id, moved: s.moved, i, contrast: false });
    if (s.contrast) rows.push({ label: `${s.id} ${s.contrast.label}`, moved: s.contrast.moved, i, contrast: true });
  });
  const out = [
    text(
      LEFT,
      top,
      `Keys that move when shard ${a.shards} is added (${a.shards} -> ${a.shards + 1} shards)`,
      'font-size="15" font-weight="bold"',
    ),
  ];
  const first = top + 14;
  const last = first + rows.length * ROW;
  for (let p = 0; p <= 100; p += 25) {
    const x = barLeft + (p / 100) * barWidth;
    out.push(line(x, first, x, last, 'stroke="#ddd"'));
    out.push(text(x, last + 14, `${p}%`, 'text-anchor="middle"'));
  }
  rows.forEach((r, k) => {
    const y = first + k * ROW;
    const fill = r.contrast
      ? `fill="${colour(r.i)}" fill-opacity="0.35" stroke="${colour(r.i)}"`
      : `fill="${colour(r.i)}"`;
    out.push(text(labelRight, y + 16, r.contrast ? `${r.label} (contrast)` : r.label, 'text-anchor="end"'));
    out.push(rect(barLeft, y + 4, r.moved * barWidth, ROW - 8, fill));
    out.push(text(barLeft + r.moved * barWidth + 6, y + 16, percent(r.moved)));
  });
  const ideal = 1 / (a.shards + 1);
  const x = barLeft + ideal * barWidth;
  out.push(line(x, first, x, last, 'stroke="#444" stroke-dasharray="6 4"'));
  out.push(text(x + 4, last + 28, `ideal 1/${a.shards + 1}: ${percent(ideal)}`, 'fill="#444"'));
  return out;
}

/** The chart. `subtitle` describes the key set (one line); `notes` are printed under the chart, a line each. */
export function renderSvg(a: Analysis, subtitle: string, notes: readonly string[] = []): string {
  const movedTop = PLOT_TOP + PLOT_HEIGHT + 60;
  const rows = a.strategies.length + a.strategies.filter((s) => s.contrast).length;
  const height = movedTop + 14 + rows * ROW + 56 + notes.length * 16;
  const body = [
    rect(0, 0, WIDTH, height, 'fill="#fff"'),
    text(
      LEFT,
      28,
      `Share of ${thousands(a.keys)} player ids per shard, ${a.shards} shards, by sharding strategy`,
      'font-size="18" font-weight="bold"',
    ),
    text(LEFT, 50, subtitle, 'font-size="12" fill="#444"'),
    ...legend(a),
    ...sharePanel(a),
    ...movedPanel(a, movedTop),
    ...notes.map((note, i) =>
      text(LEFT, height - 12 - (notes.length - 1 - i) * 16, note, 'font-size="12" fill="#444"'),
    ),
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${n(height)}" viewBox="0 0 ${WIDTH} ${n(height)}" font-family="sans-serif" font-size="13">`,
    ...body.map((e) => `  ${e}`),
    "</svg>",
    "",
  ].join("\n");
}
