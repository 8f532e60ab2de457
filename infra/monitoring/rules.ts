/**
 * The PrometheusRule groups for the worker's metrics (scripts/apps/monitor/metrics.ts): Group Replication (member not
 * ONLINE, no primary, quorum lost, applier queue growing) and Redis Cluster (state not ok, failed slots, master
 * link down). Pure. The `for:` windows are the worker's own alarm rule (failureThreshold x interval), so Prometheus
 * and the worker's direct alerts agree on when something is down.
 */

/** The worker's metric names the rules read; kept in one place so a rename is one edit. */
export const METRICS = {
  memberState: "gamedb_mysql_member_state",
  shardPrimaries: "gamedb_shard_primary_count",
  shardQuorum: "gamedb_shard_quorum",
  applierQueue: "gamedb_mysql_applier_queue",
  redisClusterOk: "gamedb_redis_cluster_state_ok",
  redisSlots: "gamedb_redis_cluster_slots",
  redisMasterLinkUp: "gamedb_redis_master_link_up",
  lastCycle: "gamedb_monitor_last_cycle_timestamp_seconds",
} as const;

/** The worker's alarm rule, which the rules' `for:` windows follow. */
export interface RuleSettings {
  /** Seconds between the worker's poll cycles (monitoring.intervalSeconds). */
  readonly intervalSeconds: number;
  /** Failed cycles in a row before the worker alerts (monitoring.failureThreshold). */
  readonly failureThreshold: number;
}

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "critical" | "warning" };
  annotations: { summary: string };
}

export function prometheusRuleGroups(s: RuleSettings): { name: string; rules: Rule[] }[] {
  const down = `${s.intervalSeconds * s.failureThreshold}s`;
  const rule = (
    alert: string,
    expr: string,
    forWindow: string,
    severity: Rule["labels"]["severity"],
    summary: string,
  ) => ({
    alert,
    expr,
    for: forWindow,
    labels: { severity },
    annotations: { summary },
  });
  return [
    {
      name: "gamedb-group-replication",
      rules: [
        rule(
          "GamedbMemberNotOnline",
          `${METRICS.memberState}{state!="ONLINE"} == 1`,
          down,
          "warning",
          "{{ $labels.shard }} member {{ $labels.node }} is not ONLINE",
        ),
        rule(
          "GamedbShardNoPrimary",
          `${METRICS.shardPrimaries} == 0`,
          down,
          "critical",
          "{{ $labels.shard }} has no ONLINE primary: writes are impossible",
        ),
        rule(
          "GamedbShardQuorumLost",
          `${METRICS.shardQuorum} == 0`,
          down,
          "critical",
          "{{ $labels.shard }} has lost quorum",
        ),
        rule(
          "GamedbApplierQueueGrowing",
          `${METRICS.applierQueue} > 0 and deriv(${METRICS.applierQueue}[5m]) > 0`,
          "10m",
          "warning",
          "{{ $labels.shard }} member {{ $labels.node }}: the applier queue has grown for 10 minutes",
        ),
      ],
    },
    {
      // Who watches the watcher: the worker itself, and the weekly restore check (kube-state-metrics' job metrics,
      // which the Prometheus Operator stacks ship): a killed, evicted or unpullable run leaves no metric of its own.
      name: "gamedb-meta",
      rules: [
        rule(
          "GamedbMonitorDown",
          `absent(${METRICS.lastCycle}) or time() - ${METRICS.lastCycle} > ${3 * s.intervalSeconds}`,
          "5m",
          "critical",
          "The gamedb monitoring worker has not finished a cycle for 3 intervals: nothing is watching the shards",
        ),
        rule(
          "GamedbRestoreVerifyJobFailed",
          'kube_job_status_failed{job_name=~"gamedb-restore-verify-.*"} > 0',
          "0m",
          "warning",
          "The restore verification job {{ $labels.job_name }} failed without finishing",
        ),
      ],
    },
    {
      name: "gamedb-redis-cluster",
      rules: [
        rule(
          "GamedbRedisClusterNotOk",
          `${METRICS.redisClusterOk} == 0`,
          down,
          "critical",
          "Redis node {{ $labels.node }} reports cluster_state fail",
        ),
        rule(
          "GamedbRedisSlotsFailed",
          `${METRICS.redisSlots}{state="fail"} > 0`,
          down,
          "critical",
          "Redis node {{ $labels.node }} sees {{ $value }} failed slots",
        ),
        rule(
          "GamedbRedisMasterLinkDown",
          `${METRICS.redisMasterLinkUp} == 0`,
          down,
          "warning",
          "Redis replica {{ $labels.node }} has lost its master link",
        ),
      ],
    },
  ];
}
