/**
 * Day-partitioned tables (gamedb:schema.partitioned): a CronJob runs the migrate image's `partitions` on every shard
 * (scripts/lib/partitions): partitions created aheadDays ahead; partitions past keepDays exported to the backup
 * bucket under archive/ (infra/contracts/backupLayout.ts), read back and verified, then dropped. A failure publishes
 * to the alert topic and drops nothing.
 *
 * It reaches the bucket as an IAM role (or, when the config asks, user) of its own (infra/workloadAccess.ts) that may only write and read archive/, list the bucket under
 * archive/ (a missing manifest must answer 404, not 403), use the bucket key and publish to the alert topic.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ARCHIVE_PREFIX } from "../contracts/backupLayout";
import { alertKeyStatement, publishStatement } from "../iam";
import { AwsAccess, EnvVar, podIdentityFields, workloadAccess } from "../workloadAccess";
import { labels, restrictedContainer } from "../kubernetes/labels";
import { MIGRATE_PATHS, MIGRATE_UID } from "./migrationJob";

export const PARTITIONS_NAME = "gamedb-partitions";

/** Write and read archives, list archive/, the bucket key, the alert topic and its key. Pure. */
export function partitionsPolicy(bucketArn: string, kmsKeyArn: string, topicArn: string, topicKeyArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Archives",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject"],
        Resource: `${bucketArn}/${ARCHIVE_PREFIX}*`,
      },
      {
        Sid: "ListArchives",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": [`${ARCHIVE_PREFIX}*`] } },
      },
      { Sid: "BucketKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: kmsKeyArn },
      publishStatement(topicArn),
      alertKeyStatement(topicKeyArn),
    ],
  });
}

export interface PartitionPodSettings {
  image: string;
  environment: string;
  region: string;
  bucket: string;
  topicArn: string;
  /** The migration Job's ConfigMap (config.json holds the partitioned tables) and the endpoints ConfigMap. */
  configMap: string;
  endpointsConfigMap: string;
  /** The Secret with passwords.json (and the IAM user's key, with access keys). */
  secret: string;
  /** The AWS env (WorkloadAccess.env): the key pair from that Secret, or the IMDS switch-off. */
  awsEnv: EnvVar[];
}

/** The CronJob's pod: pure. */
export function partitionsPodSpec(s: PartitionPodSettings) {
  return {
    ...podIdentityFields(PARTITIONS_NAME),
    restartPolicy: "Never",
    securityContext: { runAsNonRoot: true },
    containers: [
      {
        name: "partitions",
        image: s.image,
        args: [
          "partitions",
          "--config",
          `${MIGRATE_PATHS.config}/config.json`,
          "--endpoints",
          MIGRATE_PATHS.endpoints,
          "--passwords",
          `${MIGRATE_PATHS.secrets}/passwords.json`,
          "--bucket",
          s.bucket,
          "--region",
          s.region,
          "--environment",
          s.environment,
          "--topic-arn",
          s.topicArn,
        ],
        env: [...s.awsEnv, { name: "AWS_REGION", value: s.region }],
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        securityContext: restrictedContainer(MIGRATE_UID),
        volumeMounts: [
          { name: "config", mountPath: MIGRATE_PATHS.config, readOnly: true },
          { name: "endpoints", mountPath: MIGRATE_PATHS.endpoints, readOnly: true },
          { name: "secrets", mountPath: MIGRATE_PATHS.secrets, readOnly: true },
        ],
      },
    ],
    volumes: [
      { name: "config", configMap: { name: s.configMap } },
      { name: "endpoints", configMap: { name: s.endpointsConfigMap } },
      {
        name: "secrets",
        secret: {
          secretName: s.secret,
          defaultMode: 0o400,
          items: [{ key: "passwords.json", path: "passwords.json" }],
        },
      },
    ],
  };
}

export interface PartitionMaintenanceArgs {
  readonly environment: string;
  readonly region: string;
  readonly namespace: pulumi.Input<string>;
  /** The migrate image. */
  readonly image: string;
  /** gamedb:schema.partitionSchedule (cron, UTC). */
  readonly schedule: string;
  /** The migration Job's ConfigMap holding config.json. */
  readonly configMap: pulumi.Input<string>;
  readonly endpointsConfigMap: pulumi.Input<string>;
  /** gamedb_schema's password per shard id (secrets). */
  readonly passwords: Readonly<Record<number, pulumi.Output<string>>>;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly kmsKeyArn: pulumi.Output<string>;
  readonly alertTopicArn: pulumi.Output<string>;
  /** The alert topic's KMS key, which publishing encrypts with. */
  readonly alertKeyArn: pulumi.Output<string>;
  /** The namespace as configured, which the role's trust policy names. */
  readonly namespaceName: string;
  /** How the CronJob's pods get AWS credentials (kubernetes.awsAccess). */
  readonly awsAccess: AwsAccess;
  /** The AWS provider for the IAM role or user. */
  readonly awsProvider: pulumi.ProviderResource;
}

export class PartitionMaintenance extends pulumi.ComponentResource {
  constructor(name: string, args: PartitionMaintenanceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:schema:PartitionMaintenance", name, {}, opts);
    const meta = { name: PARTITIONS_NAME, namespace: args.namespace, labels: labels(PARTITIONS_NAME, "partitions") };
    const access = workloadAccess(
      name,
      {
        access: args.awsAccess,
        namespaceName: args.namespaceName,
        namespace: args.namespace,
        serviceAccount: PARTITIONS_NAME,
        labels: meta.labels,
        iamName: `gamedb-${args.environment}-partitions`,
        policy: pulumi
          .all([args.bucketArn, args.kmsKeyArn, args.alertTopicArn, args.alertKeyArn])
          .apply(([b, k, t, tk]) => partitionsPolicy(b, k, t, tk)),
        awsProvider: args.awsProvider,
      },
      this,
    );
    const passwords = pulumi.secret(pulumi.all(args.passwords).apply((p) => JSON.stringify(p)));
    const secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: meta,
        type: "Opaque",
        stringData: { "passwords.json": passwords, ...access.secretData },
      },
      { parent: this, additionalSecretOutputs: ["stringData"] },
    );
    new k8s.batch.v1.CronJob(
      name,
      {
        metadata: meta,
        spec: {
          schedule: args.schedule,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 2,
          failedJobsHistoryLimit: 4,
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              activeDeadlineSeconds: 6 * 3600,
              template: {
                metadata: { labels: labels(PARTITIONS_NAME, "partitions") },
                spec: pulumi
                  .all([args.bucketName, args.alertTopicArn, args.configMap, args.endpointsConfigMap])
                  .apply(([bucket, topicArn, configMap, endpointsConfigMap]) =>
                    partitionsPodSpec({
                      image: args.image,
                      environment: args.environment,
                      region: args.region,
                      bucket,
                      topicArn,
                      configMap,
                      endpointsConfigMap,
                      secret: PARTITIONS_NAME,
                      awsEnv: access.env(PARTITIONS_NAME),
                    }),
                  ),
              },
            },
          },
        },
      },
      { parent: this, dependsOn: [secret, ...access.ready] },
    );
    this.registerOutputs({});
  }
}
