/**
 * A created VPC's flow logs and default security group under Pulumi's mocks (infra/network/flowLogs.ts, vpc.ts):
 * exact inputs and options in both shipped stacks, retention by environment, and nothing for an adopted VPC.
 */
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { stackOf } from "../helpers/stack";
import { planOf, resourceOf as get } from "../helpers/plan";
import { adoptedNetworkRaw } from "../helpers/configs";

const GROUP_ARN = "arn:aws:cloudwatch:mock:000000000000:gamedb-network-flow-logs";
const FLOW_LOG_TYPES = [
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:ec2/flowLog:FlowLog",
];

describe.each([
  ["prod", 365],
  ["dev", 30],
] as const)("%s: the created VPC", (stack, days) => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf(stack);
  });

  it("manages its default security group with no rules at all", () => {
    const group = get(doc, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "gamedb-network-default");
    expect(group.inputs).toEqual({
      vpcId: "gamedb-network-vpc-id",
      ingress: [],
      egress: [],
      tags: { Name: "gamedb-network-default" },
    });
    expect(group.options).toMatchObject({ protect: false, retainOnDelete: false, dependsOn: [] });
  });

  it(`logs ALL its traffic to /gamedb/${stack}/vpc-flow-logs, kept ${days} days`, () => {
    expect(get(doc, "aws:cloudwatch/logGroup:LogGroup", "gamedb-network-flow-logs").inputs).toEqual({
      name: `/gamedb/${stack}/vpc-flow-logs`,
      retentionInDays: days,
    });
    const flowLog = get(doc, "aws:ec2/flowLog:FlowLog", "gamedb-network-flow-logs");
    expect(flowLog.inputs).toEqual({
      vpcId: "gamedb-network-vpc-id",
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: GROUP_ARN,
      iamRoleArn: "arn:aws:iam::000000000000:gamedb-network-flow-logs",
      tags: { Name: "gamedb-network-flow-logs" },
    });
    // Created only once the role may write: no first records lost to a denied delivery.
    const delivery = get(doc, "aws:iam/rolePolicy:RolePolicy", "gamedb-network-flow-logs");
    expect(flowLog.options.dependsOn).toEqual([delivery.urn]);
  });

  it("delivers through a role only VPC Flow Logs of the VPC's account can take, writing to that group only", () => {
    const role = get(doc, "aws:iam/role:Role", "gamedb-network-flow-logs");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "000000000000" } },
        },
      ],
    });
    const policy = get(doc, "aws:iam/rolePolicy:RolePolicy", "gamedb-network-flow-logs").inputs;
    expect(policy.role).toBe("gamedb-network-flow-logs");
    expect(JSON.parse(policy.policy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "FlowLogGroup",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [GROUP_ARN, `${GROUP_ARN}:*`],
        },
      ],
    });
  });
});

describe("an adopted VPC", () => {
  it("is the operator's: no flow log, log group or default security group of gamedb's", async () => {
    const doc = await evaluate(stackOf(adoptedNetworkRaw(), "dev"));
    expect(doc.resources.filter((r) => FLOW_LOG_TYPES.includes(r.type) || /flow-logs/.test(r.name))).toEqual([]);
  });
});
