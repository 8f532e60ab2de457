/**
 * Rules that relate several keys. Each rule is a pure function from the schema-checked topology to problems;
 * `validateTopology` runs them all so an operator sees every problem at once.
 */
import { IPv4CidrRange, Validator } from "ip-num";
import { Problem, problem, show } from "../config/errors";
import type { Topology } from "../config/schema";
import { MAX_SLOT, SlotRange, formatRange, ownerTable, parseSlotRange, runs, toRanges } from "./slots";
import { planNodes } from "./nodes";
import { instanceArch } from "../catalog/instanceTypes";
import { lifecycleProblems } from "./backupLifecycle";
import { minimumConcurrency } from "./monitoring";
import { MYCNF_OVERRIDES, describeOverride, overrideAccepts } from "../catalog/mycnfOverrides";
import { sortedZones, zoneHoldingMajority } from "./placement";
import { MAX_ZONE_LETTER_INDEX, zoneLetterIndex } from "./network";

type Check = (t: Topology) => Problem[];
type Section = keyof Topology;
/** A rule reads some sections; it runs whenever those parsed, even if others did not. */
interface Rule {
  reads: readonly Section[];
  check: Check;
}

const BURSTABLE = /^t\d[a-z]*\./;
/** A /0 block is the whole internet, however it is spelled (0.0.0.0/0, ::/0, ::0/0, 10.1.2.3/0). */
const isWholeInternet = (cidr: string) => /\/0+$/.test(cidr);

const zones: Check = (t) => {
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

const network: Check = (t) => {
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

/** EBS limits (AWS EBS volume types): gp3 3000-16000 IOPS at most 500 per GiB, 125-1000 MiB/s at most IOPS/4; io2 100-256000 IOPS at most 1000 per GiB. */
const dataVolume: Check = (t) => {
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

const instanceTypes: Check = (t) => {
  if (t.environment !== "prod") return [];
  const out: Problem[] = [];
  const why = "burstable instances throttle a database under sustained load; use e.g. r6i, m6i or r7i in prod";
  if (BURSTABLE.test(t.mysql.instanceType))
    out.push(problem(["mysql", "instanceType"], `${show(t.mysql.instanceType)}: ${why}`));
  t.shards.forEach((s, i) => {
    if (typeof s.nodes === "number") return;
    s.nodes.forEach((n, j) => {
      if (n.instanceType && BURSTABLE.test(n.instanceType))
        out.push(problem(["shards", i, "nodes", j, "instanceType"], `${show(n.instanceType)}: ${why}`));
    });
  });
  return out;
};

/** MySQL's APT repository publishes Ubuntu packages for x86_64 only, so a Graviton host could not install MySQL. */
const architectures: Check = (t) => {
  if (t.hosts.provider !== "aws") return [];
  const why = (type: string) =>
    `${show(type)} is a Graviton (arm64) type; MySQL's APT repository has no arm64 packages for Ubuntu: use an x86 type such as r6i, m6i or r7i`;
  const out: Problem[] = [];
  if (instanceArch(t.mysql.instanceType) === "arm64")
    out.push(problem(["mysql", "instanceType"], why(t.mysql.instanceType)));
  t.shards.forEach((s, i) => {
    if (typeof s.nodes === "number") return;
    s.nodes.forEach((n, j) => {
      if (n.instanceType && instanceArch(n.instanceType) === "arm64")
        out.push(problem(["shards", i, "nodes", j, "instanceType"], why(n.instanceType)));
    });
  });
  return out;
};

const shardIdentity: Check = (t) => {
  const out: Problem[] = [];
  const ids = new Map<number, number>();
  const names = new Map<string, number>();
  t.shards.forEach((s, i) => {
    const firstId = ids.get(s.id);
    if (firstId !== undefined)
      out.push(
        problem(
          ["shards", i, "id"],
          `${s.id} is already the id of gamedb:shards[${firstId}]; shard ids are unique and never reused`,
        ),
      );
    else ids.set(s.id, i);
    const firstName = names.get(s.name);
    if (firstName !== undefined)
      out.push(
        problem(
          ["shards", i, "name"],
          `${show(s.name)} is already the name of gamedb:shards[${firstName}]; names are unique`,
        ),
      );
    else names.set(s.name, i);
  });
  return out;
};

const nodeCounts: Check = (t) => {
  const out: Problem[] = [];
  const allowed = t.environment === "prod" ? "an odd count from 3 to 9 (prod)" : "1, or an odd count from 3 to 9";
  t.shards.forEach((s, i) => {
    const count = typeof s.nodes === "number" ? s.nodes : s.nodes.length;
    const what = typeof s.nodes === "number" ? `${count}` : `${count} (nodes listed)`;
    if (count === 1 && t.environment === "prod")
      out.push(problem(["shards", i, "nodes"], `${what}: a single node has no failover; use ${allowed}`));
    else if (count % 2 === 0) out.push(problem(["shards", i, "nodes"], `${what} is even; use ${allowed}`));
    if (typeof s.nodes === "number") return;
    const seen = new Set<number>();
    s.nodes.forEach((n, j) => {
      if (seen.has(n.index))
        out.push(
          problem(
            ["shards", i, "nodes", j, "index"],
            `${n.index} is listed twice in this shard; node indexes are unique and never reused`,
          ),
        );
      seen.add(n.index);
    });
  });
  return out;
};

const placement: Check = (t) => {
  const out: Problem[] = [];
  const zonesSet = new Set(t.aws.availabilityZones);
  t.shards.forEach((s, i) => {
    let pinnedOk = true;
    if (typeof s.nodes !== "number") {
      s.nodes.forEach((n, j) => {
        if (n.az !== undefined && !zonesSet.has(n.az)) {
          pinnedOk = false;
          out.push(
            problem(
              ["shards", i, "nodes", j, "az"],
              `${show(n.az)} is not in gamedb:aws.availabilityZones (${[...zonesSet].join(", ")})`,
            ),
          );
        }
      });
    }
    if (!pinnedOk || t.environment !== "prod") return;
    const members = planNodes(s, t.aws.availabilityZones, t.mysql.instanceType).map((n) => n.az);
    const major = zoneHoldingMajority(members);
    if (major) {
      out.push(
        problem(
          ["shards", i, "nodes"],
          `placement puts ${major.members} of ${members.length} members in ${major.zone}, so losing that zone loses quorum; ` +
            `list at least 3 zones in gamedb:aws.availabilityZones or pin nodes[].az`,
        ),
      );
    }
  });
  return out;
};

const slots: Check = (t) => {
  const out: Problem[] = [];
  const owned = new Map<number, SlotRange[]>();
  t.shards.forEach((s, i) => {
    if (s.state !== "active") {
      if (s.slots.length > 0)
        out.push(
          problem(
            ["shards", i, "slots"],
            `a ${s.state} shard owns no slots; give its ranges to active shards (move them when it becomes active)`,
          ),
        );
      return;
    }
    if (s.slots.length === 0)
      out.push(
        problem(
          ["shards", i, "slots"],
          `an active shard must own at least one slot range; use state "provisioning" for a shard that owns none yet`,
        ),
      );
    const ranges: SlotRange[] = [];
    s.slots.forEach((text, j) => {
      const r = parseSlotRange(text);
      if (typeof r === "string") out.push(problem(["shards", i, "slots", j], r));
      else ranges.push(r);
    });
    // Duplicate shard ids are reported by shardIdentity; merge their ranges so overlaps still show.
    owned.set(s.id, [...(owned.get(s.id) ?? []), ...ranges]);
  });
  const { owner, overlaps } = ownerTable(owned);
  const byPair = new Map<string, number[]>();
  for (const o of overlaps) {
    const k = o.shards.join(",");
    byPair.set(k, [...(byPair.get(k) ?? []), o.slot]);
  }
  for (const [pair, list] of byPair) {
    const [a, b] = pair.split(",").map(Number);
    const where = toRanges(list.sort((x, y) => x - y))
      .map(formatRange)
      .join(", ");
    const whom = a === b ? `listed twice by shard ${a}` : `owned by both shard ${a} and shard ${b}`;
    out.push(
      problem(
        ["shards"],
        `slots ${where} are ${whom}; every slot 0-${MAX_SLOT} must be owned by exactly one active shard`,
      ),
    );
  }
  const gaps = runs(owner).filter((r) => r.shard === -1);
  if (gaps.length > 0) {
    out.push(
      problem(
        ["shards"],
        `slots ${gaps.map(formatRange).join(", ")} are owned by no active shard; every slot 0-${MAX_SLOT} must be owned by exactly one active shard`,
      ),
    );
  }
  return out;
};

const cidrs: Check = (t) => {
  const out: Problem[] = [];
  const check = (list: string[], path: (string | number)[]) =>
    list.forEach((c, i) => {
      if (isWholeInternet(c))
        out.push(
          problem(
            [...path, i],
            `${show(c)} opens database and SSH ports to the whole internet; list the networks that need access`,
          ),
        );
    });
  check(t.ssh.adminCidrs, ["ssh", "adminCidrs"]);
  check(t.kubernetes.nodeCidrs, ["kubernetes", "nodeCidrs"]);
  return out;
};

const highAvailability: Check = (t) => {
  if (t.environment !== "prod") return [];
  const out: Problem[] = [];
  if (t.router.replicas < 2)
    out.push(
      problem(
        ["router", "replicas"],
        `${t.router.replicas}: prod needs at least 2 so a router pod's loss does not cut a shard off`,
      ),
    );
  if (t.redis.replicasPerMaster < 1)
    out.push(
      problem(
        ["redis", "replicasPerMaster"],
        `${t.redis.replicasPerMaster}: prod needs at least 1 so a master's loss fails over`,
      ),
    );
  return out;
};

const backupWindows: Check = (t) => {
  const b = t.backup;
  // Restoring to the start of the window needs a full dump from before it, and dumps run at least daily.
  if (b.retentionDays * 24 < b.pitrWindowHours + 24) {
    return [
      problem(
        ["backup", "retentionDays"],
        `${b.retentionDays} days cannot serve a ${b.pitrWindowHours} h point-in-time window; keep at least ${Math.ceil((b.pitrWindowHours + 24) / 24)} days`,
      ),
    ];
  }
  return [];
};

/** A Kubernetes label name: an optional DNS-subdomain prefix and "/", then up to 63 name characters. */
const LABEL_NAME = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/** `docker build` for a Dockerfile target, as the "is required" messages give it. */
const buildHint = (target: string) =>
  `build it from the repo's Dockerfile (docker build --target ${target} -t REGISTRY/gamedb-${target}:0.1.0 .), push it where the cluster pulls from, and set its reference here`;

const monitoring: Check = (t) => {
  const m = t.monitoring;
  const out: Problem[] = [];
  if (m.checkTimeoutSeconds >= m.intervalSeconds) {
    out.push(
      problem(
        ["monitoring", "checkTimeoutSeconds"],
        `${m.checkTimeoutSeconds} must be shorter than intervalSeconds (${m.intervalSeconds})`,
      ),
    );
  }
  if (m.image === undefined) out.push(problem(["monitoring", "image"], `is required: ${buildHint("monitor")}`));
  for (const name of Object.keys(m.prometheusLabels)) {
    if (!LABEL_NAME.test(name))
      out.push(
        problem(
          ["monitoring", "prometheusLabels"],
          `${JSON.stringify(name)} is not a Kubernetes label name; use one such as release or app.kubernetes.io/part-of`,
        ),
      );
  }
  return out;
};

/** Even when every member times out, one cycle must fit in the interval, or detection falls behind its bound. */
const monitoringCycle: Check = (t) => {
  const m = t.monitoring;
  if (m.concurrency === undefined || m.checkTimeoutSeconds >= m.intervalSeconds) return [];
  const members = t.shards.reduce((n, s) => n + (typeof s.nodes === "number" ? s.nodes : s.nodes.length), 0);
  const need = minimumConcurrency(members, m.intervalSeconds, m.checkTimeoutSeconds);
  if (m.concurrency >= need) return [];
  return [
    problem(
      ["monitoring", "concurrency"],
      `${m.concurrency} is too low for ${members} members: with every member timing out a cycle would not finish within intervalSeconds (${m.intervalSeconds}); use at least ${need}, or leave it out`,
    ),
  ];
};

const restoreVerification: Check = (t) => {
  const r = t.backup.restoreVerification;
  return r.enabled && r.image === undefined
    ? [problem(["backup", "restoreVerification", "image"], `is required when enabled: ${buildHint("restore-verify")}`)]
    : [];
};

const hosts: Check = (t) => {
  const out: Problem[] = [];
  const isStatic = t.hosts.provider === "static";
  const addresses = new Map<string, string>();
  if (!isStatic && t.hosts.staticDataDevice !== undefined)
    out.push(problem(["hosts", "staticDataDevice"], `applies only with hosts.provider "static"; remove it`));
  t.shards.forEach((s, i) => {
    if (typeof s.nodes === "number") {
      if (isStatic)
        out.push(
          problem(
            ["shards", i, "nodes"],
            `${s.nodes}: with hosts.provider "static" list each node as {index, address} so gamedb knows the hosts`,
          ),
        );
      return;
    }
    s.nodes.forEach((n, j) => {
      const at = ["shards", i, "nodes", j] as const;
      if (!isStatic) {
        if (n.address !== undefined)
          out.push(problem([...at, "address"], `applies only with hosts.provider "static" (aws creates the hosts)`));
        if (n.sshUser !== undefined)
          out.push(problem([...at, "sshUser"], `applies only with hosts.provider "static"; aws hosts use ssh.user`));
        return;
      }
      if (n.address === undefined) {
        out.push(problem([...at, "address"], `is required with hosts.provider "static"`));
        return;
      }
      const other = addresses.get(n.address);
      if (other !== undefined)
        out.push(problem([...at, "address"], `${show(n.address)} is already the address of ${other}`));
      else addresses.set(n.address, `shard ${s.id} node ${n.index}`);
    });
  });
  return out;
};

const mycnfOverrides: Check = (t) => {
  const out: Problem[] = [];
  const allowed = Object.keys(MYCNF_OVERRIDES).sort().join(", ");
  for (const [name, value] of Object.entries(t.mysql.overrides)) {
    const spec = MYCNF_OVERRIDES[name];
    if (spec === undefined) {
      out.push(problem(["mysql", "overrides", name], `cannot be overridden; overridable settings: ${allowed}`));
    } else if (!overrideAccepts(spec, value)) {
      out.push(problem(["mysql", "overrides", name], `${show(value)} is not allowed; use ${describeOverride(spec)}`));
    }
  }
  return out;
};

export const RULES: readonly Rule[] = [
  { reads: ["aws", "network"], check: zones },
  { reads: ["aws", "network"], check: network },
  { reads: ["mysql"], check: dataVolume },
  { reads: ["environment", "mysql", "shards"], check: instanceTypes },
  { reads: ["shards"], check: shardIdentity },
  { reads: ["environment", "shards"], check: nodeCounts },
  { reads: ["environment", "aws", "mysql", "shards"], check: placement },
  { reads: ["shards"], check: slots },
  { reads: ["ssh", "kubernetes"], check: cidrs },
  { reads: ["environment", "router", "redis"], check: highAvailability },
  { reads: ["backup"], check: backupWindows },
  { reads: ["monitoring"], check: monitoring },
  { reads: ["monitoring", "shards"], check: monitoringCycle },
  { reads: ["backup"], check: restoreVerification },
  { reads: ["backup"], check: (t) => lifecycleProblems(t.backup) },
  { reads: ["hosts", "shards"], check: hosts },
  { reads: ["hosts", "mysql", "shards"], check: architectures },
  { reads: ["mysql"], check: mycnfOverrides },
];

/**
 * Runs every rule whose sections are valid. `t` may be partial when some sections failed the schema; `valid`
 * names the ones that passed, and only rules that read nothing else run.
 */
export function validateTopology(
  t: Topology,
  valid: ReadonlySet<Section> = new Set(Object.keys(t) as Section[]),
): Problem[] {
  return RULES.filter((r) => r.reads.every((s) => valid.has(s))).flatMap((r) => r.check(t));
}
