/** Monitoring: the alert topic, the one monitor password, the worker that polls every member and Redis node. */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { passwordKeepers } from "../mysql/innodbCluster";
import { AlertTopic, MonitoringWorker } from "../monitoring";
import type { KubernetesContext, PlatformContext, Redis, ShardResources } from "./context";
import { redisPassword } from "./redis";

export function declareAlertTopic(ctx: PlatformContext): AlertTopic {
  return new AlertTopic(
    `${ctx.name}-alerts`,
    { environment: ctx.plan.environment, emails: ctx.plan.monitoring.alertEmails },
    { parent: ctx.parent, providers: { aws: ctx.aws } },
  );
}

/** One monitoring password for every shard: the worker needs one Secret, not one per shard. */
export function declareMonitorPassword(ctx: PlatformContext): pulumi.Output<string> {
  return new random.RandomPassword(
    `${ctx.name}-monitor-password`,
    { length: 40, special: false, ...passwordKeepers(ctx.plan.mysql.passwordRotation) },
    { parent: ctx.parent },
  ).result;
}

export function declareMonitoringWorker(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: {
    alerts: AlertTopic;
    monitorPassword: pulumi.Output<string>;
    redis: Redis;
    shards: Record<string, ShardResources>;
    endpoints: k8s.core.v1.ConfigMap;
  },
): MonitoringWorker {
  const { plan } = ctx;
  const m = plan.monitoring;
  return new MonitoringWorker(
    `${ctx.name}-monitor`,
    {
      namespace: kube.namespace,
      namespaceName: kube.namespaceName,
      awsAccess: plan.kubernetes.awsAccess,
      image: m.image,
      settings: { environment: plan.environment, region: plan.region, ...m.worker },
      alertTopicArn: deps.alerts.arn,
      alertKeyArn: deps.alerts.keyArn,
      monitorPassword: deps.monitorPassword,
      passwordRotation: plan.mysql.passwordRotation,
      redisPassword: redisPassword(deps.redis),
      webhookUrl: ctx.args.alertWebhookUrl,
      prometheusOperator: m.prometheusOperator,
      prometheusLabels: m.prometheusLabels,
      clusters: Object.values(deps.shards).map((s) => s.cluster),
      endpoints: deps.endpoints,
      awsProvider: ctx.aws,
    },
    { parent: ctx.parent, providers: { kubernetes: kube.provider } },
  );
}
