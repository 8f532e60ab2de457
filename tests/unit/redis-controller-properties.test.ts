/**
 * Properties of the Redis controller's planners over random histories, run against the cluster model in
 * tests/helpers/redisClusterSim.ts (which refuses a slot without an owner at any step, a master removed or reset
 * while it owns slots, a node forgotten by its own replica or on only some members): create M0+R0, fail over some
 * masters, maybe kill a pod that is about to go, then drain to M1+R1, stop the pods that go, start the new ones and
 * reconcile. Each plan converges in one go (the next plan is empty: a rerun is a no-op), ends with exactly M masters
 * owning a fair share each with R replicas, and never places a replica on its master's pod (nor host, when hosts
 * differ).
 */
import fc from "fast-check";
import type { Action, Plan } from "../../scripts/apps/redis-controller/actions";
import type { ClusterObservation } from "../../scripts/apps/redis-controller/observation";
import { planDrain } from "../../scripts/apps/redis-controller/planDrain";
import { planReconcile } from "../../scripts/apps/redis-controller/planReconcile";
import { slotCount } from "../../scripts/lib/redis/clusterNodes";
import { fairShare } from "../../scripts/apps/redis-controller/slots";
import { RedisClusterSim, type SimPod } from "../helpers/redisClusterSim";

/** As REDIS_MAX_ORDINAL_PROBE by default: every going pod is looked at. */
const PROBE = 64;

function sim(distinctHosts: boolean): RedisClusterSim {
  return new RedisClusterSim((i): SimPod =>
    distinctHosts
      ? { ordinal: i, host: `gamedb-redis-${i}.gamedb-redis-headless`, port: 6379 }
      : { ordinal: i, host: "127.0.0.1", port: 7000 + i },
  );
}

/** Plans and runs once; the next plan must be empty. Returns the actions that ran. */
function converge(s: RedisClusterSim, planner: (o: ClusterObservation) => Plan, m: number, r: number): Action[] {
  const observe = () => s.observe(m, r, PROBE);
  const plan = planner(observe());
  s.run(plan.actions);
  const again = planner(observe());
  expect({ actions: again.actions, notes: again.notes.slice(-1) }).toEqual({
    actions: [],
    notes: [expect.stringMatching(/already converged|nothing to drain/)],
  });
  return [...plan.actions];
}

/** The cluster pod 0 is in: exactly pods 0..N-1, M masters with fair shares and R replicas each, all slots. */
function expectShape(s: RedisClusterSim, m: number, r: number): void {
  const members = s.members(0);
  expect(members.map((x) => x.pod).sort((a, b) => a! - b!)).toEqual(Array.from({ length: m * (1 + r) }, (_, i) => i));
  const masters = members.filter((x) => x.master);
  expect(masters).toHaveLength(m);
  let slots = 0;
  for (const x of masters) {
    const held = slotCount(x.slots);
    slots += held;
    expect(fairShare(held, m)).toBe(true);
    expect(members.filter((y) => y.masterId === x.id)).toHaveLength(r);
  }
  expect(slots).toBe(16384);
}

function expectPlacements(s: RedisClusterSim, distinctHosts: boolean): void {
  for (const { replica, master } of s.placements) {
    expect(replica.ordinal).not.toBe(master.ordinal);
    if (distinctHosts) expect(replica.host).not.toBe(master.host);
  }
}

const history = fc.record({
  m0: fc.integer({ min: 3, max: 6 }),
  r0: fc.integer({ min: 0, max: 2 }),
  m1: fc.integer({ min: 3, max: 6 }),
  r1: fc.integer({ min: 0, max: 2 }),
  failovers: fc.array(fc.nat(), { maxLength: 3 }),
  killGoing: fc.option(fc.nat(), { nil: undefined }),
  distinctHosts: fc.boolean(),
});

describe("the Redis controller's plans, over random histories", () => {
  it("create, fail over, drain and reconcile to another shape: no slot unowned, converged, a rerun is a no-op", () => {
    fc.assert(
      fc.property(history, (h) => {
        const s = sim(h.distinctHosts);
        const n0 = h.m0 * (1 + h.r0);
        const n1 = h.m1 * (1 + h.r1);
        for (let i = 0; i < n0; i++) s.start(i);
        expect(planDrain(s.observe(h.m0, h.r0, PROBE)).actions).toEqual([]);
        converge(s, planReconcile, h.m0, h.r0);
        expectShape(s, h.m0, h.r0);

        // Failovers leave the shape as it was: reconcile has nothing to do.
        for (const k of h.failovers) {
          const withReplicas = s.members(0).filter((x) => x.master && s.members(0).some((y) => y.masterId === x.id));
          const master = withReplicas[k % Math.max(1, withReplicas.length)];
          const replica = s.members(0).find((y) => y.masterId === master?.id);
          if (replica !== undefined) s.run([{ kind: "failover", pod: replica.pod! }]);
        }
        expect(planReconcile(s.observe(h.m0, h.r0)).actions).toEqual([]);

        // A going pod killed before the drain: its replica took over if it was a master.
        const going = Array.from({ length: Math.max(0, n0 - n1) }, (_, i) => n1 + i);
        if (h.killGoing !== undefined && going.length > 0 && h.r0 > 0) s.stop(going[h.killGoing % going.length]!, true);

        converge(s, planDrain, h.m1, h.r1);
        for (const i of going) {
          expect(s.members(0).some((x) => x.pod === i)).toBe(false);
          s.stop(i);
        }
        for (let i = n0; i < n1; i++) s.start(i);
        converge(s, planReconcile, h.m1, h.r1);
        expectShape(s, h.m1, h.r1);
        expectPlacements(s, h.distinctHosts);
      }),
      { numRuns: 150 },
    );
  });

  it("a master killed and restarted rejoins as a replica: reconcile then has nothing to do", () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 6 }), fc.integer({ min: 1, max: 2 }), fc.nat(), (m, r, k) => {
        const s = sim(true);
        for (let i = 0; i < m * (1 + r); i++) s.start(i);
        converge(s, planReconcile, m, r);
        const masters = s.members(0).filter((x) => x.master);
        const victim = masters[k % masters.length]!.pod!;
        s.stop(victim, true);
        expect(s.members(0).find((x) => x.pod === victim)?.master).toBe(false);
        s.start(victim);
        expect(planReconcile(s.observe(m, r)).actions).toEqual([]);
        expectShape(s, m, r);
      }),
      { numRuns: 50 },
    );
  });

  it("a drain never empties a master it did not first stop from following the receiver", () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 6 }), fc.integer({ min: 0, max: 1 }), (m0, r) => {
        const s = sim(false);
        for (let i = 0; i < m0 * (1 + r); i++) s.start(i);
        converge(s, planReconcile, m0, r);
        const plan = planDrain(s.observe(3, r, PROBE));
        for (const [i, a] of plan.actions.entries()) {
          if (a.kind !== "moveSlots") continue;
          const earlier = plan.actions.slice(0, i);
          expect(earlier).toContainEqual({ kind: "replicaMigration", pod: a.from, allow: false });
        }
      }),
      { numRuns: 30 },
    );
  });
});
