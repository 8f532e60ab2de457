/**
 * The backup bucket's lifecycle rules, from config, and the checks that keep them to rules S3 accepts and that
 * save money. Pure. S3's constraints (AWS S3 lifecycle docs): STANDARD_IA no earlier than day 30; objects stay in
 * STANDARD_IA at least 30 days before a colder class; minimum storage durations are billed in full (STANDARD_IA 30
 * days, GLACIER_IR 90), so expiring earlier than transition day + minimum costs more than never transitioning.
 */
import type { StackConfig } from "../config/schema";
import { Problem, problem } from "../config/errors";
import { BINLOG_PREFIX, FULL_PREFIX } from "../contracts/backupLayout";

type Backup = StackConfig["backup"];

/** Days binlogs stay beyond the point-in-time window: a late restore still finds the files around its start. */
export const BINLOG_MARGIN_DAYS = 1;
export const MULTIPART_ABORT_DAYS = 7;
/** Older versions (overwritten or deleted objects) kept this long, so a mistaken delete can be undone. */
export const NONCURRENT_DAYS = 7;

const MIN_DAYS = { STANDARD_IA: 30, GLACIER_IR: 90 } as const;

/** Days binlog objects are kept: the point-in-time window, rounded up, plus the margin. */
export function binlogRetentionDays(b: Backup): number {
  return Math.ceil(b.pitrWindowHours / 24) + BINLOG_MARGIN_DAYS;
}

export function lifecycleProblems(b: Backup): Problem[] {
  const out: Problem[] = [];
  const ia = b.infrequentAccessAfterDays;
  const gir = b.glacierInstantAfterDays;
  if (ia !== undefined && ia < 30)
    out.push(
      problem(["backup", "infrequentAccessAfterDays"], `${ia}: S3 moves objects to STANDARD_IA no earlier than day 30`),
    );
  if (gir !== undefined && gir < 90)
    out.push(
      problem(
        ["backup", "glacierInstantAfterDays"],
        `${gir}: use 90 or more; Glacier Instant Retrieval bills 90 days minimum, so an earlier move costs more than it saves`,
      ),
    );
  if (ia !== undefined && gir !== undefined && gir - ia < 30)
    out.push(
      problem(
        ["backup", "glacierInstantAfterDays"],
        `${gir} is less than 30 days after infrequentAccessAfterDays (${ia}); S3 keeps objects in STANDARD_IA at least 30 days before a colder class`,
      ),
    );
  const checkRetention = (day: number | undefined, cls: keyof typeof MIN_DAYS, key: string) => {
    if (day === undefined || b.retentionDays >= day + MIN_DAYS[cls]) return;
    out.push(
      problem(
        ["backup", "retentionDays"],
        `${b.retentionDays} days expires dumps before ${cls}'s ${MIN_DAYS[cls]}-day minimum after ${key} (${day}) ends, so the move costs more than it saves; keep at least ${day + MIN_DAYS[cls]} days or drop ${key}`,
      ),
    );
  };
  checkRetention(ia, "STANDARD_IA", "infrequentAccessAfterDays");
  checkRetention(gir, "GLACIER_IR", "glacierInstantAfterDays");
  if (b.objectLock && b.objectLock.days > b.retentionDays)
    out.push(
      problem(
        ["backup", "objectLock", "days"],
        `${b.objectLock.days} is longer than retentionDays (${b.retentionDays}); locked dumps could not expire when the lifecycle says`,
      ),
    );
  return out;
}

/** The rules of aws.s3.BucketLifecycleConfiguration, in a fixed order. */
export function lifecycleRules(b: Backup) {
  const transitions = [
    ...(b.infrequentAccessAfterDays !== undefined
      ? [{ days: b.infrequentAccessAfterDays, storageClass: "STANDARD_IA" }]
      : []),
    ...(b.glacierInstantAfterDays !== undefined
      ? [{ days: b.glacierInstantAfterDays, storageClass: "GLACIER_IR" }]
      : []),
  ];
  return [
    {
      id: "full-dumps",
      status: "Enabled",
      filter: { prefix: FULL_PREFIX },
      ...(transitions.length > 0 ? { transitions } : {}),
      expiration: { days: b.retentionDays },
      noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_DAYS },
    },
    {
      id: "binlogs",
      status: "Enabled",
      filter: { prefix: BINLOG_PREFIX },
      expiration: { days: binlogRetentionDays(b) },
      noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_DAYS },
    },
    {
      id: "housekeeping",
      status: "Enabled",
      filter: { prefix: "" },
      abortIncompleteMultipartUpload: { daysAfterInitiation: MULTIPART_ABORT_DAYS },
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}
