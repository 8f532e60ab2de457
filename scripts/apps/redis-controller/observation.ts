/**
 * What the controller sees: every pod's answer (CLUSTER NODES, CLUSTER INFO, DBSIZE, ROLE, its replication link),
 * gathered by observe.ts, and the pure readings the planners share: which node's view to trust (the majority
 * election), whether the members agree, where a pod is.
 */
import { isFailing, isMaster, isMyself, type ClusterNode } from "../../lib/redis/clusterNodes";

/** A pod that answered. */
export interface NodeState {
  /** CLUSTER MYID. */
  readonly id: string;
  /** Its CLUSTER NODES. */
  readonly nodes: readonly ClusterNode[];
  /** CLUSTER INFO cluster_slots_assigned, cluster_known_nodes, cluster_state == ok. */
  readonly slotsAssigned: number;
  readonly knownNodes: number;
  readonly stateOk: boolean;
  /** DBSIZE. */
  readonly keys: number;
  /** The first line of ROLE: "master" or "slave". */
  readonly role: string;
  /** INFO replication master_link_status is up (replicas). */
  readonly linkUp: boolean;
}

export interface PodView {
  readonly ordinal: number;
  readonly host: string;
  readonly port: number;
  /** It answered, or its host name resolves (a pod that exists but does not answer). */
  readonly exists: boolean;
  /** Why it did not answer. */
  readonly error?: string;
  /** Present when it answered. */
  readonly node?: NodeState;
}

export interface ClusterObservation {
  /** M. */
  readonly masters: number;
  /** R. */
  readonly replicasPerMaster: number;
  /** Pods 0..N-1 (desired), then the going ordinals probed by a drain. */
  readonly pods: readonly PodView[];
  /** Members of the entry's cluster that are no pod seen here: whether their address answers with their id. */
  readonly alive: Readonly<Record<string, boolean>>;
  /** The bound on waits, for messages. */
  readonly waitSeconds: number;
}

export const desiredCount = (o: { masters: number; replicasPerMaster: number }): number =>
  o.masters * (1 + o.replicasPerMaster);

export const addr = (p: { host: string; port: number }): string => `${p.host}:${p.port}`;
export const short = (id: string): string => id.slice(0, 8);
export const podName = (p: PodView): string => `pod ${p.ordinal} (${addr(p)})`;

export type Answered = PodView & { readonly node: NodeState };
export const answered = (p: PodView): p is Answered => p.node !== undefined;

/**
 * Of these pods, the one in a cluster (slots assigned) that most of them list in CLUSTER NODES: the cluster most
 * nodes agree on, never a stale node alone with the slots it claimed for its keys, or one that still lists nodes
 * that forgot it. The lowest ordinal on a tie; undefined when none is in a cluster. (reconcile.sh's pick_entry.)
 */
export function electEntry(pods: readonly PodView[]): Answered | undefined {
  const up = pods.filter(answered);
  let best: Answered | undefined;
  let bestVotes = 0;
  for (const p of up) {
    if (p.node.slotsAssigned <= 0) continue;
    const votes = up.filter((q) => q.node.nodes.some((n) => n.id === p.node.id)).length;
    if (votes > bestVotes || (votes === bestVotes && best !== undefined && p.ordinal < best.ordinal)) {
      best = p;
      bestVotes = votes;
    }
  }
  return best;
}

/** A node's view reduced to what members must agree on: ids, roles, masters and served slots of `ids`. */
function normalized(view: readonly ClusterNode[], ids: ReadonlySet<string>): string {
  return view
    .filter((n) => ids.has(n.id))
    .map(
      (n) =>
        `${n.id} ${isMaster(n) ? "master" : "slave"} ${n.masterId ?? "-"} ${n.slots.map((r) => `${r.from}-${r.to}`).join(",")}`,
    )
    .sort()
    .join("\n");
}

/**
 * Why these member pods are not settled yet, or undefined when they are: every one answers, sees the same members,
 * roles and slots with none of them failing, reports cluster_state:ok, and every replica's link is up.
 * With `knownOnly`, the views alone. (reconcile.sh's wait_agree; the runner's wait repeats this until it holds.)
 */
export function unsettled(members: readonly PodView[], knownOnly = false): string | undefined {
  const ids = new Set(members.flatMap((p) => (p.node ? [p.node.id] : [])));
  let first: string | undefined;
  for (const p of members) {
    if (!answered(p)) return `${podName(p)} does not answer${p.error ? `: ${p.error}` : ""}`;
    if (p.node.nodes.some((n) => ids.has(n.id) && isFailing(n))) return `${podName(p)} sees a failing node`;
    const view = normalized(p.node.nodes, ids);
    if (first === undefined) first = view;
    else if (view !== first) return `${podName(p)} does not agree yet about nodes and slots`;
  }
  if (knownOnly) return undefined;
  for (const p of members) {
    // A master that just joined or restarted answers CLUSTERDOWN for a while (2 s in 7.0), even to MIGRATE.
    if (!p.node!.stateOk) return `${podName(p)} does not report cluster_state:ok yet`;
  }
  for (const p of members) {
    if (p.node!.role === "slave" && !p.node!.linkUp) return `replica ${podName(p)} is not in sync with its master yet`;
  }
  return undefined;
}

/** Open slots (an interrupted migration) that any of these pods reports on its own line. */
export function openSlots(members: readonly PodView[]): string[] {
  return members.filter(answered).flatMap((p) => {
    const self = p.node.nodes.find(isMyself);
    if (self === undefined) return [];
    return [
      ...self.migrating.map((o) => `slot ${o.slot} migrating from ${podName(p)} to ${short(o.nodeId)}`),
      ...self.importing.map((o) => `slot ${o.slot} importing into ${podName(p)} from ${short(o.nodeId)}`),
    ];
  });
}
