/** Cross-key rules about shard hosts: data volumes, instance types and architectures, static hosts, my.cnf. Pure. */
import { nodePath, shardView } from "./shardView";
import { Problem, problem, show } from "../../config/errors";
import type { Check } from "./rule";
import { instanceArch } from "../../catalog/instanceTypes";
import { MYCNF_OVERRIDES, describeOverride, overrideAccepts } from "../../catalog/mycnfOverrides";

const BURSTABLE = /^t\d[a-z]*\./;

/** EBS limits (AWS EBS volume types): gp3 3000-16000 IOPS at most 500 per GiB, 125-1000 MiB/s at most IOPS/4; io2 100-256000 IOPS at most 1000 per GiB. */
export const dataVolume: Check = (t) => {
  const v = t.mysql.dataVolume;
  const path = ["mysql", "dataVolume"];
  const out: Problem[] = [];
  if (v.type === "gp3") {
    const iops = v.iops ?? 3000;
    const throughput = v.throughput ?? 125;
    if (iops < 3000 || iops > 16000) out.push(problem([...path, "iops"], `${iops} is outside gp3's 3000 to 16000`));
    else if (iops > 500 * v.sizeGiB)
      out.push(
        problem([...path, "iops"], `${iops} exceeds gp3's 500 IOPS per GiB (${500 * v.sizeGiB} for ${v.sizeGiB} GiB)`),
      );
    if (throughput < 125 || throughput > 1000)
      out.push(problem([...path, "throughput"], `${throughput} is outside gp3's 125 to 1000 MiB/s`));
    else if (throughput > iops / 4)
      out.push(
        problem(
          [...path, "throughput"],
          `${throughput} MiB/s exceeds gp3's limit of IOPS/4 (${Math.floor(iops / 4)} at ${iops} IOPS)`,
        ),
      );
  } else {
    if (v.iops === undefined) out.push(problem([...path, "iops"], "is required for io2 (100 to 256000)"));
    else if (v.iops < 100 || v.iops > 256000)
      out.push(problem([...path, "iops"], `${v.iops} is outside io2's 100 to 256000`));
    else if (v.iops > 1000 * v.sizeGiB)
      out.push(
        problem(
          [...path, "iops"],
          `${v.iops} exceeds io2's 1000 IOPS per GiB (${1000 * v.sizeGiB} for ${v.sizeGiB} GiB)`,
        ),
      );
    if (v.throughput !== undefined)
      out.push(problem([...path, "throughput"], "applies to gp3 only; remove it for io2"));
  }
  return out;
};

export const instanceTypes: Check = (t) => {
  if (t.environment !== "prod") return [];
  const out: Problem[] = [];
  const why = "burstable instances throttle a database under sustained load; use e.g. r6i, m6i or r7i in prod";
  if (BURSTABLE.test(t.mysql.instanceType))
    out.push(problem(["mysql", "instanceType"], `${show(t.mysql.instanceType)}: ${why}`));
  t.shards.forEach((s, i) => {
    for (const n of shardView(s).nodes)
      if (n.instanceType && BURSTABLE.test(n.instanceType))
        out.push(problem(nodePath(i, n, "instanceType"), `${show(n.instanceType)}: ${why}`));
  });
  return out;
};

/** MySQL's APT repository publishes Ubuntu packages for x86_64 only, so a Graviton host could not install MySQL. */
export const architectures: Check = (t) => {
  if (t.hosts.provider !== "aws") return [];
  const why = (type: string) =>
    `${show(type)} is a Graviton (arm64) type; MySQL's APT repository has no arm64 packages for Ubuntu: use an x86 type such as r6i, m6i or r7i`;
  const out: Problem[] = [];
  if (instanceArch(t.mysql.instanceType) === "arm64")
    out.push(problem(["mysql", "instanceType"], why(t.mysql.instanceType)));
  t.shards.forEach((s, i) => {
    for (const n of shardView(s).nodes)
      if (n.instanceType && instanceArch(n.instanceType) === "arm64")
        out.push(problem(nodePath(i, n, "instanceType"), why(n.instanceType)));
  });
  return out;
};

export const hosts: Check = (t) => {
  const out: Problem[] = [];
  const isStatic = t.hosts.provider === "static";
  const addresses = new Map<string, string>();
  if (!isStatic && t.hosts.staticDataDevice !== undefined)
    out.push(problem(["hosts", "staticDataDevice"], `applies only with hosts.provider "static"; remove it`));
  if (isStatic && t.hosts.awsAccess === undefined)
    out.push(
      problem(
        ["hosts", "awsAccess"],
        'is required with hosts.provider "static": those hosts have no instance role, so each shard gets an IAM user ' +
          "whose access key its hosts keep for backups; set {mode: accessKeys} to accept that",
      ),
    );
  if (!isStatic && t.hosts.awsAccess !== undefined)
    out.push(
      problem(["hosts", "awsAccess"], 'applies only with hosts.provider "static" (EC2 hosts use their instance role)'),
    );
  t.shards.forEach((s, i) => {
    const v = shardView(s);
    if (!v.listed) {
      if (isStatic)
        out.push(
          problem(
            ["shards", i, "nodes"],
            `${v.count}: with hosts.provider "static" list each node as {index, address} so gamedb knows the hosts`,
          ),
        );
      return;
    }
    for (const n of v.nodes) {
      const at = nodePath(i, n);
      if (!isStatic) {
        if (n.address !== undefined)
          out.push(problem([...at, "address"], `applies only with hosts.provider "static" (aws creates the hosts)`));
        if (n.sshUser !== undefined)
          out.push(problem([...at, "sshUser"], `applies only with hosts.provider "static"; aws hosts use ssh.user`));
        continue;
      }
      if (n.address === undefined) {
        out.push(problem([...at, "address"], `is required with hosts.provider "static"`));
        continue;
      }
      const other = addresses.get(n.address);
      if (other !== undefined)
        out.push(problem([...at, "address"], `${show(n.address)} is already the address of ${other}`));
      else addresses.set(n.address, `shard ${s.id} node ${n.index}`);
    }
  });
  return out;
};

export const mycnfOverrides: Check = (t) => {
  const out: Problem[] = [];
  const allowed = Object.keys(MYCNF_OVERRIDES).sort().join(", ");
  for (const [name, value] of Object.entries(t.mysql.overrides)) {
    // Own keys only: `constructor` is a setting nobody may override, not the table's inherited method.
    const spec = Object.hasOwn(MYCNF_OVERRIDES, name) ? MYCNF_OVERRIDES[name] : undefined;
    if (spec === undefined) {
      out.push(problem(["mysql", "overrides", name], `cannot be overridden; overridable settings: ${allowed}`));
    } else if (!overrideAccepts(spec, value)) {
      out.push(problem(["mysql", "overrides", name], `${show(value)} is not allowed; use ${describeOverride(spec)}`));
    }
  }
  return out;
};
