/** The weekly restore verification CronJob, when backup.restoreVerification.enabled. */
import { BackupBucket, RestoreVerification } from "../backup";
import type { AlertTopic } from "../monitoring";
import { KubernetesContext, PlatformContext, validated } from "./context";

export function declareRestoreVerification(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: { backup: BackupBucket; alerts: AlertTopic },
): RestoreVerification | undefined {
  const { plan, topology: t } = ctx;
  const settings = t.backup.restoreVerification;
  if (!settings.enabled) return undefined;
  return new RestoreVerification(
    `${ctx.name}-restore-verify`,
    {
      environment: plan.environment,
      region: plan.region,
      namespace: kube.namespace,
      settings,
      image: validated(settings.image, "backup.restoreVerification.image"),
      shardIds: plan.shards.filter((s) => s.state === "active").map((s) => s.id),
      bucketName: deps.backup.bucketName,
      bucketArn: deps.backup.bucketArn,
      kmsKeyArn: deps.backup.kmsKeyArn,
      alertTopicArn: deps.alerts.arn,
      awsProvider: ctx.aws,
    },
    { parent: ctx.parent, providers: { kubernetes: kube.provider } },
  );
}
