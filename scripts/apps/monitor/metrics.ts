/**
 * Prometheus metrics, on a registry of the worker's own (not prom-client's global one, so tests and the benchmark
 * can hold several workers). Every name starts with gamedb_. Labels are bounded by the fleet: shard, node (member
 * or Redis host:port), and small fixed sets (state, status, severity, sink).
 *
 * Per-target gauges are rebuilt from each cycle's results in one synchronous pass: a target that left the
 * endpoints disappears, and a member that did not answer keeps only gamedb_mysql_up 0 (no stale figures).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AlertEvent, AlertStates } from "./alerts";
import { bufferPoolPercent, cpuProxyPercent, type RedisResult, type ShardResult } from "./rules";
import type { QueuedSink } from "./sinks";
import { SHARD_STATUSES, VERDICT_MEMBER_STATES } from "./verdict";

const MEMBER = ["shard", "node"] as const;

export class MonitorMetrics {
  readonly registry = new Registry();
  private readonly g = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [this.registry] });

  // MySQL members
  readonly mysqlUp = this.g("gamedb_mysql_up", "1 when the last check of the member answered", MEMBER);
  readonly mysqlFailures = this.g("gamedb_mysql_check_failures_consecutive", "Consecutive failed checks", MEMBER);
  readonly memberState = this.g(
    "gamedb_mysql_member_state",
    "1 for the member's state in the shard's chosen Group Replication view (MISSING: not in it; UNKNOWN: no view)",
    [...MEMBER, "state"],
  );
  readonly memberPrimary = this.g("gamedb_mysql_member_primary", "1 when the member is an ONLINE primary", MEMBER);
  readonly threadsRunning = this.g("gamedb_mysql_threads_running", "Threads_running", MEMBER);
  readonly threadsConnected = this.g("gamedb_mysql_threads_connected", "Threads_connected", MEMBER);
  readonly activeConnections = this.g(
    "gamedb_mysql_active_connections",
    "Non-sleeping client threads (performance_schema.processlist)",
    MEMBER,
  );
  readonly cpuProxy = this.g(
    "gamedb_mysql_cpu_proxy_percent",
    "Threads_running / vCPUs * 100 (only for members with known vCPUs)",
    MEMBER,
  );
  readonly bpData = this.g("gamedb_mysql_buffer_pool_data_bytes", "Innodb_buffer_pool_bytes_data", MEMBER);
  readonly bpSize = this.g("gamedb_mysql_buffer_pool_size_bytes", "innodb_buffer_pool_size", MEMBER);
  readonly bpPercent = this.g("gamedb_mysql_buffer_pool_used_percent", "Buffer pool data / size * 100", MEMBER);
  readonly certifierQueue = this.g(
    "gamedb_mysql_certifier_queue",
    "COUNT_TRANSACTIONS_IN_QUEUE (waiting for certification)",
    MEMBER,
  );
  readonly applierQueue = this.g(
    "gamedb_mysql_applier_queue",
    "COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE (certified, waiting to be applied)",
    MEMBER,
  );
  readonly conflicts = this.g("gamedb_mysql_conflicts_detected", "COUNT_CONFLICTS_DETECTED (since start)", MEMBER);
  readonly checked = this.g("gamedb_mysql_transactions_checked", "COUNT_TRANSACTIONS_CHECKED (since start)", MEMBER);
  readonly lag = this.g(
    "gamedb_mysql_replication_lag_seconds",
    "Now minus the original commit time of the oldest transaction being applied; 0 when none",
    MEMBER,
  );

  // Shards
  readonly shardStatus = this.g("gamedb_shard_status", "1 for the shard's AdminAPI-style status", ["shard", "status"]);
  readonly primaryCount = this.g("gamedb_shard_primary_count", "ONLINE primaries (0: writes impossible)", ["shard"]);
  readonly quorum = this.g("gamedb_shard_quorum", "1 when the chosen view has quorum", ["shard"]);
  readonly online = this.g("gamedb_shard_online_members", "ONLINE members in the chosen view", ["shard"]);
  readonly groupSize = this.g("gamedb_shard_group_members", "Members in the chosen view", ["shard"]);
  readonly configured = this.g("gamedb_shard_configured_members", "Members in the endpoints", ["shard"]);
  readonly tolerated = this.g("gamedb_shard_failures_tolerated", "Failures the group tolerates", ["shard"]);
  readonly shardInfo = this.g("gamedb_shard_info", "Always 1; the shard's cluster name and lifecycle state", [
    "shard",
    "cluster",
    "state",
  ]);

  // Redis
  readonly redisDiscovery = this.g("gamedb_redis_discovery_up", "1 when a seed answered CLUSTER NODES");
  readonly redisUp = this.g("gamedb_redis_up", "1 when the last check of the node answered", ["node"]);
  readonly redisStateOk = this.g("gamedb_redis_cluster_state_ok", "1 when the node reports cluster_state:ok", ["node"]);
  readonly redisSlots = this.g("gamedb_redis_cluster_slots", "cluster_slots_* as the node sees them", [
    "node",
    "state",
  ]);
  readonly redisKnown = this.g("gamedb_redis_cluster_known_nodes", "cluster_known_nodes", ["node"]);
  readonly redisMaster = this.g("gamedb_redis_master", "1 for a master, 0 for a replica", ["node"]);
  readonly redisLink = this.g("gamedb_redis_master_link_up", "Replicas: 1 when master_link_status is up", ["node"]);
  readonly redisReplicas = this.g("gamedb_redis_connected_replicas", "connected_slaves", ["node"]);

  // The worker itself
  readonly cycleDuration = new Histogram({
    name: "gamedb_monitor_cycle_duration_seconds",
    help: "Duration of a polling cycle",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30],
    registers: [this.registry],
  });
  readonly checkDuration = new Histogram({
    name: "gamedb_monitor_check_duration_seconds",
    help: "Duration of one check",
    labelNames: ["kind"],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 3, 10],
    registers: [this.registry],
  });
  readonly cycles = new Counter({
    name: "gamedb_monitor_cycles_total",
    help: "Cycles run",
    registers: [this.registry],
  });
  readonly overruns = new Counter({
    name: "gamedb_monitor_cycle_overruns_total",
    help: "Cycles that took longer than the interval",
    registers: [this.registry],
  });
  readonly lastCycle = this.g("gamedb_monitor_last_cycle_timestamp_seconds", "End of the last cycle (unix time)");
  readonly targets = this.g("gamedb_monitor_targets", "Targets checked in the last cycle", ["kind"]);
  readonly endpointErrors = new Counter({
    name: "gamedb_monitor_endpoints_read_errors_total",
    help: "Reads of the endpoints directory that failed (the last good targets were kept)",
    registers: [this.registry],
  });
  readonly firing = this.g("gamedb_monitor_alerts_firing", "Alerts firing now", ["severity"]);
  readonly alertEvents = new Counter({
    name: "gamedb_monitor_alert_events_total",
    help: "Alert events produced",
    labelNames: ["kind", "severity"],
    registers: [this.registry],
  });
  readonly sinkSent = this.sinkCounter("sent", "Events delivered");
  readonly sinkFailed = this.sinkCounter("failed", "Events given up on after every attempt failed");
  readonly sinkRetries = this.sinkCounter("retries", "Send attempts retried");
  readonly sinkDropped = this.sinkCounter("dropped", "Events dropped because the queue was full (oldest first)");
  readonly sinkQueue = this.g("gamedb_monitor_sink_queue_length", "Events waiting per sink", ["sink"]);
  private readonly sinkSeen = new Map<string, number>();
  private endpointErrorsSeen = 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "gamedb_monitor_" });
  }

  private sinkCounter(what: string, help: string): Counter<"sink"> {
    return new Counter({
      name: `gamedb_monitor_sink_${what}_total`,
      help,
      labelNames: ["sink"],
      registers: [this.registry],
    });
  }

  recordCycle(
    shards: readonly ShardResult[],
    redis: RedisResult | null,
    alerts: AlertStates,
    cycle: { seconds: number; intervalSeconds: number; endedAt: number },
  ): void {
    const perTarget = [
      this.mysqlUp,
      this.mysqlFailures,
      this.memberState,
      this.memberPrimary,
      this.threadsRunning,
      this.threadsConnected,
      this.activeConnections,
      this.cpuProxy,
      this.bpData,
      this.bpSize,
      this.bpPercent,
      this.certifierQueue,
      this.applierQueue,
      this.conflicts,
      this.checked,
      this.lag,
      this.shardStatus,
      this.primaryCount,
      this.quorum,
      this.online,
      this.groupSize,
      this.configured,
      this.tolerated,
      this.shardInfo,
      this.redisUp,
      this.redisStateOk,
      this.redisSlots,
      this.redisKnown,
      this.redisMaster,
      this.redisLink,
      this.redisReplicas,
    ];
    perTarget.forEach((m) => m.reset());

    for (const s of shards) {
      const shard = s.shard.shard;
      for (const { member, outcome } of s.members) {
        const l = { shard, node: member.node };
        this.mysqlUp.set(l, outcome.ok ? 1 : 0);
        this.mysqlFailures.set(l, alerts.get(`mysql:down:${shard}/${member.node}`)?.consecutive ?? 0);
        this.checkDuration.observe({ kind: "mysql" }, outcome.ms / 1000);
        if (!outcome.ok) continue;
        const o = outcome.value;
        this.threadsRunning.set(l, o.threadsRunning);
        this.threadsConnected.set(l, o.threadsConnected);
        this.activeConnections.set(l, o.activeConnections);
        const cpu = cpuProxyPercent(o, member.vcpus);
        if (cpu !== null) this.cpuProxy.set(l, cpu);
        this.bpData.set(l, o.bufferPoolDataBytes);
        this.bpSize.set(l, o.bufferPoolSizeBytes);
        this.bpPercent.set(l, bufferPoolPercent(o));
        if (o.transactionsInQueue !== null) this.certifierQueue.set(l, o.transactionsInQueue);
        if (o.applierQueue !== null) this.applierQueue.set(l, o.applierQueue);
        if (o.conflictsDetected !== null) this.conflicts.set(l, o.conflictsDetected);
        if (o.transactionsChecked !== null) this.checked.set(l, o.transactionsChecked);
        this.lag.set(l, o.lagSeconds);
      }
      const v = s.verdict;
      for (const m of v.members) {
        for (const state of VERDICT_MEMBER_STATES)
          this.memberState.set({ shard, node: m.node, state }, +(m.state === state));
        this.memberPrimary.set({ shard, node: m.node }, +(m.state === "ONLINE" && m.role === "PRIMARY"));
      }
      for (const status of SHARD_STATUSES) this.shardStatus.set({ shard, status }, +(v.status === status));
      this.primaryCount.set({ shard }, v.primaryCount);
      this.quorum.set({ shard }, +v.quorum);
      this.online.set({ shard }, v.onlineCount);
      this.groupSize.set({ shard }, v.groupSize);
      this.configured.set({ shard }, s.members.length);
      this.tolerated.set({ shard }, v.failuresTolerated);
      this.shardInfo.set({ shard, cluster: s.shard.clusterName, state: s.shard.state }, 1);
    }

    this.redisDiscovery.reset();
    if (redis !== null) {
      this.redisDiscovery.set(+redis.discovery.ok);
      for (const n of redis.nodes) {
        const l = { node: n.label };
        this.redisUp.set(l, +n.outcome.ok);
        this.checkDuration.observe({ kind: "redis" }, n.outcome.ms / 1000);
        if (!n.outcome.ok) continue;
        const { cluster, replication } = n.outcome.value;
        this.redisStateOk.set(l, +(cluster.state === "ok"));
        this.redisSlots.set({ ...l, state: "assigned" }, cluster.slotsAssigned);
        this.redisSlots.set({ ...l, state: "ok" }, cluster.slotsOk);
        this.redisSlots.set({ ...l, state: "pfail" }, cluster.slotsPfail);
        this.redisSlots.set({ ...l, state: "fail" }, cluster.slotsFail);
        this.redisKnown.set(l, cluster.knownNodes);
        this.redisMaster.set(l, +(replication.role === "master"));
        this.redisReplicas.set(l, replication.connectedSlaves);
        if (replication.role === "slave") this.redisLink.set(l, +(replication.masterLinkStatus === "up"));
      }
    }

    this.firing.reset();
    for (const severity of ["critical", "warning"] as const) {
      this.firing.set({ severity }, [...alerts.values()].filter((r) => r.firing && r.severity === severity).length);
    }
    this.targets.set(
      { kind: "mysql" },
      shards.reduce((n, s) => n + s.members.length, 0),
    );
    this.targets.set({ kind: "redis" }, redis?.nodes.length ?? 0);
    this.cycles.inc();
    this.cycleDuration.observe(cycle.seconds);
    if (cycle.seconds > cycle.intervalSeconds) this.overruns.inc();
    this.lastCycle.set(cycle.endedAt / 1000);
  }

  recordEvents(events: readonly AlertEvent[]): void {
    for (const e of events) this.alertEvents.inc({ kind: e.kind, severity: e.severity });
  }

  recordEndpointErrors(total: number): void {
    if (total > this.endpointErrorsSeen) this.endpointErrors.inc(total - this.endpointErrorsSeen);
    this.endpointErrorsSeen = total;
  }

  /** Brings the sink counters up to the queues' own totals. */
  recordSinks(sinks: readonly QueuedSink[]): void {
    for (const s of sinks) {
      const pairs: [Counter<"sink">, string, number][] = [
        [this.sinkSent, "sent", s.stats.sent],
        [this.sinkFailed, "failed", s.stats.failed],
        [this.sinkRetries, "retries", s.stats.retries],
        [this.sinkDropped, "dropped", s.stats.dropped],
      ];
      for (const [counter, what, total] of pairs) {
        const key = `${s.name}/${what}`;
        const seen = this.sinkSeen.get(key) ?? 0;
        if (total > seen) counter.inc({ sink: s.name }, total - seen);
        else counter.inc({ sink: s.name }, 0); // the series exists from the start
        this.sinkSeen.set(key, total);
      }
      this.sinkQueue.set({ sink: s.name }, s.stats.queued);
    }
  }
}
