/**
 * The Redis controller's planners by table: the plans for creation, scale-out, scale-in, failovers and repairs, and
 * each refusal's message, on states built with the cluster model (tests/helpers/redisClusterSim.ts), which also
 * checks every plan step as the servers would.
 */
import { PlanRefused, describe as describeAction, type Plan } from "../../scripts/apps/redis-controller/actions";
import { ClusterModel } from "../../scripts/apps/redis-controller/model";
import { electEntry, unsettled, type PodView } from "../../scripts/apps/redis-controller/observation";
import { planDrain } from "../../scripts/apps/redis-controller/planDrain";
import { planReconcile } from "../../scripts/apps/redis-controller/planReconcile";
import { RedisClusterSim } from "../helpers/redisClusterSim";

const hosts = (i: number) => ({ ordinal: i, host: `gamedb-redis-${i}.h`, port: 6379 });

/** A cluster created by the planner itself: pods 0..N-1, masters 0..M-1, replica M+k following master k % M. */
function created(m: number, r: number): RedisClusterSim {
  const s = new RedisClusterSim(hosts);
  for (let i = 0; i < m * (1 + r); i++) s.start(i);
  s.run(planReconcile(s.observe(m, r)).actions);
  return s;
}

const steps = (plan: Plan) => plan.actions.map(describeAction);

function refusal(plan: () => Plan): { message: string; retryable: boolean } {
  try {
    plan();
  } catch (e) {
    if (e instanceof PlanRefused) return { message: e.message, retryable: e.retryable };
    throw e;
  }
  throw new Error("the planner did not refuse");
}

describe("planReconcile", () => {
  it("creates a cluster: meet, wait, slots to pods 0..M-1 in even ranges, replicas, wait", () => {
    const s = new RedisClusterSim(hosts);
    for (let i = 0; i < 6; i++) s.start(i);
    const plan = planReconcile(s.observe(3, 1));
    expect(steps(plan)).toEqual([
      "pod 1 meets the cluster through pod 0",
      "pod 2 meets the cluster through pod 0",
      "pod 3 meets the cluster through pod 0",
      "pod 4 meets the cluster through pod 0",
      "pod 5 meets the cluster through pod 0",
      "wait until pods 0, 1, 2, 3, 4, 5 know each other",
      "pod 0 takes slots 0-5461",
      "pod 1 takes slots 5462-10922",
      "pod 2 takes slots 10923-16383",
      "pod 3 replicates pod 0",
      "pod 4 replicates pod 1",
      "pod 5 replicates pod 2",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
    ]);
    expect(plan.notes).toEqual(["no cluster exists: creating it (3 masters, 1 replica(s) each)"]);
    s.run(plan.actions);
    expect(planReconcile(s.observe(3, 1))).toEqual({
      actions: [],
      notes: [
        "cluster entry: pod 0 (gamedb-redis-0.h:6379)",
        "already converged, nothing to do: all 16384 slots covered; 3 masters x 1 replica(s): pod 0[5462 slots, 1 replica(s)] pod 1[5461 slots, 1 replica(s)] pod 2[5461 slots, 1 replica(s)]",
      ],
    });
  });

  it("refuses to create a cluster over a node holding keys, and resets nodes that know others", () => {
    const s = new RedisClusterSim(hosts);
    for (let i = 0; i < 3; i++) s.start(i);
    s.makeStale(1, [], 12);
    expect(refusal(() => planReconcile(s.observe(3, 0)))).toEqual({
      message:
        "no cluster exists, but pod 1 (gamedb-redis-1.h:6379) holds 12 keys; refusing to create a cluster over it",
      retryable: false,
    });
    const t = new RedisClusterSim(hosts);
    for (let i = 0; i < 3; i++) t.start(i);
    t.run([{ kind: "meet", pod: 1, via: 0 }]);
    expect(steps(planReconcile(t.observe(3, 0))).slice(0, 2)).toEqual([
      "reset pod 0 (flush, CLUSTER RESET HARD)",
      "reset pod 1 (flush, CLUSTER RESET HARD)",
    ]);
  });

  it("waits (retryably) for every desired pod to answer", () => {
    const s = created(3, 0);
    s.stop(2);
    expect(refusal(() => planReconcile({ ...s.observe(3, 0), waitSeconds: 7 }))).toEqual({
      message:
        "1 of 3 nodes do not answer PING within 7s: ordinals 2 (e.g. gamedb-redis-2.h:6379; last error: ECONNREFUSED)",
      retryable: true,
    });
  });

  it("scales out: new nodes reset, one joins as a master and takes an even share, the other replicates it", () => {
    const s = created(3, 1);
    s.start(6);
    s.start(7);
    const plan = planReconcile(s.observe(4, 1));
    expect(steps(plan)).toEqual([
      "reset pod 6 (flush, CLUSTER RESET HARD)",
      "reset pod 7 (flush, CLUSTER RESET HARD)",
      "pod 6 meets the cluster through pod 0",
      "wait until pods 0, 1, 2, 3, 4, 5, 6 agree",
      "move slots 4096-5461 from pod 0 to pod 6",
      "move slots 9558-10922 from pod 1 to pod 6",
      "move slots 15019-16383 from pod 2 to pod 6",
      "wait until pods 0, 1, 2, 3, 4, 5, 6 agree",
      "pod 7 meets the cluster through pod 0",
      "wait until pods 0, 1, 2, 3, 4, 5, 6, 7 agree",
      "pod 7 replicates pod 6",
      "wait until pods 0, 1, 2, 3, 4, 5, 6, 7 agree",
    ]);
    s.run(plan.actions);
    expect(planReconcile(s.observe(4, 1)).actions).toEqual([]);
  });

  it("forgets a node that is gone and not desired; refuses one that still runs, or a gone master with slots", () => {
    const t = created(3, 0);
    t.start(3);
    t.run([
      { kind: "meet", pod: 3, via: 0 },
      { kind: "replicate", pod: 3, master: 0 },
    ]);
    const id = t
      .members(0)
      .find((x) => x.pod === 3)!
      .id.slice(0, 8);
    expect(refusal(() => planReconcile(t.observe(3, 0)))).toEqual({
      message: `node ${id} (gamedb-redis-3.h:6379) is in the cluster and running but is not one of the 3 desired nodes; run the drain first`,
      retryable: false,
    });
    t.stop(3);
    const plan = planReconcile(t.observe(3, 0));
    expect(steps(plan)).toEqual([`forget node ${id} on pods 0, 1, 2`]);
    expect(plan.notes[1]).toBe(`node ${id} (gamedb-redis-3.h:6379) is not desired and not reachable: forgetting it`);
    t.run(plan.actions);
    expect(planReconcile(t.observe(3, 0)).actions).toEqual([]);

    const u = created(4, 0);
    u.stop(3); // a master no replica took over from: its slots went with it
    const master = u
      .members(0)
      .find((x) => x.pod === 3)!
      .id.slice(0, 8);
    expect(refusal(() => planReconcile(u.observe(3, 0))).message).toBe(
      `node ${master} (gamedb-redis-3.h:6379) is gone but still owns 4096 slots (no replica took over); restore it, or run redis-cli --cluster fix knowingly`,
    );
  });

  it("discards a stale node (a kept volume) but refuses a master with keys in a cluster of its own", () => {
    const t = created(3, 1);
    t.delete(5);
    t.start(5);
    t.makeStale(5, [{ from: 0, to: 99 }], 100);
    const stale = planReconcile(t.observe(3, 1));
    expect(stale.notes).toContain(
      "pod 5 (gamedb-redis-5.h:6379) is not in the cluster and has stale state (100 keys, 100 slots, 1 known nodes): discarding it",
    );
    const gone = t
      .members(0)
      .find((x) => x.pod === 5)!
      .id.slice(0, 8);
    expect(steps(stale)).toEqual([
      `forget node ${gone} on pods 0, 1, 2, 3, 4`,
      "reset pod 5 (flush, CLUSTER RESET HARD)",
      "pod 5 meets the cluster through pod 0",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
      "pod 5 replicates pod 2",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
    ]);
    t.run(stale.actions);
    expect(planReconcile(t.observe(3, 1)).actions).toEqual([]);

    // Pods 0..2 are a 3+0 cluster; pods 3..5 a cluster of their own holding keys. 3+1 wants all six.
    const s = new RedisClusterSim(hosts);
    for (let i = 0; i < 6; i++) s.start(i);
    s.run(planReconcile(s.observe(3, 0)).actions);
    s.run([
      { kind: "meet", pod: 4, via: 3 },
      { kind: "meet", pod: 5, via: 3 },
      { kind: "assignSlots", pod: 3, slots: [{ from: 0, to: 16383 }] },
    ]);
    expect(refusal(() => planReconcile(s.observe(3, 1))).message).toBe(
      "pod 3 (gamedb-redis-3.h:6379) is not in the cluster but is a master holding 16384 keys in a cluster of 3 nodes; inspect it, then FLUSHALL and CLUSTER RESET HARD it",
    );
  });

  it("turns a replica into a master when masters are missing and no new node exists", () => {
    const s = created(3, 1);
    // Pod 2 lost its slots with replica migration on: it and its replica now follow pod 0.
    s.run([{ kind: "moveSlots", from: 2, to: 0, slots: [{ from: 10923, to: 16383 }] }]);
    const plan = planReconcile(s.observe(3, 1));
    expect(steps(plan).slice(0, 4)).toEqual([
      "remove pod 2 from the cluster (forgotten on pods 0, 1, 3, 4, 5), then reset it",
      "pod 2 meets the cluster through pod 0",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
      "move slots 10923-16383 from pod 0 to pod 2",
    ]);
    s.run(plan.actions);
    expect(planReconcile(s.observe(3, 1)).actions).toEqual([]);
  });

  it("empties a surplus master (replica migration off first) and makes it a replica of the least served master", () => {
    const s = created(3, 1);
    s.run([
      { kind: "removeNode", pod: 5, on: [0, 1, 2, 3, 4] },
      { kind: "meet", pod: 5, via: 0 },
      { kind: "moveSlots", from: 0, to: 5, slots: [{ from: 0, to: 9 }] },
    ]);
    const plan = planReconcile(s.observe(3, 1));
    expect(steps(plan)).toEqual([
      "cluster-allow-replica-migration no on pod 5",
      // The most served keeper keeps the larger share.
      "move slots 9 from pod 5 to pod 1",
      "move slots 0-8 from pod 5 to pod 0",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
      "pod 5 replicates pod 2",
      "cluster-allow-replica-migration yes on pod 5",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
    ]);
    s.run(plan.actions);
    expect(planReconcile(s.observe(3, 1)).actions).toEqual([]);
  });

  it("moves a replica from a master with too many to one with too few", () => {
    const s = created(3, 1);
    s.run([{ kind: "replicate", pod: 5, master: 0 }]);
    expect(steps(planReconcile(s.observe(3, 1)))).toEqual([
      "pod 3 replicates pod 2",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
    ]);
  });

  it("waits when the members do not agree yet, and fixes open slots before anything else", () => {
    const s = created(3, 0);
    const obs = s.observe(3, 0);
    const lagging = { ...obs.pods[1]!, node: { ...obs.pods[1]!.node!, stateOk: false } };
    const plan = planReconcile({ ...obs, pods: [obs.pods[0]!, lagging, obs.pods[2]!] });
    expect(steps(plan)).toEqual(["wait until pods 0, 1, 2 agree"]);
    expect(plan.notes).toContain("waiting: pod 1 (gamedb-redis-1.h:6379) does not report cluster_state:ok yet");

    // Pod 2 reports slot 11000 migrating to pod 0 (an interrupted move).
    const to = obs.pods[0]!.node!.id;
    const p2 = obs.pods[2]!;
    const nodes = p2.node!.nodes.map((n) =>
      n.id === p2.node!.id ? { ...n, migrating: [{ slot: 11000, nodeId: to }] } : n,
    );
    const open = planReconcile({ ...obs, pods: [obs.pods[0]!, obs.pods[1]!, { ...p2, node: { ...p2.node!, nodes } }] });
    expect(steps(open)).toEqual(["redis-cli --cluster fix through pod 0", "wait until pods 0, 1, 2 agree"]);
    expect(open.notes).toContain(
      `open slots found (slot 11000 migrating from pod 2 (gamedb-redis-2.h:6379) to ${to.slice(0, 8)}): fixing them`,
    );
  });
});

describe("planDrain", () => {
  it("has nothing to do before the cluster exists or on a scale-out", () => {
    const s = new RedisClusterSim(hosts);
    expect(planDrain(s.observe(3, 1, 4)).notes).toEqual([
      "drain: keeping ordinals 0..5 (3 masters x (1 + 1 replicas))",
      "no cluster among the staying nodes and no going pod holds data: nothing to drain",
    ]);
    const t = created(3, 1);
    expect(planDrain(t.observe(4, 1, 4)).actions).toEqual([]);
  });

  it("scales in 4+1 to 3+1: slots off the going master (replica migration off), going replicas first", () => {
    const s = created(3, 1);
    s.start(6);
    s.start(7);
    s.run(planReconcile(s.observe(4, 1)).actions);
    const plan = planDrain(s.observe(3, 1, 4));
    expect(steps(plan)).toEqual([
      "cluster-allow-replica-migration no on pod 6",
      "move slots 10922 15019-16383 from pod 6 to pod 0",
      "move slots 5461 9558-10921 from pod 6 to pod 1",
      "move slots 4096-5460 from pod 6 to pod 2",
      "wait until pods 0, 1, 2, 3, 4, 5, 6, 7 agree",
      "remove pod 7 from the cluster (forgotten on pods 0, 1, 2, 3, 4, 5, 6), then reset it",
      "remove pod 6 from the cluster (forgotten on pods 0, 1, 2, 3, 4, 5), then reset it",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
    ]);
    s.run(plan.actions);
    expect(planDrain(s.observe(3, 1, 4)).notes.slice(-1)).toEqual([
      "no going node is in the cluster: nothing to drain",
    ]);
    expect(planReconcile(s.observe(3, 1)).actions).toEqual([]);
  });

  it("fails over a going master to its staying replica when too few masters stay", () => {
    const s = created(3, 1);
    s.run([{ kind: "failover", pod: 3 }]);
    const plan = planDrain(s.observe(3, 0, 4));
    expect(steps(plan)).toEqual([
      "fail over to pod 0",
      "wait until pods 0, 1, 2, 3, 4, 5 agree",
      "remove pod 3 from the cluster (forgotten on pods 0, 1, 2, 4, 5), then reset it",
      "remove pod 4 from the cluster (forgotten on pods 0, 1, 2, 5), then reset it",
      "remove pod 5 from the cluster (forgotten on pods 0, 1, 2), then reset it",
      "wait until pods 0, 1, 2 agree",
    ]);
    expect(plan.notes).toContain(
      "only 2 of 3 masters stay: failing over going master pod 3 to its staying replica pod 0",
    );
  });

  it("forgets a going replica that does not answer", () => {
    const s = created(3, 1);
    s.stop(5);
    const id = s
      .members(0)
      .find((x) => x.pod === 5)!
      .id.slice(0, 8);
    const plan = planDrain(s.observe(3, 0, 4));
    expect(steps(plan)).toEqual([
      "remove pod 3 from the cluster (forgotten on pods 0, 1, 2, 4), then reset it",
      "remove pod 4 from the cluster (forgotten on pods 0, 1, 2), then reset it",
      `forget node ${id} on pods 0, 1, 2`,
      "wait until pods 0, 1, 2 agree",
    ]);
    expect(plan.notes).toContain(`cluster node ${id} (gamedb-redis-5.h:6379) at going pod 5's address does not answer`);
  });

  it("refusals: no staying node answers (retryable), going data without a cluster, strangers, unreachable slots", () => {
    const s = new RedisClusterSim(hosts);
    s.start(3);
    s.makeStale(3, [{ from: 0, to: 16383 }], 5);
    expect(refusal(() => planDrain({ ...s.observe(3, 0, 2), waitSeconds: 2 }))).toEqual({
      message:
        "going pods exist (ordinals 3) but no staying node (ordinals 0..2, e.g. gamedb-redis-0.h:6379) answers within 2s (last error: ECONNREFUSED); refusing to let the StatefulSet shrink blind",
      retryable: true,
    });
    s.start(0);
    expect(refusal(() => planDrain(s.observe(3, 0, 2))).message).toBe(
      "going pod 3 (gamedb-redis-3.h:6379) is in a cluster or holds keys, but no staying node (ordinals 0..2) is in a cluster; refusing to let the StatefulSet shrink blind",
    );
    s.stop(3);
    expect(refusal(() => planDrain(s.observe(3, 0, 2))).message).toBe(
      "going pods 3 exist but do not answer, and no staying node (ordinals 0..2) is in a cluster; cannot tell whether they hold data: refusing to let the StatefulSet shrink",
    );
    s.start(3);
    s.start(1);
    s.start(2);
    s.run(planReconcile(s.observe(3, 0)).actions);
    expect(refusal(() => planDrain(s.observe(3, 0, 2))).message).toBe(
      "going pod 3 (gamedb-redis-3.h:6379) holds slots or keys but is not a member of the cluster seen from pod 0 (gamedb-redis-0.h:6379); refusing to let it go",
    );

    const t = created(4, 0);
    t.stop(3);
    const id = t
      .members(0)
      .find((x) => x.pod === 3)!
      .id.slice(0, 8);
    expect(refusal(() => planDrain(t.observe(3, 0, 4))).message).toBe(
      `going node ${id} (pod 3) owns 4096 slots but cannot be reached; its slots cannot be moved`,
    );
    const u = created(5, 0);
    const beyond = u
      .members(0)
      .find((x) => x.pod === 4)!
      .id.slice(0, 8);
    expect(refusal(() => planDrain(u.observe(3, 0, 1))).message).toBe(
      `node ${beyond} (gamedb-redis-4.h:6379) owns 3276 slots but is neither a staying pod (ordinals 0..2) nor a going pod looked at (ordinals 3..3); if its pod goes, raise REDIS_MAX_ORDINAL_PROBE`,
    );
  });
});

describe("reading the views", () => {
  it("entry election: the cluster most nodes list wins over a lone stale node with slots; the lowest ordinal on a tie", () => {
    const s = created(3, 0);
    s.start(3);
    s.makeStale(3, [{ from: 0, to: 16383 }], 5);
    const pods: PodView[] = [...s.observe(4, 0).pods];
    expect(electEntry([pods[3]!, ...pods.slice(0, 3)])?.ordinal).toBe(0);
    expect(electEntry([pods[3]!])?.ordinal).toBe(3);
    expect(unsettled(pods.slice(0, 3))).toBeUndefined();
  });

  it("places a replica on another host than its master among equally served masters", () => {
    const model = new ClusterModel([], []);
    const a = model.join(0, "host-a");
    const b = model.join(1, "host-b");
    expect(model.fewestReplicas([a, b], { pod: 2, host: "host-a" })).toBe(b);
    expect(model.fewestReplicas([a, b], { pod: 2, host: "host-b" })).toBe(a);
    expect(model.fewestReplicas([a], { pod: 0, host: "host-a" })).toBeUndefined();
  });
});
