/**
 * Which resources hold data, and which input changes make a provider replace a resource rather than update it.
 *
 * Replacement is inferred: the offline plan has no provider to ask, so a change replaces a resource when it
 * touches an input the provider cannot update in place (REPLACED_BY below, for the types gamedb declares or may).
 */

/** A resource's inputs, as the plan records them. */
export type Obj = Record<string, unknown>;

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
/** Whether `path` is one of `prefixes` or lies under one. */
export const under = (path: string, prefixes: string[]) => prefixes.some((p) => path === p || path.startsWith(`${p}.`));
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
  // pulumi-command v1.2.1:provider/pkg/provider/common/inputs.go and remote/copy.go: `triggers` is replaceOnChanges;
  // both types implement Update (remote/commandController.go, remote/copyController.go) for every other input.
  "command:remote:Command": topIn("triggers"),
  "command:remote:CopyToRemote": topIn("triggers"),
  "command:local:Command": topIn("triggers"),
};

/** Whether changing input `path` of a resource of `type` (with these inputs) replaces it. */
export function replacedBy(type: string, path: string, inputs: Obj): boolean {
  const rule = REPLACED_BY[type];
  if (rule) return rule(path, inputs);
  // Every input of the random and tls providers is replace-on-change: a new password or key.
  if (type.startsWith("random:") || type.startsWith("tls:")) return true;
  return type.startsWith("kubernetes:") && under(path, K8S_IDENTITY);
}
