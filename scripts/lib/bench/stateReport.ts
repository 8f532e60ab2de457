/** The state-size benchmark's report (scripts/cli/bench/state-size.ts): tables of the figures of stateSize.ts. */
import { table } from "./stats";
import {
  CONNECTION_PLAINTEXT_BYTES,
  ENVELOPE_BYTES,
  KB,
  PASSWORD_PLAINTEXT_BYTES,
  SHARD_GROWTH_TARGET_BYTES,
  StatePoint,
} from "./stateSize";

export const kb = (bytes: number): string => (bytes / KB).toFixed(1);
export const mb = (bytes: number): string => (bytes / (KB * KB)).toFixed(1);

/** Rows of the growth table beyond this many are summed into one. */
export const GROWTH_ROWS = 25;

export function renderGrowth(p: StatePoint, rows = GROWTH_ROWS): string {
  const shown = p.growth.rows.slice(0, rows);
  const rest = p.growth.rows.slice(rows);
  const cells = shown.map((g) => [g.type, g.pattern, String(g.added), String(g.grown), String(g.removed), kb(g.bytes)]);
  if (rest.length > 0) cells.push([`(${rest.length} more)`, "", "", "", "", kb(rest.reduce((s, g) => s + g.bytes, 0))]);
  return table(["type", "name pattern", "new", "grown", "removed", "KB added"], cells);
}

export function renderStateReport(points: readonly StatePoint[]): string {
  const worst = Math.max(...points.map((p) => p.growth.bytes));
  const state = table(
    ["shards", "resources", "custom", "secrets", "recorded inputs MB", "estimated state MB", "one more shard KB"],
    points.map((p) => [
      String(p.state.shards),
      String(p.state.resources),
      String(p.state.customResources),
      String(p.state.secrets),
      mb(p.state.inputBytes),
      mb(p.state.stateBytes),
      kb(p.growth.bytes),
    ]),
  );
  return [
    "Recorded inputs: UTF-8 bytes of JSON.stringify of each resource's inputs in the offline plan; 1 KB = 1000 bytes.",
    "Estimated state: per custom resource its inputs and again its outputs (the outputs estimated as the inputs),",
    `each secret as an envelope of ${ENVELOPE_BYTES} bytes + base64 of its plaintext, taken as ${CONNECTION_PLAINTEXT_BYTES} bytes of JSON`,
    `for a connection (ED25519 SSH) and ${PASSWORD_PLAINTEXT_BYTES} (a 40-character password) for any other secret. URNs, dependencies`,
    "and other per-resource metadata are not counted.",
    "",
    state,
    ...points.flatMap((p) => [
      "",
      `What shard ${p.next.shards} adds to ${p.state.shards} shards: ${kb(p.growth.bytes)} KB of recorded inputs, ` +
        `${p.next.resources - p.state.resources} resources`,
      renderGrowth(p),
    ]),
    "",
    `One more 3-node shard adds at most ${kb(worst)} KB of recorded inputs; target <= ${kb(SHARD_GROWTH_TARGET_BYTES)} KB? ` +
      (worst <= SHARD_GROWTH_TARGET_BYTES ? "yes" : "NO"),
  ].join("\n");
}
