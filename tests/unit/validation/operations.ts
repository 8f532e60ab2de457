/** Invalid configs: high availability, backups (lifecycle, object lock, snapshots, restore checks), monitoring. */
import { shardsCovering } from "../../helpers/configs";
import type { InvalidCase } from "../../helpers/validation";

export const OPERATIONS_CASES: InvalidCase[] = [
  // ---- validate.ts: high availability, backups, monitoring ----
  {
    name: "prod router.replicas 1",
    stack: "prod",
    mutate: (r) => (r.router.replicas = 1),
    expected: ["gamedb:router.replicas: 1: prod needs at least 2 so a router pod's loss does not cut a shard off"],
  },
  {
    name: "prod redis.replicasPerMaster 0",
    stack: "prod",
    mutate: (r) => (r.redis.replicasPerMaster = 0),
    expected: ["gamedb:redis.replicasPerMaster: 0: prod needs at least 1 so a master's loss fails over"],
  },
  {
    name: "backup retention shorter than the prod pitr window",
    stack: "prod",
    mutate: (r) => (r.backup.retentionDays = 7),
    expected: ["gamedb:backup.retentionDays: 7 days cannot serve a 168 h point-in-time window; keep at least 8 days"],
  },
  {
    name: "backup retention shorter than a custom pitr window",
    stack: "dev",
    mutate: (r) => (r.backup = { ...r.backup, retentionDays: 2, pitrWindowHours: 49 }),
    expected: ["gamedb:backup.retentionDays: 2 days cannot serve a 49 h point-in-time window; keep at least 4 days"],
  },
  {
    name: "monitoring check timeout equal to the interval",
    stack: "dev",
    mutate: (r) => (r.monitoring = { ...r.monitoring, intervalSeconds: 5, checkTimeoutSeconds: 5 }),
    expected: ["gamedb:monitoring.checkTimeoutSeconds: 5 must be shorter than intervalSeconds (5)"],
  },
  {
    name: "monitoring check timeout longer than the default interval",
    stack: "prod",
    mutate: (r) => (r.monitoring = { ...r.monitoring, checkTimeoutSeconds: 30 }),
    expected: ["gamedb:monitoring.checkTimeoutSeconds: 30 must be shorter than intervalSeconds (10)"],
  },
  // ---- backup lifecycle, object lock, snapshots ----
  {
    name: "STANDARD_IA before day 30 and Glacier IR before day 90",
    stack: "prod",
    mutate: (r) =>
      (r.backup = { ...r.backup, retentionDays: 400, infrequentAccessAfterDays: 10, glacierInstantAfterDays: 60 }),
    expected: [
      "gamedb:backup.infrequentAccessAfterDays: 10: S3 moves objects to STANDARD_IA no earlier than day 30",
      "gamedb:backup.glacierInstantAfterDays: 60: use 90 or more; Glacier Instant Retrieval bills 90 days minimum, so an earlier move costs more than it saves",
    ],
  },
  {
    name: "Glacier IR less than 30 days after STANDARD_IA",
    stack: "prod",
    mutate: (r) =>
      (r.backup = { ...r.backup, retentionDays: 400, infrequentAccessAfterDays: 80, glacierInstantAfterDays: 90 }),
    expected: [
      "gamedb:backup.glacierInstantAfterDays: 90 is less than 30 days after infrequentAccessAfterDays (80); S3 keeps objects in STANDARD_IA at least 30 days before a colder class",
    ],
  },
  {
    name: "retention shorter than a transition plus its class's minimum storage",
    stack: "prod",
    mutate: (r) => (r.backup = { ...r.backup, retentionDays: 45, infrequentAccessAfterDays: 30 }),
    expected: [
      "gamedb:backup.retentionDays: 45 days expires dumps before STANDARD_IA's 30-day minimum after infrequentAccessAfterDays (30) ends, so the move costs more than it saves; keep at least 60 days or drop infrequentAccessAfterDays",
    ],
  },
  {
    name: "object lock longer than the retention, with an unknown mode",
    stack: "prod",
    mutate: (r) => (r.backup = { ...r.backup, objectLock: { mode: "STRICT", days: 10 } }),
    expected: ['gamedb:backup.objectLock.mode: "STRICT" is not allowed; use one of "GOVERNANCE", "COMPLIANCE"'],
  },
  {
    name: "object lock longer than the retention",
    stack: "prod",
    mutate: (r) => (r.backup = { ...r.backup, objectLock: { mode: "GOVERNANCE", days: 90 } }),
    expected: [
      "gamedb:backup.objectLock.days: 90 is longer than retentionDays (30); locked dumps could not expire when the lifecycle says",
    ],
  },
  {
    name: "a bad KMS key ARN and snapshot settings",
    stack: "dev",
    mutate: (r) =>
      (r.backup = {
        ...r.backup,
        kmsKeyArn: "alias/backups",
        snapshots: { intervalHours: 5, time: "3:00", retainCount: 0 },
      }),
    expected: [
      'gamedb:backup.kmsKeyArn: "alias/backups" must be a KMS key ARN such as arn:aws:kms:eu-west-1:123456789012:key/...',
      "gamedb:backup.snapshots.intervalHours: 5 is not an interval DLM accepts; use 1, 2, 3, 4, 6, 8, 12 or 24",
      'gamedb:backup.snapshots.time: "3:00" must be a UTC time of day such as "03:00"',
      "gamedb:backup.snapshots.retainCount: 0 is out of range; use at least 1",
    ],
  },
  {
    name: "a bad static SSH user, bastion host and user, and a non-boolean accessLogs",
    stack: "dev",
    mutate: (r) => {
      r.hosts = { provider: "static", awsAccess: { mode: "accessKeys" } };
      r.shards[0].nodes = [{ index: 0, address: "10.1.0.5", sshUser: "Admin User" }];
      r.shards[1].nodes = [{ index: 0, address: "10.1.0.6" }];
      r.ssh = { bastion: { host: "bastion host", user: "9root" } };
      r.backup = { ...r.backup, accessLogs: "yes" };
    },
    expected: [
      'gamedb:shards[0].nodes[0].sshUser: "Admin User" must be a Unix user name',
      'gamedb:backup.accessLogs: "yes" is a string; expected boolean',
      'gamedb:ssh.bastion.host: "bastion host" must be an IPv4 address or a DNS name such as db1.example.internal',
      'gamedb:ssh.bastion.user: "9root" must be a Unix user name',
    ],
  },
  {
    name: "no worker image, no restore-verification image while enabled",
    stack: "prod",
    mutate: (r) => {
      delete r.monitoring.image;
      delete r.backup.restoreVerification;
    },
    expected: [
      "gamedb:monitoring.image: is required: build it from the repo's Dockerfile (docker build --target monitor -t REGISTRY/gamedb-monitor:0.1.0 .), push it where the cluster pulls from, and set its reference here",
      "gamedb:backup.restoreVerification.image: is required when enabled: build it from the repo's Dockerfile (docker build --target restore-verify -t REGISTRY/gamedb-restore-verify:0.1.0 .), push it where the cluster pulls from, and set its reference here",
    ],
  },
  {
    name: "a CA that does not outlive a certificate by more than the renewal window",
    stack: "prod",
    mutate: (r) => (r.tls = { caValidityDays: 395, certValidityDays: 365 }),
    expected: [
      "gamedb:tls.caValidityDays: 395 days must exceed tls.certValidityDays (365) by more than 30 (the renewal window); use at least 396",
    ],
  },
  {
    name: "a certificate valid for less than 60 days",
    stack: "prod",
    mutate: (r) => (r.tls = { certValidityDays: 31 }),
    expected: ["gamedb:tls.certValidityDays: 31 is out of range; use at least 60"],
  },
  {
    name: "no Redis controller image with the kubernetes engine",
    stack: "dev",
    mutate: (r) => delete r.redis.controllerImage,
    expected: [
      `gamedb:redis.controllerImage: is required with engine "kubernetes": build it from the repo's Dockerfile (docker build --target redis-controller -t REGISTRY/gamedb-redis-controller:0.1.0 .), push it where the cluster pulls from, and set its reference here`,
    ],
  },
  {
    name: "a Redis controller image that is not an image reference",
    stack: "dev",
    mutate: (r) => (r.redis.controllerImage = "gamedb redis controller"),
    expected: [
      'gamedb:redis.controllerImage: "gamedb redis controller" must be a container image reference such as registry.example.com/mysql/community-router:8.4.3',
    ],
  },
  {
    name: "monitoring concurrency too low for the fleet",
    stack: "prod",
    mutate: (r) => {
      r.shards = shardsCovering(100, 3);
      r.monitoring = { ...r.monitoring, concurrency: 64 };
    },
    expected: [
      "gamedb:monitoring.concurrency: 64 is too low for 300 members: with every member timing out a cycle would not finish within intervalSeconds (10); use at least 100, or leave it out",
    ],
  },
  {
    name: "bad Prometheus label names and values",
    stack: "prod",
    mutate: (r) => (r.monitoring = { ...r.monitoring, prometheusLabels: { "bad label!": "x", release: "-" } }),
    expected: [
      'gamedb:monitoring.prometheusLabels.release: "-" must be a Kubernetes label value (63 characters at most: letters, digits, -, _ and .)',
    ],
  },
  {
    name: "a bad Prometheus label name",
    stack: "prod",
    mutate: (r) => (r.monitoring = { ...r.monitoring, prometheusLabels: { "bad label!": "x" } }),
    expected: [
      'gamedb:monitoring.prometheusLabels: "bad label!" is not a Kubernetes label name; use one such as release or app.kubernetes.io/part-of',
    ],
  },
  {
    name: "a bad restore-verification schedule, image, size and switch; a bad worker image and Prometheus switch",
    stack: "prod",
    mutate: (r) => {
      r.backup = {
        ...r.backup,
        restoreVerification: { enabled: "sometimes", schedule: "weekly", image: "Not An Image", storageGiB: 5 },
      };
      r.monitoring = { ...r.monitoring, image: "bad image:1", prometheusOperator: 1 };
      r.mysql = { ...r.mysql, passwordRotation: -1 };
    },
    expected: [
      "gamedb:mysql.passwordRotation: -1 is out of range; use at least 0",
      'gamedb:backup.restoreVerification.enabled: "sometimes" is a string; expected boolean',
      'gamedb:backup.restoreVerification.schedule: "weekly" must be a five-field cron expression such as "0 4 * * 0"',
      'gamedb:backup.restoreVerification.image: "Not An Image" must be a container image reference such as registry.example.com/mysql/community-router:8.4.3',
      "gamedb:backup.restoreVerification.storageGiB: 5 is out of range; use at least 10",
      'gamedb:monitoring.image: "bad image:1" must be a container image reference such as registry.example.com/mysql/community-router:8.4.3',
      "gamedb:monitoring.prometheusOperator: 1 is a number; expected boolean",
    ],
  },
];
