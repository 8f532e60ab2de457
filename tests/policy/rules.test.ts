/**
 * The policy rules over real plans: the shipped stacks pass, and a copy of the prod plan broken in one place
 * fails naming the rule and the resource. Every rule has at least one such fixture.
 */
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { mockSecret } from "../../scripts/lib/mockValues";
import { renderReport } from "../../policy/check";
import { RULES } from "../../policy/rules";
import { checkPlanDocument } from "../../scripts/lib/policyPlan";
import { copyOf, drop, res, resource, shippedPlan } from "./fixtures";
import { NETWORK_POLICY_FIXTURES } from "./networkPolicyFixtures";

const BUCKET = "aws:s3/bucket:Bucket";
const INSTANCE = "aws:ec2/instance:Instance";
const VOLUME = "aws:ebs/volume:Volume";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const STATEFULSET = "kubernetes:apps/v1:StatefulSet";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const VPC = "aws:ec2/vpc:Vpc";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Breaks a copy of the prod plan; returns the URN the violation must name. */
interface Fixture {
  rule: string;
  what: string;
  reason: RegExp;
  breakIt: (doc: PlanDocument) => string;
}

const podSpec = (doc: PlanDocument, type: string, name: string): Obj =>
  (res(doc, type, name).inputs as Obj).spec.template.spec;

const newIngress = (doc: PlanDocument, name: string, inputs: Obj) =>
  resource(doc, INGRESS, name, { securityGroupId: "gamedb-network-shard-hosts-id", ...inputs }).urn;

const FIXTURES: Fixture[] = [
  {
    rule: "GDB-S3-001",
    what: "the backup bucket's public access block is gone",
    reason: /no BucketPublicAccessBlock refers to this bucket/,
    breakIt: (doc) => (
      drop(doc, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "gamedb-backup"),
      res(doc, BUCKET, "gamedb-backup").urn
    ),
  },
  {
    rule: "GDB-S3-001",
    what: "one of the four public access settings is off",
    reason: /does not set restrictPublicBuckets to true/,
    breakIt: (doc) => {
      res(doc, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "gamedb-backup").inputs.restrictPublicBuckets =
        false;
      return res(doc, BUCKET, "gamedb-backup").urn;
    },
  },
  {
    rule: "GDB-S3-002",
    what: "versioning is suspended",
    reason: /no BucketVersioning with status Enabled/,
    breakIt: (doc) => {
      res(doc, "aws:s3/bucketVersioning:BucketVersioning", "gamedb-backup").inputs.versioningConfiguration = {
        status: "Suspended",
      };
      return res(doc, BUCKET, "gamedb-backup").urn;
    },
  },
  {
    rule: "GDB-S3-003",
    what: "the backup bucket is encrypted with SSE-S3",
    reason: /default encryption is AES256, not aws:kms/,
    breakIt: (doc) => {
      const sse = res(
        doc,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "gamedb-backup",
      );
      sse.inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }];
      return res(doc, BUCKET, "gamedb-backup").urn;
    },
  },
  {
    rule: "GDB-S3-003",
    what: "the access-log bucket has no default encryption at all",
    reason: /no BucketServerSideEncryptionConfiguration/,
    breakIt: (doc) => {
      drop(
        doc,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "gamedb-backup-logs",
      );
      return res(doc, BUCKET, "gamedb-backup-logs").urn;
    },
  },
  {
    rule: "GDB-S3-004",
    what: "the bucket policy denies only when TLS is used",
    reason: /no Deny of s3:\* .* aws:SecureTransport is false/,
    breakIt: (doc) => {
      const policy = res(doc, "aws:s3/bucketPolicy:BucketPolicy", "gamedb-backup");
      policy.inputs.policy = (policy.inputs.policy as string).replace(
        '"aws:SecureTransport":"false"',
        '"aws:SecureTransport":"true"',
      );
      return res(doc, BUCKET, "gamedb-backup").urn;
    },
  },
  {
    rule: "GDB-S3-004",
    what: "the bucket policy is gone",
    reason: /no BucketPolicy refers to this bucket/,
    breakIt: (doc) => (
      drop(doc, "aws:s3/bucketPolicy:BucketPolicy", "gamedb-backup"),
      res(doc, BUCKET, "gamedb-backup").urn
    ),
  },
  {
    rule: "GDB-S3-005",
    what: "no lifecycle rule aborts multipart uploads",
    reason: /no enabled lifecycle rule with abortIncompleteMultipartUpload/,
    breakIt: (doc) => {
      const lc = res(doc, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "gamedb-backup");
      for (const rule of lc.inputs.rules as Obj[]) delete rule.abortIncompleteMultipartUpload;
      return res(doc, BUCKET, "gamedb-backup").urn;
    },
  },
  {
    rule: "GDB-S3-005",
    what: "the multipart abort covers one prefix only",
    reason: /covers the whole bucket/,
    breakIt: (doc) => {
      const lc = res(doc, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "gamedb-backup");
      for (const rule of lc.inputs.rules as Obj[])
        if (rule.abortIncompleteMultipartUpload) rule.filter = { prefix: "full/" };
      return res(doc, BUCKET, "gamedb-backup").urn;
    },
  },
  {
    rule: "GDB-EC2-001",
    what: "IMDSv1 is allowed",
    reason: /httpTokens is optional, not required/,
    breakIt: (doc) => {
      const i = res(doc, INSTANCE, "shard2-node1");
      (i.inputs.metadataOptions as Obj).httpTokens = "optional";
      return i.urn;
    },
  },
  {
    rule: "GDB-EC2-001",
    what: "the metadata hop limit is 2",
    reason: /httpPutResponseHopLimit is 2, not 1/,
    breakIt: (doc) => {
      const i = res(doc, INSTANCE, "shard3-node2");
      (i.inputs.metadataOptions as Obj).httpPutResponseHopLimit = 2;
      return i.urn;
    },
  },
  {
    rule: "GDB-EC2-002",
    what: "an instance gets a public IP",
    reason: /associatePublicIpAddress is true, not false/,
    breakIt: (doc) => {
      const i = res(doc, INSTANCE, "shard1-node0");
      i.inputs.associatePublicIpAddress = true;
      return i.urn;
    },
  },
  {
    rule: "GDB-EC2-002",
    what: "an Elastic IP is attached to an instance",
    reason: /Elastic IP is attached to an instance/,
    breakIt: (doc) =>
      resource(doc, "aws:ec2/eip:Eip", "shard1-node0-public", { domain: "vpc", instance: "shard1-node0-id" }).urn,
  },
  {
    rule: "GDB-EC2-003",
    what: "a root volume is unencrypted",
    reason: /rootBlockDevice.encrypted is not true/,
    breakIt: (doc) => {
      const i = res(doc, INSTANCE, "shard4-node1");
      (i.inputs.rootBlockDevice as Obj).encrypted = false;
      return i.urn;
    },
  },
  {
    rule: "GDB-EC2-003",
    what: "a data volume is unencrypted",
    reason: /encrypted is not true/,
    breakIt: (doc) => {
      const v = res(doc, VOLUME, "shard2-node2-data");
      delete v.inputs.encrypted;
      return v.urn;
    },
  },
  {
    rule: "GDB-NET-001",
    what: "SSH from anywhere",
    reason: /ingress from 0.0.0.0\/0 reaches 22 \(SSH\)/,
    breakIt: (doc) =>
      newIngress(doc, "ssh-world", { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }),
  },
  {
    rule: "GDB-NET-001",
    what: "a port range from anywhere that covers MySQL",
    reason: /reaches 3306 \(MySQL\)$/,
    breakIt: (doc) =>
      newIngress(doc, "range-world", { ipProtocol: "tcp", fromPort: 3000, toPort: 4000, cidrIpv4: "0.0.0.0/0" }),
  },
  {
    rule: "GDB-NET-001",
    what: "every protocol and port from any IPv6 address",
    reason:
      /ingress from ::\/0 reaches 22 \(SSH\), 3306 \(MySQL\), 6379 \(Redis\), 16379 \(Redis cluster bus\), 33060 \(MySQL X\), 33061/,
    breakIt: (doc) => newIngress(doc, "all-v6", { ipProtocol: "-1", cidrIpv6: "::/0" }),
  },
  {
    rule: "GDB-NET-001",
    what: "an inline security group rule opens Redis to the world",
    reason: /reaches 6379 \(Redis\)$/,
    breakIt: (doc) =>
      resource(doc, "aws:ec2/securityGroup:SecurityGroup", "redis-world", {
        ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["10.0.0.0/8", "0.0.0.0/0"] }],
      }).urn,
  },
  {
    rule: "GDB-K8S-001",
    what: "a router pod may run as root",
    reason: /container router does not set runAsNonRoot \(nor does its pod\)/,
    breakIt: (doc) => {
      const spec = podSpec(doc, DEPLOYMENT, "shard1-router");
      delete spec.securityContext.runAsNonRoot;
      delete spec.containers[0].securityContext.runAsNonRoot;
      return res(doc, DEPLOYMENT, "shard1-router").urn;
    },
  },
  {
    rule: "GDB-K8S-001",
    what: "a Redis container runs as user 0",
    reason: /container redis runs as user 0/,
    breakIt: (doc) => {
      podSpec(doc, STATEFULSET, "gamedb-redis").containers[0].securityContext.runAsUser = 0;
      return res(doc, STATEFULSET, "gamedb-redis").urn;
    },
  },
  {
    rule: "GDB-K8S-002",
    what: "a Job container has no memory limit",
    reason: /container drain has no resources.limits.memory/,
    breakIt: (doc) => {
      delete podSpec(doc, "kubernetes:batch/v1:Job", "gamedb-redis-drain").containers[0].resources.limits.memory;
      return res(doc, "kubernetes:batch/v1:Job", "gamedb-redis-drain").urn;
    },
  },
  {
    rule: "GDB-K8S-003",
    what: "a router's PodDisruptionBudget is gone",
    reason: /no PodDisruptionBudget in namespace gamedb selects its pod labels/,
    breakIt: (doc) => (drop(doc, PDB, "shard3-router"), res(doc, DEPLOYMENT, "shard3-router").urn),
  },
  {
    rule: "GDB-K8S-003",
    what: "Redis's PodDisruptionBudget selects other pods",
    reason: /no PodDisruptionBudget/,
    breakIt: (doc) => {
      ((res(doc, PDB, "gamedb-redis").inputs as Obj).spec.selector.matchLabels as Obj)["app.kubernetes.io/name"] =
        "valkey";
      return res(doc, STATEFULSET, "gamedb-redis").urn;
    },
  },
  {
    rule: "GDB-K8S-004",
    what: "a password is a literal environment variable",
    reason: /container router sets MYSQL_PASSWORD as a literal value/,
    breakIt: (doc) => {
      podSpec(doc, DEPLOYMENT, "shard2-router").containers[0].env.push({ name: "MYSQL_PASSWORD", value: "[secret]" });
      return res(doc, DEPLOYMENT, "shard2-router").urn;
    },
  },
  {
    rule: "GDB-NET-002",
    what: "the VPC has no flow log",
    reason: /no FlowLog refers to this VPC/,
    breakIt: (doc) => (drop(doc, FLOW_LOG, "gamedb-network-flow-logs"), res(doc, VPC, "gamedb-network-vpc").urn),
  },
  {
    rule: "GDB-NET-002",
    what: "the flow log records rejected traffic only",
    reason: /record REJECT traffic, not ALL/,
    breakIt: (doc) => {
      res(doc, FLOW_LOG, "gamedb-network-flow-logs").inputs.trafficType = "REJECT";
      return res(doc, VPC, "gamedb-network-vpc").urn;
    },
  },
  {
    rule: "GDB-NET-003",
    what: "the VPC's default security group is left unmanaged",
    reason: /no DefaultSecurityGroup refers to this VPC/,
    breakIt: (doc) => (drop(doc, DEFAULT_SG, "gamedb-network-default"), res(doc, VPC, "gamedb-network-vpc").urn),
  },
  {
    rule: "GDB-NET-003",
    what: "the default security group allows all egress",
    reason: /egress has 1 rule\(s\)/,
    breakIt: (doc) => {
      const group = res(doc, DEFAULT_SG, "gamedb-network-default");
      group.inputs.egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }];
      return group.urn;
    },
  },
  {
    rule: "GDB-SNS-001",
    what: "the alert topic is not encrypted",
    reason: /kmsMasterKeyId is not set/,
    breakIt: (doc) => {
      const topic = res(doc, "aws:sns/topic:Topic", "gamedb-alerts");
      delete topic.inputs.kmsMasterKeyId;
      return topic.urn;
    },
  },
  {
    rule: "GDB-REDIS-001",
    what: "prod's Redis on Kubernetes listens in plain text",
    reason: /redis\.conf: plain port 6379 listens: set port 0 \(set gamedb:redis tls: true\)/,
    breakIt: (doc) => {
      const cm = res(doc, "kubernetes:core/v1:ConfigMap", "gamedb-redis-config");
      const data = cm.inputs.data as Obj;
      data["redis.conf"] = data["redis.conf"].replace("port 0\n", "port 6379\n");
      return cm.urn;
    },
  },
  {
    rule: "GDB-REDIS-002",
    what: "an ElastiCache replication group is not encrypted in transit",
    reason: /transitEncryptionEnabled is not true/,
    breakIt: (doc) =>
      resource(doc, "aws:elasticache/replicationGroup:ReplicationGroup", "cache", { transitEncryptionEnabled: false })
        .urn,
  },
  {
    rule: "GDB-MYSQL-001",
    what: "a member's my.cnf lets plain TCP in (require_secure_transport OFF)",
    reason: /my\.cnf: require_secure_transport is OFF, not ON/,
    breakIt: (doc) => {
      const cmd = res(doc, "command:remote:Command", "shard1-node0-configure");
      cmd.inputs.create = String(cmd.inputs.create).replace(
        /^require_secure_transport = ON$/m,
        "require_secure_transport = OFF",
      );
      return cmd.urn;
    },
  },
  {
    rule: "GDB-MYSQL-002",
    what: "the Routers reach the servers with TLS only when the client uses it (server_ssl_mode AS_CLIENT)",
    reason: /bootstrap\.sh: --server-ssl-mode is AS_CLIENT, not REQUIRED/,
    breakIt: (doc) => {
      const cm = res(doc, "kubernetes:core/v1:ConfigMap", "gamedb-router-bootstrap");
      const data = cm.inputs.data as Obj;
      data["bootstrap.sh"] = data["bootstrap.sh"]
        .split("--server-ssl-mode REQUIRED")
        .join("--server-ssl-mode AS_CLIENT");
      return cm.urn;
    },
  },
  {
    rule: "GDB-IAM-001",
    what: "a prod pod reads an IAM user's access key",
    reason: /container monitor reads AWS_SECRET_ACCESS_KEY: an IAM user's access key/,
    breakIt: (doc) => {
      const env = podSpec(doc, DEPLOYMENT, "gamedb-monitor").containers[0].env;
      env.push({ name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "gamedb-monitor", key: "k" } } });
      return res(doc, DEPLOYMENT, "gamedb-monitor").urn;
    },
  },
  {
    rule: "GDB-IAM-002",
    what: "a pod leaves the token to the default ServiceAccount",
    reason: /automountServiceAccountToken is not false on the pod or its ServiceAccount default/,
    breakIt: (doc) => {
      delete podSpec(doc, DEPLOYMENT, "shard1-router").automountServiceAccountToken;
      return res(doc, DEPLOYMENT, "shard1-router").urn;
    },
  },
  {
    rule: "GDB-IAM-001",
    what: "a prod pod takes its whole env from a Secret",
    reason: /container monitor takes its env from Secret gamedb-monitor/,
    breakIt: (doc) => {
      podSpec(doc, DEPLOYMENT, "gamedb-monitor").containers[0].envFrom = [{ secretRef: { name: "gamedb-monitor" } }];
      return res(doc, DEPLOYMENT, "gamedb-monitor").urn;
    },
  },
  {
    rule: "GDB-IAM-002",
    what: "a pod projects the API token by hand",
    reason: /volume api projects the API token/,
    breakIt: (doc) => {
      const pod = podSpec(doc, DEPLOYMENT, "gamedb-monitor");
      pod.volumes.push({ name: "api", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } });
      return res(doc, DEPLOYMENT, "gamedb-monitor").urn;
    },
  },
  {
    rule: "GDB-IAM-002",
    what: "a pod mounts the token",
    reason: /automountServiceAccountToken is true/,
    breakIt: (doc) => {
      podSpec(doc, DEPLOYMENT, "gamedb-monitor").automountServiceAccountToken = true;
      return res(doc, DEPLOYMENT, "gamedb-monitor").urn;
    },
  },
  {
    rule: "GDB-SEC-001",
    what: "a Kubernetes Secret's data is plain text",
    reason: /input stringData.password is not secret/,
    breakIt: (doc) => {
      const s = res(doc, "kubernetes:core/v1:Secret", "shard1-router-password");
      s.inputs.stringData = { password: "hunter2" };
      return s.urn;
    },
  },
  {
    rule: "GDB-SEC-001",
    what: "a remote command's stdin is plain text",
    reason: /input stdin is not secret/,
    breakIt: (doc) => {
      const cmd = doc.resources.find((r) => r.type === "command:remote:Command" && r.inputs.stdin === "[secret]")!;
      cmd.inputs.stdin = "ALTER USER root IDENTIFIED BY 'hunter2';";
      return cmd.urn;
    },
  },
  {
    rule: "GDB-SEC-001",
    what: "a password input anywhere is plain text",
    reason: /input connection.password is not secret/,
    breakIt: (doc) => {
      const cmd = doc.resources.find((r) => r.type === "command:remote:Command")!;
      cmd.inputs.connection = { host: "10.0.0.1", user: "ubuntu", password: "hunter2" };
      return cmd.urn;
    },
  },
  {
    rule: "GDB-SEC-002",
    what: "a generated password lands in a ConfigMap",
    reason: /input data.debug holds a generated secret in plain text/,
    breakIt: (doc) => {
      const cm = res(doc, "kubernetes:core/v1:ConfigMap", "gamedb-endpoints");
      (cm.inputs.data as Obj).debug = `password=${mockSecret("shard1-cluster-admin-password")}`;
      return cm.urn;
    },
  },
  {
    rule: "GDB-SEC-003",
    what: "a password comes from RandomString",
    reason: /use RandomPassword/,
    breakIt: (doc) => resource(doc, "random:index/randomString:RandomString", "app-password", { length: 32 }).urn,
  },
  {
    rule: "GDB-DATA-001",
    what: "a data volume is not protected",
    reason: /protect is not set/,
    breakIt: (doc) => {
      const v = res(doc, VOLUME, "shard1-node1-data");
      v.options.protect = false;
      return v.urn;
    },
  },
  {
    rule: "GDB-DATA-001",
    what: "a data volume is not retained on delete",
    reason: /retainOnDelete is not set/,
    breakIt: (doc) => {
      const v = res(doc, VOLUME, "shard4-node0-data");
      v.options.retainOnDelete = false;
      return v.urn;
    },
  },
];

describe("policy rules", () => {
  it.each(["dev", "prod"] as const)("pass on the shipped %s stack", async (stack) => {
    const report = checkPlanDocument(await shippedPlan(stack));
    // The rendered report names each violation's rule, resource and reason when this fails.
    expect(report.violations.length === 0 ? "" : renderReport(report)).toBe("");
    expect(report.results.filter((r) => r.status === "skipped")).toEqual([]);
  });

  it.each(FIXTURES.map((f) => [f.rule, f.what, f] as const))("%s fails when %s", async (ruleId, _what, fixture) => {
    const base = await shippedPlan("prod");
    const doc = copyOf(base);
    const urn = fixture.breakIt(doc);
    const found = checkPlanDocument(doc).violations.filter((v) => v.ruleId === ruleId && v.urn === urn);
    expect(found.map((v) => v.reason)).toContainEqual(expect.stringMatching(fixture.reason));
    // The violation is the fixture's doing, not already in the shipped plan.
    expect(checkPlanDocument(base).violations.filter((v) => v.ruleId === ruleId && v.urn === urn)).toEqual([]);
  });

  it("every rule has a fixture that breaks it", () => {
    // The NetworkPolicy rules' fixtures run in network-policy-rules.test.ts.
    const all = [...FIXTURES, ...NETWORK_POLICY_FIXTURES].map((f) => f.rule);
    expect(new Set(all)).toEqual(new Set(RULES.map((r) => r.id)));
  });

  it("takes a pod's token setting from its own ServiceAccount, and lets dev use access keys", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    delete podSpec(doc, DEPLOYMENT, "gamedb-monitor").automountServiceAccountToken;
    const monitor = res(doc, DEPLOYMENT, "gamedb-monitor").urn;
    expect(checkPlanDocument(doc).violations.filter((v) => v.urn === monitor)).toEqual([]);

    const dev = copyOf(await shippedPlan("dev"));
    podSpec(dev, DEPLOYMENT, "gamedb-monitor").containers[0].env.push({ name: "AWS_ACCESS_KEY_ID", value: "AKIA" });
    expect(checkPlanDocument(dev).violations.filter((v) => v.ruleId === "GDB-IAM-001")).toEqual([]);
  });

  it("leaves ingress that is not open to the world, or not to a sensitive port, alone", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    const urns = [
      newIngress(doc, "https-world", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }),
      newIngress(doc, "ssh-office", { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "203.0.113.0/24" }),
      newIngress(doc, "dns-world", { ipProtocol: "udp", fromPort: 0, toPort: 65535, cidrIpv4: "0.0.0.0/0" }),
      newIngress(doc, "below-ssh", { ipProtocol: "tcp", fromPort: 1, toPort: 21, cidrIpv6: "::/0" }),
    ];
    expect(checkPlanDocument(doc).violations.filter((v) => urns.includes(v.urn))).toEqual([]);
  });

  it("checks prod-only data safety in prod only", async () => {
    const doc = copyOf(await shippedPlan("dev"));
    for (const v of doc.resources.filter((r) => r.type === VOLUME)) v.options.protect = false;
    expect(checkPlanDocument(doc).violations.filter((v) => v.ruleId === "GDB-DATA-001")).toEqual([]);
    doc.topology.environment = "prod";
    expect(checkPlanDocument(doc).violations.filter((v) => v.ruleId === "GDB-DATA-001").length).toBeGreaterThan(0);
  });

  it("have unique ids and name a checkov or FSBP control where one exists", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^GDB-[A-Z0-9]+-\d{3}$/);
      for (const c of r.checkov) expect(c).toMatch(/^CKV2?_(AWS|K8S)_\d+$/);
      for (const c of r.fsbp) expect(c).toMatch(/^(S3|EC2|SNS|ElastiCache)\.\d+$/);
    }
  });
});
