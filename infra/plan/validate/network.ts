/** Cross-key rules about zones, the network and who may reach what. Pure. */
import { IPv4CidrRange, Validator } from "ip-num";
import { Problem, problem, show } from "../../config/errors";
import type { Check } from "./rule";
import { MAX_ZONE_LETTER_INDEX, zoneLetterIndex } from "../subnetLayout";
import { sortedZones } from "../placement";

/** A /0 block is the whole internet, however it is spelled (0.0.0.0/0, ::/0, ::0/0, 10.1.2.3/0). */
const isWholeInternet = (cidr: string) => /\/0+$/.test(cidr);

export const zones: Check = (t) => {
  const out: Problem[] = [];
  const seen = new Set<string>();
  t.aws.availabilityZones.forEach((az, i) => {
    if (seen.has(az)) out.push(problem(["aws", "availabilityZones", i], `${show(az)} is listed twice`));
    seen.add(az);
    if (!az.startsWith(t.aws.region)) {
      out.push(
        problem(
          ["aws", "availabilityZones", i],
          `${show(az)} is not a zone of ${t.aws.region}; use ${t.aws.region}a, ${t.aws.region}b, ...`,
        ),
      );
    } else if (t.network.mode === "create" && zoneLetterIndex(az) > MAX_ZONE_LETTER_INDEX) {
      out.push(problem(["aws", "availabilityZones", i], `${show(az)}: created networks support zones a to o`));
    }
  });
  return out;
};

export const network: Check = (t) => {
  const n = t.network;
  if (n.mode === "create") {
    const [ok] = Validator.isValidIPv4CidrRange(n.cidr);
    if (!ok)
      return [
        problem(
          ["network", "cidr"],
          `${show(n.cidr)} is not an IPv4 network address; write its first address, e.g. 10.40.0.0/16`,
        ),
      ];
    const prefix = Number(IPv4CidrRange.fromCidr(n.cidr).cidrPrefix.getValue());
    if (prefix < 16 || prefix > 20) {
      return [
        problem(
          ["network", "cidr"],
          `${show(n.cidr)} has prefix /${prefix}; use /16 to /20 (subnets are carved 4 and 8 bits smaller)`,
        ),
      ];
    }
    return [];
  }
  const out: Problem[] = [];
  const zonesSet = new Set(t.aws.availabilityZones);
  for (const az of sortedZones(t.aws.availabilityZones)) {
    if (!(az in n.subnetIds))
      out.push(
        problem(
          ["network", "subnetIds", az],
          `is missing; give the private subnet of every zone in gamedb:aws.availabilityZones`,
        ),
      );
  }
  for (const az of Object.keys(n.subnetIds)) {
    if (!zonesSet.has(az))
      out.push(
        problem(
          ["network", "subnetIds", az],
          `is not a zone in gamedb:aws.availabilityZones (${[...zonesSet].join(", ")})`,
        ),
      );
  }
  return out;
};

/**
 * Who may reach the hosts: never the whole internet, and each network or node security group once (each entry is a
 * security group rule named after it, infra/network/securityGroups.ts and kubernetesAccess.ts: one listed twice
 * would be two resources of one name).
 */
export const cidrs: Check = (t) => {
  const out: Problem[] = [];
  const once = (list: string[], path: (string | number)[]) => {
    const seen = new Set<string>();
    list.forEach((v, i) => {
      if (seen.has(v)) out.push(problem([...path, i], `${show(v)} is listed twice`));
      seen.add(v);
    });
  };
  const closed = (list: string[], path: (string | number)[]) =>
    list.forEach((c, i) => {
      if (isWholeInternet(c))
        out.push(
          problem(
            [...path, i],
            `${show(c)} opens database and SSH ports to the whole internet; list the networks that need access`,
          ),
        );
    });
  closed(t.ssh.adminCidrs, ["ssh", "adminCidrs"]);
  closed(t.kubernetes.nodeCidrs, ["kubernetes", "nodeCidrs"]);
  once(t.ssh.adminCidrs, ["ssh", "adminCidrs"]);
  once(t.kubernetes.nodeCidrs, ["kubernetes", "nodeCidrs"]);
  once(t.kubernetes.nodeSecurityGroupIds, ["kubernetes", "nodeSecurityGroupIds"]);
  once(t.kubernetes.gameNamespaces, ["kubernetes", "gameNamespaces"]);
  t.kubernetes.gameNamespaces.forEach((ns, i) => {
    // Admitting gamedb's own namespace would admit every pod in it, restore verification and movers included.
    if (ns === t.kubernetes.namespace)
      out.push(
        problem(
          ["kubernetes", "gameNamespaces", i],
          `${show(ns)} is gamedb's own namespace (kubernetes.namespace); list the namespaces your game servers run in`,
        ),
      );
  });
  return out;
};
