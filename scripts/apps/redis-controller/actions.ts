/**
 * The steps a plan is made of. Pods are named by ordinal (a pod's node id changes when it is reset); only a node
 * that is no pod (gone for good) is named by its id. runner.ts executes each one.
 */
import type { SlotRange } from "../../lib/redis/clusterNodes";
import { formatRanges } from "./slots";

export type Action =
  /** FLUSHALL (unless a replica: it cannot write), CLUSTER RESET HARD (a new node id), FLUSHALL (to the AOF). */
  | { readonly kind: "reset"; readonly pod: number }
  /** CLUSTER MEET from `via` to the pod: it joins the cluster as an empty master. */
  | { readonly kind: "meet"; readonly pod: number; readonly via: number }
  /** CLUSTER ADDSLOTSRANGE: a new cluster's slots. */
  | { readonly kind: "assignSlots"; readonly pod: number; readonly slots: readonly SlotRange[] }
  /** CLUSTER REPLICATE: the pod follows the master at pod `master`. */
  | { readonly kind: "replicate"; readonly pod: number; readonly master: number }
  /** Slot by slot: IMPORTING, MIGRATING, MIGRATE the keys, then NODE on the target, the source, every master. */
  | { readonly kind: "moveSlots"; readonly from: number; readonly to: number; readonly slots: readonly SlotRange[] }
  /** CLUSTER FAILOVER on a replica, until it is master. */
  | { readonly kind: "failover"; readonly pod: number }
  /**
   * CONFIG SET cluster-allow-replica-migration: off on a master about to be emptied, or the last slot's move turns
   * it into a replica of the receiver (redis 7.2.6:src/cluster.c, CLUSTER SETSLOT NODE and
   * clusterUpdateSlotsConfigWith).
   */
  | { readonly kind: "replicaMigration"; readonly pod: number; readonly allow: boolean }
  /** CLUSTER FORGET on each pod in `on`: a node that is gone. */
  | { readonly kind: "forget"; readonly id: string; readonly on: readonly number[] }
  /** CLUSTER FORGET the pod's node on each pod in `on`, then reset it (redis-cli --cluster del-node, then reset). */
  | { readonly kind: "removeNode"; readonly pod: number; readonly on: readonly number[] }
  /** redis-cli --cluster fix through `via`: closes the slots an interrupted migration left open. */
  | { readonly kind: "fixOpenSlots"; readonly via: number }
  /**
   * Until these pods agree (observation.ts unsettled); `known`: only that they know each other (a new cluster before
   * it has slots, whose state is fail until then).
   */
  | { readonly kind: "wait"; readonly pods: readonly number[]; readonly known?: true };

export interface Plan {
  readonly actions: readonly Action[];
  /** What the planner saw and decided, for the log. */
  readonly notes: readonly string[];
}

/** Thrown by a planner that will not touch the cluster; `retryable` when a later look may differ. */
export class PlanRefused extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "PlanRefused";
  }
}

const pods = (list: readonly number[]) => `pod${list.length === 1 ? "" : "s"} ${list.join(", ")}`;

/** One line per action, for the log. */
export function describe(a: Action): string {
  switch (a.kind) {
    case "reset":
      return `reset pod ${a.pod} (flush, CLUSTER RESET HARD)`;
    case "meet":
      return `pod ${a.pod} meets the cluster through pod ${a.via}`;
    case "assignSlots":
      return `pod ${a.pod} takes slots ${formatRanges(a.slots)}`;
    case "replicate":
      return `pod ${a.pod} replicates pod ${a.master}`;
    case "moveSlots":
      return `move slots ${formatRanges(a.slots)} from pod ${a.from} to pod ${a.to}`;
    case "failover":
      return `fail over to pod ${a.pod}`;
    case "replicaMigration":
      return `cluster-allow-replica-migration ${a.allow ? "yes" : "no"} on pod ${a.pod}`;
    case "forget":
      return `forget node ${a.id.slice(0, 8)} on ${pods(a.on)}`;
    case "removeNode":
      return `remove pod ${a.pod} from the cluster (forgotten on ${pods(a.on)}), then reset it`;
    case "fixOpenSlots":
      return `redis-cli --cluster fix through pod ${a.via}`;
    case "wait":
      return `wait until ${pods(a.pods)} ${a.known ? "know each other" : "agree"}`;
  }
}
