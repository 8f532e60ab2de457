/** Invalid configs: zones, the network and CIDRs open to the whole internet (infra/plan/validate.ts). */
import { InvalidCase, WHOLE_INTERNET } from "../../helpers/validation";

export const NETWORK_CASES: InvalidCase[] = [
  // ---- validate.ts: zones ----
  {
    name: "zone not in the region",
    stack: "dev",
    mutate: (r) => (r.aws.availabilityZones = ["eu-west-1a", "us-east-1b"]),
    expected: [
      'gamedb:aws.availabilityZones[1]: "us-east-1b" is not a zone of eu-west-1; use eu-west-1a, eu-west-1b, ...',
    ],
  },
  {
    name: "zone of a neighbouring region",
    stack: "prod",
    mutate: (r) => (r.aws.availabilityZones = ["eu-west-1a", "eu-west-2b", "eu-west-1c"]),
    expected: [
      'gamedb:aws.availabilityZones[1]: "eu-west-2b" is not a zone of eu-west-1; use eu-west-1a, eu-west-1b, ...',
    ],
  },
  {
    name: "duplicate zone",
    stack: "dev",
    mutate: (r) => (r.aws.availabilityZones = ["eu-west-1a", "eu-west-1a"]),
    expected: ['gamedb:aws.availabilityZones[1]: "eu-west-1a" is listed twice'],
  },
  {
    name: "zone letter past 'o' in create mode",
    stack: "dev",
    mutate: (r) => (r.aws.availabilityZones = ["eu-west-1a", "eu-west-1p"]),
    expected: ['gamedb:aws.availabilityZones[1]: "eu-west-1p": created networks support zones a to o'],
  },
  // ---- validate.ts: network ----
  {
    name: "network CIDR that is not a network address",
    stack: "dev",
    mutate: (r) => (r.network.cidr = "10.40.0.1/16"),
    expected: [
      'gamedb:network.cidr: "10.40.0.1/16" is not an IPv4 network address; write its first address, e.g. 10.40.0.0/16',
    ],
  },
  {
    name: "IPv6 network CIDR",
    stack: "dev",
    mutate: (r) => (r.network.cidr = "fd00::/48"),
    expected: [
      'gamedb:network.cidr: "fd00::/48" is not an IPv4 network address; write its first address, e.g. 10.40.0.0/16',
    ],
  },
  {
    name: "network CIDR prefix /24",
    stack: "dev",
    mutate: (r) => (r.network.cidr = "10.40.0.0/24"),
    expected: [
      'gamedb:network.cidr: "10.40.0.0/24" has prefix /24; use /16 to /20 (subnets are carved 4 and 8 bits smaller)',
    ],
  },
  {
    name: "network CIDR prefix /8",
    stack: "prod",
    mutate: (r) => (r.network.cidr = "10.0.0.0/8"),
    expected: [
      'gamedb:network.cidr: "10.0.0.0/8" has prefix /8; use /16 to /20 (subnets are carved 4 and 8 bits smaller)',
    ],
  },
  {
    name: "adopt mode missing a zone's subnet",
    stack: "dev",
    mutate: (r) =>
      (r.network = { mode: "adopt", vpcId: "vpc-0abc1234", subnetIds: { "eu-west-1a": "subnet-0abc1234" } }),
    expected: [
      "gamedb:network.subnetIds.eu-west-1b: is missing; give the private subnet of every zone in gamedb:aws.availabilityZones",
    ],
  },
  {
    name: "adopt mode with a subnet for a zone that is not listed",
    stack: "dev",
    mutate: (r) =>
      (r.network = {
        mode: "adopt",
        vpcId: "vpc-0abc1234",
        subnetIds: {
          "eu-west-1a": "subnet-0abc1234",
          "eu-west-1b": "subnet-0abc5678",
          "eu-west-1c": "subnet-0abc9999",
        },
      }),
    expected: [
      "gamedb:network.subnetIds.eu-west-1c: is not a zone in gamedb:aws.availabilityZones (eu-west-1a, eu-west-1b)",
    ],
  },
  // ---- validate.ts: open CIDRs ----
  {
    name: "0.0.0.0/0 in ssh.adminCidrs",
    stack: "prod",
    mutate: (r) => r.ssh.adminCidrs.push("0.0.0.0/0"),
    expected: [`gamedb:ssh.adminCidrs[1]: "0.0.0.0/0" ${WHOLE_INTERNET}`],
  },
  {
    name: "gamedb's own namespace, or one listed twice, as a game namespace",
    stack: "prod",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, namespace: "db", gameNamespaces: ["game", "db", "game"] }),
    expected: [
      'gamedb:kubernetes.gameNamespaces[2]: "game" is listed twice',
      `gamedb:kubernetes.gameNamespaces[1]: "db" is gamedb's own namespace (kubernetes.namespace); list the namespaces your game servers run in`,
    ],
  },
  {
    name: "::/0 in kubernetes.nodeCidrs",
    stack: "dev",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, nodeCidrs: ["10.1.0.0/16", "::/0"] }),
    expected: [`gamedb:kubernetes.nodeCidrs[1]: "::/0" ${WHOLE_INTERNET}`],
  },
];
