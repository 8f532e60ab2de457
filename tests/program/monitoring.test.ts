/**
 * Monitoring and restore verification under Pulumi's mocks: the alert topic and its subscriptions, the worker's
 * Deployment, config, Secret and IAM, the EC2 status alarms, the Prometheus objects when enabled, the members in
 * the endpoints ConfigMap, and the weekly restore-verification CronJob.
 */
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { stackOf } from "../helpers/stack";
import { planOf, resourceOf as get } from "../helpers/plan";
import { validDev, validProd } from "../helpers/configs";
import { workerConfig } from "../../infra/monitoring/worker";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const TOPIC = "arn:aws:sns:mock:000000000000:gamedb-alerts";
const KEY = "arn:aws:kms:mock:000000000000:gamedb-alerts";
const KEY_USE = {
  Sid: "AlertTopicKey",
  Effect: "Allow",
  Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
  Resource: KEY,
};

describe("monitoring (prod)", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("prod");
  });

  it("runs one worker (Recreate: never two alerting at once), non-root, with probes, limits and secrets from a Secret", () => {
    const d = get(doc, "kubernetes:apps/v1:Deployment", "gamedb-monitor").inputs as Any;
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: "Recreate" });
    const pod = d.spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, fsGroup: 10001 });
    const [c] = pod.containers;
    expect(c.image).toBe("registry.example.com/gamedb/gamedb-monitor:0.1.0");
    // It waits for every shard's accounts step (its password), and rolls when a secret value changes.
    const deployment = get(doc, "kubernetes:apps/v1:Deployment", "gamedb-monitor");
    for (const id of [1, 2, 3, 4])
      expect(deployment.options.dependsOn).toContain(doc.resources.find((r) => r.name === `shard${id}-cluster`)!.urn);
    expect(d.spec.template.metadata.annotations["gamedb/secret-checksum"]).toMatch(/^[0-9a-f]{64}$/);
    expect(c.args).toEqual(["--config", "/etc/gamedb/monitor/config.json"]);
    expect(c.env.filter((e: Any) => e.value !== undefined)).toEqual([
      { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
    ]);
    expect(c.env.filter((e: Any) => e.valueFrom).map((e: Any) => [e.name, e.valueFrom.secretKeyRef])).toEqual([
      ["GAMEDB_MONITOR_PASSWORD", { name: "gamedb-monitor", key: "monitor-password" }],
      ["GAMEDB_REDIS_PASSWORD", { name: "gamedb-monitor", key: "redis-password" }],
    ]);
    // Pod Identity: its own ServiceAccount, no API token, no key.
    expect(pod.serviceAccountName).toBe("gamedb-monitor");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(c.readinessProbe.httpGet).toEqual({ path: "/healthz", port: 9464 });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/healthz", port: 9464 });
    expect(c.resources.limits).toEqual({ cpu: "1", memory: "512Mi" });
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    expect(pod.volumes).toContainEqual({ name: "endpoints", configMap: { name: "gamedb-endpoints" } });
    expect(get(doc, "kubernetes:core/v1:Secret", "gamedb-monitor").inputs.stringData).toBe("[secret]");
    expect(get(doc, "kubernetes:policy/v1:PodDisruptionBudget", "gamedb-monitor").inputs.spec).toMatchObject({
      maxUnavailable: 1,
    });
  });

  it("configures the worker from monitoring.* and names its secrets only as environment variables", () => {
    const config = JSON.parse(
      (get(doc, "kubernetes:core/v1:ConfigMap", "gamedb-monitor-config").inputs as Any).data["config.json"],
    );
    expect(config).toEqual(
      workerConfig({
        environment: "prod",
        region: "eu-west-1",
        intervalSeconds: 10,
        failureThreshold: 3,
        checkTimeoutSeconds: 3,
        cpuPercent: 80,
        bufferPoolPercent: 85,
        lagSeconds: 5,
        concurrency: 64,
        redisTls: false,
        alertTopicArn: TOPIC,
        webhook: false,
      }),
    );
    expect(config.sinks).toEqual({ sns: { topicArn: TOPIC, region: "eu-west-1" } });
    // Members require TLS: the worker verifies them against the endpoints' mysql-tls.json.
    expect(config.mysql).toEqual({ user: "gamedb_monitor", passwordEnv: "GAMEDB_MONITOR_PASSWORD", tls: true });
  });

  it("lets the worker's IAM role publish to the alert topic, with its key, and nothing else", () => {
    const policy = JSON.parse(get(doc, "aws:iam/rolePolicy:RolePolicy", "gamedb-monitor").inputs.policy as string);
    expect(policy.Statement).toEqual([
      { Sid: "AlertTopic", Effect: "Allow", Action: "sns:Publish", Resource: TOPIC },
      KEY_USE,
    ]);
  });

  it("encrypts the alert topic with a rotated key of its own, which CloudWatch alarms may use", () => {
    const key = get(doc, "aws:kms/key:Key", "gamedb-alerts");
    expect(key.inputs).toEqual({
      description: "gamedb prod alert topic",
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    expect(key.options).toMatchObject({ protect: false, retainOnDelete: false });
    const keyPolicy = get(doc, "aws:kms/keyPolicy:KeyPolicy", "gamedb-alerts").inputs;
    expect(keyPolicy.keyId).toBe("gamedb-alerts-id");
    expect(JSON.parse(keyPolicy.policy as string).Statement).toEqual([
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::000000000000:root" },
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
    ]);
    expect(get(doc, "aws:kms/alias:Alias", "gamedb-alerts").inputs).toEqual({
      name: "alias/gamedb-prod-alerts",
      targetKeyId: "gamedb-alerts-id",
    });
    expect(get(doc, "aws:sns/topic:Topic", "gamedb-alerts").inputs).toEqual({
      name: "gamedb-prod-alerts",
      displayName: "gamedb prod",
      kmsMasterKeyId: KEY,
    });
    // Encrypted only once CloudWatch may use the key.
    expect(get(doc, "aws:sns/topic:Topic", "gamedb-alerts").options.dependsOn).toEqual([
      get(doc, "aws:kms/keyPolicy:KeyPolicy", "gamedb-alerts").urn,
    ]);
  });

  it("gives every IAM principal that publishes to the alert topic the use of its key", () => {
    const policies = doc.resources
      .filter((r) => ["aws:iam/userPolicy:UserPolicy", "aws:iam/rolePolicy:RolePolicy"].includes(r.type))
      .map((r) => [r.name, JSON.parse(r.inputs.policy as string).Statement as Any[]] as const)
      .filter(([, statements]) => statements.some((st) => st.Action === "sns:Publish"));
    expect(policies.map(([name]) => name).sort()).toEqual(
      ["gamedb-monitor", "gamedb-partitions", "gamedb-restore-verify", "shard1-backup", "shard2-backup"]
        .concat(["shard3-backup", "shard4-backup"])
        .sort(),
    );
    for (const [, statements] of policies) expect(statements).toContainEqual(KEY_USE);
  });

  it("alarms on both EC2 status checks of every host; the system check also recovers the instance", () => {
    const alarms = doc.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms).toHaveLength(4 * 3 * 2);
    const system = get(doc, "aws:cloudwatch/metricAlarm:MetricAlarm", "shard2-node1-system-status").inputs;
    expect(system).toEqual({
      name: "gamedb-prod-shard2-node1-system-status",
      namespace: "AWS/EC2",
      metricName: "StatusCheckFailed_System",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      period: 60,
      evaluationPeriods: 2,
      dimensions: { InstanceId: "shard2-node1-id" },
      alarmActions: ["arn:aws:automate:eu-west-1:ec2:recover", TOPIC],
      okActions: [TOPIC],
      alarmDescription: expect.stringContaining("recovers the instance"),
    });
    const instance = get(doc, "aws:cloudwatch/metricAlarm:MetricAlarm", "shard2-node1-instance-status").inputs;
    expect(instance).toMatchObject({ metricName: "StatusCheckFailed_Instance", alarmActions: [TOPIC] });
  });

  it("lists every member of every shard, with vCPUs, in the endpoints ConfigMap", () => {
    const data = (get(doc, "kubernetes:core/v1:ConfigMap", "gamedb-endpoints").inputs as Any).data;
    const members = JSON.parse(data["members.json"]);
    const addresses = (doc.outputs.clusters as Any).shard3.memberAddresses as string[];
    expect(Object.keys(members)).toEqual(["shard1", "shard2", "shard3", "shard4"]);
    expect(members.shard3).toEqual({
      shardId: 3,
      clusterName: "shard3",
      state: "active",
      members: [0, 1, 2].map((i) => ({
        node: `shard3-node${i}`,
        host: addresses[i]!.replace(/:3306$/, ""),
        port: 3306,
        vcpus: 8,
      })),
    });
  });

  it("creates no Prometheus Operator objects unless enabled, and one shared monitoring password", () => {
    expect(doc.resources.filter((r) => r.type.startsWith("kubernetes:monitoring.coreos.com"))).toEqual([]);
    expect(doc.resources.filter((r) => /monitor-password$/.test(r.name)).map((r) => r.name)).toEqual([
      "gamedb-monitor-password",
    ]);
  });
});

describe("monitoring options", () => {
  it("subscribes each alert e-mail once, and adds a ServiceMonitor and PrometheusRule when enabled", async () => {
    const raw = validProd();
    raw.monitoring = {
      ...raw.monitoring,
      alertEmails: ["ops@example.com", "dba@example.com", "ops@example.com"],
      prometheusOperator: true,
      intervalSeconds: 15,
      failureThreshold: 4,
      prometheusLabels: { release: "kube-prometheus-stack" },
    };
    const doc = await evaluate(stackOf(raw, "prod"));
    const subs = doc.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription");
    expect(subs.map((r) => [r.name, r.inputs])).toEqual([
      ["gamedb-alerts-email-dba-example-com", { topic: TOPIC, protocol: "email", endpoint: "dba@example.com" }],
      ["gamedb-alerts-email-ops-example-com", { topic: TOPIC, protocol: "email", endpoint: "ops@example.com" }],
    ]);
    const sm = get(doc, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "gamedb-monitor").inputs as Any;
    expect(sm.metadata.labels.release).toBe("kube-prometheus-stack");
    expect(sm.spec.endpoints).toEqual([{ port: "metrics", interval: "15s", path: "/metrics" }]);
    const rule = get(doc, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "gamedb-monitor-rules").inputs as Any;
    expect(rule.metadata.labels.release).toBe("kube-prometheus-stack");
    const alerts = rule.spec.groups.flatMap((g: Any) => g.rules);
    expect(alerts.map((a: Any) => a.alert)).toEqual([
      "GamedbMemberNotOnline",
      "GamedbShardNoPrimary",
      "GamedbShardQuorumLost",
      "GamedbApplierQueueGrowing",
      "GamedbMonitorDown",
      "GamedbRestoreVerifyJobFailed",
      "GamedbRedisClusterNotOk",
      "GamedbRedisSlotsFailed",
      "GamedbRedisMasterLinkDown",
    ]);
    // Prometheus waits as long as the worker does before calling a member down: threshold x interval.
    expect(alerts.find((a: Any) => a.alert === "GamedbShardNoPrimary").for).toBe("60s");
  });

  it("passes the webhook URL only through the Secret", async () => {
    const s = stackOf(validDev(), "dev");
    const doc = await evaluate({
      ...s,
      config: { ...s.config, "gamedb:alertWebhookUrl": "https://hooks.slack.com/services/T000/B000/XXXX" },
      secretKeys: ["gamedb:alertWebhookUrl"],
    });
    const d = get(doc, "kubernetes:apps/v1:Deployment", "gamedb-monitor").inputs as Any;
    expect(d.spec.template.spec.containers[0].env).toContainEqual({
      name: "GAMEDB_ALERT_WEBHOOK_URL",
      valueFrom: { secretKeyRef: { name: "gamedb-monitor", key: "webhook-url" } },
    });
    const config = JSON.parse(
      (get(doc, "kubernetes:core/v1:ConfigMap", "gamedb-monitor-config").inputs as Any).data["config.json"],
    );
    expect(config.sinks.webhook).toEqual({ urlEnv: "GAMEDB_ALERT_WEBHOOK_URL" });
    expect(JSON.stringify(doc)).not.toContain("hooks.slack.com");
  });
});

describe("restore verification", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("prod");
  });

  it("runs weekly, one at a time, on scratch space that dies with the pod, as the image's mysql user", () => {
    const cron = get(doc, "kubernetes:batch/v1:CronJob", "gamedb-restore-verify").inputs as Any;
    expect(cron.spec).toMatchObject({ schedule: "0 4 * * 0", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" });
    // Every shard's own bound (6 h) plus an hour.
    expect(cron.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 4 * 6 * 3600 + 3600 });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.restartPolicy).toBe("Never");
    const [c] = pod.containers;
    expect(c.image).toBe("registry.example.com/gamedb/gamedb-restore-verify:0.1.0");
    expect(c.args).toEqual([
      "--shard",
      "1",
      "2",
      "3",
      "4",
      "--bucket",
      "gamedb-backup",
      "--region",
      "eu-west-1",
      "--environment",
      "prod",
      "--workdir",
      "/var/lib/gamedb-verify",
      "--metrics-namespace",
      "gamedb",
      "--topic-arn",
      TOPIC,
      "--threads",
      "4",
      "--load-timeout",
      "21600",
      "--mysqld-option=--innodb-buffer-pool-size=4G",
    ]);
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect(c.resources.limits).toEqual({ cpu: "4", memory: "8Gi" });
    expect(pod.volumes[0].ephemeral.volumeClaimTemplate.spec.resources.requests.storage).toBe("100Gi");
  });

  it("reads dumps but can never write or delete a backup", () => {
    const policy = JSON.parse(
      get(doc, "aws:iam/rolePolicy:RolePolicy", "gamedb-restore-verify").inputs.policy as string,
    );
    const actions = policy.Statement.flatMap((s: Any) => [s.Action].flat());
    expect(actions.sort()).toEqual(
      [
        "cloudwatch:PutMetricData",
        "kms:Decrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey*",
        "s3:GetObject",
        "s3:ListBucket",
        "sns:Publish",
      ].sort(),
    );
    // The bucket key only decrypts; GenerateDataKey* is on the alert topic's key, for publishing.
    expect(policy.Statement).toContainEqual(KEY_USE);
    expect(policy.Statement[0].Resource).toBe("arn:aws:s3:mock:000000000000:gamedb-backup/full/*");
    expect(policy.Statement[3].Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "gamedb" } });
  });

  it("registers nothing when disabled", async () => {
    const raw = validProd();
    raw.backup = { ...raw.backup, restoreVerification: { enabled: false } };
    const off = await evaluate(stackOf(raw, "prod"));
    expect(off.resources.filter((r) => r.name.startsWith("gamedb-restore-verify"))).toEqual([]);
  });
});
