/**
 * The backup bucket of an environment: versioned, SSE-KMS with a bucket key, every public-access block, owner
 * enforced, TLS-only, lifecycle from config, optional Object Lock (chosen at creation only), access logs to a
 * separate bucket in prod. Dumps land under full/<shard>/, binlogs under binlog/<shard>/.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import type { StackConfig } from "../config/schema";
import type { lifecycleRules } from "../plan/backupLifecycle";

export interface BackupBucketArgs {
  /** The backup section of the config: KMS key, Object Lock and access logs. */
  readonly backup: StackConfig["backup"];
  /** The bucket's lifecycle rules, as the plan decides them (infra/plan/backupLifecycle.ts). */
  readonly lifecycleRules: ReturnType<typeof lifecycleRules>;
  /** Protect the bucket (and its key) from deletion. */
  readonly protect: boolean;
}

/**
 * Deny every request that does not use TLS (checkov CKV_AWS_379, FSBP S3.5); `extra` statements are appended (the
 * logs bucket lets S3's log delivery write, as ACLs are off there).
 */
export function tlsOnlyPolicy(bucketArn: string, extra: object[] = []): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      ...extra,
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/** S3 server access log delivery into the logs bucket (ACLs disabled, so by bucket policy). */
export function logDeliveryStatement(logsArn: string, sourceArn: string): object {
  return {
    Sid: "S3ServerAccessLogsDelivery",
    Effect: "Allow",
    Principal: { Service: "logging.s3.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${logsArn}/*`,
    Condition: { ArnLike: { "aws:SourceArn": sourceArn } },
  };
}

function hardened(
  name: string,
  bucket: aws.s3.Bucket,
  opts: pulumi.CustomResourceOptions,
  policy: pulumi.Input<string> = bucket.arn.apply((arn) => tlsOnlyPolicy(arn)),
) {
  new aws.s3.BucketPublicAccessBlock(
    name,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  new aws.s3.BucketOwnershipControls(
    name,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  new aws.s3.BucketPolicy(name, { bucket: bucket.id, policy }, opts);
}

/** Access logs are kept a year (audits ask for that much), then expire; the usual housekeeping besides. Pure. */
export const ACCESS_LOG_DAYS = 365;
export function accessLogRules() {
  return [
    {
      id: "access-logs",
      status: "Enabled",
      filter: { prefix: "" },
      expiration: { days: ACCESS_LOG_DAYS },
      noncurrentVersionExpiration: { noncurrentDays: 7 },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
}

export class BackupBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:backup:BackupBucket", name, {}, opts);
    const b = args.backup;
    const child = { parent: this };
    this.kmsKeyArn = b.kmsKeyArn
      ? pulumi.output(b.kmsKeyArn)
      : new aws.kms.Key(
          name,
          { description: "gamedb backups", enableKeyRotation: true, deletionWindowInDays: 30 },
          { parent: this, protect: args.protect, retainOnDelete: args.protect },
        ).arn;
    const bucket = new aws.s3.Bucket(
      name,
      { objectLockEnabled: b.objectLock !== undefined, forceDestroy: false },
      // S3 cannot switch Object Lock on or off for an existing bucket: an edit there never replaces the bucket.
      { parent: this, protect: args.protect, retainOnDelete: args.protect, ignoreChanges: ["objectLockEnabled"] },
    );
    const versioning = new aws.s3.BucketVersioning(
      name,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKeyArn },
            bucketKeyEnabled: true,
          },
        ],
      },
      child,
    );
    hardened(name, bucket, child);
    new aws.s3.BucketLifecycleConfiguration(
      name,
      { bucket: bucket.id, rules: [...args.lifecycleRules] },
      { parent: this, dependsOn: [versioning] },
    );
    if (b.objectLock) {
      new aws.s3.BucketObjectLockConfiguration(
        name,
        {
          bucket: bucket.id,
          rule: { defaultRetention: { mode: b.objectLock.mode, days: b.objectLock.days } },
        },
        { parent: this, dependsOn: [versioning] },
      );
    }
    if (b.accessLogs) {
      const logs = new aws.s3.Bucket(
        `${name}-logs`,
        { forceDestroy: false },
        { parent: this, protect: args.protect, retainOnDelete: args.protect },
      );
      const logsVersioning = new aws.s3.BucketVersioning(
        `${name}-logs`,
        { bucket: logs.id, versioningConfiguration: { status: "Enabled" } },
        child,
      );
      new aws.s3.BucketLifecycleConfiguration(
        `${name}-logs`,
        { bucket: logs.id, rules: accessLogRules() },
        { parent: this, dependsOn: [logsVersioning] },
      );
      hardened(
        `${name}-logs`,
        logs,
        child,
        pulumi
          .all([logs.arn, bucket.arn])
          .apply(([logsArn, source]) => tlsOnlyPolicy(logsArn, [logDeliveryStatement(logsArn, source)])),
      );
      new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-logs`,
        // Server access logs cannot be delivered to a bucket encrypted with SSE-KMS: SSE-S3 here.
        { bucket: logs.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        child,
      );
      new aws.s3.BucketLogging(name, { bucket: bucket.id, targetBucket: logs.id, targetPrefix: "s3-access/" }, child);
    }
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
  }
}
