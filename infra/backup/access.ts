/**
 * What a shard's hosts may do in the backup bucket: write and read under their own shard's prefixes (dumps,
 * binlogs, manifests), list only those prefixes, use the bucket's KMS key, publish a job failure to the alert
 * topic (with its KMS key). No delete of any kind: the lifecycle rules expire objects, and with Object Lock on nothing could delete
 * them anyway. Pure.
 */
import { BINLOG_PREFIX, FULL_PREFIX } from "../contracts/backupLayout";
import { alertKeyStatement, publishStatement } from "../iam";

export function shardPrefixes(shardKey: string): string[] {
  return [`${FULL_PREFIX}${shardKey}/`, `${BINLOG_PREFIX}${shardKey}/`];
}

export function shardBackupPolicy(
  bucketArn: string,
  kmsKeyArn: string,
  shardKey: string,
  alertTopicArn: string,
  alertKeyArn: string,
): string {
  const prefixes = shardPrefixes(shardKey);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ShardObjects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
        Resource: prefixes.map((p) => `${bucketArn}/${p}*`),
      },
      {
        Sid: "ListShardPrefixes",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } },
      },
      {
        Sid: "BucketKey",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: kmsKeyArn,
      },
      publishStatement(alertTopicArn),
      alertKeyStatement(alertKeyArn),
    ],
  });
}
