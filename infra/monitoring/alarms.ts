/**
 * CloudWatch alarms per EC2 shard host, to the alert topic: the system status check (AWS's hardware or network
 * under the instance; the alarm also triggers EC2's recover action, which moves the instance to healthy hardware
 * keeping its id, private IP and EBS volumes) and the instance status check (the OS: needs an operator).
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** The two alarms of one host, as plain inputs (the topic's ARN as given: a string, or an Output). Pure. */
export function hostAlarmSpecs<T extends pulumi.Input<string>>(nodeName: string, region: string, topicArn: T) {
  const base = {
    namespace: "AWS/EC2",
    statistic: "Maximum",
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    period: 60,
    evaluationPeriods: 2,
    okActions: [topicArn],
  };
  return {
    system: {
      ...base,
      name: `${nodeName}-system-status`,
      metricName: "StatusCheckFailed_System",
      alarmDescription: `${nodeName}: the EC2 system status check failed; EC2 recovers the instance onto other hardware`,
      alarmActions: [`arn:aws:automate:${region}:ec2:recover` as pulumi.Input<string>, topicArn],
    },
    instance: {
      ...base,
      name: `${nodeName}-instance-status`,
      metricName: "StatusCheckFailed_Instance",
      alarmDescription: `${nodeName}: the instance status check failed (the OS is not answering); see the runbook`,
      alarmActions: [topicArn],
    },
  };
}

export function hostAlarms(
  environment: string,
  nodeName: string,
  instanceId: pulumi.Output<string>,
  region: string,
  topicArn: pulumi.Output<string>,
  parent: pulumi.Resource,
): void {
  for (const kind of ["system", "instance"] as const) {
    // Plain args with Outputs only where they are: one Output for the whole args made Pulumi derive one per
    // property (28 for an alarm), a cost the offline plan paid on every host.
    const spec = hostAlarmSpecs(nodeName, region, topicArn)[kind];
    new aws.cloudwatch.MetricAlarm(
      `${nodeName}-${kind}-status`,
      { ...spec, name: `gamedb-${environment}-${spec.name}`, dimensions: { InstanceId: instanceId } },
      { parent },
    );
  }
}
