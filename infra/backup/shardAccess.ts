/**
 * Gives one shard's hosts their backup rights (infra/backup/access.ts): EC2 hosts through their instance role; a
 * static host has no instance role, so the shard gets its own IAM user with the same policy and one access key,
 * returned as a credentials file (secret) for the backup-jobs command to install.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { shardBackupPolicy } from "./access";
import { credentialsFile } from "./hostJobs";
import { serviceUser } from "../iam";

export interface ShardAccessArgs {
  /** The shard key (`shard<id>`): the rights cover this shard's prefixes only. */
  readonly shardKey: string;
  /** The environment, which names the static hosts' IAM user. */
  readonly environment: string;
  /**
   * The shard hosts' instance role (EC2, ShardHosts.roleName), which gets the policy.
   * @default none: static hosts, which get an IAM user of the shard's own and its access key instead
   */
  readonly roleName?: pulumi.Output<string>;
  /** The backup bucket's ARN. */
  readonly bucketArn: pulumi.Output<string>;
  /** The bucket's KMS key, which the hosts encrypt and decrypt with. */
  readonly kmsKeyArn: pulumi.Output<string>;
  /** The alert topic a failed job publishes to. */
  readonly alertTopicArn: pulumi.Output<string>;
  /** The alert topic's KMS key, which publishing encrypts with. */
  readonly alertKeyArn: pulumi.Output<string>;
}

/** Returns the credentials file for static hosts, undefined for EC2 hosts. */
export function grantShardBackupAccess(a: ShardAccessArgs, parent: pulumi.Resource): pulumi.Output<string> | undefined {
  const policy = pulumi
    .all([a.bucketArn, a.kmsKeyArn, a.alertTopicArn, a.alertKeyArn])
    .apply(([bucket, key, topic, topicKey]) => shardBackupPolicy(bucket, key, a.shardKey, topic, topicKey));
  const name = `${a.shardKey}-backup`;
  if (a.roleName) {
    new aws.iam.RolePolicy(name, { role: a.roleName, policy }, { parent });
    return undefined;
  }
  const key = serviceUser(name, `gamedb-${a.environment}-${a.shardKey}-backup`, policy, { parent });
  return pulumi.secret(pulumi.all([key.id, key.secret]).apply(([id, secret]) => credentialsFile(id, secret)));
}
