/**
 * What is wrong, from one cycle's results (pure): the conditions alerts.ts turns into events.
 *
 * Per member (debounced: `failureThreshold` consecutive observations, so one slow check or one busy second does
 * not page anyone): not answering checks (the node alarm); CPU proxy, buffer pool use and replication lag above
 * their thresholds. The CPU proxy is the seed's: Threads_running / vCPUs * 100; with vCPUs unknown (static hosts)
 * it is exported but never warned on.
 * Per shard (debounced like members: `failureThreshold` consecutive cycles observed wrong; resolved on the first
 * cycle observed fine): no ONLINE primary (critical: writes impossible), quorum lost (critical), a status worse than
 * the best the shard's configured member count can reach (warning: OK with 3 or more members, OK_NO_TOLERANCE with
 * 1 or 2, see bestStatus() in verdict.ts; a change of status while degraded is sent as a change). A cycle in which
 * no member of the shard answered does not observe them (they neither fire nor resolve): the verdict would be
 * OFFLINE, and that is most often the worker's own network failing every shard at once; the members' node alarms
 * report members that stay unreachable.
 * Redis (every condition debounced like shards: `failureThreshold` consecutive cycles observed wrong, resolved on
 * the first cycle observed fine, so a normal failover's few seconds of cluster_state fail page no one): no seed
 * answers CLUSTER NODES, a node not answering checks (critical); cluster_state not ok on any answering node, slots
 * in fail state as seen by any answering node (critical), observed only in a cycle in which some node answered; a
 * replica's master link down (warning), observed only when that node answered this cycle (a node that did not
 * answer leaves it as it was; its own node alarm reports it).
 */
import type { Condition } from "./alerts";
import type { CheckOutcome } from "./async";
import type { MemberObservation } from "./mysqlCheck";
import type { ClusterNodeEntry, RedisObservation } from "./redisCheck";
import type { MysqlMember, RedisTarget, ShardTarget } from "./targets";
import { bestStatus, statusBelowBest, type ShardVerdict } from "./verdict";

export interface Thresholds {
  cpuPercent: number;
  bufferPoolPercent: number;
  lagSeconds: number;
}

export interface MemberResult {
  member: MysqlMember;
  outcome: CheckOutcome<MemberObservation>;
}

export interface ShardResult {
  shard: ShardTarget;
  members: MemberResult[];
  verdict: ShardVerdict;
}

export interface RedisNodeResult {
  /** host:port, the `node` label. */
  label: string;
  /** From CLUSTER NODES: this cycle's discovery, or the last good one when no seed answered. */
  entry: ClusterNodeEntry;
  outcome: CheckOutcome<RedisObservation>;
}

export interface RedisResult {
  target: RedisTarget;
  discovery: CheckOutcome<ClusterNodeEntry[]>;
  nodes: RedisNodeResult[];
}

export interface RuleOptions {
  failureThreshold: number;
  thresholds: Thresholds;
}

/** Threads_running / vCPUs * 100; null when vCPUs are unknown. */
export function cpuProxyPercent(obs: MemberObservation, vcpus: number | null): number | null {
  return vcpus === null || vcpus <= 0 ? null : (obs.threadsRunning / vcpus) * 100;
}

export function bufferPoolPercent(obs: MemberObservation): number {
  return obs.bufferPoolSizeBytes > 0 ? (obs.bufferPoolDataBytes / obs.bufferPoolSizeBytes) * 100 : 0;
}

const pct = (n: number) => `${Math.round(n * 10) / 10}%`;

export function memberConditions(r: MemberResult, opts: RuleOptions): Condition[] {
  const { member, outcome } = r;
  const subject = { kind: "mysql-member" as const, shard: member.shard, node: member.node };
  const key = (what: string) => `mysql:${what}:${member.shard}/${member.node}`;
  const n = opts.failureThreshold;
  const t = opts.thresholds;
  const obs = outcome.ok ? outcome.value : null;
  const out: Condition[] = [
    {
      key: key("down"),
      bad: !outcome.ok,
      fireAfter: n,
      severity: "critical",
      subject,
      what: "MySQL member not answering checks",
      value: outcome.ok ? "answering" : `check failed: ${outcome.error}`,
      threshold: `${n} consecutive failed checks`,
      detail: `address: ${member.host}:${member.port}`,
    },
  ];
  if (member.vcpus !== null) {
    const cpu = obs ? cpuProxyPercent(obs, member.vcpus)! : null;
    out.push({
      key: key("cpu"),
      bad: cpu === null ? null : cpu > t.cpuPercent,
      fireAfter: n,
      severity: "warning",
      subject,
      what: "CPU proxy (Threads_running per vCPU) above threshold",
      value: obs ? `${pct(cpu!)} (Threads_running ${obs.threadsRunning} on ${member.vcpus} vCPUs)` : "unknown",
      threshold: `${t.cpuPercent}%`,
    });
  }
  const bp = obs ? bufferPoolPercent(obs) : null;
  out.push({
    key: key("buffer-pool"),
    bad: bp === null ? null : bp > t.bufferPoolPercent,
    fireAfter: n,
    severity: "warning",
    subject,
    what: "InnoDB buffer pool use above threshold",
    value: obs ? `${pct(bp!)} (${obs.bufferPoolDataBytes} of ${obs.bufferPoolSizeBytes} bytes)` : "unknown",
    threshold: `${t.bufferPoolPercent}%`,
  });
  out.push({
    key: key("lag"),
    bad: obs ? obs.lagSeconds > t.lagSeconds : null,
    fireAfter: n,
    severity: "warning",
    subject,
    what: "replication lag above threshold",
    value: obs ? `${Math.round(obs.lagSeconds * 10) / 10} s (applier queue ${obs.applierQueue ?? "n/a"})` : "unknown",
    threshold: `${t.lagSeconds} s`,
  });
  return out;
}

export function shardConditions(r: ShardResult, opts: RuleOptions): Condition[] {
  const v = r.verdict;
  const shard = r.shard.shard;
  const subject = { kind: "mysql-shard" as const, shard };
  const n = opts.failureThreshold;
  // No member answered: nothing about the group was seen this cycle (most often the worker's own network).
  const observed = v.members.some((m) => m.reachable);
  const seen = v.viewFrom === null ? v.statusText : `view from ${v.viewFrom}`;
  const notOnline = v.members.filter((m) => m.state !== "ONLINE").map((m) => `${m.node} ${m.state}`);
  const detail = notOnline.length > 0 ? `members not ONLINE: ${notOnline.join(", ")}` : undefined;
  const configured = v.members.length;
  const best = bestStatus(configured);
  return [
    {
      key: `mysql:no-primary:${shard}`,
      bad: observed ? v.primaryCount === 0 : null,
      fireAfter: n,
      severity: "critical",
      subject,
      what: "no ONLINE primary: writes impossible",
      value: `${v.primaryCount} ONLINE ${v.primaryCount === 1 ? "primary" : "primaries"} (status ${v.status}; ${seen})`,
      threshold: "1 ONLINE primary",
      detail,
    },
    {
      key: `mysql:quorum:${shard}`,
      bad: observed ? !v.quorum : null,
      fireAfter: n,
      severity: "critical",
      subject,
      what: "Group Replication quorum lost: writes blocked",
      value:
        v.viewFrom === null
          ? `no view (${v.statusText})`
          : `${v.onlineCount} of ${v.groupSize} members ONLINE (${seen})`,
      threshold: "more than half of the group ONLINE or RECOVERING",
      detail,
    },
    {
      key: `mysql:status:${shard}`,
      bad: observed ? statusBelowBest(v.status, configured) : null,
      fireAfter: n,
      severity: "warning",
      subject,
      what: best === "OK" ? "cluster status not OK" : `cluster status worse than ${best}`,
      value: `${v.status}: ${v.statusText}`,
      threshold: best === "OK" ? "OK" : `${best} (the best a ${configured}-member group reaches)`,
      variant: v.status,
      detail,
    },
  ];
}

export function redisConditions(r: RedisResult, opts: RuleOptions): Condition[] {
  const n = opts.failureThreshold;
  const cluster = { kind: "redis-cluster" as const };
  const answering = r.nodes.filter((x) => x.outcome.ok) as (RedisNodeResult & {
    outcome: { ok: true; value: RedisObservation };
  })[];
  // No node answered: neither the cluster's state nor its slots were seen this cycle.
  const observed = answering.length > 0;
  const notOk = answering.filter((x) => x.outcome.value.cluster.state !== "ok");
  const worst = answering.reduce<(typeof answering)[number] | undefined>(
    (w, x) => (w === undefined || x.outcome.value.cluster.slotsFail > w.outcome.value.cluster.slotsFail ? x : w),
    undefined,
  );
  const out: Condition[] = [
    {
      key: "redis:discovery",
      bad: !r.discovery.ok,
      fireAfter: n,
      severity: "critical",
      subject: cluster,
      what: "no Redis seed answers CLUSTER NODES",
      value: r.discovery.ok ? "answering" : r.discovery.error,
      threshold: `${n} consecutive failed discoveries`,
    },
    {
      key: "redis:cluster-state",
      bad: observed ? notOk.length > 0 : null,
      fireAfter: n,
      severity: "critical",
      subject: cluster,
      what: "cluster_state not ok",
      value:
        notOk.length === 0
          ? `ok on all ${answering.length} answering nodes`
          : `${notOk[0]!.outcome.value.cluster.state} on ${notOk.length} of ${answering.length} answering nodes ` +
            `(${notOk.map((x) => x.label).join(", ")})`,
      threshold: "ok on every node",
    },
    {
      key: "redis:slots-fail",
      bad: observed ? worst!.outcome.value.cluster.slotsFail > 0 : null,
      fireAfter: n,
      severity: "critical",
      subject: cluster,
      what: "hash slots in fail state",
      value:
        worst === undefined
          ? "unknown"
          : `${worst.outcome.value.cluster.slotsFail} slots fail, ${worst.outcome.value.cluster.slotsPfail} pfail, ` +
            `${worst.outcome.value.cluster.slotsOk} ok (as seen by ${worst.label})`,
      threshold: "0 slots fail",
    },
  ];
  for (const x of r.nodes) {
    const subject = { kind: "redis-node" as const, node: x.label };
    out.push({
      key: `redis:down:${x.label}`,
      bad: !x.outcome.ok,
      fireAfter: n,
      severity: "critical",
      subject,
      what: "Redis node not answering checks",
      value: x.outcome.ok ? "answering" : `check failed: ${x.outcome.error}`,
      threshold: `${n} consecutive failed checks`,
    });
    const rep = x.outcome.ok ? x.outcome.value.replication : null;
    out.push({
      key: `redis:master-link:${x.label}`,
      // A replica promoted to master has no master link: that clears it.
      // Not observed when the node did not answer this cycle.
      bad: rep === null ? null : rep.role === "slave" && rep.masterLinkStatus !== "up",
      fireAfter: n,
      severity: "warning",
      subject,
      what: "replica's link to its master is down",
      value:
        rep === null
          ? "unknown"
          : rep.role === "slave"
            ? `master_link_status ${rep.masterLinkStatus ?? "missing"} (master ${rep.masterHost}:${rep.masterPort})`
            : `role ${rep.role}`,
      threshold: "master_link_status up",
    });
  }
  return out;
}

export function cycleConditions(
  shards: readonly ShardResult[],
  redis: RedisResult | null,
  opts: RuleOptions,
): Condition[] {
  return [
    ...shards.flatMap((s) => [...s.members.flatMap((m) => memberConditions(m, opts)), ...shardConditions(s, opts)]),
    ...(redis === null ? [] : redisConditions(redis, opts)),
  ];
}
