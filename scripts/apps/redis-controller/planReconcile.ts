/**
 * reconcile, AFTER the StatefulSet is resized and its pods run: from every desired pod's view to the steps that
 * create the cluster, or bring it to M masters with a fair share of slots and R replicas each (new nodes join as
 * masters first and slots are rebalanced onto them, then as replicas; nodes that are gone are forgotten; replicas
 * move from masters with too many to masters with too few). The same plan on a converged cluster is empty.
 * (It keeps the rules of infra/redis/scripts/reconcile.sh, the bash controller it replaced: see git history.)
 */
import { slotCount } from "../../lib/redis/clusterNodes";
import { PlanRefused, type Action, type Plan } from "./actions";
import { ClusterModel, nodeName, type ModelNode } from "./model";
import {
  addr,
  answered,
  desiredCount,
  electEntry,
  openSlots,
  podName,
  short,
  unsettled,
  type Answered,
  type ClusterObservation,
} from "./observation";
import { balanceMoves, evenRanges, evenShares, fairShare, formatRanges, uncovered } from "./slots";

export function planReconcile(obs: ClusterObservation): Plan {
  const n = desiredCount(obs);
  const desired = obs.pods.filter((p) => p.ordinal < n);
  const missing = desired.filter((p) => !answered(p));
  if (missing.length > 0) {
    const first = missing[0]!;
    throw new PlanRefused(
      `${missing.length} of ${n} nodes do not answer PING within ${obs.waitSeconds}s: ordinals ` +
        `${missing.map((p) => p.ordinal).join(" ")} (e.g. ${addr(first)}; last error: ${first.error ?? "none"})`,
      true,
    );
  }
  const up = desired as Answered[];
  const entry = electEntry(up);
  return entry === undefined ? planCreate(obs, up) : planChanges(obs, up, entry);
}

/** No node is in a cluster: every node empty, meet, slots to pods 0..M-1, the others replicate them. */
function planCreate(obs: ClusterObservation, up: readonly Answered[]): Plan {
  const { masters, replicasPerMaster } = obs;
  const notes = [`no cluster exists: creating it (${masters} masters, ${replicasPerMaster} replica(s) each)`];
  const actions: Action[] = [];
  for (const p of up) {
    if (p.node.keys > 0) {
      throw new PlanRefused(
        `no cluster exists, but ${podName(p)} holds ${p.node.keys} keys; refusing to create a cluster over it`,
      );
    }
  }
  for (const p of up.filter((p) => p.node.knownNodes > 1)) {
    notes.push(`${podName(p)} knows other nodes but no cluster has slots: resetting it`);
    actions.push({ kind: "reset", pod: p.ordinal });
  }
  // Meet before any slot is assigned: a create cut short before then leaves no slots, and the next run resets and
  // starts again; cut short later, the slots a lone master claims would look like a cluster missing the rest.
  const model = new ClusterModel([], []);
  for (const p of up) model.join(p.ordinal, p.host);
  for (const p of up.slice(1)) actions.push({ kind: "meet", pod: p.ordinal, via: up[0]!.ordinal });
  const all = up.map((p) => p.ordinal);
  actions.push({ kind: "wait", pods: all, known: true });
  const ms = up.slice(0, masters).map((p) => model.atPod(p.ordinal)!);
  evenRanges(masters).forEach((range, i) => actions.push({ kind: "assignSlots", pod: ms[i]!.pod!, slots: [range] }));
  for (const p of up.slice(masters)) {
    const replica = model.atPod(p.ordinal)!;
    const master = model.fewestReplicas(ms, replica)!;
    model.replicate(replica, master);
    actions.push({ kind: "replicate", pod: p.ordinal, master: master.pod! });
  }
  actions.push({ kind: "wait", pods: all });
  return { actions, notes };
}

function planChanges(obs: ClusterObservation, up: readonly Answered[], entry: Answered): Plan {
  const { masters: m, replicasPerMaster: r } = obs;
  const n = desiredCount(obs);
  const notes = [`cluster entry: ${podName(entry)}`];
  const actions: Action[] = [];
  const model = new ClusterModel(entry.node.nodes, up);
  const waitAll = () => actions.push({ kind: "wait", pods: model.memberPods() });
  const others = (pod: number) => model.memberPods().filter((p) => p !== pod);
  const holes = uncovered(model.all().flatMap((x) => x.slots));

  // Nodes in the cluster that are not desired: forgotten when gone, refused when they still run.
  const undesired = model.all().filter((x) => x.pod === undefined);
  for (const x of undesired) {
    if (obs.alive[x.id] === true) {
      throw new PlanRefused(
        `${nodeName(x)} is in the cluster and running but is not one of the ${n} desired nodes; run the drain first`,
      );
    }
    if (x.master && model.slotsHeld(x) > 0) {
      throw new PlanRefused(
        `${nodeName(x)} is gone but still owns ${model.slotsHeld(x)} slots (no replica took over); restore it, ` +
          "or run redis-cli --cluster fix knowingly",
      );
    }
  }
  for (const x of undesired) {
    notes.push(`${nodeName(x)} is not desired and not reachable: forgetting it`);
    for (const replica of model.replicasOf(x).filter((y) => y.pod !== undefined)) {
      const target = model.fewestReplicas(
        model.masters().filter((y) => y !== x),
        replica,
      );
      if (target === undefined) throw new PlanRefused(`no master is left for ${nodeName(replica)} to follow`);
      actions.push({ kind: "replicate", pod: replica.pod!, master: target.pod! });
      model.replicate(replica, target);
    }
    actions.push({
      kind: "forget",
      id: x.id,
      on: model
        .all()
        .filter((y) => y.pod !== undefined && !y.failing)
        .map((y) => y.pod!),
    });
    model.remove(x);
  }

  const members = up.filter((p) => model.get(p.node.id) !== undefined);
  const why = unsettled(members);
  if (why !== undefined) {
    notes.push(`waiting: ${why}`);
    actions.push({ kind: "wait", pods: members.map((p) => p.ordinal) });
    return { actions, notes };
  }
  if (holes.length > 0) {
    // Not "fixed": that would hand them to empty masters and hide a lost master.
    throw new PlanRefused(
      `the cluster seen from ${podName(entry)} leaves slots ${formatRanges(holes.slice(0, 5))}` +
        `${holes.length > 5 ? " ..." : ""} without an owner; not changing the cluster`,
    );
  }
  const open = openSlots(members);
  if (open.length > 0) {
    notes.push(`open slots found (${open.slice(0, 3).join("; ")}): fixing them`);
    actions.push({ kind: "fixOpenSlots", via: entry.ordinal }, { kind: "wait", pods: members.map((p) => p.ordinal) });
    return { actions, notes };
  }

  // Desired pods outside the cluster are new. Each is reset first (a fresh node id: one CLUSTER FORGET removed is
  // refused for 60 s). A stale one (a volume kept from an earlier life) is emptied too, now that the cluster serves
  // every slot; except a master holding keys that knows other nodes (a cluster of its own), left to a human.
  const fresh = up.filter((p) => model.get(p.node.id) === undefined);
  for (const p of fresh) {
    const s = p.node;
    if (s.keys > 0 && s.knownNodes > 1 && s.role !== "slave") {
      throw new PlanRefused(
        `${podName(p)} is not in the cluster but is a master holding ${s.keys} keys in a cluster of ` +
          `${s.knownNodes} nodes; inspect it, then FLUSHALL and CLUSTER RESET HARD it`,
      );
    }
    const stale = s.knownNodes > 1 || s.slotsAssigned > 0 || s.keys > 0;
    notes.push(
      stale
        ? `${podName(p)} is not in the cluster and has stale state (${s.keys} keys, ${s.slotsAssigned} slots, ` +
            `${s.knownNodes} known nodes): discarding it`
        : `${podName(p)} is new`,
    );
    actions.push({ kind: "reset", pod: p.ordinal });
  }

  const diff = model.differences(m, r, n);
  if (diff.length === 0) {
    notes.push(
      `already converged, nothing to do: all 16384 slots covered; ${m} masters x ${r} replica(s): ${summary(model)}`,
    );
    return { actions, notes };
  }
  notes.push(`to do: ${diff.join("; ")}`);

  // Too few masters: new nodes join as masters; without new nodes, a replica of the master with the most replicas
  // leaves the cluster, is reset, and joins again as a master.
  const queue = [...fresh];
  let rebalance = false;
  while (model.masters().length < m) {
    const via = model.masters()[0]!.pod!;
    const p = queue.shift();
    if (p !== undefined) {
      notes.push(`adding ${podName(p)} as a master`);
      actions.push({ kind: "meet", pod: p.ordinal, via });
      model.join(p.ordinal, p.host);
    } else {
      const best = model
        .masters()
        .filter((x) => model.replicasOf(x).length > 0)
        .sort((a, b) => model.replicasOf(b).length - model.replicasOf(a).length)[0];
      if (best === undefined) {
        throw new PlanRefused(
          `${model.masters().length} masters, want ${m}, and no new node or replica can become a master`,
        );
      }
      const victim = model.replicasOf(best)[0]!;
      notes.push(`turning replica ${nodeName(victim)} of ${nodeName(best)} into a master`);
      actions.push({ kind: "removeNode", pod: victim.pod!, on: others(victim.pod!) });
      model.remove(victim);
      actions.push({ kind: "meet", pod: victim.pod!, via });
      model.join(victim.pod!, victim.host!);
    }
    rebalance = true;
  }
  if (rebalance) waitAll();

  // Too many masters (only after unusual failovers): the ones with the fewest slots are emptied and follow others.
  if (model.masters().length > m) {
    const ranked = [...model.masters()].sort((a, b) => model.slotsHeld(a) - model.slotsHeld(b) || b.pod! - a.pod!);
    const surplus = ranked.slice(0, ranked.length - m);
    const keep = ranked.slice(ranked.length - m);
    notes.push(`${ranked.length} masters, want ${m}: moving the slots off ${surplus.map(nodeName).join(", ")}`);
    for (const s of surplus) {
      actions.push({ kind: "replicaMigration", pod: s.pod!, allow: false });
      for (const replica of model.replicasOf(s)) {
        const target = model.fewestReplicas(keep, replica)!;
        actions.push({ kind: "replicate", pod: replica.pod!, master: target.pod! });
        model.replicate(replica, target);
      }
    }
    moveSlots(model, actions, keep, surplus);
    waitAll();
    for (const s of surplus) {
      const target = model.fewestReplicas(keep, s)!;
      actions.push({ kind: "replicate", pod: s.pod!, master: target.pod! });
      model.replicate(s, target);
      // The option is not set in redis.conf: yes is its default (redis 7.2.6:src/config.c).
      actions.push({ kind: "replicaMigration", pod: s.pod!, allow: true });
    }
    waitAll();
  }

  if (rebalance || model.masters().some((x) => !fairShare(model.slotsHeld(x), m))) {
    notes.push(`rebalancing slots onto all ${m} masters`);
    if (moveSlots(model, actions, model.masters(), [])) waitAll();
  }

  // Remaining new nodes become replicas of the masters lacking replicas.
  const ms = model.masters();
  if (queue.length > 0) {
    for (const p of queue) {
      actions.push({ kind: "meet", pod: p.ordinal, via: ms[0]!.pod! });
      model.join(p.ordinal, p.host);
    }
    waitAll();
    for (const p of queue) {
      const replica = model.atPod(p.ordinal)!;
      const target = model.fewestReplicas(ms, replica)!;
      if (model.replicasOf(target).length >= r) {
        throw new PlanRefused(`${podName(p)} is left over: every master already has ${r} replica(s)`);
      }
      notes.push(`adding ${podName(p)} as a replica of ${nodeName(target)}`);
      actions.push({ kind: "replicate", pod: p.ordinal, master: target.pod! });
      model.replicate(replica, target);
    }
    waitAll();
  }

  // Replicas move from masters with more than R to masters with fewer.
  let moved = false;
  for (;;) {
    const over = ms.find((x) => model.replicasOf(x).length > r);
    const under = ms.find((x) => model.replicasOf(x).length < r);
    if (over === undefined || under === undefined) break;
    const victim = model
      .replicasOf(over)
      .sort((a, b) => Number(a.host === under.host) - Number(b.host === under.host))[0]!;
    notes.push(`replica ${nodeName(victim)} moves from ${nodeName(over)} to ${nodeName(under)}`);
    actions.push({ kind: "replicate", pod: victim.pod!, master: under.pod! });
    model.replicate(victim, under);
    moved = true;
  }
  if (moved) waitAll();
  return { actions, notes };
}

/**
 * Moves that leave `receivers` with even shares (the most-loaded keep the larger ones) and `emptied` with none.
 * Returns whether any slot moves.
 */
export function moveSlots(
  model: ClusterModel,
  actions: Action[],
  receivers: readonly ModelNode[],
  emptied: readonly ModelNode[],
): boolean {
  const ranked = [...receivers].sort((a, b) => model.slotsHeld(b) - model.slotsHeld(a) || a.pod! - b.pod!);
  const shares = evenShares(ranked.length);
  const moves = balanceMoves([
    ...ranked.map((key, i) => ({ key, slots: key.slots, target: shares[i]! })),
    ...emptied.map((key) => ({ key, slots: key.slots, target: 0 })),
  ]);
  for (const mv of moves) {
    actions.push({ kind: "moveSlots", from: mv.from.pod!, to: mv.to.pod!, slots: mv.slots });
    model.move(mv.from, mv.to, mv.slots);
  }
  return moves.length > 0;
}

/** "a1b2c3d4[5461 slots, 1 replica(s)] ...": the masters, for the log. */
export function summary(model: ClusterModel): string {
  return model
    .masters()
    .map(
      (x) =>
        `${x.pod === undefined ? short(x.id) : `pod ${x.pod}`}[${slotCount(x.slots)} slots, ${model.replicasOf(x).length} replica(s)]`,
    )
    .join(" ");
}
