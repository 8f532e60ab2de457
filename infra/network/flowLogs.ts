/**
 * Flow logs of a created VPC: every accepted and rejected flow goes to a CloudWatch Logs group of its own, kept
 * for the environment's retention (EnvironmentPolicy.flowLogRetentionDays). The delivery role may write to that
 * group only. An adopted VPC's flow logs are its owner's to set up.
 */
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

/** The log group of an environment's VPC flow logs. Pure. */
export const flowLogGroupName = (environment: string): string => `/gamedb/${environment}/vpc-flow-logs`;

/** Only the VPC Flow Logs service of this account may take the role. Pure. */
export function flowLogTrustPolicy(account: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
    ],
  });
}

/**
 * Write flow records to this group and nothing else: the streams are created by the service, one per network
 * interface. The group exists before the flow log, so no logs:CreateLogGroup. Pure.
 */
export function flowLogDeliveryPolicy(logGroupArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "FlowLogGroup",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [logGroupArn, `${logGroupArn}:*`],
      },
    ],
  });
}

export interface FlowLogArgs {
  readonly vpcId: pulumi.Output<string>;
  /** The VPC's ARN, which names the account the delivery role trusts. */
  readonly vpcArn: pulumi.Output<string>;
  /** The environment, which names the log group. */
  readonly environment: string;
  readonly retentionDays: number;
}

export function createFlowLog(name: string, args: FlowLogArgs, parent: pulumi.Resource): void {
  const opts = { parent };
  const group = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    { name: flowLogGroupName(args.environment), retentionInDays: args.retentionDays },
    opts,
  );
  const role = new aws.iam.Role(
    `${name}-flow-logs`,
    { assumeRolePolicy: args.vpcArn.apply((arn) => flowLogTrustPolicy(arn.split(":")[4]!)) },
    opts,
  );
  const delivery = new aws.iam.RolePolicy(
    `${name}-flow-logs`,
    { role: role.name, policy: group.arn.apply(flowLogDeliveryPolicy) },
    opts,
  );
  new aws.ec2.FlowLog(
    `${name}-flow-logs`,
    {
      vpcId: args.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: group.arn,
      iamRoleArn: role.arn,
      tags: { Name: `${name}-flow-logs` },
    },
    // The role can write only once its policy exists: no first records lost to a denied delivery.
    { parent, dependsOn: [delivery] },
  );
}
