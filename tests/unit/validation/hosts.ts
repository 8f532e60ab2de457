/** Invalid configs: hosts (aws or static), my.cnf overrides, converge, the bastion, images and node types. */
import { MYCNF_OVERRIDES } from "../../../infra/catalog/mycnfOverrides";
import type { InvalidCase } from "../../helpers/validation";

export const HOST_CASES: InvalidCase[] = [
  // ---- hosts, my.cnf overrides, converge, bastion ----
  {
    name: "hosts.provider not aws or static",
    stack: "dev",
    mutate: (r) => (r.hosts = { provider: "gcp" }),
    expected: ['gamedb:hosts.provider: "gcp" is not allowed; use one of "aws", "static"'],
  },
  {
    name: "static hosts given as a node count",
    stack: "dev",
    mutate: (r) => (r.hosts = { provider: "static", awsAccess: { mode: "accessKeys" } }),
    expected: [
      'gamedb:shards[0].nodes: 1: with hosts.provider "static" list each node as {index, address} so gamedb knows the hosts',
      'gamedb:shards[1].nodes: 1: with hosts.provider "static" list each node as {index, address} so gamedb knows the hosts',
    ],
  },
  {
    name: "static host without an address, and two nodes on one address",
    stack: "dev",
    mutate: (r) => {
      r.hosts = { provider: "static", awsAccess: { mode: "accessKeys" } };
      r.shards[0].nodes = [{ index: 0 }];
      r.shards[1].nodes = [
        { index: 0, address: "10.1.0.5" },
        { index: 1, address: "10.1.0.5" },
        { index: 2, address: "db3.internal" },
      ];
    },
    expected: [
      'gamedb:shards[0].nodes[0].address: is required with hosts.provider "static"',
      'gamedb:shards[1].nodes[1].address: "10.1.0.5" is already the address of shard 2 node 0',
    ],
  },
  {
    name: "address and sshUser on an aws node, staticDataDevice with aws",
    stack: "dev",
    mutate: (r) => {
      r.shards[0].nodes = [{ index: 0, address: "10.1.0.5", sshUser: "admin" }];
      r.hosts = { staticDataDevice: "/dev/nvme1n1" };
    },
    expected: [
      'gamedb:hosts.staticDataDevice: applies only with hosts.provider "static"; remove it',
      'gamedb:shards[0].nodes[0].address: applies only with hosts.provider "static" (aws creates the hosts)',
      'gamedb:shards[0].nodes[0].sshUser: applies only with hosts.provider "static"; aws hosts use ssh.user',
    ],
  },
  {
    name: "a static address that is neither an IPv4 address nor a DNS name",
    stack: "dev",
    mutate: (r) => {
      r.hosts = { provider: "static", awsAccess: { mode: "accessKeys" } };
      r.shards[0].nodes = [{ index: 0, address: "db 1" }];
      r.shards[1].nodes = [{ index: 0, address: "db2" }];
    },
    expected: [
      'gamedb:shards[0].nodes[0].address: "db 1" must be an IPv4 address or a DNS name such as db1.example.internal',
    ],
  },
  {
    name: "a static data device that is not a device path",
    stack: "dev",
    mutate: (r) => (r.hosts = { provider: "static", staticDataDevice: "nvme1n1", awsAccess: { mode: "accessKeys" } }),
    expected: ['gamedb:hosts.staticDataDevice: "nvme1n1" must be a block device path such as /dev/nvme1n1'],
  },
  {
    name: "static hosts without an explicit AWS access mode, and one given to EC2 hosts",
    stack: "dev",
    mutate: (r) => {
      r.hosts = { provider: "static" };
      r.shards[0].nodes = [{ index: 0, address: "10.1.0.5" }];
      r.shards[1].nodes = [{ index: 0, address: "10.1.0.6" }];
    },
    expected: [
      'gamedb:hosts.awsAccess: is required with hosts.provider "static": those hosts have no instance role, so each shard gets an IAM user whose access key its hosts keep for backups; set {mode: accessKeys} to accept that',
    ],
  },
  {
    name: "an AWS access mode for EC2 hosts",
    stack: "dev",
    mutate: (r) => (r.hosts = { awsAccess: { mode: "accessKeys" } }),
    expected: ['gamedb:hosts.awsAccess: applies only with hosts.provider "static" (EC2 hosts use their instance role)'],
  },
  {
    name: "an AWS access mode static hosts do not have",
    stack: "dev",
    mutate: (r) => {
      r.hosts = { provider: "static", awsAccess: { mode: "rolesAnywhere" } };
      r.shards[0].nodes = [{ index: 0, address: "10.1.0.5" }];
      r.shards[1].nodes = [{ index: 0, address: "10.1.0.6" }];
    },
    expected: ['gamedb:hosts.awsAccess.mode: "rolesAnywhere" is not allowed; use "accessKeys"'],
  },
  {
    name: "root volume below 20 GiB",
    stack: "dev",
    mutate: (r) => (r.hosts = { rootVolumeGiB: 8 }),
    expected: ["gamedb:hosts.rootVolumeGiB: 8 is out of range; use at least 20"],
  },
  {
    name: "my.cnf override not on the allowlist, and bad values for ones that are",
    stack: "prod",
    mutate: (r) => (r.mysql.overrides = { sync_binlog: 0, max_connections: 5, innodb_buffer_pool_size: "8X" }),
    expected: [
      `gamedb:mysql.overrides.sync_binlog: cannot be overridden; overridable settings: ${Object.keys(MYCNF_OVERRIDES).sort().join(", ")}`,
      "gamedb:mysql.overrides.max_connections: 5 is not allowed; use an integer from 10 to 100000",
      'gamedb:mysql.overrides.innodb_buffer_pool_size: "8X" is not allowed; use a size from 134217728 to 4398046511104 bytes, written as bytes or with K, M or G (e.g. "512M")',
    ],
  },
  {
    name: "my.cnf overrides of a boolean and an enum with wrong values",
    stack: "dev",
    mutate: (r) => (r.mysql = { overrides: { slow_query_log: "yes", transaction_isolation: "SERIALIZABLE" } }),
    expected: [
      'gamedb:mysql.overrides.slow_query_log: "yes" is not allowed; use true or false',
      'gamedb:mysql.overrides.transaction_isolation: "SERIALIZABLE" is not allowed; use one of "READ-COMMITTED", "REPEATABLE-READ"',
    ],
  },
  {
    name: "mysql.converge not always or onChange",
    stack: "dev",
    mutate: (r) => (r.mysql = { converge: "never" }),
    expected: ['gamedb:mysql.converge: "never" is not allowed; use one of "always", "onChange"'],
  },
  {
    name: "bastion without a host, with a bad port",
    stack: "prod",
    mutate: (r) => (r.ssh = { bastion: { port: 70000 } }),
    expected: [
      "gamedb:ssh.bastion.host: is required (string)",
      "gamedb:ssh.bastion.port: 70000 is out of range; use at most 65535",
    ],
  },
  {
    name: "Graviton instance types with aws hosts",
    stack: "prod",
    mutate: (r) => {
      r.mysql.instanceType = "r7g.2xlarge";
      r.shards[0].nodes = [{ index: 0 }, { index: 1, instanceType: "m6gd.4xlarge" }, { index: 2 }];
    },
    expected: [
      'gamedb:mysql.instanceType: "r7g.2xlarge" is a Graviton (arm64) type; MySQL\'s APT repository has no arm64 packages for Ubuntu: use an x86 type such as r6i, m6i or r7i',
      'gamedb:shards[0].nodes[1].instanceType: "m6gd.4xlarge" is a Graviton (arm64) type; MySQL\'s APT repository has no arm64 packages for Ubuntu: use an x86 type such as r6i, m6i or r7i',
    ],
  },
  {
    name: "router and redis images that are not image references, a bad ElastiCache node type and retention",
    stack: "dev",
    mutate: (r) => {
      r.router = { image: "Oracle Router:8.4" };
      r.redis = { image: "redis 7", nodeType: "r7g.large", snapshotRetentionDays: 40 };
    },
    expected: [
      'gamedb:router.image: "Oracle Router:8.4" must be a container image reference such as registry.example.com/mysql/community-router:8.4.3',
      'gamedb:redis.image: "redis 7" must be a container image reference such as registry.example.com/mysql/community-router:8.4.3',
      'gamedb:redis.nodeType: "r7g.large" must be an ElastiCache node type such as cache.r7g.large',
      "gamedb:redis.snapshotRetentionDays: 40 is out of range; use at most 35",
    ],
  },
];
