/**
 * What the verification reports, pure: the CloudWatch data of a shard, the SNS alert of a failed shard, and the
 * run's summary (text or JSON). No credential ever goes in: only names, the dump folder and the reason.
 */
import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import { NO_COUNTS_NOTE, type ShardResult } from "./decide";

export const METRIC_VERIFIED = "RestoreVerified";
export const METRIC_SECONDS = "RestoreVerifySeconds";
export const DEFAULT_NAMESPACE = "gamedb";

export const shardKey = (shard: number): string => `shard${shard}`;

/** RestoreVerified 1 or 0 and RestoreVerifySeconds, by Environment and Shard. */
export function metricData(environment: string, result: ShardResult, at: Date): MetricDatum[] {
  const dimensions = [
    { Name: "Environment", Value: environment },
    { Name: "Shard", Value: shardKey(result.shard) },
  ];
  return [
    { MetricName: METRIC_VERIFIED, Dimensions: dimensions, Timestamp: at, Value: result.ok ? 1 : 0, Unit: "None" },
    {
      MetricName: METRIC_SECONDS,
      Dimensions: dimensions,
      Timestamp: at,
      Value: Math.round(result.seconds * 1000) / 1000,
      Unit: "Seconds",
    },
  ];
}

/** SNS subjects: at most 100 printable ASCII characters. */
export function alertSubject(environment: string, result: ShardResult): string {
  const text = `gamedb ${environment}: restore verification of ${shardKey(result.shard)} failed`;
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
}

export interface RunContext {
  environment: string;
  bucket: string;
}

export function alertMessage(ctx: RunContext, result: ShardResult, at: Date): string {
  return [
    `The weekly restore verification of gamedb ${ctx.environment} ${shardKey(result.shard)} failed.`,
    "",
    `Environment: ${ctx.environment}`,
    `Shard:       ${shardKey(result.shard)}`,
    `Dump:        ${result.dump ? `s3://${ctx.bucket}/${result.dump.prefix} (finished ${result.dump.finishedAt})` : "none"}`,
    `Stage:       ${result.stage ?? "unknown"}`,
    `Reason:      ${result.reason ?? "unknown"}`,
    ...result.notes.map((n) => `Note:        ${n}`),
    `Checked at:  ${at.toISOString()}`,
    "",
    "Runbook: README.md, Backups / Restore a shard to a point in time.",
  ].join("\n");
}

export interface RunSummary extends RunContext {
  ok: boolean;
  shards: ShardResult[];
  /** Metrics or alerts that could not be sent. */
  reportErrors: string[];
}

export function summarize(ctx: RunContext, shards: ShardResult[], reportErrors: string[]): RunSummary {
  return {
    ...ctx,
    ok: shards.length > 0 && shards.every((s) => s.ok) && reportErrors.length === 0,
    shards,
    reportErrors,
  };
}

export function renderText(summary: RunSummary): string {
  const lines = [`restore verification of gamedb ${summary.environment} from s3://${summary.bucket}`];
  for (const r of summary.shards) {
    const what = r.ok
      ? (r.tables?.message ?? (r.notes.includes(NO_COUNTS_NOTE) ? `loaded; ${NO_COUNTS_NOTE}` : "loaded"))
      : r.reason;
    lines.push(
      `  ${shardKey(r.shard).padEnd(8)} ${r.ok ? "OK  " : "FAIL"}  ${r.dump?.prefix ?? "-"}  ${what ?? ""} (${r.seconds.toFixed(1)}s)`,
    );
    for (const n of r.notes) if (n !== NO_COUNTS_NOTE) lines.push(`           ${n}`);
  }
  for (const e of summary.reportErrors) lines.push(`  report error: ${e}`);
  const failed = summary.shards.filter((s) => !s.ok).length;
  const verdict =
    summary.shards.length === 0
      ? "no shard verified"
      : failed === 0
        ? `${summary.shards.length} shard(s) verified`
        : `${failed} of ${summary.shards.length} shard(s) failed`;
  const errors = summary.reportErrors.length;
  lines.push(errors > 0 ? `${verdict}; ${errors} report error(s)` : verdict);
  return lines.join("\n");
}

/** The alert when the run cannot name a shard to verify (--all over an empty or unreadable bucket). */
export function runAlert(ctx: RunContext, reason: string, at: Date): { subject: string; message: string } {
  return {
    subject: `gamedb ${ctx.environment}: restore verification found no shard to verify`
      .replace(/[^\x20-\x7e]/g, "?")
      .slice(0, 100),
    message: [
      `The weekly restore verification of gamedb ${ctx.environment} verified nothing.`,
      "",
      `Environment: ${ctx.environment}`,
      `Bucket:      s3://${ctx.bucket}/full/`,
      `Reason:      ${reason}`,
      `Checked at:  ${at.toISOString()}`,
    ].join("\n"),
  };
}
