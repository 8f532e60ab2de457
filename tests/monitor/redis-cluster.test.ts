/**
 * The worker against a real Redis Cluster: six redis-server processes on loopback (tests/helpers/redisFleet.ts,
 * cluster-node-timeout 2000 ms, a password), formed with `redis-cli --cluster create --cluster-replicas 1`.
 * A master is killed: the worker must see its replica's master link down, slots in pfail/fail and cluster_state
 * fail, and alert on each (debounced: on exactly the third consecutive cycle that saw it wrong, once, then resolved
 * on the first cycle that saw it fine again), raise the dead node's alarm on its third failed check, and see the
 * recovery once the replica is promoted; the killed node restarted rejoins as a replica and its alarm resolves.
 * Cycles are run back to back (about every 100 ms) until each expected state is seen or its deadline passes; while
 * a Redis condition is seen wrong and has not fired yet, the next cycle follows at once, so a failover's few
 * seconds of cluster_state fail span enough cycles to reach the threshold.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AlertEvent } from "../../scripts/apps/monitor/alerts";
import { memoryLogger } from "../../scripts/apps/monitor/log";
import type { CycleReport } from "../../scripts/apps/monitor/poller";
import type { RedisObservation } from "../../scripts/apps/monitor/redisCheck";
import type { AlertSink } from "../../scripts/apps/monitor/sinks";
import { createWorker, type Worker } from "../../scripts/apps/monitor/worker";
import { createRedisFleet, type RedisFleet } from "../helpers/redisFleet";

const password = `pw-${randomBytes(8).toString("hex")}`;
let fleet: RedisFleet;
let dir: string;
let worker: Worker;
const events: AlertEvent[] = [];
const log = memoryLogger();

const label = (ordinal: number) => `127.0.0.1:${fleet.port(ordinal)}`;

function node(r: CycleReport, ordinal: number): RedisObservation | undefined {
  const n = r.redis?.nodes.find((x) => x.label === label(ordinal));
  return n?.outcome.ok ? n.outcome.value : undefined;
}

/**
 * Runs cycles until `done` holds for one, or fails after `ms` naming `what`. Every report goes to `seen`. After a
 * cycle for which `hurry` holds, the next one starts at once instead of after the 100 ms pause.
 */
async function until(
  what: string,
  ms: number,
  done: (r: CycleReport) => boolean,
  seen?: CycleReport[],
  hurry?: (r: CycleReport) => boolean,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await worker.monitor.runCycle();
    seen?.push(r);
    if (done(r)) return r;
    if (Date.now() > deadline) {
      throw new Error(
        `not seen within ${ms} ms: ${what}\nlast status: ${JSON.stringify(worker.monitor.statusDocument().redis)}`,
      );
    }
    if (hurry?.(r) !== true) await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every node answers, cluster_state ok with all slots ok, and every replica's link up (its first sync done). */
const allOk = (r: CycleReport, count: number) =>
  r.redis !== null &&
  r.redis.nodes.length === count &&
  r.redis.nodes.every(
    (n) =>
      n.outcome.ok &&
      n.outcome.value.cluster.state === "ok" &&
      n.outcome.value.cluster.slotsOk === 16384 &&
      (n.outcome.value.replication.role === "master" || n.outcome.value.replication.masterLinkStatus === "up"),
  );

beforeAll(async () => {
  fleet = await createRedisFleet({ capacity: 6, password });
  for (let i = 0; i < 6; i++) await fleet.start(i);
  const addresses = Array.from({ length: 6 }, (_, i) => label(i));
  await fleet.cli(0, ["--cluster", "create", ...addresses, "--cluster-replicas", "1", "--cluster-yes"]);
  dir = mkdtempSync(join(tmpdir(), "gamedb-monitor-redis-"));
  writeFileSync(join(dir, "redis.json"), JSON.stringify({ engine: "kubernetes", seeds: [label(0), label(1)] }));
  const sink: AlertSink = { name: "recorder", send: async (e) => void events.push(e) };
  worker = createWorker(
    {
      environment: "test",
      endpointsDir: dir,
      intervalSeconds: 10,
      failureThreshold,
      checkTimeoutSeconds: 1,
      concurrency: 8,
      thresholds: { cpuPercent: 80, bufferPoolPercent: 85, lagSeconds: 5 },
      mysql: { user: "gamedb_monitor", passwordEnv: "UNUSED" },
      redis: { passwordEnv: "REDIS_PW", tls: false },
      sinks: {},
      listen: { port: 0 },
    },
    { mysqlPassword: "unused", redisPassword: password },
    { log, extraSinks: [sink] },
  );
});

afterAll(async () => {
  await worker?.close(1000);
  await fleet?.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const keys = (from: number) => events.slice(from).map((e) => `${e.kind} ${e.key}`);

const failureThreshold = 3;

/**
 * The events the debounced alert `key` must send over `cycles`, read directly from its contract: fire on the
 * failureThreshold-th consecutive cycle observed wrong, once; resolve on the first cycle observed fine after
 * firing; a cycle that did not observe it (null) changes nothing.
 */
function debounced(key: string, observed: (boolean | null)[]): string[][] {
  let streak = 0;
  let firing = false;
  return observed.map((bad) => {
    if (bad === null) return [];
    if (bad) {
      streak++;
      if (firing || streak !== failureThreshold) return [];
      firing = true;
      return [`firing ${key}`];
    }
    streak = 0;
    if (!firing) return [];
    firing = false;
    return [`resolved ${key}`];
  });
}

describe("the worker against a real Redis Cluster", () => {
  it("discovers all six nodes from a seed and sees the cluster healthy", async () => {
    const r = await until("all 6 nodes ok, 16384 slots ok, replicas synced", 30_000, (x) => allOk(x, 6));
    const roles = r.redis!.nodes.map((n) => (n.outcome.ok ? n.outcome.value.replication.role : "down"));
    expect(roles.filter((x) => x === "master")).toHaveLength(3);
    expect(roles.filter((x) => x === "slave")).toHaveLength(3);
    await worker.dispatcher.idle(1000);
    // While the replicas made their first sync their links were down: that may have fired and must have cleared.
    expect(worker.monitor.statusDocument().alerts).toEqual([]);
    const metrics = await worker.metrics.registry.metrics();
    expect(metrics).toContain(`gamedb_redis_cluster_state_ok{node="${label(0)}"} 1`);
    expect(metrics).toContain(`gamedb_redis_cluster_slots{node="${label(0)}",state="ok"} 16384`);
    expect(metrics).toContain(`gamedb_redis_cluster_known_nodes{node="${label(0)}"} 6`);
  });

  it("reports a killed master's failover: link down, slots pfail/fail, cluster fail, alarm, then recovery", async () => {
    const before = worker.monitor.lastReport!;
    // Kill the master on ordinal 0 (also the first seed: discovery must fall back to the second).
    const master = node(before, 0)!.replication.role === "master" ? 0 : 1;
    const masterEntry = before.redis!.nodes.find((n) => n.label === label(master))!.entry;
    const replica = before.redis!.nodes.find((n) => n.entry.masterId === masterEntry.id)!;
    const from = events.length;
    await fleet.stop(master, "SIGKILL");

    const obs = (r: CycleReport, l: string) => {
      const n = r.redis?.nodes.find((x) => x.label === l);
      return n?.outcome.ok ? n.outcome.value : undefined;
    };
    const answering = (r: CycleReport) =>
      r.redis!.nodes.filter((n) => n.outcome.ok).map((n) => (n.outcome.ok ? n.outcome.value : undefined)!);
    // What each Redis alert observes in a cycle, read from the nodes' answers: wrong, fine, or not observed (null).
    const watched: Record<string, (r: CycleReport) => boolean | null> = {
      "redis:cluster-state": (r) =>
        answering(r).length === 0 ? null : answering(r).some((o) => o.cluster.state !== "ok"),
      "redis:slots-fail": (r) => (answering(r).length === 0 ? null : answering(r).some((o) => o.cluster.slotsFail > 0)),
      [`redis:master-link:${replica.label}`]: (r) => {
        const o = obs(r, replica.label);
        return o === undefined ? null : o.replication.role === "slave" && o.replication.masterLinkStatus !== "up";
      },
    };
    const firing = (key: string) => worker.monitor.alertStates.get(key)?.firing === true;
    const seen: CycleReport[] = [];
    const after = await until(
      "the replica promoted and cluster_state ok everywhere that answers",
      30_000,
      (r) => {
        const rep = r.redis?.nodes.find((n) => n.label === replica.label);
        const up = r.redis?.nodes.filter((n) => n.outcome.ok) ?? [];
        return (
          rep?.outcome.ok === true &&
          rep.outcome.value.replication.role === "master" &&
          up.length === 5 &&
          up.every(
            (n) => n.outcome.ok && n.outcome.value.cluster.state === "ok" && n.outcome.value.cluster.slotsFail === 0,
          )
        );
      },
      seen,
      // A condition seen wrong that has not fired yet: run the next cycles at once, so that it is seen on
      // failureThreshold consecutive cycles while it lasts.
      (r) => Object.entries(watched).some(([key, bad]) => bad(r) === true && !firing(key)),
    );
    expect(seen.some((r) => obs(r, replica.label)?.replication.masterLinkStatus === "down")).toBe(true);
    expect(seen.some((r) => answering(r).some((o) => o.cluster.slotsPfail > 0 || o.cluster.slotsFail > 0))).toBe(true);
    expect(seen.some((r) => answering(r).some((o) => o.cluster.state === "fail"))).toBe(true);
    expect(after.redis!.discovery.ok).toBe(true);
    expect(after.redis!.nodes.find((n) => n.label === label(master))!.outcome.ok).toBe(false);

    // Debounced: each alert fired on exactly the third consecutive cycle that saw it wrong, once, and resolved on
    // the first cycle that saw it fine again; the first cycles of cluster_state fail sent nothing.
    for (const [key, bad] of Object.entries(watched)) {
      const got = seen.map((r) => r.events.filter((e) => e.key === key).map((e) => `${e.kind} ${e.key}`));
      expect([key, got]).toEqual([key, debounced(key, seen.map(bad))]);
      expect(got.flat()).toEqual([`firing ${key}`, `resolved ${key}`]);
    }
    const firstFail = seen.findIndex((r) => watched["redis:cluster-state"]!(r) === true);
    const fired = seen.findIndex((r) => r.events.some((e) => e.key === "redis:cluster-state"));
    expect(fired - firstFail).toBe(failureThreshold - 1);

    // Three failed checks of the dead master raise its alarm, once.
    await until("the dead master's alarm", 10_000, () =>
      events.some((e) => e.kind === "firing" && e.key === `redis:down:${label(master)}`),
    );
    await worker.monitor.runCycle();
    await worker.dispatcher.idle(1000);
    const got = keys(from);
    for (const k of [
      `firing redis:master-link:${replica.label}`,
      `resolved redis:master-link:${replica.label}`,
      "firing redis:cluster-state",
      "resolved redis:cluster-state",
      "firing redis:slots-fail",
      "resolved redis:slots-fail",
      `firing redis:down:${label(master)}`,
    ]) {
      expect(got.filter((x) => x === k)).toEqual([k]);
    }
    const stateAlert = events.slice(from).find((e) => e.key === "redis:cluster-state" && e.kind === "firing")!;
    expect(stateAlert.message).toMatch(/^\[test\] CRITICAL Redis cluster: cluster_state not ok\n/);
    expect(stateAlert.message).toMatch(/value: fail on \d of 5 answering nodes .*\(3 consecutive checks\)\n/);
    const link = events.slice(from).find((e) => e.key === `redis:master-link:${replica.label}`)!;
    expect(link.message).toContain(`value: master_link_status down (master 127.0.0.1:${fleet.port(master)})`);
    const down = (await worker.metrics.registry.getSingleMetricAsString("gamedb_redis_up")).split("\n");
    expect(down).toContain(`gamedb_redis_up{node="${label(master)}"} 0`);
  });

  it("clears the alarm when the killed node comes back as a replica", async () => {
    const dead = worker.monitor.lastReport!.redis!.nodes.find((n) => !n.outcome.ok)!;
    const ordinal = Number(dead.label.split(":")[1]) - fleet.portBase;
    const from = events.length;
    await fleet.start(ordinal);
    const r = await until("all six nodes ok, the returned node a replica with its link up", 30_000, (x) => {
      const back = node(x, ordinal);
      return allOk(x, 6) && back?.replication.role === "slave" && back.replication.masterLinkStatus === "up";
    });
    expect(r.redis!.nodes).toHaveLength(6);
    await worker.dispatcher.idle(1000);
    expect(keys(from)).toContain(`resolved redis:down:${dead.label}`);
    // While it makes its first sync as a replica its link is down: that alert may fire, and must have resolved.
    const fired = keys(from).filter((k) => k.startsWith("firing"));
    expect(fired.filter((k) => k !== `firing redis:master-link:${dead.label}`)).toEqual([]);
    for (const k of fired) expect(keys(from)).toContain(k.replace("firing", "resolved"));
    expect(worker.monitor.statusDocument().alerts).toEqual([]);
    // The password never shows.
    expect(JSON.stringify([log.records, events, worker.monitor.statusDocument()])).not.toContain(password);
  });
});
