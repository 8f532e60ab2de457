/**
 * IAM pieces several components share: a service user with one inline policy and one access key (only where the
 * config asks for keys: static hosts' backups, pods with kubernetes.awsAccess accessKeys; infra/workloadAccess.ts),
 * and the statements that let a principal publish to the alert topic.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** Publish to the alert topic, and nothing else on it. Pure. */
export function publishStatement(topicArn: string) {
  return { Sid: "AlertTopic", Effect: "Allow", Action: "sns:Publish", Resource: topicArn };
}

/**
 * Use the alert topic's KMS key as SNS does on a publisher's behalf: an encrypted topic takes a message only from a
 * principal allowed kms:GenerateDataKey* and kms:Decrypt on its key (AWS SNS developer guide,
 * sns-key-management.html). Pure.
 */
export function alertKeyStatement(keyArn: string) {
  return {
    Sid: "AlertTopicKey",
    Effect: "Allow",
    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    Resource: keyArn,
  };
}

/**
 * `gamedb-<...>` user under /gamedb/ with `policy` inline and one access key, all named `name`. The key's secret is a
 * Pulumi secret output.
 */
export function serviceUser(
  name: string,
  userName: string,
  policy: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): aws.iam.AccessKey {
  const user = new aws.iam.User(name, { name: userName, path: "/gamedb/" }, opts);
  new aws.iam.UserPolicy(name, { user: user.name, policy }, opts);
  return new aws.iam.AccessKey(name, { user: user.name }, opts);
}
