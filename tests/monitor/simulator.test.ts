/**
 * The whole worker (scripts/apps/monitor/worker.ts) against the Group Replication SIMULATOR
 * (tests/sim/group-replication.ts: mysql2 protocol servers on loopback answering the worker's queries from a
 * scripted group state; not MySQL). Cycles are driven with runCycle(), never by sleeping; alerts are caught by a
 * sink that records what the queue hands it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AlertEvent } from "../../scripts/apps/monitor/alerts";
import type { MonitorConfig } from "../../scripts/apps/monitor/config";
import { memoryLogger } from "../../scripts/apps/monitor/log";
import type { CycleReport } from "../../scripts/apps/monitor/poller";
import { startServer, type StartedServer } from "../../scripts/apps/monitor/server";
import type { AlertSink } from "../../scripts/apps/monitor/sinks";
import { createWorker, type Worker } from "../../scripts/apps/monitor/worker";
import { main } from "../../scripts/apps/monitor/main";
import { GroupReplicationSimulator, type SimulatedGroup } from "../sim/group-replication";

const PASSWORD = "sim-monitor-pw-7f3a";
const THRESHOLD = 3;

let sim: GroupReplicationSimulator;
let dir: string;
let g: SimulatedGroup;

function writeMembers(doc: Record<string, unknown>): void {
  writeFileSync(join(dir, "members.json"), JSON.stringify(doc));
}

function config(overrides: Partial<MonitorConfig> = {}): MonitorConfig {
  return {
    environment: "test",
    endpointsDir: dir,
    intervalSeconds: 10,
    failureThreshold: THRESHOLD,
    checkTimeoutSeconds: 1,
    concurrency: 4,
    thresholds: { cpuPercent: 80, bufferPoolPercent: 85, lagSeconds: 5 },
    mysql: { user: "gamedb_monitor", passwordEnv: "SIM_MONITOR_PASSWORD" },
    redis: { tls: false },
    sinks: {},
    listen: { port: 0 },
    ...overrides,
  };
}

/** A sink that keeps what it is handed. */
class Recorder implements AlertSink {
  readonly name = "recorder";
  readonly events: AlertEvent[] = [];
  async send(e: AlertEvent): Promise<void> {
    this.events.push(e);
  }
}

let worker: Worker;
let recorder: Recorder;
let log: ReturnType<typeof memoryLogger>;

async function cycle(): Promise<CycleReport> {
  const report = await worker.monitor.runCycle();
  expect(await worker.dispatcher.idle(5000)).toBe(true);
  return report;
}

/** The events the sink received during `work`, as "kind key". */
async function eventsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const before = recorder.events.length;
  await work();
  return recorder.events.slice(before).map((e) => `${e.kind} ${e.key}`);
}

const shard1 = (r: CycleReport) => r.shards.find((s) => s.shard.shard === "shard1")!.verdict;

beforeAll(async () => {
  sim = await GroupReplicationSimulator.start({ shards: 2, password: PASSWORD });
  g = sim.group("shard1");
  dir = mkdtempSync(join(tmpdir(), "gamedb-monitor-sim-"));
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  // Every group back to serving (a failed test may leave shard2 hung or dead), shard1 with node0 primary.
  for (const group of sim.groups) await group.restore();
  await g.allOnline(0);
  for (const m of g.members) m.figures = { ...m.figures, threadsRunning: 2, lagSeconds: 0 };
  writeMembers(sim.membersJson());
  recorder = new Recorder();
  log = memoryLogger();
  worker = createWorker(config(), { mysqlPassword: PASSWORD }, { log, extraSinks: [recorder] });
});

afterEach(async () => {
  await worker.close(1000);
});

describe("the worker against the simulator", () => {
  it("all ONLINE: OK, quorum, one primary, the members' figures, no alert", async () => {
    const events = await eventsDuring(cycle);
    const r = worker.monitor.lastReport!;
    expect(shard1(r)).toMatchObject({ status: "OK", quorum: true, primaries: ["shard1-node0"], onlineCount: 3 });
    expect(r.shards.map((s) => s.verdict.status)).toEqual(["OK", "OK"]);
    expect(events).toEqual([]);
    const status = worker.monitor.statusDocument() as {
      shards: Record<string, { members: Record<string, Record<string, unknown>> }>;
    };
    expect(status.shards.shard1!.members["shard1-node1"]).toMatchObject({
      up: true,
      state: "ONLINE",
      role: "SECONDARY",
      threadsRunning: 2,
      cpuProxyPercent: 50,
      bufferPoolPercent: 58.6,
      applierQueue: 0,
      lagSeconds: 0,
    });
  });

  it("a secondary UNREACHABLE: the majority's view decides; the status alert fires on the Nth cycle and resolves", async () => {
    await cycle();
    await g.secondaryUnreachable(2);
    const degraded = [await eventsDuring(cycle), await eventsDuring(cycle), await eventsDuring(cycle)];
    const v = shard1(worker.monitor.lastReport!);
    expect(v).toMatchObject({ status: "OK_NO_TOLERANCE_PARTIAL", quorum: true, viewFrom: "shard1-node0" });
    expect(v.members.map((m) => m.state)).toEqual(["ONLINE", "ONLINE", "UNREACHABLE"]);
    expect(degraded).toEqual([[], [], ["firing mysql:status:shard1"]]);
    const alert = recorder.events.at(-1)!;
    expect(alert.message).toContain("value: OK_NO_TOLERANCE_PARTIAL: Cluster is NOT tolerant to any failures.");
    expect(alert.message).toContain("members not ONLINE: shard1-node2 UNREACHABLE");
    await g.restore();
    expect(await eventsDuring(cycle)).toEqual(["resolved mysql:status:shard1"]);
  });

  it("the primary lost for N cycles: no primary fires on exactly the Nth, once, and the election resolves it", async () => {
    await cycle();
    await g.primaryLost();
    const perCycle: string[][] = [];
    for (let i = 1; i <= 5; i++) {
      perCycle.push(await eventsDuring(cycle));
      expect(shard1(worker.monitor.lastReport!)).toMatchObject({ primaryCount: 0, quorum: true });
    }
    expect(perCycle).toEqual([
      [],
      [],
      // The lost primary's node alarm comes with its third failed check, in the same cycle.
      ["firing mysql:down:shard1/shard1-node0", "firing mysql:no-primary:shard1", "firing mysql:status:shard1"],
      [],
      [],
    ]);
    const critical = recorder.events.filter((e) => e.key === "mysql:no-primary:shard1");
    expect(critical).toHaveLength(1);
    expect(critical[0]!.title).toBe("[test] CRITICAL shard shard1: no ONLINE primary: writes impossible");
    expect(critical[0]!.message).toContain(`value: 0 ONLINE primaries (status OK_NO_TOLERANCE_PARTIAL; view from`);
    expect(critical[0]!.message).toContain(`(${THRESHOLD} consecutive checks)`);

    await g.electPrimary(1);
    expect(await eventsDuring(cycle)).toEqual(["resolved mysql:no-primary:shard1"]);
    expect(shard1(worker.monitor.lastReport!)).toMatchObject({
      status: "OK_NO_TOLERANCE_PARTIAL",
      primaries: ["shard1-node1"],
      missing: ["shard1-node0"],
    });
    expect(await eventsDuring(cycle)).toEqual([]);
  });

  it("every member of every shard times out for one cycle: no shard alert fires, nothing resolves", async () => {
    // shard1 degraded and its status alert firing before the blip.
    await g.secondaryUnreachable(2);
    for (let i = 0; i < THRESHOLD; i++) await cycle();
    expect(worker.monitor.statusDocument()).toMatchObject({
      alerts: [expect.objectContaining({ key: "mysql:status:shard1" })],
    });

    const all = sim.groups.flatMap((group) => group.members.map((_, i) => ({ group, i })));
    for (const { group, i } of all) await group.hang(i);
    const blip = await eventsDuring(cycle);
    const r = worker.monitor.lastReport!;
    expect(r.shards.map((s) => s.verdict.status)).toEqual(["OFFLINE", "OFFLINE"]);
    expect(r.shards.flatMap((s) => s.members.filter((m) => m.outcome.ok))).toEqual([]);
    expect(blip).toEqual([]);

    // The members answer again, in the states they were in (only the worker's view of them failed).
    for (const { group, i } of all) await group.members[i]!.startAccepting();
    expect(await eventsDuring(cycle)).toEqual([]);
    expect(shard1(worker.monitor.lastReport!).status).toBe("OK_NO_TOLERANCE_PARTIAL");
    expect(worker.monitor.statusDocument()).toMatchObject({
      alerts: [expect.objectContaining({ key: "mysql:status:shard1" })],
    });
    await g.restore();
    expect(await eventsDuring(cycle)).toEqual(["resolved mysql:status:shard1"]);
  });

  it("quorum lost: NO_QUORUM; the quorum alert and the dead members' alarms on the third cycle", async () => {
    await cycle();
    await g.quorumLost(0);
    expect(await eventsDuring(cycle)).toEqual([]);
    expect(shard1(worker.monitor.lastReport!)).toMatchObject({ status: "NO_QUORUM", quorum: false, onlineCount: 1 });
    expect(await eventsDuring(cycle)).toEqual([]);
    expect(await eventsDuring(cycle)).toEqual([
      "firing mysql:down:shard1/shard1-node1",
      "firing mysql:down:shard1/shard1-node2",
      "firing mysql:quorum:shard1",
      "firing mysql:status:shard1",
    ]);
    await g.restore();
    expect((await eventsDuring(cycle)).sort()).toEqual([
      "resolved mysql:down:shard1/shard1-node1",
      "resolved mysql:down:shard1/shard1-node2",
      "resolved mysql:quorum:shard1",
      "resolved mysql:status:shard1",
    ]);
  });

  it("a member stops accepting TCP: its node alarm fires on exactly the Nth failed check, once, then resolves", async () => {
    await cycle();
    await g.stopAccepting(2);
    const perCycle: string[][] = [];
    for (let i = 1; i <= 6; i++) {
      perCycle.push((await eventsDuring(cycle)).filter((e) => e.includes("mysql:down:")));
      const m = worker.monitor.statusDocument() as { shards: Record<string, { members: Record<string, unknown> }> };
      expect(m.shards.shard1!.members["shard1-node2"]).toMatchObject({ up: false, consecutiveFailures: i });
    }
    expect(perCycle).toEqual([[], [], ["firing mysql:down:shard1/shard1-node2"], [], [], []]);
    const alarm = recorder.events.find((e) => e.key === "mysql:down:shard1/shard1-node2")!;
    expect(alarm.message).toMatch(
      /value: check failed: (connect ECONNREFUSED|.*Connection lost).* \(3 consecutive checks\)/,
    );
    expect(alarm.message).toContain(`node: shard1-node2`);
    expect(await worker.metrics.registry.getSingleMetricAsString("gamedb_mysql_up")).toContain(
      'gamedb_mysql_up{shard="shard1",node="shard1-node2"} 0',
    );

    await g.restore();
    const back = await eventsDuring(cycle);
    expect(back).toEqual(["resolved mysql:down:shard1/shard1-node2", "resolved mysql:status:shard1"]);
    const resolved = recorder.events.find((e) => e.kind === "resolved" && e.key === "mysql:down:shard1/shard1-node2")!;
    expect(resolved.message).toContain("now: answering");
    expect(resolved.message).toMatch(/it lasted \d+ s/);
  });

  it("a member that accepts TCP but never answers fails within the check timeout", async () => {
    await g.hang(1);
    const r = await cycle();
    const node1 = r.shards[0]!.members[1]!.outcome;
    expect(node1.ok).toBe(false);
    expect(node1.ok ? "" : node1.error).toMatch(/ETIMEDOUT|timed out/);
    expect(node1.ms).toBeLessThan(1000 + 500);
    expect(r.durationMs).toBeLessThan(1000 + 1000);
  });

  it("CPU proxy and lag above their thresholds warn after N consecutive checks, and clear", async () => {
    const m = g.members[1]!;
    m.figures = { ...m.figures, threadsRunning: 5, lagSeconds: 7.5, applierQueue: 40 };
    const events = [await eventsDuring(cycle), await eventsDuring(cycle), await eventsDuring(cycle)];
    expect(events).toEqual([[], [], ["firing mysql:cpu:shard1/shard1-node1", "firing mysql:lag:shard1/shard1-node1"]]);
    const cpu = recorder.events.find((e) => e.key === "mysql:cpu:shard1/shard1-node1")!;
    expect(cpu.message).toContain("value: 125% (Threads_running 5 on 4 vCPUs) (3 consecutive checks)");
    expect(cpu.message).toContain("threshold: 80%");
    const lag = recorder.events.find((e) => e.key === "mysql:lag:shard1/shard1-node1")!;
    expect(lag.message).toContain("value: 7.5 s (applier queue 40)");
    m.figures = { ...m.figures, threadsRunning: 2, lagSeconds: 0, applierQueue: 0 };
    expect(await eventsDuring(cycle)).toEqual([
      "resolved mysql:cpu:shard1/shard1-node1",
      "resolved mysql:lag:shard1/shard1-node1",
    ]);
  });

  it("a shard removed from the endpoints: its firing alerts resolve and its series go", async () => {
    await sim.group("shard2").quorumLost(0);
    await cycle();
    await cycle();
    expect((await eventsDuring(cycle)).filter((e) => !e.includes(":down:"))).toEqual([
      "firing mysql:quorum:shard2",
      "firing mysql:status:shard2",
    ]);
    const doc = sim.membersJson();
    delete doc.shard2;
    writeMembers(doc);
    expect((await eventsDuring(cycle)).filter((e) => !e.includes(":down:"))).toEqual([
      "resolved mysql:quorum:shard2",
      "resolved mysql:status:shard2",
    ]);
    expect(await worker.metrics.registry.getSingleMetricAsString("gamedb_shard_quorum")).not.toContain("shard2");
    await sim.group("shard2").restore();
  });

  it("start() runs a cycle every interval until stop()", async () => {
    await worker.close(0);
    worker = createWorker(config({ intervalSeconds: 1 }), { mysqlPassword: PASSWORD }, { log, extraSinks: [recorder] });
    worker.monitor.start();
    const deadline = Date.now() + 10_000;
    while ((worker.monitor.lastReport?.number ?? 0) < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await worker.monitor.stop();
    const stoppedAt = worker.monitor.lastReport!.number;
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1200));
    expect(worker.monitor.lastReport!.number).toBe(stoppedAt);
    const cycles = await worker.metrics.registry.getSingleMetricAsString("gamedb_monitor_cycles_total");
    expect(cycles).toContain(`gamedb_monitor_cycles_total ${stoppedAt}`);
  });

  it("a wrong password fails every check, and no password shows in logs, /status or alerts", async () => {
    await worker.close(0);
    const wrong = "not-the-password-91c2";
    worker = createWorker(config({ failureThreshold: 1 }), { mysqlPassword: wrong }, { log, extraSinks: [recorder] });
    const r = await cycle();
    expect(r.shards[0]!.members.map((m) => (m.outcome.ok ? "ok" : m.outcome.error))).toEqual(
      Array(3).fill("ER_ACCESS_DENIED_ERROR: Access denied for user 'gamedb_monitor' (simulator)"),
    );
    expect(shard1(r).status).toBe("OFFLINE");
    const everything = JSON.stringify([worker.monitor.statusDocument(), log.records, recorder.events]);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(PASSWORD);
  });
});

describe("HTTP endpoints", () => {
  let server: StartedServer;
  beforeEach(async () => {
    server = await startServer(worker.monitor, worker.metrics.registry, {
      port: 0,
      host: "127.0.0.1",
      redact: worker.redact,
    });
  });
  afterEach(() => server.close());

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };

  it("serves /metrics, /healthz and /status from the last cycle", async () => {
    expect((await get("/healthz")).body).toBe("ok: starting: no cycle finished yet\n");
    await cycle();
    const metrics = await get("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain("text/plain");
    for (const line of [
      'gamedb_shard_status{shard="shard1",status="OK"} 1',
      'gamedb_shard_status{shard="shard1",status="NO_QUORUM"} 0',
      'gamedb_shard_primary_count{shard="shard1"} 1',
      'gamedb_shard_quorum{shard="shard2"} 1',
      'gamedb_mysql_member_state{shard="shard1",node="shard1-node0",state="ONLINE"} 1',
      'gamedb_mysql_member_primary{shard="shard1",node="shard1-node0"} 1',
      'gamedb_mysql_cpu_proxy_percent{shard="shard1",node="shard1-node1"} 50',
      'gamedb_mysql_applier_queue{shard="shard1",node="shard1-node1"} 0',
      'gamedb_monitor_targets{kind="mysql"} 6',
      'gamedb_monitor_sink_sent_total{sink="recorder"} 0',
    ]) {
      expect(metrics.body).toContain(line);
    }
    expect(metrics.body).toMatch(/^gamedb_monitor_process_cpu_seconds_total /m);
    // Every metric the worker exports carries the prefix.
    const names = [...metrics.body.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(names.filter((n) => !n.startsWith("gamedb_"))).toEqual([]);

    const health = await get("/healthz");
    expect(health.status).toBe(200);
    expect(health.body).toMatch(/^ok: last cycle ended \d+ s ago\n$/);
    const status = await get("/status");
    expect(status.type).toBe("application/json");
    const doc = JSON.parse(status.body) as { environment: string; shards: Record<string, { status: string }> };
    expect(doc.environment).toBe("test");
    expect(Object.fromEntries(Object.entries(doc.shards).map(([k, v]) => [k, v.status]))).toEqual({
      shard1: "OK",
      shard2: "OK",
    });
    expect((await get("/nope")).status).toBe(404);
  });

  it("fails /healthz when no cycle has ended for too long", () => {
    const later = Date.now() + (3 * 10 + 1 + 1) * 1000;
    expect(worker.monitor.health(later)).toEqual({
      ok: false,
      reason: expect.stringMatching(/^no cycle finished in \d+ s$/),
    });
  });
});

describe("npm run monitor -- --once", () => {
  it("runs one cycle against the simulator and prints the status", async () => {
    const file = join(dir, "monitor.json");
    writeFileSync(file, JSON.stringify(config()));
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(
      ["--config", file, "--once"],
      { SIM_MONITOR_PASSWORD: PASSWORD },
      (s) => out.push(s),
      (s) => err.push(s),
    );
    expect(err.filter((line) => !line.includes('"level":"info"'))).toEqual([]);
    expect(code).toBe(0);
    const doc = JSON.parse(out.join("\n")) as { shards: Record<string, { status: string; primaries: string[] }> };
    expect(doc.shards.shard1).toMatchObject({ status: "OK", primaries: ["shard1-node0"] });
  });

  it("exits 3 when an alert fires after the cycle, 1 naming a missing secret, 2 on bad usage", async () => {
    const file = join(dir, "monitor.json");
    writeFileSync(file, JSON.stringify(config({ failureThreshold: 1 })));
    await g.stopAccepting(1);
    const quiet = () => undefined;
    expect(await main(["--config", file, "--once"], { SIM_MONITOR_PASSWORD: PASSWORD }, quiet, quiet)).toBe(3);
    const err: string[] = [];
    expect(await main(["--config", file, "--once"], {}, quiet, (s) => err.push(s))).toBe(1);
    expect(err.join("\n")).toContain("mysql.passwordEnv: environment variable SIM_MONITOR_PASSWORD is not set");
    expect(await main(["--config", file, "--port", "x"], {}, quiet, quiet)).toBe(2);
  });
});
