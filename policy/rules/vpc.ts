/** VPC rules: a VPC gamedb creates logs its flows and keeps its default security group empty. */
import { PolicyResource, Rule } from "./model";
import { list } from "./values";

const VPCS = ["aws:ec2/vpc:Vpc"];
const FLOW_LOGS = ["aws:ec2/flowLog:FlowLog"];
const DEFAULT_GROUPS = ["aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"];

/** The rules a default security group still has: any is a way in or out for whatever lands in it. */
function defaultGroupRules(group: PolicyResource): string[] {
  return (["ingress", "egress"] as const)
    .filter((k) => list(group.inputs[k]).length > 0)
    .map((k) => `${k} has ${list(group.inputs[k]).length} rule(s)`);
}

export const vpcRules: Rule[] = [
  {
    id: "GDB-NET-002",
    title: "VPC flow logs record all traffic",
    checkov: ["CKV2_AWS_11"],
    fsbp: ["EC2.6"],
    severity: "medium",
    appliesTo: VPCS,
    check: (vpc, ctx) => {
      const logs = ctx.referencing(vpc, FLOW_LOGS, "vpcId");
      if (logs.length === 0) return ["no FlowLog refers to this VPC"];
      // REJECT-only logs miss what got in; ACCEPT-only miss the probing: the investigation needs both.
      return logs.some((l) => l.inputs.trafficType === "ALL")
        ? []
        : [`its flow logs record ${logs.map((l) => String(l.inputs.trafficType)).join(", ")} traffic, not ALL`];
    },
  },
  {
    id: "GDB-NET-003",
    title: "VPC default security group restricts all traffic",
    checkov: ["CKV2_AWS_12"],
    fsbp: ["EC2.2"],
    severity: "high",
    appliesTo: [...VPCS, ...DEFAULT_GROUPS],
    check: (r, ctx) => {
      if (DEFAULT_GROUPS.includes(r.type)) return defaultGroupRules(r);
      // Left unmanaged, the default group keeps the allow-all rules AWS creates it with.
      return ctx.referencing(r, DEFAULT_GROUPS, "vpcId").length === 0
        ? ["no DefaultSecurityGroup refers to this VPC: its default group keeps AWS's allow-all rules"]
        : [];
    },
  },
];
