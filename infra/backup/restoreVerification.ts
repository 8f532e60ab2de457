/**
 * The weekly restore verification (backup.restoreVerification): a Kubernetes CronJob that loads each shard's newest
 * complete dump into a throwaway MySQL inside its own pod and compares the tables per schema with the dump's
 * manifest (scripts/apps/restore-verify/main.ts). It reports the CloudWatch metric gamedb/RestoreVerified per shard
 * and, on failure, publishes the reason to the alert topic.
 *
 * It reads the bucket with an IAM user of its own that may only list and read full dumps, decrypt, put that one
 * metric namespace and publish to the alert topic: it can neither write nor delete a backup.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { StackConfig } from "../config/schema";
import { labels, restrictedContainer } from "../kubernetes/labels";
import { FULL_PREFIX } from "../contracts/backupLayout";
import { alertKeyStatement, publishStatement } from "../iam";
import { AwsAccess, EnvVar, podIdentityFields, workloadAccess } from "../workloadAccess";

export const VERIFY_NAME = "gamedb-restore-verify";
export const METRICS_NAMESPACE = "gamedb";
/** The mysql user of the official MySQL image the verifier image is built on. */
export const VERIFY_UID = 999;
const WORKDIR = "/var/lib/gamedb-verify";

/** Read-only access to full dumps, the bucket key, one metric namespace and the alert topic (and its key). Pure. */
export function verifyPolicy(bucketArn: string, kmsKeyArn: string, topicArn: string, topicKeyArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadDumps", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/${FULL_PREFIX}*` },
      {
        Sid: "ListDumps",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucketArn,
        Condition: { StringLike: { "s3:prefix": [`${FULL_PREFIX}*`, FULL_PREFIX] } },
      },
      { Sid: "BucketKey", Effect: "Allow", Action: "kms:Decrypt", Resource: kmsKeyArn },
      {
        Sid: "Metric",
        Effect: "Allow",
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": METRICS_NAMESPACE } },
      },
      publishStatement(topicArn),
      alertKeyStatement(topicKeyArn),
    ],
  });
}

/** What the verifier's pod is built from. */
export interface VerifySettings {
  /** The environment, which the verifier puts in its metric and alerts. */
  readonly environment: string;
  /** The bucket's, the metric's and the alert topic's AWS region. */
  readonly region: string;
  /** The restore-verify image. */
  readonly image: string;
  /** The size of the pod's ephemeral volume, which holds the throwaway MySQL's data. */
  readonly storageGiB: number;
  /** The shards whose dumps are verified: the active ones (a provisioning shard may have none yet). */
  readonly shardIds: readonly number[];
}

/** The container's CPU and memory limits; the load's threads and mysqld's buffer pool follow them. */
const VERIFY_CPUS = 4;
/** The verifier's own bound per shard (--load-timeout); the job's deadline leaves every shard that much. */
const LOAD_TIMEOUT_SECONDS = 6 * 3600;

/** The whole run's deadline: every shard's bound plus an hour, within the week before the next run. Pure. */
export function verifyDeadlineSeconds(shards: number): number {
  return Math.min(6 * 86400, Math.max(1, shards) * LOAD_TIMEOUT_SECONDS + 3600);
}
const VERIFY_MEMORY_GIB = 8;

/**
 * The job's pod: pure. One container; mysqld runs inside it, on an ephemeral volume that dies with the pod.
 * `awsEnv` (WorkloadAccess.env): the access key pair, or with workload identity the switch that keeps the SDK off
 * the node's instance role.
 */
export function verifyPodSpec(s: VerifySettings, bucket: string, topicArn: string, awsEnv: EnvVar[] = []) {
  return {
    ...podIdentityFields(VERIFY_NAME),
    restartPolicy: "Never",
    securityContext: { runAsNonRoot: true, fsGroup: VERIFY_UID },
    containers: [
      {
        name: "verify",
        image: s.image,
        args: [
          "--shard",
          ...s.shardIds.map(String),
          "--bucket",
          bucket,
          "--region",
          s.region,
          "--environment",
          s.environment,
          "--workdir",
          WORKDIR,
          "--metrics-namespace",
          METRICS_NAMESPACE,
          "--topic-arn",
          topicArn,
          "--threads",
          String(VERIFY_CPUS),
          "--load-timeout",
          String(LOAD_TIMEOUT_SECONDS),
          // Half the memory limit: the default 128 MiB buffer pool would make large loads crawl.
          `--mysqld-option=--innodb-buffer-pool-size=${VERIFY_MEMORY_GIB / 2}G`,
        ],
        env: [...awsEnv, { name: "AWS_REGION", value: s.region }],
        resources: {
          requests: { cpu: "1", memory: "2Gi" },
          limits: { cpu: String(VERIFY_CPUS), memory: `${VERIFY_MEMORY_GIB}Gi` },
        },
        securityContext: restrictedContainer(VERIFY_UID, false),
        volumeMounts: [{ name: "scratch", mountPath: WORKDIR }],
      },
    ],
    volumes: [
      {
        name: "scratch",
        ephemeral: {
          volumeClaimTemplate: {
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${s.storageGiB}Gi` } } },
          },
        },
      },
    ],
  };
}

export interface RestoreVerificationArgs {
  /** The environment, which names the IAM user and goes into the metric and alerts. */
  readonly environment: string;
  /** The bucket's, the metric's and the alert topic's AWS region. */
  readonly region: string;
  /** The Kubernetes namespace of the CronJob (and its Secret, with access keys). */
  readonly namespace: pulumi.Input<string>;
  /** The namespace as configured, which the role's trust policy names. */
  readonly namespaceName: string;
  /** How the verifier gets AWS credentials (kubernetes.awsAccess). */
  readonly awsAccess: AwsAccess;
  /** backup.restoreVerification: the schedule and the scratch volume's size. */
  readonly settings: StackConfig["backup"]["restoreVerification"];
  /** The restore-verify image (validation requires backup.restoreVerification.image when enabled). */
  readonly image: string;
  /** The shards whose dumps are verified: the active ones (a provisioning shard may have none yet). */
  readonly shardIds: readonly number[];
  /** The backup bucket's name, passed to the verifier. */
  readonly bucketName: pulumi.Output<string>;
  /** The backup bucket's ARN, which the verifier may list and read full dumps of. */
  readonly bucketArn: pulumi.Output<string>;
  /** The bucket's KMS key, which the verifier may decrypt with. */
  readonly kmsKeyArn: pulumi.Output<string>;
  /** The alert topic a failed verification publishes to. */
  readonly alertTopicArn: pulumi.Output<string>;
  /** The alert topic's KMS key, which publishing encrypts with. */
  readonly alertKeyArn: pulumi.Output<string>;
  /** The AWS provider for the IAM role or user. */
  readonly awsProvider: pulumi.ProviderResource;
}

export class RestoreVerification extends pulumi.ComponentResource {
  constructor(name: string, args: RestoreVerificationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:backup:RestoreVerification", name, {}, opts);
    const meta = { name: VERIFY_NAME, namespace: args.namespace, labels: labels(VERIFY_NAME, "restore-verify") };
    const access = workloadAccess(
      name,
      {
        access: args.awsAccess,
        namespaceName: args.namespaceName,
        namespace: args.namespace,
        serviceAccount: VERIFY_NAME,
        labels: meta.labels,
        iamName: `gamedb-${args.environment}-restore-verify`,
        policy: pulumi
          .all([args.bucketArn, args.kmsKeyArn, args.alertTopicArn, args.alertKeyArn])
          .apply(([b, k, t, tk]) => verifyPolicy(b, k, t, tk)),
        awsProvider: args.awsProvider,
      },
      this,
    );
    // Only access keys need a Secret; with workload identity the pod holds no credential at all.
    const keys = args.awsAccess.mode === "accessKeys";
    const secret = keys
      ? [
          new k8s.core.v1.Secret(
            name,
            { metadata: meta, type: "Opaque", stringData: access.secretData },
            { parent: this, additionalSecretOutputs: ["stringData"] },
          ),
        ]
      : [];
    const settings = {
      environment: args.environment,
      region: args.region,
      image: args.image,
      storageGiB: args.settings.storageGiB,
      shardIds: args.shardIds,
    };
    new k8s.batch.v1.CronJob(
      name,
      {
        metadata: meta,
        spec: {
          schedule: args.settings.schedule,
          timeZone: "Etc/UTC",
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 2,
          failedJobsHistoryLimit: 4,
          jobTemplate: {
            spec: {
              backoffLimit: 0,
              activeDeadlineSeconds: verifyDeadlineSeconds(args.shardIds.length),
              template: {
                metadata: { labels: labels(VERIFY_NAME, "restore-verify") },
                spec: pulumi
                  .all([args.bucketName, args.alertTopicArn])
                  .apply(([bucket, topic]) => verifyPodSpec(settings, bucket, topic, access.env(VERIFY_NAME))),
              },
            },
          },
        },
      },
      { parent: this, dependsOn: [...secret, ...access.ready] },
    );
    this.registerOutputs({});
  }
}
