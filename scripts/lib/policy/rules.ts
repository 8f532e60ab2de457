/**
 * gamedb's policy rules: pure functions over a PolicyPlan (model.ts), run by `npm run plan -- --check` and by the
 * policy pack in policy/. Rules match resources by type, never by name, so they cover what later edits add.
 * Each names its checkov check and AWS Foundational Security Best Practices control where one exists.
 */
import { PolicyResource, Rule, RuleContext, SECRET } from "./model";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** Reads a dotted path through objects; undefined when any step is missing. */
function at(v: unknown, path: string): unknown {
  let cur: unknown = v;
  for (const key of path.split(".")) {
    if (!isObj(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

// --- S3 ----------------------------------------------------------------------------------------------------------

const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const PUBLIC_ACCESS_BLOCKS = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
const VERSIONINGS = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];
const ENCRYPTIONS = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const POLICIES = ["aws:s3/bucketPolicy:BucketPolicy"];
const LIFECYCLES = [
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
];
const LOGGINGS = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];
const PAB_SETTINGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/** S3 server access logs can only be delivered to a bucket encrypted with SSE-S3, so such a bucket is exempt from SSE-KMS. */
function isLogTarget(bucket: PolicyResource, ctx: RuleContext): boolean {
  return ctx.referencing(bucket, LOGGINGS, "targetBucket").length > 0;
}

const KMS_ALGORITHMS = ["aws:kms", "aws:kms:dsse"];

function sseAlgorithms(bucket: PolicyResource, ctx: RuleContext): string[] {
  const fromSatellites = ctx
    .referencing(bucket, ENCRYPTIONS, "bucket")
    .flatMap((c) => list(c.inputs.rules).map((r) => at(r, "applyServerSideEncryptionByDefault.sseAlgorithm")));
  const inline = at(
    bucket.inputs,
    "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
  );
  return [...fromSatellites, inline].filter((a): a is string => typeof a === "string");
}

function statements(policy: unknown): Obj[] {
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return [];
    }
  }
  return list(obj(doc).Statement).filter(isObj);
}

/** A statement that denies every principal every S3 action on the bucket and its objects without TLS. */
function deniesInsecureTransport(s: Obj): boolean {
  const principal = s.Principal;
  const anyone = principal === "*" || (isObj(principal) && list(principal.AWS).includes("*"));
  const actions = list(s.Action);
  const resources = list(s.Resource).filter((r): r is string => typeof r === "string");
  const bucketAndObjects =
    resources.includes("*") || (resources.some((r) => r.endsWith("/*")) && resources.some((r) => !r.includes("/")));
  const secureTransport = at(s, "Condition.Bool");
  const value = isObj(secureTransport) ? secureTransport["aws:SecureTransport"] : undefined;
  return (
    s.Effect === "Deny" &&
    anyone &&
    (actions.includes("s3:*") || actions.includes("*")) &&
    bucketAndObjects &&
    String(value).toLowerCase() === "false"
  );
}

/** An enabled lifecycle rule that aborts incomplete multipart uploads anywhere in the bucket. */
function abortsMultipartEverywhere(rule: Obj): boolean {
  const filter = rule.filter;
  const wholeBucket =
    (filter === undefined || (isObj(filter) && Object.keys(filter).every((k) => k === "prefix" && !filter[k]))) &&
    !rule.prefix;
  const days = at(rule, "abortIncompleteMultipartUpload.daysAfterInitiation");
  return rule.status === "Enabled" && wholeBucket && typeof days === "number" && days > 0;
}

function inlineLifecycleAborts(rule: Obj): boolean {
  const days = rule.abortIncompleteMultipartUploadDays;
  return rule.enabled === true && !rule.prefix && !rule.tags && typeof days === "number" && days > 0;
}

const s3Rules: Rule[] = [
  {
    id: "GDB-S3-001",
    title: "S3 bucket blocks all public access",
    checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    fsbp: ["S3.8"],
    severity: "high",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const blocks = ctx.referencing(bucket, PUBLIC_ACCESS_BLOCKS, "bucket");
      if (blocks.length === 0) return ["no BucketPublicAccessBlock refers to this bucket"];
      const ok = blocks.some((b) => PAB_SETTINGS.every((k) => b.inputs[k] === true));
      const off = PAB_SETTINGS.filter((k) => !blocks.some((b) => b.inputs[k] === true));
      return ok ? [] : [`its BucketPublicAccessBlock does not set ${off.join(", ")} to true`];
    },
  },
  {
    id: "GDB-S3-002",
    title: "S3 bucket versioning is enabled",
    checkov: ["CKV_AWS_21"],
    fsbp: ["S3.14"],
    severity: "medium",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const enabled =
        ctx
          .referencing(bucket, VERSIONINGS, "bucket")
          .some((v) => at(v.inputs, "versioningConfiguration.status") === "Enabled") ||
        at(bucket.inputs, "versioning.enabled") === true;
      return enabled ? [] : ["no BucketVersioning with status Enabled refers to this bucket"];
    },
  },
  {
    id: "GDB-S3-003",
    title: "S3 bucket default encryption is SSE-KMS (SSE-S3 for an access-log target)",
    checkov: ["CKV_AWS_145"],
    fsbp: ["S3.17"],
    severity: "medium",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const algorithms = sseAlgorithms(bucket, ctx);
      if (algorithms.length === 0) return ["no BucketServerSideEncryptionConfiguration refers to this bucket"];
      if (algorithms.some((a) => KMS_ALGORITHMS.includes(a))) return [];
      if (isLogTarget(bucket, ctx) && algorithms.includes("AES256")) return [];
      return [`default encryption is ${algorithms.join(", ")}, not aws:kms`];
    },
  },
  {
    id: "GDB-S3-004",
    title: "S3 bucket policy denies requests without TLS",
    checkov: ["CKV_AWS_379"],
    fsbp: ["S3.5"],
    severity: "high",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const policies = [
        ...ctx.referencing(bucket, POLICIES, "bucket").map((p) => p.inputs.policy),
        bucket.inputs.policy,
      ];
      if (policies.every((p) => p === undefined)) return ["no BucketPolicy refers to this bucket"];
      const denies = policies.some((p) => statements(p).some(deniesInsecureTransport));
      return denies
        ? []
        : [
            'its bucket policy has no Deny of s3:* for Principal "*" on the bucket and its objects when aws:SecureTransport is false',
          ];
    },
  },
  {
    id: "GDB-S3-005",
    title: "S3 bucket lifecycle aborts incomplete multipart uploads",
    checkov: ["CKV_AWS_300", "CKV2_AWS_61"],
    fsbp: ["S3.13"],
    severity: "low",
    appliesTo: BUCKETS,
    check: (bucket, ctx) => {
      const configs = ctx.referencing(bucket, LIFECYCLES, "bucket");
      const inline = list(bucket.inputs.lifecycleRules).filter(isObj);
      if (configs.length === 0 && inline.length === 0) return ["no BucketLifecycleConfiguration refers to this bucket"];
      const aborts =
        configs.some((c) => list(c.inputs.rules).filter(isObj).some(abortsMultipartEverywhere)) ||
        inline.some(inlineLifecycleAborts);
      return aborts
        ? []
        : ["no enabled lifecycle rule with abortIncompleteMultipartUpload covers the whole bucket (empty filter)"];
    },
  },
];

// --- EC2 and networking ------------------------------------------------------------------------------------------

const INSTANCES = ["aws:ec2/instance:Instance"];
const VOLUMES = ["aws:ebs/volume:Volume"];

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

const ec2Rules: Rule[] = [
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

// --- Kubernetes --------------------------------------------------------------------------------------------------

const POD_TEMPLATE_OWNERS = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:batch/v1:Job",
];
const CRONJOBS = ["kubernetes:batch/v1:CronJob"];
const PODS = ["kubernetes:core/v1:Pod"];
const WORKLOADS = [...POD_TEMPLATE_OWNERS, ...CRONJOBS, ...PODS];
const NEEDS_PDB = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];
const PDBS = ["kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:policy/v1beta1:PodDisruptionBudget"];

function podSpec(r: PolicyResource): Obj {
  if (CRONJOBS.includes(r.type)) return obj(at(r.inputs, "spec.jobTemplate.spec.template.spec"));
  if (PODS.includes(r.type)) return obj(r.inputs.spec);
  return obj(at(r.inputs, "spec.template.spec"));
}

function containers(spec: Obj): { kind: string; c: Obj }[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((kind) =>
    list(spec[kind])
      .filter(isObj)
      .map((c) => ({ kind, c })),
  );
}

const containerName = (kind: string, c: Obj) =>
  `${kind === "containers" ? "container" : kind.slice(0, -1)} ${String(c.name)}`;

const namespaceOf = (r: PolicyResource) => String(at(r.inputs, "metadata.namespace") ?? "default");

/** Label-selector semantics: every matchLabels pair and every matchExpressions requirement holds. */
function selects(selector: Obj, labels: Obj): boolean {
  const matchLabels = obj(selector.matchLabels);
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return list(selector.matchExpressions)
    .filter(isObj)
    .every((e) => {
      const key = String(e.key);
      const values = list(e.values);
      switch (e.operator) {
        case "In":
          return key in labels && values.includes(labels[key]);
        case "NotIn":
          return !(key in labels) || !values.includes(labels[key]);
        case "Exists":
          return key in labels;
        case "DoesNotExist":
          return !(key in labels);
      }
      return false;
    });
}

/** A secret-looking name: ends in password, secret, token, private key, kubeconfig, credentials or API key. */
const SECRET_NAME =
  /(password|passwd|passphrase|secret|token|privatekey|privatekeypem|privatekeyopenssh|kubeconfig|credentials?|apikey|secretkey|secretaccesskey)$/;
export const looksSecret = (name: string): boolean => SECRET_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ""));

const k8sRules: Rule[] = [
  {
    id: "GDB-K8S-001",
    title: "Kubernetes pods run as non-root",
    checkov: ["CKV_K8S_23"],
    fsbp: [],
    severity: "high",
    appliesTo: WORKLOADS,
    check: (r) => {
      const spec = podSpec(r);
      const pod = obj(spec.securityContext);
      return containers(spec).flatMap(({ kind, c }) => {
        const sc = obj(c.securityContext);
        const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
        const user = sc.runAsUser ?? pod.runAsUser;
        if (user === 0) return [`${containerName(kind, c)} runs as user 0`];
        return nonRoot === true ? [] : [`${containerName(kind, c)} does not set runAsNonRoot (nor does its pod)`];
      });
    },
  },
  {
    id: "GDB-K8S-002",
    title: "Kubernetes containers set CPU and memory limits",
    checkov: ["CKV_K8S_11", "CKV_K8S_13"],
    fsbp: [],
    severity: "medium",
    appliesTo: WORKLOADS,
    check: (r) =>
      containers(podSpec(r)).flatMap(({ kind, c }) => {
        const limits = obj(at(c, "resources.limits"));
        const missing = ["cpu", "memory"].filter((k) => limits[k] === undefined || limits[k] === null);
        return missing.length ? [`${containerName(kind, c)} has no resources.limits.${missing.join(" or ")}`] : [];
      }),
  },
  {
    id: "GDB-K8S-003",
    title: "Every Deployment and StatefulSet has a PodDisruptionBudget selecting its pods",
    checkov: [],
    fsbp: [],
    severity: "medium",
    appliesTo: NEEDS_PDB,
    check: (r, ctx) => {
      const labels = obj(at(r.inputs, "spec.template.metadata.labels"));
      const covered = ctx
        .ofType(PDBS)
        .some((p) => namespaceOf(p) === namespaceOf(r) && selects(obj(at(p.inputs, "spec.selector")), labels));
      return covered ? [] : [`no PodDisruptionBudget in namespace ${namespaceOf(r)} selects its pod labels`];
    },
  },
  {
    id: "GDB-K8S-004",
    title: "Secret-named environment variables come from a Secret, not a literal value",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: WORKLOADS,
    check: (r) =>
      containers(podSpec(r)).flatMap(({ kind, c }) =>
        list(c.env)
          .filter(isObj)
          .filter((e) => typeof e.name === "string" && looksSecret(e.name) && e.value !== undefined && e.value !== "")
          // A literal lands in the workload object, readable by anyone who can read Deployments; valueFrom does not.
          .map(
            (e) => `${containerName(kind, c)} sets ${String(e.name)} as a literal value; use valueFrom.secretKeyRef`,
          ),
      ),
  },
];

// --- Secrets -----------------------------------------------------------------------------------------------------

/** Inputs that carry secrets by design, whatever their names: every string in them must be secret. */
const SECRET_BEARING: Record<string, string[]> = {
  "kubernetes:core/v1:Secret": ["data", "stringData"],
  "command:remote:Command": ["stdin"],
  "command:local:Command": ["stdin"],
  "pulumi:providers:kubernetes": ["kubeconfig"],
};
/** Names that look secret but are not: IMDS token mode, references to Kubernetes Secrets. */
const NOT_SECRET = new Set(["httptokens", "secretname", "secretkeyref", "secretref"]);

/**
 * Plain (non-secret) strings that should be secret, as dotted paths: every string when `all` (a secret-bearing
 * input), else strings whose own key looks secret. Objects under a secret-looking key are not all secret: a
 * Kubernetes volume's `secret: {secretName}` only names a Secret.
 */
function plainSecrets(value: unknown, path: string, all: boolean, out: string[], secretKey = false): void {
  if (value === SECRET) return;
  if (typeof value === "string") {
    if ((all || secretKey) && value !== "") out.push(path);
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => plainSecrets(v, `${path}[${i}]`, all, out, secretKey));
  else if (isObj(value))
    for (const [k, v] of Object.entries(value)) {
      const norm = k.toLowerCase().replace(/[^a-z0-9]/g, "");
      plainSecrets(v, path ? `${path}.${k}` : k, all, out, !NOT_SECRET.has(norm) && looksSecret(k));
    }
}

function strings(value: unknown, path: string, out: [string, string][]): void {
  if (typeof value === "string") out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
}

/** Every resource type (see appliesTo). */
const ALL_TYPES = ["*"];

const secretRules: Rule[] = [
  {
    id: "GDB-SEC-001",
    title: "Passwords, keys and other secret inputs are Pulumi secrets",
    checkov: [],
    fsbp: [],
    severity: "critical",
    appliesTo: ALL_TYPES,
    requires: "secretMarkers",
    check: (r) => {
      const out: string[] = [];
      for (const key of SECRET_BEARING[r.type] ?? [])
        if (r.inputs[key] !== undefined) plainSecrets(r.inputs[key], key, true, out);
      plainSecrets(
        Object.fromEntries(Object.entries(r.inputs).filter(([k]) => !(SECRET_BEARING[r.type] ?? []).includes(k))),
        "",
        false,
        out,
      );
      return out.map((p) => `input ${p} is not secret`);
    },
  },
  {
    id: "GDB-SEC-002",
    title: "Generated secrets never appear in plain text",
    checkov: [],
    fsbp: [],
    severity: "critical",
    appliesTo: ALL_TYPES,
    requires: "generatedSecrets",
    check: (r, ctx) => {
      const generated = ctx.plan.generatedSecrets ?? [];
      const found: [string, string][] = [];
      strings(r.inputs, "", found);
      return found
        .filter(([, v]) => generated.some((g) => v.includes(g)))
        .map(([p]) => `input ${p} holds a generated secret in plain text`);
    },
  },
  {
    id: "GDB-SEC-003",
    title: "Passwords are generated by RandomPassword, whose result is secret",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: ["random:index/randomString:RandomString"],
    check: (r) =>
      // RandomString's result is stored and shown in plain text; RandomPassword's is secret.
      /pass|secret|token|key|credential/i.test(r.name)
        ? ["a RandomString named like a secret: its result is not secret; use RandomPassword"]
        : [],
  },
];

// --- Data safety -------------------------------------------------------------------------------------------------

const dataRules: Rule[] = [
  {
    id: "GDB-DATA-001",
    title: "In prod, data volumes and buckets are protected and retained on delete",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: [...VOLUMES, ...BUCKETS],
    check: (r, ctx) => {
      if (ctx.plan.environment !== "prod") return [];
      const reasons: string[] = [];
      if (!r.options.protect) reasons.push("protect is not set: a config edit could delete it");
      // retainOnDelete keeps the data if the resource ever leaves the program (rename, refactor, stack removal).
      if (r.options.retainOnDelete === false) reasons.push("retainOnDelete is not set");
      return reasons;
    },
  },
];

export const RULES: readonly Rule[] = [...s3Rules, ...ec2Rules, ...k8sRules, ...secretRules, ...dataRules];

/** Whether a rule runs on resources of this type ("*" in appliesTo: every type). */
export const appliesTo = (rule: Rule, type: string): boolean =>
  rule.appliesTo.includes("*") || rule.appliesTo.includes(type);
