/**
 * The fleet report as text: one row per shard (applied, pending, the failed statement), then each shard's message
 * in full. Versions are shown as the files name them, consecutive ones as a range (V0001-V0004).
 */
import { formatVersion } from "../../../infra/contracts/migrations";
import type { Outcome } from "./runner";

export interface ReportRow {
  shard: number;
  state?: string;
  outcome: Outcome;
  applied: number[];
  pending: number[];
  failed?: { version: number; statement: number; line?: number; error: string };
  message?: string;
}

/** `V0001-V0003, V0005`, or `-` for none. */
export function formatVersions(versions: readonly number[]): string {
  const sorted = [...new Set(versions)].sort((a, b) => a - b);
  if (sorted.length === 0) return "-";
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? formatVersion(sorted[i]!) : `${formatVersion(sorted[i]!)}-${formatVersion(sorted[j]!)}`);
    i = j;
  }
  return parts.join(", ");
}

const failedCell = (r: ReportRow) =>
  r.failed
    ? `${formatVersion(r.failed.version)} statement ${r.failed.statement}${r.failed.line ? ` (line ${r.failed.line})` : ""}`
    : "-";

/** The table and the messages. */
export function formatFleetReport(rows: readonly ReportRow[]): string {
  const header = ["shard", "state", "outcome", "applied", "pending", "failed at"];
  const body = rows.map((r) => [
    String(r.shard),
    r.state ?? "-",
    r.outcome,
    formatVersions(r.applied),
    formatVersions(r.pending),
    failedCell(r),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)];
  const messages = rows.filter((r) => r.message).map((r) => `shard ${r.shard}: ${r.message}`);
  return [...out, ...(messages.length > 0 ? ["", ...messages] : [])].join("\n");
}
