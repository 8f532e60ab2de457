/** Invalid configs: shapes the schema refuses (infra/config/schema.ts, read by infra/config/load.ts). */
import { InvalidCase, SHARD_KEYS } from "../../helpers/validation";

export const SCHEMA_CASES: InvalidCase[] = [
  // ---- schema.ts / load.ts: shapes ----
  {
    name: "unknown top-level key",
    stack: "dev",
    mutate: (r) => (r.shard = []),
    expected: [
      "gamedb:shard: unknown key; the gamedb namespace has environment, aws, network, hosts, mysql, shards, router, redis, backup, monitoring, kubernetes, tls, schema, slotMoves, ssh",
    ],
  },
  {
    name: "unknown key in a shard",
    stack: "dev",
    mutate: (r) => (r.shards[0].node = 3),
    expected: [`gamedb:shards[0].node: unknown key; allowed keys here: ${SHARD_KEYS}`],
  },
  {
    name: "unknown key in mysql.dataVolume",
    stack: "prod",
    mutate: (r) => (r.mysql.dataVolume.size = 500),
    expected: ["gamedb:mysql.dataVolume.size: unknown key; allowed keys here: sizeGiB, type, iops, throughput"],
  },
  {
    name: "unknown key in a node entry",
    stack: "dev",
    mutate: (r) => (r.shards[0].nodes = [{ index: 0, zone: "eu-west-1a" }]),
    expected: [
      "gamedb:shards[0].nodes[0].zone: unknown key; allowed keys here: index, az, instanceType, address, sshUser",
    ],
  },
  {
    name: "create-mode key in an adopt-mode network lists the adopt keys",
    stack: "dev",
    mutate: (r) =>
      (r.network = {
        mode: "adopt",
        vpcId: "vpc-0abc1234",
        subnetIds: { "eu-west-1a": "subnet-0abc1234", "eu-west-1b": "subnet-0abc5678" },
        natGateways: "single",
      }),
    expected: ["gamedb:network.natGateways: unknown key; allowed keys here: mode, vpcId, subnetIds"],
  },
  {
    name: "wrong type: a number as a string",
    stack: "prod",
    mutate: (r) => (r.router.replicas = "2"),
    expected: ['gamedb:router.replicas: "2" is a string; expected number'],
  },
  {
    name: "wrong type: a section that is not an object",
    stack: "dev",
    mutate: (r) => (r.mysql = []),
    expected: ["gamedb:mysql: [] is a list; expected object"],
  },
  {
    name: "wrong type: a boolean as a string",
    stack: "dev",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, createNamespace: "yes" }),
    expected: ['gamedb:kubernetes.createNamespace: "yes" is a string; expected boolean'],
  },
  {
    name: "enum value not allowed",
    stack: "prod",
    mutate: (r) => (r.redis.engine = "memcached"),
    expected: ['gamedb:redis.engine: "memcached" is not allowed; use one of "kubernetes", "elasticache"'],
  },
  {
    name: "network mode not allowed",
    stack: "dev",
    mutate: (r) => (r.network.mode = "peer"),
    expected: ['gamedb:network.mode: "peer" is not allowed; use one of "create", "adopt"'],
  },
  {
    name: "shard name not DNS-safe",
    stack: "dev",
    mutate: (r) => (r.shards[0].name = "Alpha"),
    expected: [
      `gamedb:shards[0].name: "Alpha" must be DNS-safe: 1-32 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-'`,
    ],
  },
  {
    name: "shard name ending with '-'",
    stack: "dev",
    mutate: (r) => (r.shards[1].name = "bravo-"),
    expected: [
      `gamedb:shards[1].name: "bravo-" must be DNS-safe: 1-32 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-'`,
    ],
  },
  {
    name: "negative shard id",
    stack: "dev",
    mutate: (r) => (r.shards[0].id = -1),
    expected: ["gamedb:shards[0].id: -1 is out of range; use at least 0"],
  },
  {
    name: "shard id above 999999",
    stack: "dev",
    mutate: (r) => (r.shards[1].id = 1_000_000),
    expected: ["gamedb:shards[1].id: 1000000 is out of range; use at most 999999"],
  },
  {
    name: "fractional shard id",
    stack: "dev",
    mutate: (r) => (r.shards[0].id = 1.5),
    expected: ["gamedb:shards[0].id: 1.5 is a number; expected int"],
  },
  {
    name: "shard without an id",
    stack: "dev",
    mutate: (r) => delete r.shards[0].id,
    expected: ["gamedb:shards[0].id: is required (number)"],
  },
  {
    name: "nodes as a string",
    stack: "dev",
    mutate: (r) => (r.shards[0].nodes = "3"),
    expected: ['gamedb:shards[0].nodes: "3" is a string; expected number or array'],
  },
  {
    name: "nodes count above 9",
    stack: "prod",
    mutate: (r) => (r.shards[0].nodes = 11),
    expected: ["gamedb:shards[0].nodes: 11 is out of range; use at most 9"],
  },
  {
    name: "empty node list",
    stack: "dev",
    mutate: (r) => (r.shards[0].nodes = []),
    expected: ["gamedb:shards[0].nodes: has 0 entries; needs at least 1"],
  },
  {
    name: "missing required aws section",
    stack: "dev",
    mutate: (r) => delete r.aws,
    expected: ["gamedb:aws: is required (object)"],
  },
  {
    name: "empty zone list",
    stack: "dev",
    mutate: (r) => (r.aws.availabilityZones = []),
    expected: ["gamedb:aws.availabilityZones: has 0 entries; needs at least 1"],
  },
  {
    name: "zone name that is not an availability zone name",
    stack: "dev",
    mutate: (r) => (r.aws.availabilityZones = ["eu-west-1a", "eu-west-1"]),
    expected: ['gamedb:aws.availabilityZones[1]: "eu-west-1" must be an availability zone name such as eu-west-1a'],
  },
  {
    name: "region that is not an AWS region",
    stack: "dev",
    mutate: (r) => (r.aws.region = "europe"),
    expected: ['gamedb:aws.region: "europe" must be an AWS region such as eu-west-1'],
  },
  {
    name: "empty shards list",
    stack: "dev",
    mutate: (r) => (r.shards = []),
    expected: ["gamedb:shards: has 0 entries; needs at least 1"],
  },
  {
    name: "MySQL version that is not 8.4 LTS",
    stack: "prod",
    mutate: (r) => (r.mysql.version = "8.0.36"),
    expected: [
      'gamedb:mysql.version: "8.0.36" must be a MySQL 8.4 LTS release with a server, MySQL Shell and MySQL Router: 8.4.0, 8.4.1, 8.4.3, 8.4.4, 8.4.5, 8.4.6, 8.4.7, 8.4.8, 8.4.9, 8.4.10',
    ],
  },
  {
    name: "malformed security group id",
    stack: "dev",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, nodeSecurityGroupIds: ["sg-1"] }),
    expected: ['gamedb:kubernetes.nodeSecurityGroupIds[0]: "sg-1" must be a security group id'],
  },
  {
    name: "environment that is not dev or prod",
    stack: "prod",
    mutate: (r) => (r.environment = "staging"),
    expected: ['gamedb:environment: "staging" is not allowed; use one of "dev", "prod"'],
  },
  // ---- schema: remaining sections, one bad value each ----
  {
    name: "redis node timeout below 1 s",
    stack: "dev",
    mutate: (r) => (r.redis = { nodeTimeoutMs: 500 }),
    expected: ["gamedb:redis.nodeTimeoutMs: 500 is out of range; use at least 1000"],
  },
  {
    name: "redis storage of 0 GiB",
    stack: "dev",
    mutate: (r) => (r.redis = { storageGiB: 0 }),
    expected: ["gamedb:redis.storageGiB: 0 is out of range; use at least 1"],
  },
  {
    name: "backup schedule that is not a calendar expression",
    stack: "dev",
    mutate: (r) => (r.backup = { ...r.backup, fullSchedule: "every night" }),
    expected: [
      'gamedb:backup.fullSchedule: "every night" must be a systemd OnCalendar expression such as "*-*-* 02:00:00", "Sun *-*-* 03:30" or "daily"',
    ],
  },
  {
    name: "binlog shipping every 2 hours",
    stack: "dev",
    mutate: (r) => (r.backup = { ...r.backup, binlogShipMinutes: 120 }),
    expected: ["gamedb:backup.binlogShipMinutes: 120 is out of range; use at most 60"],
  },
  {
    name: "failure threshold of 0",
    stack: "dev",
    mutate: (r) => (r.monitoring = { ...r.monitoring, failureThreshold: 0 }),
    expected: ["gamedb:monitoring.failureThreshold: 0 is out of range; use at least 1"],
  },
  {
    name: "CPU threshold above 100%",
    stack: "dev",
    mutate: (r) => (r.monitoring = { ...r.monitoring, cpuPercent: 120 }),
    expected: ["gamedb:monitoring.cpuPercent: 120 is out of range; use at most 100"],
  },
  {
    name: "buffer pool threshold as text",
    stack: "dev",
    mutate: (r) => (r.monitoring = { ...r.monitoring, bufferPoolPercent: "85%" }),
    expected: ['gamedb:monitoring.bufferPoolPercent: "85%" is a string; expected number'],
  },
  {
    name: "negative lag threshold",
    stack: "dev",
    mutate: (r) => (r.monitoring = { ...r.monitoring, lagSeconds: -1 }),
    expected: ["gamedb:monitoring.lagSeconds: -1 is out of range; use at least 0"],
  },
  {
    name: "ssh user with a capital letter",
    stack: "dev",
    mutate: (r) => (r.ssh = { user: "Admin" }),
    expected: ['gamedb:ssh.user: "Admin" must be a Unix user name'],
  },
  {
    name: "kubernetes namespace with an underscore",
    stack: "dev",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, namespace: "game_db" }),
    expected: [
      `gamedb:kubernetes.namespace: "game_db" must be DNS-safe: 1-32 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-'`,
    ],
  },

  // ---- security.ts: workload identity, game namespaces, the CA, Redis TLS ----
  {
    name: "no kubernetes section (awsAccess is required)",
    stack: "prod",
    mutate: (r) => delete r.kubernetes,
    expected: ["gamedb:kubernetes: is required (object)"],
  },
  {
    name: "kubernetes without awsAccess",
    stack: "prod",
    mutate: (r) => (r.kubernetes = { gameNamespaces: ["game-servers"] }),
    expected: ["gamedb:kubernetes.awsAccess: is required (object)"],
  },
  {
    name: "an awsAccess mode gamedb does not have",
    stack: "prod",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, awsAccess: { mode: "instanceRole" } }),
    expected: [
      'gamedb:kubernetes.awsAccess.mode: "instanceRole" is not allowed; use one of "podIdentity", "irsa", "accessKeys"',
    ],
  },
  {
    name: "irsa without its OIDC provider",
    stack: "prod",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, awsAccess: { mode: "irsa" } }),
    expected: ["gamedb:kubernetes.awsAccess.oidcProviderArn: is required (string)"],
  },
  {
    name: "irsa with an ARN that is not an OIDC provider's",
    stack: "prod",
    mutate: (r) =>
      (r.kubernetes = {
        ...r.kubernetes,
        awsAccess: { mode: "irsa", oidcProviderArn: "arn:aws:iam::123456789012:role/eks" },
      }),
    expected: [
      'gamedb:kubernetes.awsAccess.oidcProviderArn: "arn:aws:iam::123456789012:role/eks" must be an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF',
    ],
  },
  {
    name: "podIdentity with a cluster name EKS refuses, and a key another mode has",
    stack: "prod",
    mutate: (r) =>
      (r.kubernetes = {
        ...r.kubernetes,
        awsAccess: { mode: "podIdentity", clusterName: "game eks", oidcProviderArn: "x" },
      }),
    expected: [
      `gamedb:kubernetes.awsAccess.clusterName: "game eks" must be an EKS cluster name: 1-100 characters of letters, digits, '-' and '_'`,
      "gamedb:kubernetes.awsAccess.oidcProviderArn: unknown key; allowed keys here: mode, clusterName",
    ],
  },
  {
    name: "a game namespace that is not a namespace name",
    stack: "prod",
    mutate: (r) => (r.kubernetes = { ...r.kubernetes, gameNamespaces: ["Game_Servers"] }),
    expected: [
      `gamedb:kubernetes.gameNamespaces[0]: "Game_Servers" must be a Kubernetes namespace name: 1-63 characters of a-z, 0-9 and '-', not starting or ending with '-'`,
    ],
  },
  {
    name: "redis.tls as a string, a negative CA rotation, an unknown tls key",
    stack: "prod",
    mutate: (r) => {
      r.redis = { ...r.redis, tls: "yes" };
      r.tls = { caRotation: -1, rotation: 1 };
    },
    expected: [
      'gamedb:redis.tls: "yes" is a string; expected boolean',
      "gamedb:tls.caRotation: -1 is out of range; use at least 0",
      "gamedb:tls.rotation: unknown key; allowed keys here: caRotation, caValidityDays, certValidityDays",
    ],
  },
];
