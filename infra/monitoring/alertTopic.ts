/**
 * The alert topic of one environment: every alert gamedb raises (backup and binlog job failures on the hosts, the
 * monitoring worker, CloudWatch alarms, restore verification) goes to this one SNS topic, and the operators'
 * e-mail addresses from `monitoring.alertEmails` are subscribed to it.
 *
 * The topic is not KMS-encrypted: CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS
 * key, and alert texts carry no secrets (names, states and thresholds only).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface AlertTopicArgs {
  /** The environment, which names the topic (`gamedb-<environment>-alerts`). */
  readonly environment: string;
  /** Operators' e-mail addresses subscribed to the topic (monitoring.alertEmails); may be empty. */
  readonly emails: readonly string[];
}

/** A stable name per address: a subscription never moves when the list is reordered. */
export function subscriptionName(topicName: string, email: string): string {
  return `${topicName}-email-${email.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

export class AlertTopic extends pulumi.ComponentResource {
  readonly topic: aws.sns.Topic;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:monitoring:AlertTopic", name, {}, opts);
    this.topic = new aws.sns.Topic(
      name,
      { name: `gamedb-${args.environment}-alerts`, displayName: `gamedb ${args.environment}` },
      { parent: this },
    );
    this.arn = this.topic.arn;
    for (const email of [...new Set(args.emails)].sort()) {
      new aws.sns.TopicSubscription(
        subscriptionName(name, email),
        { topic: this.topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    }
    this.registerOutputs({ arn: this.arn });
  }
}
