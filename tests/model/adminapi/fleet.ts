/**
 * A MODEL of a fleet of MySQL 8.4 instances running Group Replication, for testing the gamedb AdminAPI scripts.
 * It is not MySQL: it keeps just the state the scripts observe and change (reachability, users and grants, system
 * variables and what a restart loads, a GTID counter, group membership, the InnoDB Cluster metadata each instance
 * holds, the user schemas it stores) and the rules the AdminAPI model (./api.ts) enforces over it.
 *
 * Time advances only through `tick()` (the model's os.sleep calls it): restarting instances come back, members in
 * distributed recovery become ONLINE.
 */

import { FleetCore } from "./fleetCore";
import { cloneMetadata, userKey } from "./instance";
import type { ClusterMetadata, GroupMemberState, GroupState, InstanceState } from "./instance";

export * from "./instance";

/** The model fleet: the core (./fleetCore.ts) plus the builders and faults tests use. */
export class Fleet extends FleetCore {
  // ---- builders and faults for tests ----

  /**
   * A healthy cluster over `members` (added as configured instances with the admin account when missing); the first
   * is the primary.
   */
  buildCluster(
    name: string,
    members: string[],
    admin: { user: string; password: string },
    opts: { gtidSetIsComplete?: boolean } = {},
  ): GroupState {
    const group = this.newGroup(name);
    const md: ClusterMetadata = {
      clusterName: name,
      members: [...members],
      gtidSetIsComplete: opts.gtidSetIsComplete ?? true,
      options: {},
    };
    members.forEach((a, i) => {
      const inst = this.has(a) ? this.get(a) : this.add(a, { admin });
      inst.configured = true;
      if (!inst.users.has(userKey(admin.user, "%")))
        inst.users.set(userKey(admin.user, "%"), this.newAdmin(admin.password));
      inst.gr = { groupId: group.id, state: "ONLINE", role: i === 0 ? "PRIMARY" : "SECONDARY", recoveringTicks: 0 };
      inst.metadata = cloneMetadata(md);
      group.view.push(a);
    });
    return group;
  }

  /**
   * mysqld on `address` dies (stays down until start()). The rest of the group expels it when they keep a majority;
   * otherwise it stays in the view, UNREACHABLE, and the group loses quorum.
   */
  crash(address: string): void {
    const inst = this.get(address);
    const group = this.groupOf(inst);
    inst.mysqldRunning = false;
    inst.downTicks = Infinity;
    this.afterLoss(inst, group);
  }

  /** The network no longer reaches `address` (mysqld keeps running; its Group Replication stops). */
  isolate(address: string): void {
    const inst = this.get(address);
    const group = this.groupOf(inst);
    inst.reachable = false;
    this.afterLoss(inst, group);
  }

  private afterLoss(inst: InstanceState, group: GroupState | undefined): void {
    if (!group) return;
    if (group.errorOnly) {
      this.dropErrorView(inst);
      inst.gr = null;
      return;
    }
    const others = group.view.filter((a) => a !== inst.address);
    const active = others.filter((a) => {
      const s = this.memberState(group, a);
      return s === "ONLINE" || s === "RECOVERING";
    });
    if (active.length * 2 > group.view.length) this.leaveGroup(inst.address);
    else inst.gr = null;
  }

  /**
   * mysqld on `address` stops answering but the group has not expelled it yet: it stays in the view, UNREACHABLE
   * (it counts against quorum).
   */
  suspect(address: string): void {
    const inst = this.get(address);
    inst.mysqldRunning = false;
    inst.downTicks = Infinity;
  }

  /** Restores the network to `address` (its Group Replication stays stopped: it is MISSING until rejoined). */
  heal(address: string): void {
    this.get(address).reachable = true;
  }

  /** Starts a crashed mysqld (it rejoins its group at boot when the group has quorum). */
  start(address: string): void {
    this.boot(this.get(address));
  }

  /**
   * `address` goes to Group Replication state ERROR (expelled with its auto-rejoin tries used up, or an applier
   * error): the rest of the group no longer has it in its view, and its own view (its
   * performance_schema.replication_group_members) holds only itself, in ERROR ("ERROR members aren't supposed to be
   * in the members list (except for itself)": mysql-shell 8.4.3 mysqlshdk/libs/mysql/group_replication.cc
   * has_quorum). Its Group Replication runs on until STOP GROUP_REPLICATION; it has no errant transactions.
   */
  memberError(address: string): void {
    const inst = this.get(address);
    const group = this.groupOf(inst);
    if (!group || group.errorOnly) throw new Error(`model: ${address} is not an active group member`);
    this.leaveGroup(address);
    const own = this.newGroup(group.name);
    own.errorOnly = true;
    own.view.push(address);
    inst.gr = { groupId: own.id, state: "ERROR", role: "SECONDARY", recoveringTicks: 0 };
  }

  /** STOP GROUP_REPLICATION on `address`: it leaves the group cleanly and is MISSING from the cluster. */
  stopGroupReplication(address: string): void {
    this.leaveGroup(address);
  }

  /** Every member of cluster `name` loses Group Replication (e.g. a power cut); mysqld runs again on each. */
  completeOutage(name: string): void {
    for (const g of this.groupsNamed(name)) {
      for (const a of g.view) this.get(a).gr = null;
      this.groups.delete(g.id);
    }
  }

  /** A snapshot of the membership, for assertions: member -> group state, and cluster names with > 1 group. */
  membership(name: string): Record<string, GroupMemberState> {
    const out: Record<string, GroupMemberState> = {};
    for (const g of this.groupsNamed(name)) for (const a of g.view) out[a] = this.memberState(g, a);
    return out;
  }
}
