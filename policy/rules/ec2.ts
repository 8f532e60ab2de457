/** EC2 and networking rules: IMDSv2, no public IP, encrypted volumes, no sensitive port open to the world. */
import { PolicyResource, Rule } from "./model";
import { at, isObj, list, obj } from "./values";

const INSTANCES = ["aws:ec2/instance:Instance"];
export const VOLUMES = ["aws:ebs/volume:Volume"];

/** Ports that must never face the internet: SSH, MySQL classic and X protocol, Group Replication, Redis and its bus. */
export const SENSITIVE_PORTS: Record<number, string> = {
  22: "SSH",
  3306: "MySQL",
  33060: "MySQL X",
  33061: "Group Replication",
  6379: "Redis",
  16379: "Redis cluster bus",
};
const OPEN_CIDRS = ["0.0.0.0/0", "::/0", "::0/0"];

interface Ingress {
  protocol: unknown;
  from: unknown;
  to: unknown;
  cidrs: unknown[];
}

/** The sensitive ports an ingress rule opens to the world: protocol -1 means every port; tcp covers from..to. */
function exposedPorts(rule: Ingress): number[] {
  if (!rule.cidrs.some((c) => typeof c === "string" && OPEN_CIDRS.includes(c))) return [];
  const protocol = String(rule.protocol).toLowerCase();
  const ports = Object.keys(SENSITIVE_PORTS).map(Number);
  if (protocol === "-1" || protocol === "all") return ports;
  if (protocol !== "tcp" && protocol !== "6") return [];
  const from = typeof rule.from === "number" && rule.from >= 0 ? rule.from : 0;
  const to = typeof rule.to === "number" && rule.to >= 0 ? rule.to : 65535;
  return ports.filter((p) => p >= from && p <= to);
}

function ingressRules(r: PolicyResource): Ingress[] {
  const i = r.inputs;
  switch (r.type) {
    case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
      return [{ protocol: i.ipProtocol, from: i.fromPort, to: i.toPort, cidrs: [i.cidrIpv4, i.cidrIpv6] }];
    case "aws:ec2/securityGroupRule:SecurityGroupRule":
      if (i.type !== "ingress") return [];
      return [
        {
          protocol: i.protocol,
          from: i.fromPort,
          to: i.toPort,
          cidrs: [...list(i.cidrBlocks), ...list(i.ipv6CidrBlocks)],
        },
      ];
    case "aws:ec2/securityGroup:SecurityGroup":
      return list(i.ingress)
        .filter(isObj)
        .map((g) => ({
          protocol: g.protocol,
          from: g.fromPort,
          to: g.toPort,
          cidrs: [...list(g.cidrBlocks), ...list(g.ipv6CidrBlocks)],
        }));
  }
  return [];
}

export const ec2Rules: Rule[] = [
  {
    id: "GDB-EC2-001",
    title: "EC2 instance requires IMDSv2 with a hop limit of 1",
    checkov: ["CKV_AWS_79", "CKV_AWS_341"],
    fsbp: ["EC2.8"],
    severity: "high",
    appliesTo: INSTANCES,
    check: (r) => {
      const m = obj(r.inputs.metadataOptions);
      if (m.httpEndpoint === "disabled") return [];
      const reasons: string[] = [];
      if (m.httpTokens !== "required")
        reasons.push(`metadataOptions.httpTokens is ${String(m.httpTokens)}, not required`);
      // Hop limit 1 keeps a container on the host from reaching the instance role's credentials.
      if (m.httpPutResponseHopLimit !== 1)
        reasons.push(`metadataOptions.httpPutResponseHopLimit is ${String(m.httpPutResponseHopLimit)}, not 1`);
      return reasons;
    },
  },
  {
    id: "GDB-EC2-002",
    title: "EC2 instance has no public IP address",
    checkov: ["CKV_AWS_88"],
    fsbp: ["EC2.9"],
    severity: "high",
    appliesTo: [...INSTANCES, "aws:ec2/eip:Eip", "aws:ec2/eipAssociation:EipAssociation"],
    check: (r) => {
      if (r.type === "aws:ec2/eip:Eip") return r.inputs.instance ? ["the Elastic IP is attached to an instance"] : [];
      if (r.type === "aws:ec2/eipAssociation:EipAssociation")
        return r.inputs.instanceId ? ["the Elastic IP association gives an instance a public address"] : [];
      const reasons: string[] = [];
      // Unset, the subnet's mapPublicIpOnLaunch decides: the rule wants the decision in the program.
      if (r.inputs.associatePublicIpAddress !== false)
        reasons.push(`associatePublicIpAddress is ${String(r.inputs.associatePublicIpAddress)}, not false`);
      if (list(r.inputs.networkInterfaces).some((n) => at(n, "associatePublicIpAddress") === true))
        reasons.push("a network interface sets associatePublicIpAddress");
      return reasons;
    },
  },
  {
    id: "GDB-EC2-003",
    title: "EC2 root and EBS volumes are encrypted",
    checkov: ["CKV_AWS_8", "CKV_AWS_3"],
    fsbp: ["EC2.3"],
    severity: "high",
    appliesTo: [...INSTANCES, ...VOLUMES],
    check: (r) => {
      if (VOLUMES.includes(r.type)) return r.inputs.encrypted === true ? [] : ["encrypted is not true"];
      const reasons: string[] = [];
      if (at(r.inputs, "rootBlockDevice.encrypted") !== true) reasons.push("rootBlockDevice.encrypted is not true");
      list(r.inputs.ebsBlockDevices).forEach((d, i) => {
        if (at(d, "encrypted") !== true) reasons.push(`ebsBlockDevices[${i}].encrypted is not true`);
      });
      return reasons;
    },
  },
  {
    id: "GDB-NET-001",
    title: "No security group ingress from 0.0.0.0/0 or ::/0 to SSH, MySQL or Redis ports",
    checkov: ["CKV_AWS_24", "CKV_AWS_277"],
    fsbp: ["EC2.13", "EC2.19"],
    severity: "critical",
    appliesTo: [
      "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
      "aws:ec2/securityGroupRule:SecurityGroupRule",
      "aws:ec2/securityGroup:SecurityGroup",
    ],
    check: (r) =>
      ingressRules(r).flatMap((rule) => {
        const ports = exposedPorts(rule);
        if (ports.length === 0) return [];
        const open = rule.cidrs.filter((c) => typeof c === "string" && OPEN_CIDRS.includes(c)).join(", ");
        return [`ingress from ${open} reaches ${ports.map((p) => `${p} (${SENSITIVE_PORTS[p]})`).join(", ")}`];
      }),
  },
];
