/** The backup bucket, its lifecycle, per-shard access and snapshots, under Pulumi's mocks. */
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { stackOf } from "../helpers/stack";
import { planOf, resourceOf as get } from "../helpers/plan";
import { validProd } from "../helpers/configs";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe("backup bucket (prod)", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("prod");
  });

  it("is versioned, SSE-KMS with a bucket key, closed to the public, owner-enforced, TLS-only and protected", () => {
    const bucket = get(doc, "aws:s3/bucket:Bucket", "gamedb-backup");
    expect(bucket.inputs).toMatchObject({ objectLockEnabled: false, forceDestroy: false });
    expect(bucket.options).toMatchObject({ protect: true, retainOnDelete: true, ignoreChanges: ["objectLockEnabled"] });
    expect(
      get(doc, "aws:s3/bucketVersioning:BucketVersioning", "gamedb-backup").inputs.versioningConfiguration,
    ).toEqual({
      status: "Enabled",
    });
    expect(
      (
        get(
          doc,
          "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
          "gamedb-backup",
        ).inputs as Any
      ).rules,
    ).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: "arn:aws:kms:mock:000000000000:gamedb-backup",
        },
        bucketKeyEnabled: true,
      },
    ]);
    expect(get(doc, "aws:kms/key:Key", "gamedb-backup").inputs).toMatchObject({ enableKeyRotation: true });
    expect(get(doc, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "gamedb-backup").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(get(doc, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "gamedb-backup").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    const policy = JSON.parse(get(doc, "aws:s3/bucketPolicy:BucketPolicy", "gamedb-backup").inputs.policy as string);
    expect(policy.Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:mock:000000000000:gamedb-backup", "arn:aws:s3:mock:000000000000:gamedb-backup/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
    expect(get(doc, "aws:s3/bucketLogging:BucketLogging", "gamedb-backup").inputs).toMatchObject({
      targetBucket: "gamedb-backup-logs-id",
    });
    // The access-log bucket: versioned, kept a year, protected and retained like the backups it audits.
    const logs = get(doc, "aws:s3/bucket:Bucket", "gamedb-backup-logs");
    expect(logs.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(
      get(doc, "aws:s3/bucketVersioning:BucketVersioning", "gamedb-backup-logs").inputs.versioningConfiguration,
    ).toEqual({ status: "Enabled" });
    expect(
      (get(doc, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "gamedb-backup-logs").inputs as Any)
        .rules,
    ).toEqual([
      {
        id: "access-logs",
        status: "Enabled",
        filter: { prefix: "" },
        expiration: { days: 365 },
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
  });

  it("expires dumps at the retention, binlogs after the window plus a day, and cleans up", () => {
    const rules = (
      get(doc, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "gamedb-backup").inputs as Any
    ).rules;
    expect(rules).toEqual([
      {
        id: "full-dumps",
        status: "Enabled",
        filter: { prefix: "full/" },
        expiration: { days: 30 },
        noncurrentVersionExpiration: { noncurrentDays: 7 },
      },
      {
        id: "binlogs",
        status: "Enabled",
        filter: { prefix: "binlog/" },
        expiration: { days: 8 },
        noncurrentVersionExpiration: { noncurrentDays: 7 },
      },
      {
        id: "housekeeping",
        status: "Enabled",
        filter: { prefix: "" },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        expiration: { expiredObjectDeleteMarker: true },
      },
    ]);
  });

  it("lets each shard's hosts write and read only their own prefixes, and never delete", () => {
    for (const id of [1, 2, 3, 4]) {
      const p = get(doc, "aws:iam/rolePolicy:RolePolicy", `shard${id}-backup`);
      expect(p.inputs.role).toBe(`shard${id}-host`);
      const policy = JSON.parse(p.inputs.policy as string);
      const text = JSON.stringify(policy);
      expect(text).not.toContain("Delete");
      expect(policy.Statement[0].Resource).toEqual([
        `arn:aws:s3:mock:000000000000:gamedb-backup/full/shard${id}/*`,
        `arn:aws:s3:mock:000000000000:gamedb-backup/binlog/shard${id}/*`,
      ]);
      expect(policy.Statement[1].Condition).toEqual({
        StringLike: { "s3:prefix": [`full/shard${id}/*`, `binlog/shard${id}/*`] },
      });
      for (const other of [1, 2, 3, 4].filter((o) => o !== id)) expect(text).not.toContain(`shard${other}/`);
      // A failed job alerts through the environment's alert topic, and only there.
      expect(policy.Statement[3]).toEqual({
        Sid: "AlertTopic",
        Effect: "Allow",
        Action: "sns:Publish",
        Resource: "arn:aws:sns:mock:000000000000:gamedb-alerts",
      });
    }
    expect(get(doc, "aws:ec2/instance:Instance", "shard3-node1").inputs.iamInstanceProfile).toBe("shard3-host");
  });

  it("snapshots every data volume on the configured schedule through Data Lifecycle Manager", () => {
    const dlm = get(doc, "aws:dlm/lifecyclePolicy:LifecyclePolicy", "gamedb-backup-snapshots");
    expect((dlm.inputs as Any).policyDetails).toMatchObject({
      resourceTypes: ["VOLUME"],
      targetTags: { "gamedb-snapshots": "prod" },
      schedules: [{ createRule: { interval: 24, intervalUnit: "HOURS", times: "03:00" }, retainRule: { count: 14 } }],
    });
    expect((get(doc, "aws:ebs/volume:Volume", "shard1-node0-data").inputs as Any).tags["gamedb-snapshots"]).toBe(
      "prod",
    );
  });
});

describe("backup options", () => {
  it("transitions dumps, locks them, and uses a given KMS key", async () => {
    const raw = validProd();
    raw.backup = {
      ...raw.backup,
      ...raw.backup,
      retentionDays: 200,
      infrequentAccessAfterDays: 30,
      glacierInstantAfterDays: 90,
      objectLock: { mode: "COMPLIANCE", days: 35 },
      kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abcd-1234",
    };
    const doc = await evaluate(stackOf(raw, "prod"));
    // The alert topic's key is its own (gamedb-alerts); the backups create none.
    expect(doc.resources.filter((r) => r.type === "aws:kms/key:Key").map((r) => r.name)).toEqual(["gamedb-alerts"]);
    expect(get(doc, "aws:s3/bucket:Bucket", "gamedb-backup").inputs.objectLockEnabled).toBe(true);
    expect(
      get(doc, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "gamedb-backup").inputs.rule,
    ).toEqual({ defaultRetention: { mode: "COMPLIANCE", days: 35 } });
    const rules = (
      get(doc, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "gamedb-backup").inputs as Any
    ).rules;
    expect(rules[0].transitions).toEqual([
      { days: 30, storageClass: "STANDARD_IA" },
      { days: 90, storageClass: "GLACIER_IR" },
    ]);
    expect(rules[0].expiration).toEqual({ days: 200 });
    const policy = JSON.parse(get(doc, "aws:iam/rolePolicy:RolePolicy", "shard1-backup").inputs.policy as string);
    expect(policy.Statement[2].Resource).toBe("arn:aws:kms:eu-west-1:123456789012:key/abcd-1234");
  });
});

describe("schedule edits", () => {
  it("change only the backup-job commands that rewrite the timers", async () => {
    const { diffPlans } = await import("../../scripts/lib/planDiff");
    const raw = validProd();
    const base = await evaluate(stackOf(raw, "prod"));
    raw.backup = { ...raw.backup, fullSchedule: "Sun *-*-* 03:30", binlogShipMinutes: 2 };
    const diff = diffPlans(base, await evaluate(stackOf(raw, "prod")));
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(new Set(diff.changed.map((c) => c.name.replace(/^shard\d+-node\d+-/, "")))).toEqual(
      new Set(["backup-jobs"]),
    );
    expect(diff.changed).toHaveLength(12);
    for (const c of diff.changed) expect(c.inputs).toEqual(["create"]);
  });
});
