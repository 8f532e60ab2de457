/**
 * drain, BEFORE the StatefulSet is resized: on a scale-in, the steps that move every slot off the masters whose pods
 * go (ordinals >= N), move staying replicas off going masters, and remove the going nodes from the cluster, so the
 * pods can be deleted without losing a key. Empty on first creation or scale-out. Refuses when going pods exist but
 * the cluster cannot be reached, or a going node holds data it cannot move. (It keeps the rules of
 * infra/redis/scripts/reconcile.sh, the bash controller it replaced: see git history.)
 */
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
import { moveSlots } from "./planReconcile";
import { formatRanges, uncovered } from "./slots";

export function planDrain(obs: ClusterObservation): Plan {
  const { masters: m, replicasPerMaster: r } = obs;
  const n = desiredCount(obs);
  const actions: Action[] = [];
  const notes = [`drain: keeping ordinals 0..${n - 1} (${m} masters x (1 + ${r} replicas))`];
  const staying = obs.pods.filter((p) => p.ordinal < n);
  const goingPods = obs.pods.filter((p) => p.ordinal >= n);
  const goingUp = goingPods.filter(answered);
  const goingDown = goingPods.filter((p) => !answered(p) && p.exists);
  for (const p of goingUp) notes.push(`going ${podName(p)} answers`);
  for (const p of goingDown) notes.push(`going ${podName(p)} exists but does not answer: ${p.error ?? "no answer"}`);
  const stayingUp = staying.filter(answered);
  const entry = electEntry(stayingUp);
  const existing = [...goingUp, ...goingDown].map((p) => p.ordinal).sort((a, b) => a - b);
  const stayingRange = `ordinals 0..${n - 1}`;

  if (entry === undefined && existing.length > 0 && stayingUp.length === 0) {
    throw new PlanRefused(
      `going pods exist (ordinals ${existing.join(" ")}) but no staying node (${stayingRange}, e.g. ` +
        `${addr(staying[0]!)}) answers within ${obs.waitSeconds}s (last error: ${staying[0]?.error ?? "none"}); ` +
        "refusing to let the StatefulSet shrink blind",
      true,
    );
  }
  if (entry === undefined) {
    // No staying node is in a cluster: only empty, unclustered going pods may go.
    if (goingDown.length > 0) {
      throw new PlanRefused(
        `going pods ${goingDown.map((p) => p.ordinal).join(" ")} exist but do not answer, and no staying node ` +
          `(${stayingRange}) is in a cluster; cannot tell whether they hold data: refusing to let the StatefulSet shrink`,
      );
    }
    for (const p of goingUp) {
      if (p.node.slotsAssigned > 0 || p.node.knownNodes > 1 || p.node.keys > 0) {
        throw new PlanRefused(
          `going ${podName(p)} is in a cluster or holds keys, but no staying node (${stayingRange}) is in a ` +
            "cluster; refusing to let the StatefulSet shrink blind",
        );
      }
    }
    notes.push("no cluster among the staying nodes and no going pod holds data: nothing to drain");
    return { actions, notes };
  }

  notes.push(`cluster entry: ${podName(entry)}`);
  const known: Answered[] = [...stayingUp, ...goingUp];
  const model = new ClusterModel(entry.node.nodes, known);
  /** Going node id -> its ordinal; reachable ones are in `model` with that pod. */
  const going = new Map<string, number>();
  for (const p of goingUp) {
    if (model.get(p.node.id) !== undefined) going.set(p.node.id, p.ordinal);
    else if (p.node.slotsAssigned > 0 || p.node.keys > 0) {
      throw new PlanRefused(
        `going ${podName(p)} holds slots or keys but is not a member of the cluster seen from ${podName(entry)}; ` +
          "refusing to let it go",
      );
    } else notes.push(`going ${podName(p)} is not a member of the cluster: nothing to move off it`);
  }
  // Cluster nodes at a going pod's address that do not answer.
  for (const v of entry.node.nodes) {
    const x = model.get(v.id)!;
    if (x.pod !== undefined) continue;
    const at = goingPods.find((p) => v.port === p.port && (v.hostname === p.host || v.ip === p.host));
    if (at === undefined) continue;
    going.set(v.id, at.ordinal);
    notes.push(`cluster ${nodeName(x)} at going pod ${at.ordinal}'s address does not answer`);
  }
  // A member that is no pod looked at: a going pod beyond the probe would take its slots with it.
  for (const x of model.all().filter((y) => y.pod === undefined && !going.has(y.id) && !y.failing)) {
    if (x.master && model.slotsHeld(x) > 0) {
      throw new PlanRefused(
        `${nodeName(x)} owns ${model.slotsHeld(x)} slots but is neither a staying pod (${stayingRange}) nor a ` +
          `going pod looked at (ordinals ${n}..${n + goingPods.length - 1}); if its pod goes, raise REDIS_MAX_ORDINAL_PROBE`,
      );
    }
    notes.push(`${nodeName(x)} is no pod looked at: left as it is`);
  }
  if (going.size === 0) {
    notes.push("no going node is in the cluster: nothing to drain");
    return { actions, notes };
  }
  const isGoing = (x: ModelNode) => going.has(x.id);
  for (const [id, ordinal] of going) {
    const x = model.get(id)!;
    if (x.pod === undefined && x.master && model.slotsHeld(x) > 0) {
      throw new PlanRefused(
        `going node ${short(id)} (pod ${ordinal}) owns ${model.slotsHeld(x)} slots but cannot be reached; its ` +
          "slots cannot be moved",
      );
    }
  }

  const members = known.filter((p) => model.get(p.node.id) !== undefined);
  const memberPods = () => model.memberPods();
  const waitAll = () => actions.push({ kind: "wait", pods: memberPods() });
  const why = unsettled(members);
  if (why !== undefined) {
    notes.push(`waiting: ${why}`);
    waitAll();
    return { actions, notes };
  }
  const holes = uncovered(model.all().flatMap((x) => x.slots));
  if (holes.length > 0) {
    throw new PlanRefused(
      `the cluster seen from ${podName(entry)} leaves slots ${formatRanges(holes.slice(0, 5))} without an owner; ` +
        "not changing the cluster",
    );
  }
  const open = openSlots(members);
  if (open.length > 0) {
    notes.push(`open slots found (${open.slice(0, 3).join("; ")}): fixing them`);
    actions.push({ kind: "fixOpenSlots", via: entry.ordinal });
    waitAll();
    return { actions, notes };
  }

  const stayingMasters = () => model.masters().filter((x) => !isGoing(x));
  const goingMasters = () => model.all().filter((x) => x.master && isGoing(x));

  // Too few staying masters: promote staying replicas of going masters (no data moves; the going master becomes a
  // replica).
  for (const gm of goingMasters()) {
    if (stayingMasters().length >= m) break;
    if (model.slotsHeld(gm) === 0) continue;
    const replica = model.replicasOf(gm).find((x) => !isGoing(x) && x.pod !== undefined);
    if (replica === undefined) continue;
    notes.push(
      `only ${stayingMasters().length} of ${m} masters stay: failing over going master ${nodeName(gm)} to its ` +
        `staying replica ${nodeName(replica)}`,
    );
    actions.push({ kind: "failover", pod: replica.pod! });
    model.failover(replica);
    waitAll();
  }
  if (stayingMasters().length === 0) {
    throw new PlanRefused("no staying node is a master; nothing can take the going masters' slots");
  }

  // Every slot off the going masters, onto the staying ones.
  const full = goingMasters().filter((x) => model.slotsHeld(x) > 0);
  if (full.length > 0) {
    for (const gm of goingMasters().filter((x) => x.pod !== undefined)) {
      actions.push({ kind: "replicaMigration", pod: gm.pod!, allow: false });
    }
    notes.push(`moving the slots of ${full.length} going master(s) onto ${stayingMasters().length} staying master(s)`);
    moveSlots(model, actions, stayingMasters(), goingMasters());
    waitAll();
  }

  // No staying replica may follow a going master.
  for (const gm of goingMasters()) {
    for (const replica of model.replicasOf(gm).filter((x) => !isGoing(x) && x.pod !== undefined)) {
      const target = model.fewestReplicas(stayingMasters(), replica)!;
      notes.push(
        `staying replica ${nodeName(replica)} follows going master ${nodeName(gm)}: it now replicates ${nodeName(target)}`,
      );
      actions.push({ kind: "replicate", pod: replica.pod!, master: target.pod! });
      model.replicate(replica, target);
    }
  }

  // Remove the going nodes: replicas first (a removed master's replicas would be re-homed, maybe onto another going
  // master), unreachable ones by CLUSTER FORGET.
  const order = [...going.keys()].map((id) => model.get(id)!).sort((a, b) => Number(a.master) - Number(b.master));
  for (const x of order) {
    const on = memberPods().filter((p) => p !== x.pod);
    if (x.pod !== undefined) actions.push({ kind: "removeNode", pod: x.pod, on });
    else actions.push({ kind: "forget", id: x.id, on });
    model.remove(x);
  }
  waitAll();
  notes.push(`draining ${going.size} going node(s); ${stayingMasters().length} master(s) stay`);
  return { actions, notes };
}
