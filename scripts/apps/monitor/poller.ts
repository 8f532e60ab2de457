/**
 * The polling loop. A cycle: read the endpoints directory, check every MySQL member and every Redis node (at most
 * `concurrency` checks in flight, each bounded by the check timeout), derive the shard verdicts, step the alert
 * state machine, hand new events to the sinks' queues, refresh the metrics and the /status document.
 *
 * Cycles start every `intervalSeconds` (start to start) and never overlap: one that overruns the interval is
 * followed at once by the next, and counted. `runCycle()` can also be awaited directly (tests, --once).
 */
import { firingAlerts, stepAlerts, type AlertEvent, type AlertRecord } from "./alerts";
import { limiter, type CheckOutcome } from "./async";
import type { MonitorConfig } from "./config";
import type { Logger } from "./log";
import type { MonitorMetrics } from "./metrics";
import type { MemberObservation } from "./mysqlCheck";
import type { ClusterNodeEntry, RedisObservation } from "./redisCheck";
import {
  bufferPoolPercent,
  cpuProxyPercent,
  cycleConditions,
  type RedisNodeResult,
  type RedisResult,
  type ShardResult,
} from "./rules";
import type { Dispatcher } from "./sinks";
import type { MysqlMember, RedisTarget, Targets } from "./targets";
import type { HostPort } from "../../../infra/contracts/endpoints";
import { shardVerdict } from "./verdict";

export interface MysqlCheckerLike {
  check(member: MysqlMember): Promise<CheckOutcome<MemberObservation>>;
  retain(keep: ReadonlySet<string>): void;
  close(): void;
}

export interface RedisCheckerLike {
  discover(seeds: readonly HostPort[]): Promise<CheckOutcome<ClusterNodeEntry[]>>;
  check(node: HostPort): Promise<CheckOutcome<RedisObservation>>;
  retain(keep: ReadonlySet<string>): void;
  close(): void;
  /** The TLS trust redis.json names (its CA), before each cycle's checks. */
  trust?(tls: { ca: string } | undefined): void;
}

export interface MonitorDeps {
  config: MonitorConfig;
  targets: { read(): Targets; errors: number };
  mysql: MysqlCheckerLike;
  redis: RedisCheckerLike;
  dispatcher: Dispatcher;
  metrics: MonitorMetrics;
  log: Logger;
  /** Called with each cycle's events as they are handed to the sinks (benchmark, tests). */
  onEvents?: (events: readonly AlertEvent[], at: number) => void;
}

export interface CycleReport {
  number: number;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  shards: ShardResult[];
  redis: RedisResult | null;
  events: AlertEvent[];
}

const hostPort = (t: HostPort) => `${t.host}:${t.port}`;

export class Monitor {
  private alerts = new Map<string, AlertRecord>();
  private last: CycleReport | undefined;
  private cycleNumber = 0;
  /** The last good Redis discovery: when no seed answers, its nodes are still checked (and fail, and alarm). */
  private redisNodes: ClusterNodeEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CycleReport> | undefined;
  private stopped = false;
  private readonly startedAt = Date.now();

  constructor(private readonly deps: MonitorDeps) {}

  get lastReport(): CycleReport | undefined {
    return this.last;
  }

  get alertStates(): ReadonlyMap<string, AlertRecord> {
    return this.alerts;
  }

  /** One full cycle. Not re-entrant: a call while a cycle runs waits for that cycle and returns its report. */
  runCycle(): Promise<CycleReport> {
    if (this.running) return this.running;
    this.running = this.cycle().finally(() => (this.running = undefined));
    return this.running;
  }

  private async cycle(): Promise<CycleReport> {
    const { config, metrics, log } = this.deps;
    const startedAt = Date.now();
    const number = ++this.cycleNumber;
    const targets = this.deps.targets.read();
    metrics.recordEndpointErrors(this.deps.targets.errors);
    const limit = limiter(config.concurrency);

    this.deps.mysql.retain(new Set(targets.shards.flatMap((s) => s.members.map(hostPort))));
    const shardsWork = Promise.all(
      targets.shards.map(async (shard) => {
        const members = await Promise.all(
          shard.members.map(async (member) => ({ member, outcome: await limit(() => this.deps.mysql.check(member)) })),
        );
        const verdict = shardVerdict(
          members.map(({ member, outcome }) => ({
            node: member.node,
            host: member.host,
            port: member.port,
            observation: outcome.ok ? outcome.value : null,
          })),
        );
        return { shard, members, verdict } satisfies ShardResult;
      }),
    );
    const redisWork = targets.redis === null ? Promise.resolve(null) : this.checkRedis(targets.redis, limit);
    const [shards, redis] = await Promise.all([shardsWork, redisWork]);

    const now = Date.now();
    const step = stepAlerts(
      this.alerts,
      cycleConditions(shards, redis, { failureThreshold: config.failureThreshold, thresholds: config.thresholds }),
      { environment: config.environment, now },
    );
    this.alerts = step.states;
    if (step.events.length > 0) {
      this.deps.dispatcher.dispatch(step.events);
      this.deps.onEvents?.(step.events, Date.now());
      for (const e of step.events) {
        log.log(e.kind === "resolved" ? "info" : "warn", e.title, { alert: e.key, kind: e.kind, value: e.value });
      }
    }
    metrics.recordEvents(step.events);
    const endedAt = Date.now();
    metrics.recordCycle(shards, redis, this.alerts, {
      seconds: (endedAt - startedAt) / 1000,
      intervalSeconds: config.intervalSeconds,
      endedAt,
    });
    metrics.recordSinks(this.deps.dispatcher.sinks);
    this.last = { number, startedAt, endedAt, durationMs: endedAt - startedAt, shards, redis, events: step.events };
    return this.last;
  }

  private async checkRedis(
    target: RedisTarget,
    limit: <T>(task: () => Promise<T>) => Promise<T>,
  ): Promise<RedisResult> {
    this.deps.redis.trust?.(target.tls);
    const discovery = await limit(() => this.deps.redis.discover(target.seeds));
    if (discovery.ok) this.redisNodes = discovery.value;
    const entries = this.redisNodes;
    this.deps.redis.retain(new Set([...entries.map(hostPort), ...target.seeds.map(hostPort)]));
    const nodes = await Promise.all(
      entries.map(async (entry): Promise<RedisNodeResult> => ({
        label: hostPort(entry),
        entry,
        outcome: await limit(() => this.deps.redis.check(entry)),
      })),
    );
    return { target, discovery, nodes };
  }

  /** Runs cycles every interval until stop(). */
  start(): void {
    const intervalMs = this.deps.config.intervalSeconds * 1000;
    const loop = async () => {
      if (this.stopped) return;
      const began = Date.now();
      try {
        const report = await this.runCycle();
        if (report.durationMs > intervalMs) {
          this.deps.log.log("warn", "cycle took longer than the interval", {
            cycle: report.number,
            durationMs: report.durationMs,
            intervalMs,
          });
        }
      } catch (e) {
        this.deps.log.log("error", "cycle failed", { error: (e as Error).stack ?? String(e) });
      }
      if (this.stopped) return;
      this.timer = setTimeout(() => void loop(), Math.max(0, began + intervalMs - Date.now()));
    };
    void loop();
  }

  /** Stops the loop, waits for a running cycle, closes connections. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    this.deps.mysql.close();
    this.deps.redis.close();
  }

  /** Liveness: a cycle has ended recently (or the worker is still within its first cycles). */
  health(now = Date.now()): { ok: boolean; reason: string } {
    const { intervalSeconds, checkTimeoutSeconds } = this.deps.config;
    const allowance = (3 * intervalSeconds + checkTimeoutSeconds) * 1000;
    const lastEnd = this.last?.endedAt;
    if (lastEnd === undefined) {
      return now - this.startedAt <= allowance
        ? { ok: true, reason: "starting: no cycle finished yet" }
        : { ok: false, reason: `no cycle finished in ${Math.round((now - this.startedAt) / 1000)} s` };
    }
    return now - lastEnd <= allowance
      ? { ok: true, reason: `last cycle ended ${Math.round((now - lastEnd) / 1000)} s ago` }
      : { ok: false, reason: `last cycle ended ${Math.round((now - lastEnd) / 1000)} s ago` };
  }

  /** The /status document: the last verdict per shard and node, Redis, and the alerts firing. */
  statusDocument(): Record<string, unknown> {
    const r = this.last;
    const failures = (key: string) => this.alerts.get(key)?.consecutive ?? 0;
    return {
      environment: this.deps.config.environment,
      cycle: r && {
        number: r.number,
        startedAt: new Date(r.startedAt).toISOString(),
        endedAt: new Date(r.endedAt).toISOString(),
        durationMs: r.durationMs,
      },
      shards: Object.fromEntries(
        (r?.shards ?? []).map((s) => {
          const v = s.verdict;
          return [
            s.shard.shard,
            {
              shardId: s.shard.shardId,
              clusterName: s.shard.clusterName,
              state: s.shard.state,
              status: v.status,
              statusText: v.statusText,
              quorum: v.quorum,
              primaryCount: v.primaryCount,
              primaries: v.primaries,
              viewFrom: v.viewFrom,
              onlineMembers: v.onlineCount,
              groupMembers: v.groupSize,
              failuresTolerated: v.failuresTolerated,
              missing: v.missing,
              members: Object.fromEntries(
                s.members.map(({ member, outcome }) => {
                  const mv = v.members.find((m) => m.node === member.node);
                  const o = outcome.ok ? outcome.value : null;
                  return [
                    member.node,
                    {
                      address: hostPort(member),
                      up: outcome.ok,
                      consecutiveFailures: failures(`mysql:down:${member.shard}/${member.node}`),
                      state: mv?.state,
                      role: mv?.role,
                      checkMs: Math.round(outcome.ms * 10) / 10,
                      ...(outcome.ok ? {} : { error: outcome.error }),
                      ...(o && {
                        selfState: o.selfState,
                        threadsRunning: o.threadsRunning,
                        threadsConnected: o.threadsConnected,
                        activeConnections: o.activeConnections,
                        cpuProxyPercent: cpuProxyPercent(o, member.vcpus),
                        bufferPoolPercent: Math.round(bufferPoolPercent(o) * 10) / 10,
                        certifierQueue: o.transactionsInQueue,
                        applierQueue: o.applierQueue,
                        conflictsDetected: o.conflictsDetected,
                        lagSeconds: o.lagSeconds,
                      }),
                    },
                  ];
                }),
              ),
            },
          ];
        }),
      ),
      redis: r?.redis && {
        engine: r.redis.target.engine,
        discovery: r.redis.discovery.ok ? { ok: true } : { ok: false, error: r.redis.discovery.error },
        nodes: Object.fromEntries(
          r.redis.nodes.map((n) => [
            n.label,
            n.outcome.ok
              ? {
                  up: true,
                  id: n.entry.id,
                  role: n.outcome.value.replication.role,
                  clusterState: n.outcome.value.cluster.state,
                  slots: {
                    ok: n.outcome.value.cluster.slotsOk,
                    pfail: n.outcome.value.cluster.slotsPfail,
                    fail: n.outcome.value.cluster.slotsFail,
                  },
                  knownNodes: n.outcome.value.cluster.knownNodes,
                  masterLinkStatus: n.outcome.value.replication.masterLinkStatus,
                }
              : {
                  up: false,
                  id: n.entry.id,
                  consecutiveFailures: failures(`redis:down:${n.label}`),
                  error: n.outcome.error,
                },
          ]),
        ),
      },
      alerts: firingAlerts(this.alerts),
    };
  }
}
