/**
 * The alert topic of one environment: every alert gamedb raises (backup and binlog job failures on the hosts, the
 * monitoring worker, CloudWatch alarms, restore verification, partition maintenance) goes to this one SNS topic,
 * and the operators' e-mail addresses from `monitoring.alertEmails` are subscribed to it.
 *
 * The topic is encrypted with a customer-managed KMS key of its own (rotated yearly by KMS): CloudWatch alarms
 * cannot publish to a topic under the AWS-managed SNS key, whose policy cannot be changed, so the key's policy
 * grants cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* (AWS SNS developer guide,
 * sns-key-management.html#compatibility-with-aws-services). Every other publisher is an IAM principal of the
 * account and gets the key in its own policy (alertKeyStatement in infra/iam.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface AlertTopicArgs {
  /** The environment, which names the topic (`gamedb-<environment>-alerts`) and its key's alias. */
  readonly environment: string;
  /** Operators' e-mail addresses subscribed to the topic (monitoring.alertEmails); may be empty. */
  readonly emails: readonly string[];
}

/** A stable name per address: a subscription never moves when the list is reordered. */
export function subscriptionName(topicName: string, email: string): string {
  return `${topicName}-email-${email.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

/**
 * The key's policy: the account administers the key and lets IAM policies grant its use (KMS's default key
 * policy); CloudWatch alarms may encrypt what they publish. The account comes from the key's own ARN, so the plan
 * needs no data-source call. Pure.
 */
export function alertKeyPolicy(keyArn: string): string {
  const [, partition, , , account] = keyArn.split(":");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${account}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchAlarmsPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      },
    ],
  });
}

export class AlertTopic extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly arn: pulumi.Output<string>;
  /** The topic's KMS key: every IAM principal that publishes needs kms:GenerateDataKey* and kms:Decrypt on it. */
  readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:monitoring:AlertTopic", name, {}, opts);
    const child = { parent: this };
    const key = new aws.kms.Key(
      name,
      { description: `gamedb ${args.environment} alert topic`, enableKeyRotation: true, deletionWindowInDays: 30 },
      child,
    );
    // A separate KeyPolicy: the policy names the account, which only the created key's ARN tells without a call.
    const keyPolicy = new aws.kms.KeyPolicy(name, { keyId: key.id, policy: key.arn.apply(alertKeyPolicy) }, child);
    new aws.kms.Alias(name, { name: `alias/gamedb-${args.environment}-alerts`, targetKeyId: key.id }, child);
    this.keyArn = key.arn;
    this.topic = new aws.sns.Topic(
      name,
      {
        name: `gamedb-${args.environment}-alerts`,
        displayName: `gamedb ${args.environment}`,
        kmsMasterKeyId: key.arn,
      },
      // Encrypted only once CloudWatch may use the key: an alarm in between would be dropped.
      { parent: this, dependsOn: [keyPolicy] },
    );
    this.arn = this.topic.arn;
    for (const email of [...new Set(args.emails)].sort()) {
      new aws.sns.TopicSubscription(
        subscriptionName(name, email),
        { topic: this.topic.arn, protocol: "email", endpoint: email },
        child,
      );
    }
    this.registerOutputs({ arn: this.arn, keyArn: this.keyArn });
  }
}
