/**
 * The cluster as the planners track it while they plan: built from the entry's CLUSTER NODES, then changed by each
 * step they add, so later steps are decided on the state the earlier ones leave. Masters and replicas come from
 * CLUSTER NODES, never from ordinals (after failovers any ordinal may be a master); ordinals only say where a node
 * runs.
 */
import { isFailing, isMaster, slotCount, type ClusterNode, type SlotRange } from "../../lib/redis/clusterNodes";
import { short, type Answered } from "./observation";
import { fairShare, plus, without } from "./slots";

export interface ModelNode {
  /** Its node id; `planned:<pod>` once a planned reset gives it a new one. */
  id: string;
  /** The pod it runs on, when it is one of the pods looked at. */
  pod?: number;
  host?: string;
  master: boolean;
  masterId: string | null;
  slots: SlotRange[];
  failing: boolean;
  /** Its address as the entry sees it (for nodes that are no pod). */
  address: string;
}

export const nodeName = (n: ModelNode): string =>
  n.pod === undefined ? `node ${short(n.id)} (${n.address})` : `pod ${n.pod}`;

const byPod = (a: ModelNode, b: ModelNode) => (a.pod ?? Infinity) - (b.pod ?? Infinity) || a.id.localeCompare(b.id);

export class ClusterModel {
  private readonly nodes = new Map<string, ModelNode>();

  constructor(view: readonly ClusterNode[], pods: readonly Answered[]) {
    const podOf = new Map(pods.map((p) => [p.node.id, p]));
    for (const n of view) {
      const pod = podOf.get(n.id);
      this.nodes.set(n.id, {
        id: n.id,
        pod: pod?.ordinal,
        host: pod?.host,
        master: isMaster(n),
        masterId: n.masterId,
        slots: [...n.slots],
        failing: isFailing(n),
        address: `${n.hostname || n.ip}:${n.port}`,
      });
    }
  }

  all(): ModelNode[] {
    return [...this.nodes.values()].sort(byPod);
  }

  get(id: string): ModelNode | undefined {
    return this.nodes.get(id);
  }

  atPod(pod: number): ModelNode | undefined {
    return this.all().find((n) => n.pod === pod);
  }

  /** Pods in the cluster, in order. */
  memberPods(): number[] {
    return this.all().flatMap((n) => (n.pod === undefined ? [] : [n.pod]));
  }

  /** Healthy masters, in pod order. */
  masters(): ModelNode[] {
    return this.all().filter((n) => n.master && !n.failing);
  }

  /** Healthy replicas following `master`. */
  replicasOf(master: ModelNode): ModelNode[] {
    return this.all().filter((n) => !n.master && !n.failing && n.masterId === master.id);
  }

  slotsHeld(n: ModelNode): number {
    return slotCount(n.slots);
  }

  /**
   * Of `candidates`, the master `replica` should follow: the fewest replicas first, then one on another host than
   * the replica (never its own pod), then the lowest ordinal.
   */
  fewestReplicas(candidates: readonly ModelNode[], replica: { pod?: number; host?: string }): ModelNode | undefined {
    const sameHost = (m: ModelNode) => (replica.host !== undefined && m.host === replica.host ? 1 : 0);
    return candidates
      .filter((m) => m.pod === undefined || m.pod !== replica.pod)
      .map((m) => ({ m, key: [this.replicasOf(m).length, sameHost(m), m.pod ?? Infinity] }))
      .sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.key[2]! - b.key[2]!)[0]?.m;
  }

  // --- the effect of each planned step ---------------------------------------------------------------------------

  /** A pod joins as an empty master (after a reset: a new id). */
  join(pod: number, host: string): ModelNode {
    const node: ModelNode = {
      id: `planned:${pod}`,
      pod,
      host,
      master: true,
      masterId: null,
      slots: [],
      failing: false,
      address: host,
    };
    this.nodes.set(node.id, node);
    return node;
  }

  replicate(node: ModelNode, master: ModelNode): void {
    if (this.slotsHeld(node) > 0) throw new Error(`${nodeName(node)} holds slots; it cannot become a replica`);
    node.master = false;
    node.masterId = master.id;
  }

  move(from: ModelNode, to: ModelNode, slots: readonly SlotRange[]): void {
    from.slots = without(from.slots, slots);
    to.slots = plus(to.slots, slots);
  }

  /** The replica takes over its master's slots and replicas; the old master follows it. */
  failover(replica: ModelNode): void {
    const old = this.nodes.get(replica.masterId ?? "");
    if (old === undefined) throw new Error(`${nodeName(replica)} follows no known master`);
    for (const r of this.replicasOf(old)) r.masterId = replica.id;
    replica.master = true;
    replica.masterId = null;
    replica.slots = old.slots;
    old.master = false;
    old.masterId = replica.id;
    old.slots = [];
  }

  remove(node: ModelNode): void {
    if (node.master && this.slotsHeld(node) > 0) {
      throw new Error(`${nodeName(node)} still owns ${this.slotsHeld(node)} slots; it cannot be removed`);
    }
    this.nodes.delete(node.id);
  }

  /**
   * What differs from M healthy masters with a fair share of slots each and exactly R healthy replicas, with the
   * desired pods and only them in the cluster; empty when converged. (reconcile.sh's topology_ok.)
   */
  differences(masters: number, replicas: number, desiredPods: number): string[] {
    const out: string[] = [];
    const ms = this.masters();
    if (ms.length !== masters) out.push(`${ms.length} masters, want ${masters}`);
    for (const m of ms) {
      const n = this.replicasOf(m).length;
      if (n !== replicas) out.push(`master ${nodeName(m)} has ${n} replicas, want ${replicas}`);
      const s = this.slotsHeld(m);
      if (!fairShare(s, masters))
        out.push(`master ${nodeName(m)} has ${s} slots, about ${Math.floor(16384 / masters)} wanted`);
    }
    const present = new Set(this.memberPods());
    for (let i = 0; i < desiredPods; i++) if (!present.has(i)) out.push(`pod ${i} is not in the cluster`);
    for (const n of this.all()) {
      if (n.pod === undefined || n.pod >= desiredPods) out.push(`${nodeName(n)} is not a desired node`);
      else if (n.failing) out.push(`${nodeName(n)} is failing`);
    }
    return out;
  }
}
