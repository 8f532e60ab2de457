/**
 * scripts/apps/monitor/alerts.ts (the fire-once / resolve state machine) and rules.ts (which conditions a cycle's
 * results raise). The property compares the machine with a direct reading of its contract on random sequences.
 */
import fc from "fast-check";
import { stepAlerts, type AlertEvent, type AlertRecord, type Condition } from "../../scripts/apps/monitor/alerts";
import {
  memberConditions,
  redisConditions,
  shardConditions,
  type RedisNodeResult,
  type RedisResult,
  type ShardResult,
} from "../../scripts/apps/monitor/rules";
import type { ShardTarget } from "../../scripts/apps/monitor/targets";
import { shardVerdict } from "../../scripts/apps/monitor/verdict";
import { inputs, nodes, observation, view } from "./builders";

const base: Omit<Condition, "bad"> = {
  key: "mysql:down:shard1/node1",
  fireAfter: 3,
  severity: "critical",
  subject: { kind: "mysql-member", shard: "shard1", node: "node1" },
  what: "MySQL member not answering checks",
  value: "check failed: connect ECONNREFUSED 10.0.0.2:3306",
  threshold: "3 consecutive failed checks",
};

/** Runs a sequence of observations through the machine; returns the events of each step. */
function run(seq: (boolean | null)[], c: Omit<Condition, "bad"> = base, variants?: (string | undefined)[]) {
  let states: Map<string, AlertRecord> = new Map();
  return seq.map((bad, i) => {
    const step = stepAlerts(states, [{ ...c, bad, variant: variants?.[i] }], {
      environment: "prod",
      now: Date.UTC(2026, 0, 1, 0, 0, i * 10),
    });
    states = step.states;
    return step.events;
  });
}

const kinds = (steps: AlertEvent[][]) => steps.map((events) => events.map((e) => e.kind).join(",") || "-");

describe("stepAlerts", () => {
  it("fires on exactly the Nth consecutive failure, once, and resolves on recovery", () => {
    expect(kinds(run([true, true, true, true, true, false, false]))).toEqual([
      "-",
      "-",
      "firing",
      "-",
      "-",
      "resolved",
      "-",
    ]);
  });

  it("sends nothing for a streak shorter than N, and counts again from zero after a good check", () => {
    expect(kinds(run([true, true, false, true, true, false, true, true, true]))).toEqual([
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
      "-",
      "firing",
    ]);
  });

  it("leaves a condition as it was when it is not observed", () => {
    expect(kinds(run([true, null, true, null, true, null, false]))).toEqual([
      "-",
      "-",
      "-",
      "-",
      "firing",
      "-",
      "resolved",
    ]);
  });

  it("says environment, subject, what is wrong, the value and the threshold", () => {
    const events = run([true, true, true, false]).flat();
    expect(events[0]!.title).toBe("[prod] CRITICAL shard shard1 member node1: MySQL member not answering checks");
    expect(events[0]!.message).toBe(
      [
        "[prod] CRITICAL shard shard1 member node1: MySQL member not answering checks",
        "environment: prod",
        "shard: shard1",
        "node: node1",
        "value: check failed: connect ECONNREFUSED 10.0.0.2:3306 (3 consecutive checks)",
        "threshold: 3 consecutive failed checks",
      ].join("\n"),
    );
    expect(events[1]!.kind).toBe("resolved");
    expect(events[1]!.title).toBe("[prod] RESOLVED shard shard1 member node1: MySQL member not answering checks");
    expect(events[1]!.message).toContain("it lasted 10 s");
  });

  it("sends a change when the variant changes while firing, and nothing while it stays the same", () => {
    const c = { ...base, fireAfter: 1, key: "mysql:status:shard1" };
    const steps = run([true, true, true, false], c, ["NO_QUORUM", "NO_QUORUM", "OK_NO_TOLERANCE", undefined]);
    expect(kinds(steps)).toEqual(["firing", "-", "changed", "resolved"]);
  });

  it("resolves a firing alert whose target left the endpoints, and forgets a quiet one", () => {
    const first = stepAlerts(
      new Map(),
      [
        { ...base, fireAfter: 1, bad: true },
        { ...base, key: "other", bad: false },
      ],
      { environment: "prod", now: 0 },
    );
    const second = stepAlerts(first.states, [], { environment: "prod", now: 1000 });
    expect(second.events.map((e) => [e.kind, e.key])).toEqual([["resolved", base.key]]);
    expect(second.events[0]!.message).toContain("no longer in the endpoints");
    expect(second.states.size).toBe(0);
  });

  it("matches its contract on any sequence (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.constantFrom(true, false, null), { maxLength: 40 }),
        (fireAfter, seq) => {
          const got = kinds(run(seq, { ...base, fireAfter }));
          // The contract, read directly: count wrong observations since the last fine one; fire when the count
          // reaches N; resolve at the first fine observation after firing.
          let streak = 0;
          let firing = false;
          const want = seq.map((bad) => {
            if (bad === null) return "-";
            if (bad) {
              streak++;
              if (!firing && streak === fireAfter) {
                firing = true;
                return "firing";
              }
              return "-";
            }
            streak = 0;
            if (firing) {
              firing = false;
              return "resolved";
            }
            return "-";
          });
          expect(got).toEqual(want);
        },
      ),
    );
  });
});

describe("rules", () => {
  const [n0] = nodes(1);
  const member = { shard: "shard1", node: "node0", host: n0!.host, port: 3306, vcpus: 4 };
  const opts = { failureThreshold: 3, thresholds: { cpuPercent: 80, bufferPoolPercent: 85, lagSeconds: 5 } };
  const obs = (o: Parameters<typeof observation>[2]) => observation(n0!, view(nodes(1), [[0, "ONLINE", "PRIMARY"]]), o);
  const byKey = (cs: Condition[]) => Object.fromEntries(cs.map((c) => [c.key.split(":")[1], c.bad]));

  it("raises CPU, buffer pool and lag above their thresholds, and only those", () => {
    const ok = memberConditions({ member, outcome: { ok: true, value: obs({}), ms: 1 } }, opts);
    expect(byKey(ok)).toEqual({ down: false, cpu: false, "buffer-pool": false, lag: false });
    const hot = memberConditions(
      {
        member,
        outcome: {
          ok: true,
          value: obs({ threadsRunning: 4, bufferPoolDataBytes: 900, bufferPoolSizeBytes: 1000, lagSeconds: 6 }),
          ms: 1,
        },
      },
      opts,
    );
    // 4 running on 4 vCPUs is 100% > 80%; 90% > 85%; 6 s > 5 s.
    expect(byKey(hot)).toEqual({ down: false, cpu: true, "buffer-pool": true, lag: true });
    expect(hot.find((c) => c.key.includes(":cpu:"))!.value).toBe("100% (Threads_running 4 on 4 vCPUs)");
  });

  it("has no CPU condition without vCPUs, and observes nothing but the node alarm when the check failed", () => {
    const cs = memberConditions(
      { member: { ...member, vcpus: null }, outcome: { ok: false, error: "connect ETIMEDOUT", ms: 3000 } },
      opts,
    );
    expect(byKey(cs)).toEqual({ down: true, "buffer-pool": null, lag: null });
  });

  it("raises no primary, quorum and status for a shard that lost quorum", () => {
    const ns = nodes(3);
    const alone = view(ns, [
      [0, "ONLINE", "SECONDARY"],
      [1, "UNREACHABLE", "PRIMARY"],
      [2, "UNREACHABLE"],
    ]);
    const shard: ShardTarget = { shard: "shard1", shardId: 1, clusterName: "shard1", state: "active", members: [] };
    const cs = shardConditions({ shard, members: [], verdict: shardVerdict(inputs(ns, [alone, null, null])) }, opts);
    expect(byKey(cs)).toEqual({ "no-primary": true, quorum: true, status: true });
    expect(cs.map((c) => c.fireAfter)).toEqual([3, 3, 3]);
    expect(cs.find((c) => c.key.includes("status"))!.variant).toBe("NO_QUORUM");
    expect(cs[0]!.detail).toBe("members not ONLINE: node1 UNREACHABLE, node2 UNREACHABLE");
  });

  const shardOf = (n: number, views: (ReturnType<typeof view> | null)[]): ShardResult => ({
    shard: { shard: "shard1", shardId: 1, clusterName: "shard1", state: "active", members: [] },
    members: [],
    verdict: shardVerdict(inputs(nodes(n), views)),
  });

  it("observes no shard condition in a cycle where no member of the shard answered", () => {
    expect(byKey(shardConditions(shardOf(3, [null, null, null]), opts))).toEqual({
      "no-primary": null,
      quorum: null,
      status: null,
    });
    // Members that answer but are not ONLINE are an observed outage.
    expect(byKey(shardConditions(shardOf(3, [[], [], []]), opts))).toEqual({
      "no-primary": true,
      quorum: true,
      status: true,
    });
  });

  it("fires shard conditions on the Nth consecutive bad cycle; a cycle nobody answered neither counts nor resolves", () => {
    const ns = nodes(3);
    const noPrimary = view(ns, [
      [0, "UNREACHABLE", "PRIMARY"],
      [1, "ONLINE"],
      [2, "ONLINE"],
    ]);
    const healthy = view(ns, [
      [0, "ONLINE", "PRIMARY"],
      [1, "ONLINE"],
      [2, "ONLINE"],
    ]);
    const lost = shardOf(3, [null, noPrimary, noPrimary]);
    const blip = shardOf(3, [null, null, null]);
    const back = shardOf(3, [healthy, healthy, healthy]);
    let states: Map<string, AlertRecord> = new Map();
    const perCycle = [lost, blip, lost, blip, lost, lost, blip, back, blip].map((r, i) => {
      const step = stepAlerts(states, shardConditions(r, opts), { environment: "prod", now: i * 10_000 });
      states = step.states;
      return step.events.map((e) => `${e.kind} ${e.key.split(":")[1]}`);
    });
    expect(perCycle).toEqual([
      [],
      [],
      [],
      [],
      ["firing no-primary", "firing status"],
      [],
      [],
      ["resolved no-primary", "resolved status"],
      [],
    ]);
  });

  it("warns on a small shard's status only when it is worse than the best its size reaches", () => {
    const one = view(nodes(1), [[0, "ONLINE", "PRIMARY"]]);
    const status = (r: ShardResult) => shardConditions(r, opts).find((c) => c.key.includes(":status:"))!;
    expect(status(shardOf(1, [one]))).toMatchObject({ bad: false, what: "cluster status worse than OK_NO_TOLERANCE" });
    const two = view(nodes(2), [
      [0, "ONLINE", "PRIMARY"],
      [1, "ONLINE"],
    ]);
    expect(status(shardOf(2, [two, two])).bad).toBe(false);
    // node1 expelled: the survivor keeps quorum, but the group is partial.
    const expelled = view(nodes(2), [[0, "ONLINE", "PRIMARY"]]);
    expect(status(shardOf(2, [expelled, null]))).toMatchObject({
      bad: true,
      variant: "OK_NO_TOLERANCE_PARTIAL",
      threshold: "OK_NO_TOLERANCE (the best a 2-member group reaches)",
    });
  });

  it("raises Redis cluster state, failed slots and a replica's master link, from the nodes that answered", () => {
    const info = (state: string, fail: number) => ({
      state,
      slotsAssigned: 16384,
      slotsOk: 16384 - fail,
      slotsPfail: 0,
      slotsFail: fail,
      knownNodes: 6,
      size: 3,
    });
    const entry = { id: "x", host: "h", port: 1, flags: [], masterId: null, linkState: "connected", slots: 0 };
    const cs = redisConditions(
      {
        target: { engine: "kubernetes", seeds: [] },
        discovery: { ok: true, value: [], ms: 1 },
        nodes: [
          {
            label: "a:1",
            entry,
            outcome: {
              ok: true,
              ms: 1,
              value: {
                cluster: info("fail", 5461),
                replication: {
                  role: "slave",
                  masterLinkStatus: "down",
                  masterHost: "b",
                  masterPort: 1,
                  connectedSlaves: 0,
                },
              },
            },
          },
          { label: "b:1", entry, outcome: { ok: false, error: "connect ECONNREFUSED", ms: 1 } },
        ],
      },
      opts,
    );
    expect(Object.fromEntries(cs.map((c) => [c.key, c.bad]))).toEqual({
      "redis:discovery": false,
      "redis:cluster-state": true,
      "redis:slots-fail": true,
      "redis:down:a:1": false,
      "redis:master-link:a:1": true,
      "redis:down:b:1": true,
      "redis:master-link:b:1": null,
    });
    expect(cs.find((c) => c.key === "redis:slots-fail")!.value).toBe(
      "5461 slots fail, 0 pfail, 10923 ok (as seen by a:1)",
    );
    // Every Redis condition is debounced like the shard conditions.
    expect(cs.map((c) => c.fireAfter)).toEqual([3, 3, 3, 3, 3, 3, 3]);
  });

  describe("Redis cluster conditions are debounced", () => {
    const entry = { id: "x", host: "h", port: 1, flags: [], masterId: null, linkState: "connected", slots: 0 };
    type NodeState = "ok" | "fail" | "down";
    /**
     * One cycle: a:1 a master, b:1 its replica; "fail" is cluster_state fail with 5461 slots fail (and, on the
     * replica, its master link down); "down" is a failed check.
     */
    const cycle = (a: NodeState, b: NodeState): RedisResult => {
      const outcome = (s: NodeState, role: "master" | "slave"): RedisNodeResult["outcome"] =>
        s === "down"
          ? { ok: false, error: "connect ECONNREFUSED", ms: 1 }
          : {
              ok: true,
              ms: 1,
              value: {
                cluster: {
                  state: s,
                  slotsAssigned: 16384,
                  slotsOk: s === "ok" ? 16384 : 10923,
                  slotsPfail: 0,
                  slotsFail: s === "ok" ? 0 : 5461,
                  knownNodes: 6,
                  size: 3,
                },
                replication: {
                  role,
                  masterLinkStatus: role === "slave" ? (s === "ok" ? "up" : "down") : null,
                  masterHost: role === "slave" ? "a" : null,
                  masterPort: role === "slave" ? 1 : null,
                  connectedSlaves: role === "master" ? 1 : 0,
                },
              },
            };
      return {
        target: { engine: "kubernetes", seeds: [] },
        discovery: { ok: true, value: [], ms: 1 },
        nodes: [
          { label: "a:1", entry, outcome: outcome(a, "master") },
          { label: "b:1", entry, outcome: outcome(b, "slave") },
        ],
      };
    };
    /** Runs cycles through redisConditions and the state machine; the events of each cycle, `kind key`. */
    const drive = (cycles: RedisResult[], failureThreshold = 3) => {
      let states: Map<string, AlertRecord> = new Map();
      return cycles.map((r, i) => {
        const step = stepAlerts(states, redisConditions(r, { ...opts, failureThreshold }), {
          environment: "prod",
          now: i * 10_000,
        });
        states = step.states;
        return step.events.map((e) => `${e.kind} ${e.key}`);
      });
    };
    const ok = cycle("ok", "ok");
    const fail = cycle("fail", "ok");

    it("sends nothing for one cycle of cluster_state fail (a normal failover)", () => {
      expect(drive([ok, fail, ok, ok])).toEqual([[], [], [], []]);
      // Nor for a streak one short of the threshold.
      expect(drive([ok, fail, fail, ok, fail, fail, ok])).toEqual([[], [], [], [], [], [], []]);
    });

    it.each([1, 2, 3, 5])(
      "fires on exactly the Nth consecutive bad cycle, once, and resolves on recovery (N = %i)",
      (n) => {
        const events = drive([ok, ...Array<RedisResult>(n + 2).fill(fail), ok, ok], n);
        const want: string[][] = [[], ...Array.from({ length: n + 2 }, () => [] as string[]), [], []];
        want[n] = ["firing redis:cluster-state", "firing redis:slots-fail"];
        want[n + 3] = ["resolved redis:cluster-state", "resolved redis:slots-fail"];
        expect(events).toEqual(want);
        const fired = drive([...Array<RedisResult>(n).fill(fail)], n).flat();
        expect(fired).toEqual(["firing redis:cluster-state", "firing redis:slots-fail"]);
      },
    );

    it("debounces a replica's master link down the same way", () => {
      const linkDown = cycle("ok", "fail");
      const link = (events: string[][]) => events.map((e) => e.filter((x) => x.includes("master-link")));
      expect(link(drive([linkDown, ok]))).toEqual([[], []]);
      expect(link(drive([linkDown, linkDown, linkDown, linkDown, ok]))).toEqual([
        [],
        [],
        ["firing redis:master-link:b:1"],
        [],
        ["resolved redis:master-link:b:1"],
      ]);
    });

    it("leaves a node's master link unobserved in a cycle it did not answer, and the cluster's when none did", () => {
      const linkDown = cycle("ok", "fail");
      const replicaDown = cycle("ok", "down");
      const allDown = cycle("down", "down");
      const link = drive([linkDown, replicaDown, linkDown, replicaDown, linkDown, replicaDown, ok]).map((e) =>
        e.filter((x) => x.includes("master-link")),
      );
      // The cycles it did not answer neither count toward the streak nor end it.
      expect(link).toEqual([[], [], [], [], ["firing redis:master-link:b:1"], [], ["resolved redis:master-link:b:1"]]);
      const cluster = drive([fail, allDown, fail, allDown, fail, allDown, ok]).map((e) =>
        e.filter((x) => x.includes("cluster-state") || x.includes("slots-fail")),
      );
      expect(cluster).toEqual([
        [],
        [],
        [],
        [],
        ["firing redis:cluster-state", "firing redis:slots-fail"],
        [],
        ["resolved redis:cluster-state", "resolved redis:slots-fail"],
      ]);
      const unobserved = redisConditions(allDown, opts).filter((c) => c.bad === null);
      expect(unobserved.map((c) => c.key)).toEqual([
        "redis:cluster-state",
        "redis:slots-fail",
        "redis:master-link:a:1",
        "redis:master-link:b:1",
      ]);
    });
  });
});
