/**
 * A model of a Redis Cluster of StatefulSet pods, for the controller's planners: it renders each pod's answers
 * (CLUSTER NODES text in redis 7's format, parsed by the shared parser, CLUSTER INFO, DBSIZE, ROLE) as the
 * observation the planners read, and applies their actions the way the servers would, refusing what the servers
 * refuse or what would lose data:
 *
 *   - a slot without an owner, at any step after the cluster first covered all 16384;
 *   - a master removed (reset, forgotten) while it owns slots, or a node forgotten by its own replica;
 *   - a node forgotten on only some members (the others would teach it back);
 *   - a replica placed on its own master's pod; a meet of a node that is not empty and alone.
 *
 * Every node agrees at once (gossip is instant), so a wait only checks that its pods are up and together.
 * Each node holds one key per slot it serves (a replica as many as its master), so keys go where slots go.
 */
import { SLOT_COUNT, parseClusterNodes, slotCount, type SlotRange } from "../../scripts/lib/redis/clusterNodes";
import type { Action } from "../../scripts/apps/redis-controller/actions";
import type { ClusterObservation, PodView } from "../../scripts/apps/redis-controller/observation";
import { formatRanges, plus, uncovered, without } from "../../scripts/apps/redis-controller/slots";

export interface SimPod {
  readonly ordinal: number;
  readonly host: string;
  readonly port: number;
}

interface Member {
  readonly id: string;
  /** The pod whose current node this is; undefined once that pod was reset (a ghost: noaddr, failing). */
  pod?: number;
  master: boolean;
  masterId: string | null;
  slots: SlotRange[];
}

interface Group {
  readonly members: Map<string, Member>;
  /** Set once the group covered every slot: from then on it must always. */
  covered: boolean;
}

interface PodState {
  up: boolean;
  id: string;
  group: Group;
  /** Keys of a node alone (a stale volume); members' keys follow their slots. */
  staleKeys: number;
  replicaMigration: boolean;
}

export class SimViolation extends Error {}

let counter = 0;
/** Ids whose first 8 digits (what messages show) count up: 00000001fff...f. */
const newId = () => `${(++counter).toString(16).padStart(8, "0")}${"f".repeat(32)}`;

export class RedisClusterSim {
  private readonly pods = new Map<number, PodState>();
  /** [replica host, master host] of every replicate step, for the placement property. */
  readonly placements: { replica: SimPod; master: SimPod }[] = [];

  constructor(readonly layout: (ordinal: number) => SimPod) {}

  /** Starts pod `i`: a fresh empty node the first time, the same node again after a stop. */
  start(i: number): void {
    const known = this.pods.get(i);
    if (known !== undefined) {
      known.up = true;
      // Forgotten while down: nobody lists it any more; it comes back alone (knowing the others is not modelled).
      if (!known.group.members.has(known.id)) {
        known.group = {
          members: new Map([[known.id, { id: known.id, pod: i, master: true, masterId: null, slots: [] }]]),
          covered: false,
        };
      }
      return;
    }
    const id = newId();
    const group: Group = {
      members: new Map([[id, { id, pod: i, master: true, masterId: null, slots: [] }]]),
      covered: false,
    };
    this.pods.set(i, { up: true, id, group, staleKeys: 0, replicaMigration: true });
  }

  /** Stops pod `i` (a kill): its cluster marks it failing; a failed master's first replica takes over. */
  stop(i: number, failover = false): void {
    const p = this.state(i);
    p.up = false;
    const me = p.group.members.get(p.id);
    if (me === undefined) return; // forgotten by its cluster already
    const replica = this.replicasOf(p.group, me.id).find((r) => r.pod !== undefined && this.pods.get(r.pod)!.up);
    if (failover && me.master && replica !== undefined) this.promote(p.group, replica);
  }

  /** The pod is gone with its volume (a StatefulSet shrunk): nothing answers there any more. */
  delete(i: number): void {
    const p = this.state(i);
    p.up = false;
    this.pods.delete(i);
  }

  /** A stale node: alone, claiming `slots` for `keys` keys (a volume from an earlier life). */
  makeStale(i: number, slots: SlotRange[], keys: number): void {
    const p = this.state(i);
    const me = p.group.members.get(p.id)!;
    if (p.group.members.size > 1) throw new Error("makeStale: pod is in a cluster");
    me.slots = slots;
    p.staleKeys = keys;
  }

  observe(masters: number, replicasPerMaster: number, probe = 0, waitSeconds = 300): ClusterObservation {
    const n = masters * (1 + replicasPerMaster);
    const pods: PodView[] = [];
    for (let i = 0; i < n + probe; i++) pods.push(this.view(i));
    const alive: Record<string, boolean> = {};
    const seen = new Set(pods.flatMap((p) => (p.node ? [p.node.id] : [])));
    for (const [, p] of this.pods) {
      for (const m of p.group.members.values()) {
        // Alive: its address answers with its id (a pod reset or replaced answers with another).
        if (!seen.has(m.id)) alive[m.id] = !this.failing(m);
      }
    }
    return { masters, replicasPerMaster, pods, alive, waitSeconds };
  }

  /** Members of the cluster pod `i` is in (ghosts without a pod), for assertions. */
  members(i: number): readonly Readonly<Member>[] {
    return [...this.state(i).group.members.values()];
  }

  run(actions: readonly Action[]): void {
    for (const a of actions) {
      this.apply(a);
      for (const g of new Set([...this.pods.values()].map((p) => p.group))) this.checkCoverage(g, a);
    }
  }

  // --- internals -------------------------------------------------------------------------------------------------

  private state(i: number): PodState {
    const p = this.pods.get(i);
    if (p === undefined) throw new SimViolation(`pod ${i} does not exist`);
    return p;
  }

  private up(i: number, a: Action): PodState {
    const p = this.state(i);
    if (!p.up) throw new SimViolation(`${describeAction(a)}: pod ${i} is down`);
    return p;
  }

  private replicasOf(g: Group, id: string): Member[] {
    return [...g.members.values()].filter((m) => !m.master && m.masterId === id);
  }

  private failing(m: Member): boolean {
    return m.pod === undefined || this.pods.get(m.pod)?.up !== true || this.pods.get(m.pod)?.id !== m.id;
  }

  private keysOf(p: PodState): number {
    const me = p.group.members.get(p.id)!;
    if (p.group.members.size === 1) return p.staleKeys;
    const owner = me.master ? me : p.group.members.get(me.masterId ?? "");
    return owner === undefined ? 0 : slotCount(owner.slots);
  }

  private view(i: number): PodView {
    const pod = this.layout(i);
    const p = this.pods.get(i);
    if (p === undefined || !p.up) return { ...pod, exists: p !== undefined, error: "ECONNREFUSED" };
    const g = p.group;
    const lines = [...g.members.values()].map((m) => {
      const at =
        m.pod === undefined
          ? ":0@0"
          : `${this.layout(m.pod).host}:${this.layout(m.pod).port}@1${this.layout(m.pod).port}`;
      const flags = [
        ...(m.id === p.id ? ["myself"] : []),
        m.master ? "master" : "slave",
        ...(m.id !== p.id && this.failing(m) ? ["fail"] : []),
        ...(m.pod === undefined ? ["noaddr"] : []),
      ];
      return `${m.id} ${at} ${flags.join(",")} ${m.masterId ?? "-"} 0 0 1 connected ${formatRanges(m.slots)}`.trim();
    });
    const assigned = [...g.members.values()].flatMap((m) => m.slots);
    const healthy = [...g.members.values()].filter((m) => m.master && !this.failing(m)).flatMap((m) => m.slots);
    const me = g.members.get(p.id)!;
    return {
      ...pod,
      exists: true,
      node: {
        id: p.id,
        nodes: parseClusterNodes(lines.join("\n")),
        slotsAssigned: SLOT_COUNT - slotCount(uncovered(assigned)),
        knownNodes: g.members.size,
        stateOk: uncovered(healthy).length === 0,
        keys: this.keysOf(p),
        role: me.master ? "master" : "slave",
        linkUp: !me.master,
      },
    };
  }

  private checkCoverage(g: Group, a: Action): void {
    const holes = uncovered([...g.members.values()].flatMap((m) => m.slots));
    if (holes.length === 0) g.covered = true;
    else if (g.covered)
      throw new SimViolation(`${describeAction(a)}: slots ${formatRanges(holes.slice(0, 3))} have no owner`);
  }

  private promote(g: Group, replica: Member): void {
    const old = g.members.get(replica.masterId!)!;
    for (const r of this.replicasOf(g, old.id)) r.masterId = replica.id;
    Object.assign(replica, { master: true, masterId: null, slots: old.slots });
    Object.assign(old, { master: false, masterId: replica.id, slots: [] });
  }

  private leave(p: PodState, a: Action): void {
    const me = p.group.members.get(p.id)!;
    if (me.master && me.slots.length > 0 && p.group.members.size > 1) {
      throw new SimViolation(`${describeAction(a)}: pod ${me.pod} is a master owning ${formatRanges(me.slots)}`);
    }
    if (p.group.members.size > 1) me.pod = undefined; // a ghost in the cluster it leaves
    const id = newId();
    p.id = id;
    p.group = {
      members: new Map([
        [id, { id, pod: [...this.pods].find(([, s]) => s === p)![0], master: true, masterId: null, slots: [] }],
      ]),
      covered: false,
    };
    p.staleKeys = 0;
    p.replicaMigration = true;
  }

  private forget(g: Group, id: string, on: readonly number[], a: Action): void {
    const gone = g.members.get(id);
    if (gone === undefined) return;
    if (gone.master && gone.slots.length > 0) throw new SimViolation(`${describeAction(a)}: it owns slots`);
    for (const m of g.members.values()) {
      if (m.id === id || this.failing(m)) continue;
      if (!on.includes(m.pod!)) throw new SimViolation(`${describeAction(a)}: pod ${m.pod} was not told to forget it`);
      if (m.masterId === id) throw new SimViolation(`${describeAction(a)}: pod ${m.pod} replicates it`);
    }
    g.members.delete(id);
  }

  private member(i: number, a: Action): Member {
    const p = this.up(i, a);
    return p.group.members.get(p.id)!;
  }

  private apply(a: Action): void {
    switch (a.kind) {
      case "reset":
        return this.leave(this.up(a.pod, a), a);
      case "meet": {
        const p = this.up(a.pod, a);
        const via = this.up(a.via, a);
        const me = p.group.members.get(p.id)!;
        if (p.group.members.size > 1 || me.slots.length > 0 || p.staleKeys > 0) {
          throw new SimViolation(`${describeAction(a)}: pod ${a.pod} is not empty and alone`);
        }
        via.group.members.set(me.id, me);
        p.group = via.group;
        return;
      }
      case "assignSlots": {
        const me = this.member(a.pod, a);
        const g = this.state(a.pod).group;
        const taken = [...g.members.values()].flatMap((m) => m.slots);
        if (without(a.slots, uncovered(taken)).length > 0) {
          throw new SimViolation(`${describeAction(a)}: some of these slots have an owner`);
        }
        me.slots = plus(me.slots, a.slots);
        return;
      }
      case "replicate": {
        const me = this.member(a.pod, a);
        const master = this.member(a.master, a);
        if (this.state(a.pod).group !== this.state(a.master).group || !master.master || a.pod === a.master) {
          throw new SimViolation(`${describeAction(a)}: not a master in the same cluster`);
        }
        if (me.slots.length > 0 || this.replicasOf(this.state(a.pod).group, me.id).length > 0) {
          throw new SimViolation(`${describeAction(a)}: pod ${a.pod} owns slots or has replicas`);
        }
        Object.assign(me, { master: false, masterId: master.id });
        this.placements.push({ replica: this.layout(a.pod), master: this.layout(a.master) });
        return;
      }
      case "moveSlots": {
        const from = this.member(a.from, a);
        const to = this.member(a.to, a);
        if (!from.master || !to.master || this.state(a.from).group !== this.state(a.to).group) {
          throw new SimViolation(`${describeAction(a)}: not two masters of one cluster`);
        }
        if (without(a.slots, from.slots).length > 0) throw new SimViolation(`${describeAction(a)}: not all its slots`);
        from.slots = without(from.slots, a.slots);
        to.slots = plus(to.slots, a.slots);
        // Emptied with replica migration on, it follows the receiver (redis 7.2.6 cluster.c SETSLOT NODE).
        // Its replicas follow the new owner too (clusterUpdateSlotsConfigWith: "our master is left without slots").
        if (from.slots.length === 0 && this.state(a.from).replicaMigration) {
          for (const r of this.replicasOf(this.state(a.from).group, from.id)) r.masterId = to.id;
          Object.assign(from, { master: false, masterId: to.id });
        }
        return;
      }
      case "failover": {
        const me = this.member(a.pod, a);
        if (me.master) throw new SimViolation(`${describeAction(a)}: pod ${a.pod} is a master`);
        return this.promote(this.state(a.pod).group, me);
      }
      case "replicaMigration":
        this.up(a.pod, a).replicaMigration = a.allow;
        return;
      case "forget": {
        const holder = [...this.pods.values()].find((p) => p.group.members.has(a.id));
        if (holder !== undefined) this.forget(holder.group, a.id, a.on, a);
        return;
      }
      case "removeNode": {
        const p = this.up(a.pod, a);
        this.forget(p.group, p.id, a.on, a);
        const g = p.group;
        p.group = {
          members: new Map([[p.id, { id: p.id, pod: a.pod, master: true, masterId: null, slots: [] }]]),
          covered: false,
        };
        if (g.members.has(p.id)) throw new SimViolation(`${describeAction(a)}: still a member`);
        return this.leave(p, a);
      }
      case "fixOpenSlots":
        return;
      case "wait": {
        const groups = new Set(a.pods.map((i) => this.up(i, a).group));
        if (groups.size > 1) throw new SimViolation(`${describeAction(a)}: the pods are in ${groups.size} clusters`);
        return;
      }
    }
  }
}

function describeAction(a: Action): string {
  return JSON.stringify(a, (_k, v: unknown) => v).slice(0, 160);
}
