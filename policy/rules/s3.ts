/** S3 rules: public access, versioning, SSE-KMS, TLS-only bucket policy, multipart abort. */
import { PolicyResource, Rule, RuleContext } from "./model";
import { Obj, at, isObj, list, obj } from "./values";

export const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCKS = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const VERSIONINGS = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const ENCRYPTIONS = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const POLICIES = ["aws:s3/bucketPolicy:BucketPolicy"];
const LIFECYCLES = [
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
const LOGGINGS = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];
const PAB_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/** S3 server access logs can only be delivered to a bucket encrypted with SSE-S3, so such a bucket is exempt from SSE-KMS. */
function isLogTarget(bucket: PolicyResource, ctx: RuleContext): boolean {
  return ctx.referencing(bucket, LOGGINGS, "targetBucket").length > 0;
}

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

function sseAlgorithms(bucket: PolicyResource, ctx: RuleContext): string[] {
  const fromSatellites = ctx
    .referencing(bucket, ENCRYPTIONS, "bucket")
    .flatMap((c) => list(c.inputs.rules).map((r) => at(r, "applyServerSideEncryptionByDefault.sseAlgorithm")));
  const inline = at(
    bucket.inputs,
    "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
  );
  return [...fromSatellites, inline].filter((a): a is string => typeof a === "string");
}

function statements(policy: unknown): Obj[] {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  return list(obj(doc).Statement).filter(isObj);
}

/** A statement that denies every principal every S3 action on the bucket and its objects without TLS. */
function deniesInsecureTransport(s: Obj): boolean {
  const principal = s.Principal;
  const anyone = principal === "*" || (isObj(principal) && list(principal.AWS).includes("*"));
  const actions = list(s.Action);
  const resources = list(s.Resource).filter((r): r is string => typeof r === "string");
  const bucketAndObjects =
    resources.includes("*") || (resources.some((r) => r.endsWith("/*")) && resources.some((r) => !r.includes("/")));
  const secureTransport = at(s, "Condition.Bool");
  const value = isObj(secureTransport) ? secureTransport["aws:SecureTransport"] : undefined;
  return (
    s.Effect === "Deny" &&
    anyone &&
    (actions.includes("s3:*") || actions.includes("*")) &&
    bucketAndObjects &&
    String(value).toLowerCase() === "false"
  );
}

/** An enabled lifecycle rule that aborts incomplete multipart uploads anywhere in the bucket. */
function abortsMultipartEverywhere(rule: Obj): boolean {
  const filter = rule.filter;
  const wholeBucket =
    (filter === undefined || (isObj(filter) && Object.keys(filter).every((k) => k === "prefix" && !filter[k]))) &&
    !rule.prefix;
  const days = at(rule, "abortIncompleteMultipartUpload.daysAfterInitiation");
  return rule.status === "Enabled" && wholeBucket && typeof days === "number" && days > 0;
}

function inlineLifecycleAborts(rule: Obj): boolean {
  const days = rule.abortIncompleteMultipartUploadDays;
  return rule.enabled === true && !rule.prefix && !rule.tags && typeof days === "number" && days > 0;
}

export const s3Rules: Rule[] = [
  {
    id: "GDB-S3-001",
    title: "S3 bucket blocks all public access",
    checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    fsbp: ["S3.8"],
    severity: "high",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const blocks = ctx.referencing(bucket, PUBLIC_ACCESS_BLOCKS, "bucket");
      if (blocks.length === 0) return ["no BucketPublicAccessBlock refers to this bucket"];
      const ok = blocks.some((b) => PAB_SETTINGS.every((k) => b.inputs[k] === true));
      const off = PAB_SETTINGS.filter((k) => !blocks.some((b) => b.inputs[k] === true));
      return ok ? [] : [`its BucketPublicAccessBlock does not set ${off.join(", ")} to true`];
    },
  },
  {
    id: "GDB-S3-002",
    title: "S3 bucket versioning is enabled",
    checkov: ["CKV_AWS_21"],
    fsbp: ["S3.14"],
    severity: "medium",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const enabled =
        ctx
          .referencing(bucket, VERSIONINGS, "bucket")
          .some((v) => at(v.inputs, "versioningConfiguration.status") === "Enabled") ||
        at(bucket.inputs, "versioning.enabled") === true;
      return enabled ? [] : ["no BucketVersioning with status Enabled refers to this bucket"];
    },
  },
  {
    id: "GDB-S3-003",
    title: "S3 bucket default encryption is SSE-KMS (SSE-S3 for an access-log target)",
    checkov: ["CKV_AWS_145"],
    fsbp: ["S3.17"],
    severity: "medium",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const algorithms = sseAlgorithms(bucket, ctx);
      if (algorithms.length === 0) return ["no BucketServerSideEncryptionConfiguration refers to this bucket"];
      if (algorithms.some((a) => KMS_ALGORITHMS.includes(a))) return [];
      if (isLogTarget(bucket, ctx) && algorithms.includes("AES256")) return [];
      return [`default encryption is ${algorithms.join(", ")}, not aws:kms`];
    },
  },
  {
    id: "GDB-S3-004",
    title: "S3 bucket policy denies requests without TLS",
    checkov: ["CKV_AWS_379"],
    fsbp: ["S3.5"],
    severity: "high",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const policies = [
        ...ctx.referencing(bucket, POLICIES, "bucket").map((p) => p.inputs.policy),
        bucket.inputs.policy,
      ];
      if (policies.every((p) => p === undefined)) return ["no BucketPolicy refers to this bucket"];
      const denies = policies.some((p) => statements(p).some(deniesInsecureTransport));
      return denies
        ? []
        : [
            'its bucket policy has no Deny of s3:* for Principal "*" on the bucket and its objects when aws:SecureTransport is false',
          ];
    },
  },
  {
    id: "GDB-S3-005",
    title: "S3 bucket lifecycle aborts incomplete multipart uploads",
    checkov: ["CKV_AWS_300", "CKV2_AWS_61"],
    fsbp: ["S3.13"],
    severity: "low",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const configs = ctx.referencing(bucket, LIFECYCLES, "bucket");
      const inline = list(bucket.inputs.lifecycleRules).filter(isObj);
      if (configs.length === 0 && inline.length === 0) return ["no BucketLifecycleConfiguration refers to this bucket"];
      const aborts =
        configs.some((c) => list(c.inputs.rules).filter(isObj).some(abortsMultipartEverywhere)) ||
        inline.some(inlineLifecycleAborts);
      return aborts
        ? []
        : ["no enabled lifecycle rule with abortIncompleteMultipartUpload covers the whole bucket (empty filter)"];
    },
  },
];
