/**
 * The monitoring worker on Kubernetes (program: scripts/apps/monitor/main.ts): one Deployment that polls every member
 * of every shard and every Redis node, its config as a ConfigMap, its credentials as a Secret, a Service for
 * /metrics, and, with the Prometheus Operator, a ServiceMonitor and a PrometheusRule (infra/monitoring/rules.ts).
 *
 * One replica with the Recreate strategy: two workers would send every alert twice. It reaches SNS as its own IAM
 * role (or, when the config asks, user) that may only publish to the alert topic (infra/workloadAccess.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { checksum, labels, restrictedContainer, selectorLabels } from "../kubernetes/labels";
import { ACCOUNTS } from "../catalog/mysql";
import { prometheusRuleGroups } from "./rules";
import { alertKeyStatement, publishStatement } from "../iam";
import { AwsAccess, EnvVar, podIdentityFields, workloadAccess } from "../workloadAccess";
import { MonitorConfigInput, WORKER_CONFIG_FILE } from "../contracts/workerConfig";

export const MONITOR_NAME = "gamedb-monitor";
export const MONITOR_PORT = 9464;
/** The image's non-root user (Dockerfile). */
export const MONITOR_UID = 10001;
const CONFIG_DIR = "/etc/gamedb/monitor";
const ENDPOINTS_DIR = "/etc/gamedb/endpoints";

/** What the worker's config file (workerConfig) is written from. */
export interface WorkerSettings {
  /** The environment, which names the worker's IAM user and goes into its alerts. */
  readonly environment: string;
  /** The alert topic's AWS region. */
  readonly region: string;
  /** Seconds between poll cycles (monitoring.intervalSeconds). */
  readonly intervalSeconds: number;
  /** Failed cycles in a row before an alert (monitoring.failureThreshold). */
  readonly failureThreshold: number;
  /** Seconds one check of one member or node may take (monitoring.checkTimeoutSeconds). */
  readonly checkTimeoutSeconds: number;
  /** The CPU use, in percent, above which the worker warns about a member (monitoring.cpuPercent). */
  readonly cpuPercent: number;
  /** The buffer pool use, in percent, above which the worker warns (monitoring.bufferPoolPercent). */
  readonly bufferPoolPercent: number;
  /** The replication lag, in seconds, above which the worker warns (monitoring.lagSeconds). */
  readonly lagSeconds: number;
  /** How many checks run at once (the plan's workerConcurrency). */
  readonly concurrency: number;
  /** Whether the worker reaches Redis over TLS (ElastiCache). */
  readonly redisTls: boolean;
  /** The alert topic the worker publishes to. */
  readonly alertTopicArn: string;
  /** Whether the worker also posts to the webhook whose URL it reads from GAMEDB_ALERT_WEBHOOK_URL. */
  readonly webhook: boolean;
}

/** The worker's config file (the contract infra/contracts/workerConfig.ts). Secrets are named env vars, never values. */
export function workerConfig(s: WorkerSettings): MonitorConfigInput {
  return {
    environment: s.environment,
    endpointsDir: ENDPOINTS_DIR,
    intervalSeconds: s.intervalSeconds,
    failureThreshold: s.failureThreshold,
    checkTimeoutSeconds: s.checkTimeoutSeconds,
    concurrency: s.concurrency,
    thresholds: { cpuPercent: s.cpuPercent, bufferPoolPercent: s.bufferPoolPercent, lagSeconds: s.lagSeconds },
    // Members require TLS; their certificates are verified against the stack CA the endpoints publish (mysql-tls.json).
    mysql: {
      user: ACCOUNTS.monitor,
      passwordEnv: "GAMEDB_MONITOR_PASSWORD",
      tls: true,
    },
    redis: { passwordEnv: "GAMEDB_REDIS_PASSWORD", tls: s.redisTls },
    sinks: {
      sns: { topicArn: s.alertTopicArn, region: s.region },
      ...(s.webhook ? { webhook: { urlEnv: "GAMEDB_ALERT_WEBHOOK_URL" } } : {}),
    },
    listen: { port: MONITOR_PORT },
  };
}

/** What the worker may do in AWS: publish to the alert topic, encrypting with its key. Pure. */
export function publishPolicy(topicArn: string, topicKeyArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [publishStatement(topicArn), alertKeyStatement(topicKeyArn)],
  });
}

/**
 * The worker's pod: pure, so tests see exactly what runs. `awsEnv` (WorkloadAccess.env): the access key pair, or
 * with workload identity the switch that keeps the SDK off the node's instance role.
 */
export function workerPodSpec(image: string, secretName: string, webhook: boolean, awsEnv: EnvVar[] = []) {
  const fromSecret = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secretName, key } } });
  return {
    ...podIdentityFields(MONITOR_NAME),
    securityContext: { runAsNonRoot: true, fsGroup: MONITOR_UID },
    containers: [
      {
        name: "monitor",
        image,
        args: ["--config", `${CONFIG_DIR}/${WORKER_CONFIG_FILE}`],
        env: [
          fromSecret("GAMEDB_MONITOR_PASSWORD", "monitor-password"),
          fromSecret("GAMEDB_REDIS_PASSWORD", "redis-password"),
          ...(webhook ? [fromSecret("GAMEDB_ALERT_WEBHOOK_URL", "webhook-url")] : []),
          ...awsEnv,
        ],
        ports: [{ name: "metrics", containerPort: MONITOR_PORT }],
        readinessProbe: { httpGet: { path: "/healthz", port: MONITOR_PORT }, periodSeconds: 10 },
        livenessProbe: {
          httpGet: { path: "/healthz", port: MONITOR_PORT },
          initialDelaySeconds: 30,
          periodSeconds: 20,
          failureThreshold: 3,
        },
        resources: { requests: { cpu: "200m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        securityContext: restrictedContainer(MONITOR_UID),
        volumeMounts: [
          { name: "config", mountPath: CONFIG_DIR, readOnly: true },
          // A directory mount (not subPath): Kubernetes updates it in place when the endpoints change.
          { name: "endpoints", mountPath: ENDPOINTS_DIR, readOnly: true },
          { name: "tmp", mountPath: "/tmp" },
        ],
      },
    ],
    volumes: [
      { name: "config", configMap: { name: `${MONITOR_NAME}-config` } },
      { name: "endpoints", configMap: { name: "gamedb-endpoints" } },
      { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
    ],
  };
}

export interface MonitoringWorkerArgs {
  /** The Kubernetes namespace of the Deployment, its ConfigMap, Secret and Service. */
  readonly namespace: pulumi.Input<string>;
  /** The namespace as configured, which the role's trust policy names. */
  readonly namespaceName: string;
  /** How the worker gets AWS credentials (kubernetes.awsAccess). */
  readonly awsAccess: AwsAccess;
  /** The monitor image (monitoring.image); a change rolls the worker. */
  readonly image: string;
  /** The worker's settings; the alert topic and webhook are filled in from the arguments below. */
  readonly settings: Omit<WorkerSettings, "alertTopicArn" | "webhook">;
  /** The alert topic the worker publishes to; its IAM user may publish there only. */
  readonly alertTopicArn: pulumi.Output<string>;
  /** The alert topic's KMS key, which publishing encrypts with. */
  readonly alertKeyArn: pulumi.Output<string>;
  /** The monitoring account's password (secret), shared by every shard. */
  readonly monitorPassword: pulumi.Output<string>;
  /** mysql.passwordRotation: a rotation rolls the worker, which reads its passwords when it starts. */
  readonly passwordRotation: number;
  /** The Redis password or ElastiCache auth token (secret). */
  readonly redisPassword: pulumi.Output<string>;
  /**
   * `gamedb:alertWebhookUrl` (secret), a Slack-compatible incoming webhook the worker also alerts.
   * @default none: the worker alerts the SNS topic only
   */
  readonly webhookUrl?: pulumi.Output<string>;
  /** Whether the cluster runs the Prometheus Operator: adds a ServiceMonitor and a PrometheusRule. */
  readonly prometheusOperator: boolean;
  /** Labels the Prometheus Operator selects ServiceMonitors and PrometheusRules by (e.g. release). */
  readonly prometheusLabels: Record<string, string>;
  /**
   * Every shard's cluster: the worker starts once their accounts step has set its password (on first deploy and
   * after a rotation), so it never logs in with a password the shards do not know yet.
   */
  readonly clusters: readonly pulumi.Resource[];
  /** The endpoints ConfigMap the worker mounts. */
  readonly endpoints: pulumi.Resource;
  /** The AWS provider for the IAM role or user. */
  readonly awsProvider: pulumi.ProviderResource;
}

export class MonitoringWorker extends pulumi.ComponentResource {
  constructor(name: string, args: MonitoringWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:monitoring:MonitoringWorker", name, {}, opts);
    const child = { parent: this };
    const webhook = args.webhookUrl !== undefined;
    const meta = (suffix = "") => ({
      name: `${MONITOR_NAME}${suffix}`,
      namespace: args.namespace,
      labels: labels(MONITOR_NAME, "monitor"),
    });

    const access = workloadAccess(
      name,
      {
        access: args.awsAccess,
        namespaceName: args.namespaceName,
        namespace: args.namespace,
        serviceAccount: MONITOR_NAME,
        labels: labels(MONITOR_NAME, "monitor"),
        iamName: `gamedb-${args.settings.environment}-monitor`,
        policy: pulumi.all([args.alertTopicArn, args.alertKeyArn]).apply(([t, k]) => publishPolicy(t, k)),
        awsProvider: args.awsProvider,
      },
      this,
    );

    const secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: meta(),
        type: "Opaque",
        stringData: {
          "monitor-password": args.monitorPassword,
          "redis-password": args.redisPassword,
          ...access.secretData,
          ...(args.webhookUrl ? { "webhook-url": args.webhookUrl } : {}),
        },
      },
      { ...child, additionalSecretOutputs: ["stringData"] },
    );
    // A digest of the Secret's values rolls the pod when one changes (the worker reads them only at start). A
    // SHA-256 of random passwords and keys reveals none of them, so it may be a plain annotation.
    const secretChecksum = pulumi.unsecret(
      pulumi
        .all([args.monitorPassword, args.redisPassword, access.secretData, args.webhookUrl ?? ""])
        .apply((values) => checksum(values)),
    );
    const config = args.alertTopicArn.apply((alertTopicArn) =>
      JSON.stringify(workerConfig({ ...args.settings, alertTopicArn, webhook }), null, 2),
    );
    const configMap = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      { metadata: meta("-config"), data: { [WORKER_CONFIG_FILE]: config } },
      child,
    );
    const selector = selectorLabels(MONITOR_NAME, "monitor");
    new k8s.apps.v1.Deployment(
      name,
      {
        metadata: meta(),
        spec: {
          replicas: 1,
          selector: { matchLabels: selector },
          strategy: { type: "Recreate" },
          template: {
            metadata: {
              labels: labels(MONITOR_NAME, "monitor"),
              annotations: {
                "gamedb/config-checksum": config.apply((c) =>
                  checksum({ c, image: args.image, passwordRotation: args.passwordRotation }),
                ),
                "gamedb/secret-checksum": secretChecksum,
                // A new role or user (a mode switch) must reach a new pod: EKS injects credentials at admission.
                "gamedb/aws-identity": access.identity,
              },
            },
            spec: workerPodSpec(args.image, MONITOR_NAME, webhook, access.env(MONITOR_NAME)),
          },
        },
      },
      { parent: this, dependsOn: [secret, configMap, args.endpoints, ...access.ready, ...args.clusters] },
    );
    // Lets a node drain evict the single worker (maxUnavailable 1) while keeping every workload under a PDB.
    new k8s.policy.v1.PodDisruptionBudget(
      name,
      { metadata: meta(), spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
      child,
    );
    new k8s.core.v1.Service(
      name,
      {
        metadata: meta(),
        spec: { selector, ports: [{ name: "metrics", port: MONITOR_PORT, targetPort: MONITOR_PORT }] },
      },
      child,
    );
    const promMeta = () => ({ ...meta(), labels: { ...labels(MONITOR_NAME, "monitor"), ...args.prometheusLabels } });
    if (args.prometheusOperator) {
      new k8s.apiextensions.CustomResource(
        name,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: promMeta(),
          spec: {
            selector: { matchLabels: selector },
            endpoints: [{ port: "metrics", interval: `${args.settings.intervalSeconds}s`, path: "/metrics" }],
          },
        },
        child,
      );
      new k8s.apiextensions.CustomResource(
        `${name}-rules`,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: promMeta(),
          spec: { groups: prometheusRuleGroups(args.settings) },
        },
        child,
      );
    }
    this.registerOutputs({});
  }
}
