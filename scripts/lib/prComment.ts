/**
 * The pull-request comment of one stack: what the change does to the topology (shards and nodes added or removed,
 * slots moved and the share of keys that moves), which resources are created, updated, replaced or deleted, and
 * the policy results. A pure function of two offline plans, so tests pin its output with snapshots.
 *
 * Replacement is inferred: the offline plan has no provider to ask, so a change replaces a resource when it
 * touches an input the provider cannot update in place (REPLACED_BY below, for the types gamedb declares or may).
 * Inputs under the resource's ignoreChanges are left out, as Pulumi leaves them out.
 */
import { isDeepStrictEqual } from "node:util";
import type { PlanDocument, PlannedResource } from "./planDocument";
import { diffPlans, stackFreeUrn } from "./planDiff";
import { formatRange, SLOT_COUNT } from "../../infra/plan/slots";
import type { PolicyReport } from "./policy/check";
import { references } from "./policy/check";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Hidden in the comment so the workflow finds and updates its own comment for the stack. */
export const commentMarker = (stack: string): string => `<!-- gamedb-plan:${stack} -->`;

/** Resources that hold data: replacing or deleting one loses it unless restored. */
export const STATEFUL_TYPES: readonly string[] = [
  "aws:ebs/volume:Volume",
  "aws:ec2/instance:Instance",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:kms/key:Key",
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:rds/clusterInstance:ClusterInstance",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elasticache/cluster:Cluster",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:core/v1:PersistentVolumeClaim",
];

const top = (path: string) => path.split(".")[0]!;
const topIn =
  (...keys: string[]) =>
  (path: string) =>
    keys.includes(top(path));
const under = (path: string, prefixes: string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}.`));
const K8S_IDENTITY = ["metadata.name", "metadata.namespace"];

/** Input paths whose change makes the provider replace the resource (ForceNew / immutable fields). */
const REPLACED_BY: Record<string, (path: string, inputs: Obj) => boolean> = {
  "aws:ebs/volume:Volume": topIn("availabilityZone", "encrypted", "kmsKeyId", "snapshotId", "outpostArn"),
  "aws:ec2/instance:Instance": (p, inputs) =>
    topIn(
      "ami",
      "availabilityZone",
      "subnetId",
      "keyName",
      "privateIp",
      "associatePublicIpAddress",
      "placementGroup",
      "securityGroups",
      "ebsBlockDevices",
      "ephemeralBlockDevices",
      "networkInterfaces",
      "cpuOptions",
      "hostId",
      "launchTemplate",
      "ipv6Addresses",
      "ipv6AddressCount",
    )(p) ||
    under(p, ["rootBlockDevice.encrypted", "rootBlockDevice.kmsKeyId"]) ||
    (topIn("userData", "userDataBase64")(p) && inputs.userDataReplaceOnChange === true),
  "aws:s3/bucket:Bucket": topIn("bucket", "bucketPrefix", "objectLockEnabled"),
  "aws:s3/bucketV2:BucketV2": topIn("bucket", "bucketPrefix", "objectLockEnabled"),
  "aws:kms/key:Key": topIn(
    "customerMasterKeySpec",
    "keySpec",
    "keyUsage",
    "multiRegion",
    "customKeyStoreId",
    "xksKeyId",
  ),
  "aws:rds/instance:Instance": topIn(
    "identifier",
    "identifierPrefix",
    "availabilityZone",
    "storageEncrypted",
    "kmsKeyId",
    "dbName",
    "username",
    "characterSetName",
    "snapshotIdentifier",
    "restoreToPointInTime",
  ),
  "aws:rds/cluster:Cluster": topIn(
    "clusterIdentifier",
    "clusterIdentifierPrefix",
    "engine",
    "availabilityZones",
    "databaseName",
    "masterUsername",
    "storageEncrypted",
    "kmsKeyId",
    "snapshotIdentifier",
    "restoreToPointInTime",
  ),
  "aws:rds/clusterInstance:ClusterInstance": topIn("identifier", "clusterIdentifier", "engine", "availabilityZone"),
  "aws:elasticache/replicationGroup:ReplicationGroup": topIn(
    "replicationGroupId",
    "port",
    "subnetGroupName",
    "atRestEncryptionEnabled",
    "kmsKeyId",
    "snapshotArns",
    "snapshotName",
  ),
  "aws:elasticache/cluster:Cluster": topIn("clusterId", "engine", "port", "subnetGroupName", "availabilityZone"),
  "aws:ec2/keyPair:KeyPair": topIn("publicKey", "keyName"),
  "aws:ec2/volumeAttachment:VolumeAttachment": topIn("deviceName", "instanceId", "volumeId"),
  "kubernetes:apps/v1:StatefulSet": (p) =>
    under(p, [
      ...K8S_IDENTITY,
      "spec.selector",
      "spec.serviceName",
      "spec.volumeClaimTemplates",
      "spec.podManagementPolicy",
    ]),
  "kubernetes:apps/v1:Deployment": (p) => under(p, [...K8S_IDENTITY, "spec.selector"]),
  "kubernetes:batch/v1:Job": (p) => under(p, [...K8S_IDENTITY, "spec.selector", "spec.template", "spec.completions"]),
  "kubernetes:core/v1:PersistentVolumeClaim": (p) =>
    under(p, K8S_IDENTITY) || (p.startsWith("spec.") && !under(p, ["spec.resources"])),
  "command:remote:Command": topIn("triggers"),
  "command:local:Command": topIn("triggers"),
};

function replacedBy(type: string, path: string, inputs: Obj): boolean {
  const rule = REPLACED_BY[type];
  if (rule) return rule(path, inputs);
  // Every input of the random and tls providers is replace-on-change: a new password or key.
  if (type.startsWith("random:") || type.startsWith("tls:")) return true;
  return type.startsWith("kubernetes:") && under(path, K8S_IDENTITY);
}

/** Dotted paths that differ, down to the first array or scalar. */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return isDeepStrictEqual(a, b) ? [] : [prefix];
}

/** ignoreChanges entries as dotted paths: `tags["Name"]` -> `tags.Name`, array indexes dropped. */
const ignorePath = (p: string) => p.replace(/\["([^"]*)"\]/g, ".$1").replace(/\[(\d+|\*)\]/g, "");

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  /** Changed input paths Pulumi acts on (ignoreChanges left out). */
  paths: string[];
  /** The paths among them that force a replacement. */
  replacedBy: string[];
  /** Changed resource options (protect, retainOnDelete, ...). */
  options: string[];
  stateful: boolean;
}

export interface ChangeSummary {
  created: PlannedResource[];
  deleted: PlannedResource[];
  updated: ResourceChange[];
  replaced: ResourceChange[];
  /** Changed only in inputs under ignoreChanges: Pulumi leaves them as they are (counted as unchanged). */
  ignored: ResourceChange[];
  unchanged: number;
}

const byTypeName = (a: { type: string; name: string }, b: { type: string; name: string }) =>
  a.type.localeCompare(b.type) || a.name.localeCompare(b.name);

export function summarizeChanges(base: PlanDocument, head: PlanDocument): ChangeSummary {
  const diff = diffPlans(base, head);
  const before = new Map(base.resources.map((r) => [stackFreeUrn(r.urn), r]));
  const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
  const updated: ResourceChange[] = [];
  const replaced: ResourceChange[] = [];
  const ignored: ResourceChange[] = [];
  for (const c of diff.changed) {
    const now = headByUrn.get(c.urn)!;
    const prev = before.get(stackFreeUrn(c.urn))!;
    const ignores = now.options.ignoreChanges.map(ignorePath);
    const paths = changedPaths(prev.inputs, now.inputs).filter((p) => !under(p, ignores));
    const change: ResourceChange = {
      urn: c.urn,
      type: c.type,
      name: c.name,
      paths,
      replacedBy: paths.filter((p) => replacedBy(c.type, p, now.inputs)),
      // A dependsOn change only orders operations: Pulumi updates nothing for it, so neither does the comment.
      options: c.options.filter((o) => o !== "dependsOn"),
      stateful: STATEFUL_TYPES.includes(c.type),
    };
    if (change.replacedBy.length > 0) replaced.push(change);
    else if (paths.length > 0 || change.options.length > 0) updated.push(change);
    else if (c.inputs.length > 0) ignored.push(change);
    // else: only its dependsOn changed; not a change Pulumi makes.
  }
  return {
    created: [...diff.created].sort(byTypeName),
    deleted: [...diff.deleted].sort(byTypeName),
    updated: updated.sort(byTypeName),
    replaced: replaced.sort(byTypeName),
    ignored: ignored.sort(byTypeName),
    // Changes Pulumi ignores leave the resource as it is.
    unchanged: head.resources.length - diff.created.length - updated.length - replaced.length,
  };
}

export interface PrCommentOptions {
  stack: string;
  baseRef?: string;
  headRef?: string;
  /**
   * The real `pulumi preview` of this run: "runs" (it comments on its own) or "skipped" (no cloud credentials: a
   * fork, or secrets not configured). Left out, the comment does not mention it.
   */
  realPreview?: "runs" | "skipped";
  /** The base's policy results, to mark violations this change introduces. */
  basePolicy?: PolicyReport;
  /** Longest list shown before "… and N more"; keeps the comment under GitHub's size limit. */
  maxItems?: number;
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function capped<T>(items: readonly T[], max: number, render: (item: T) => string): string[] {
  const shown = items.slice(0, max).map(render);
  if (items.length > max) shown.push(`… and ${items.length - max} more`);
  return shown;
}

function shardLabel(doc: PlanDocument, id: number | null): string {
  if (id === null) return "none";
  const s = doc.topology.shards.find((x) => x.id === id);
  return s ? `${id} (${s.name})` : String(id);
}

function topologySection(base: PlanDocument, head: PlanDocument, max: number): string[] {
  const t = diffPlans(base, head).topology;
  const rows: [string, string][] = [];
  for (const id of t.shardsAdded) {
    const s = head.topology.shards.find((x) => x.id === id)!;
    rows.push(["shard added", `${id} ${code(s.name)}, ${s.state}, ${plural(s.nodes.length, "node")}`]);
  }
  for (const id of t.shardsRemoved) {
    const s = base.topology.shards.find((x) => x.id === id)!;
    rows.push(["shard removed", `${id} ${code(s.name)}, was ${s.state} with ${plural(s.nodes.length, "node")}`]);
  }
  for (const c of t.shardStateChanges) rows.push(["shard state", `${shardLabel(head, c.shard)}: ${c.from} → ${c.to}`]);
  if (t.nodesAdded.length) rows.push(["nodes added", capped(t.nodesAdded, max, code).join(", ")]);
  if (t.nodesRemoved.length) rows.push(["nodes removed", capped(t.nodesRemoved, max, code).join(", ")]);
  rows.push(["slots moved", `${t.slotsMoved} of ${SLOT_COUNT} (**${pct(t.keyspaceMoved)} of keys** move)`]);
  const lines = [
    "#### Topology",
    "",
    "| change | detail |",
    "| --- | --- |",
    ...rows.map(([a, b]) => `| ${a} | ${cell(b)} |`),
  ];
  if (t.slotMoves.length > 0) {
    lines.push("", "| slots | from shard | to shard | slots | share of keys |", "| --- | --- | --- | ---: | ---: |");
    lines.push(
      ...capped(
        t.slotMoves,
        max,
        (m) =>
          `| ${m.ranges.map(formatRange).join(", ")} | ${shardLabel(base, m.from)} | ${shardLabel(head, m.to)} | ${m.slots} | ${pct(m.slots / SLOT_COUNT)} |`,
      ),
    );
  }
  return lines;
}

function statefulWarning(s: ChangeSummary, max: number): string[] {
  const replaced = s.replaced.filter((c) => c.stateful);
  const deleted = s.deleted.filter((r) => STATEFUL_TYPES.includes(r.type));
  if (replaced.length === 0 && deleted.length === 0) return [];
  const lines = [
    "> [!CAUTION]",
    `> 🔴 **This change replaces or deletes ${plural(replaced.length + deleted.length, "stateful resource")}.** The data on ${replaced.length + deleted.length === 1 ? "it" : "them"} is lost unless restored from backup.`,
    ">",
  ];
  lines.push(
    ...capped(
      replaced,
      max,
      (c) =>
        `> - **replace** ${code(c.type)} ${code(c.name)}: ${c.replacedBy.map(code).join(", ")} cannot change in place`,
    ).map((l) => (l.startsWith(">") ? l : `> ${l}`)),
  );
  lines.push(
    ...capped(deleted, max, (r) => {
      const fate = r.options.protect
        ? "protected: the deletion will fail until `protect` is lifted"
        : r.options.retainOnDelete
          ? "retainOnDelete: it stays in the cloud, outside the stack"
          : "it is destroyed";
      return `> - **delete** ${code(r.type)} ${code(r.name)}: ${fate}`;
    }).map((l) => (l.startsWith(">") ? l : `> ${l}`)),
  );
  return lines;
}

function resourcesSection(s: ChangeSummary, max: number): string[] {
  const counts = `${s.created.length} to create · ${s.updated.length} to update · ${s.replaced.length} to replace · ${s.deleted.length} to delete · ${s.unchanged} unchanged`;
  const rows: string[] = [];
  const describe = (c: ResourceChange) =>
    [...c.paths.map(code), ...c.options.map((o) => `option ${code(o)}`)].join(", ");
  const replacement = (c: ResourceChange) => {
    const also = c.paths.filter((p) => !c.replacedBy.includes(p));
    return `${c.replacedBy.map(code).join(", ")} cannot change in place${also.length ? `; also ${also.map(code).join(", ")}` : ""}`;
  };
  rows.push(
    ...capped(
      s.replaced,
      max,
      (c) => `| ${c.stateful ? "🔴 " : ""}± replace | ${code(c.type)} | ${code(c.name)} | ${cell(replacement(c))} |`,
    ),
  );
  rows.push(
    ...capped(
      s.deleted,
      max,
      (r) =>
        `| ${STATEFUL_TYPES.includes(r.type) ? "🔴 " : ""}- delete | ${code(r.type)} | ${code(r.name)} | ${r.options.protect ? "protected: deletion fails" : r.options.retainOnDelete ? "retained in the cloud" : ""} |`,
    ),
  );
  rows.push(...capped(s.created, max, (r) => `| + create | ${code(r.type)} | ${code(r.name)} | |`));
  rows.push(
    ...capped(s.updated, max, (c) => `| ~ update | ${code(c.type)} | ${code(c.name)} | ${cell(describe(c))} |`),
  );
  rows.push(
    ...capped(
      s.ignored,
      max,
      (c) => `| = unchanged | ${code(c.type)} | ${code(c.name)} | changes only inputs under ignoreChanges |`,
    ),
  );
  const lines = ["#### Resources", "", counts];
  if (rows.length > 0)
    lines.push(
      "",
      "<details><summary>Resource changes</summary>",
      "",
      "| | type | name | what changes |",
      "| --- | --- | --- | --- |",
      ...rows.map((r) => (r.startsWith("|") ? r : `| | ${r} | | |`)),
      "",
      "</details>",
    );
  return lines;
}

function shortResource(urn: string, head: PlanDocument): string {
  const r = head.resources.find((x) => x.urn === urn);
  if (r) return `${code(r.type)} ${code(r.name)}`;
  const name = urn.split("::").pop() ?? urn;
  return code(name);
}

function policySection(policy: PolicyReport | undefined, head: PlanDocument, options: PrCommentOptions): string[] {
  if (!policy) return ["#### Policy", "", "Not run."];
  const ran = policy.results.filter((r) => r.status !== "skipped").length;
  if (policy.violations.length === 0)
    return ["#### Policy", "", `✅ No violations: ${ran} rules over ${policy.resources} resources.`];
  const key = (v: { ruleId: string; urn: string; reason: string }) => `${v.ruleId} ${stackFreeUrn(v.urn)} ${v.reason}`;
  const before = options.basePolicy ? new Set(options.basePolicy.violations.map(key)) : undefined;
  const rules = new Map(policy.results.map((r) => [r.id, r]));
  const failed = policy.results.filter((r) => r.status === "fail").length;
  const lines = [
    "#### Policy",
    "",
    `❌ **${plural(policy.violations.length, "violation")} of ${plural(failed, "rule")}** (${ran} rules over ${policy.resources} resources). \`npm run plan -- --stack ${options.stack} --check\` lists them.`,
    "",
    `| rule | resource | reason |${before ? " on base |" : ""}`,
    `| --- | --- | --- |${before ? " --- |" : ""}`,
  ];
  lines.push(
    ...capped(policy.violations, options.maxItems ?? 50, (v) => {
      const rule = rules.get(v.ruleId);
      const refs = rule ? references(rule) : "";
      const ruleCell = `**${v.ruleId}** ${rule?.title ?? ""}${refs ? ` (${refs})` : ""}`;
      const isNew = before ? (before.has(key(v)) ? " | already there |" : " | **new** |") : " |";
      return `| ${cell(ruleCell)} | ${cell(shortResource(v.urn, head))} | ${cell(v.reason)}${isNew}`;
    }),
  );
  return lines;
}

/** An empty plan: the base of a stack that does not exist there yet. */
export function emptyPlan(like: PlanDocument): PlanDocument {
  return { ...like, resources: [], outputs: {}, topology: { ...like.topology, shards: [], slotMap: [] } };
}

/** The comment's markdown. `base` null: the base branch has no plan of this stack. */
export function renderPrComment(
  base: PlanDocument | null,
  head: PlanDocument,
  policy: PolicyReport | undefined,
  options: PrCommentOptions,
): string {
  const max = options.maxItems ?? 50;
  const from = base ?? emptyPlan(head);
  const s = summarizeChanges(from, head);
  const t = diffPlans(from, head).topology;
  const noChange =
    s.created.length + s.deleted.length + s.updated.length + s.replaced.length === 0 &&
    t.shardsAdded.length +
      t.shardsRemoved.length +
      t.shardStateChanges.length +
      t.nodesAdded.length +
      t.nodesRemoved.length +
      t.slotsMoved ===
      0;
  const lines = [commentMarker(options.stack), `### gamedb plan of stack ${code(options.stack)}`, ""];
  if (!base)
    lines.push(
      "The base branch has no plan of this stack (a new stack, or its plan failed): everything below is new.",
      "",
    );
  const warning = statefulWarning(s, max);
  if (warning.length) lines.push(...warning, "");
  if (options.realPreview === "skipped")
    lines.push(
      "> [!NOTE]",
      "> The real `pulumi preview` did not run: this run has no cloud credentials (a fork, or the repository's secrets are not set). The offline plan below is this PR's preview.",
      "",
    );
  if (options.realPreview === "runs")
    lines.push(
      `The real \`pulumi preview\` of ${code(options.stack)} runs in this workflow and comments separately.`,
      "",
    );
  if (noChange) lines.push("**No changes**: the head declares exactly what the base does.", "");
  else lines.push(...topologySection(from, head, max), "", ...resourcesSection(s, max), "");
  lines.push(...policySection(policy, head, options), "");
  const refs =
    options.baseRef || options.headRef
      ? ` Base ${code(options.baseRef ?? "?")}, head ${code(options.headRef ?? "?")}.`
      : "";
  lines.push(
    `<sub>Offline plan (\`npm run plan\`) under Pulumi's mock runtime: no cloud was asked and ids are stand-ins. Replacements are inferred from inputs that cannot change in place; \`pulumi preview\` is authoritative.${refs}</sub>`,
  );
  return lines.join("\n") + "\n";
}
