/** The weekly restore verification CronJob, when backup.restoreVerification.enabled. */
import { BackupBucket, RestoreVerification } from "../backup";
import type { AlertTopic } from "../monitoring";
import type { KubernetesContext, PlatformContext } from "./context";

export function declareRestoreVerification(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: { backup: BackupBucket; alerts: AlertTopic },
): RestoreVerification | undefined {
  const { plan } = ctx;
  const v = plan.backup.verification;
  if (!v) return undefined;
  return new RestoreVerification(
    `${ctx.name}-restore-verify`,
    {
      environment: plan.environment,
      region: plan.region,
      namespace: kube.namespace,
      namespaceName: kube.namespaceName,
      awsAccess: ctx.plan.kubernetes.awsAccess,
      settings: v.settings,
      image: v.image,
      shardIds: v.shardIds,
      bucketName: deps.backup.bucketName,
      bucketArn: deps.backup.bucketArn,
      kmsKeyArn: deps.backup.kmsKeyArn,
      alertTopicArn: deps.alerts.arn,
      alertKeyArn: deps.alerts.keyArn,
      awsProvider: ctx.aws,
    },
    { parent: ctx.parent, providers: { kubernetes: kube.provider } },
  );
}
