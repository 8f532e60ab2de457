/**
 * A MODEL of a fleet of MySQL 8.4 instances running Group Replication, for testing the gamedb AdminAPI scripts.
 * It is not MySQL: it keeps just the state the scripts observe and change (reachability, users and grants, system
 * variables and what a restart loads, a GTID counter, group membership, the InnoDB Cluster metadata each instance
 * holds, the user schemas it stores) and the rules the AdminAPI model (./api.ts) enforces over it.
 *
 * Time advances only through `tick()` (the model's os.sleep calls it): restarting instances come back, members in
 * distributed recovery become ONLINE.
 */

import { addGrants, clusterAdminAccount } from "./privileges";

export type LocalGrState = "ONLINE" | "RECOVERING" | "ERROR" | "OFFLINE";
export type MemberRole = "PRIMARY" | "SECONDARY";
/** A member's state as the group sees it. */
export type GroupMemberState = LocalGrState | "UNREACHABLE";

export interface UserAccount {
  password: string;
  /** The retained password of a dual-password account (ALTER USER ... RETAIN CURRENT PASSWORD): it logs in too. */
  secondaryPassword?: string;
  /** "PRIVILEGE ON object", object as `*.*` or `db.*`. */
  grants: Set<string>;
  /** The grants held WITH GRANT OPTION (the account may give them to others), same form. */
  grantable?: Set<string>;
  /** "auth_socket": the operating-system user named by authAs logs in over the local socket, with no password. */
  plugin?: "auth_socket";
  authAs?: string;
}

/** One instance's copy of the InnoDB Cluster metadata schema (mysql_innodb_cluster_metadata). */
export interface ClusterMetadata {
  clusterName: string;
  members: string[];
  gtidSetIsComplete: boolean;
  options: Record<string, unknown>;
}

export interface InstanceState {
  address: string;
  /** The network reaches it (TCP connections can be made when mysqld runs). */
  reachable: boolean;
  mysqldRunning: boolean;
  /** dba.configureInstance has been applied (and any restart it needed has happened). */
  configured: boolean;
  /** dba.configureInstance needs a restart to finish on this instance. */
  configureNeedsRestart: boolean;
  /** configureInstance ran without restart and its changes wait for one. */
  configurePending: boolean;
  /** Accounts, keyed "user@host". root@localhost (auth_socket) is implicit. */
  users: Map<string, UserAccount>;
  /** Running values of global system variables. */
  globals: Record<string, string>;
  /** my.cnf: what a restart loads; these values replace `globals` at boot. */
  cnf: Record<string, string>;
  /**
   * mysqld-auto.cnf (SET PERSIST): loaded at boot after my.cnf, so a persisted value overrides my.cnf. SET GLOBAL
   * changes only `globals`; RESET PERSIST removes an entry here.
   */
  persisted: Record<string, string>;
  /** User schemas (anything but mysql, sys, information_schema, performance_schema and the metadata schema). */
  schemas: Set<string>;
  /** Fault: reading the metadata schema's tables fails (e.g. grants or tables damaged). */
  metadataUnreadable: boolean;
  /** Number of the group's transactions executed (gtid_executed is GROUP_UUID:1-N, gtids.ts). */
  gtidExecuted: number;
  /** Transactions of this instance's own uuid that the group never saw (errant GTIDs). */
  errantGtids: number;
  /** The group's transactions 1..N are no longer in this instance's binary logs (gtid_purged). */
  gtidPurged: number;
  /** Group Replication when running on this instance. */
  gr: { groupId: number; state: LocalGrState; role: MemberRole; recoveringTicks: number } | null;
  metadata: ClusterMetadata | null;
  /** Incremented at every mysqld start: sessions opened before a restart are dead after it. */
  bootId: number;
  /** Ticks until mysqld is up again after RESTART (0: not restarting). Infinity: stopped until start(). */
  downTicks: number;
  /** Ticks mysqld stays down after RESTART. */
  restartTicks: number;
  /** Ticks a joining member spends RECOVERING before it is ONLINE. */
  recoveryTicks: number;
  /** group_replication_start_on_boot (manualStartOnBoot: false): rejoin the group at boot when it can. */
  startOnBoot: boolean;
}

export interface GroupState {
  id: number;
  name: string;
  /** The group's membership view: members that joined and have not left or been expelled. */
  view: string[];
}

const DEFAULT_GLOBALS: Record<string, string> = {
  max_connections: "151",
  innodb_buffer_pool_size: "134217728",
  innodb_log_file_size: "50331648",
  binlog_expire_logs_seconds: "2592000",
  super_read_only: "OFF",
  group_replication_start_on_boot: "ON",
};

export function userKey(user: string, host: string): string {
  return `${user}@${host}`;
}

export interface NewInstanceOptions {
  configured?: boolean;
  /** Creates the cluster admin account (as configure-instance would) with this name/password. */
  admin?: { user: string; password: string };
  globals?: Record<string, string>;
  cnf?: Record<string, string>;
  reachable?: boolean;
  mysqldRunning?: boolean;
  configureNeedsRestart?: boolean;
  recoveryTicks?: number;
  restartTicks?: number;
  /** User schemas the instance holds. */
  schemas?: string[];
}

export class Fleet {
  readonly instances = new Map<string, InstanceState>();
  readonly groups = new Map<number, GroupState>();
  private nextGroupId = 1;
  /** Ticks so far. */
  clock = 0;
  /**
   * Privileges the cluster admin accounts this fleet creates (add({admin}), buildCluster) hold on *.* WITH GRANT
   * OPTION beyond what dba.configureInstance gives: [] is an admin as Shell makes it; gamedb's configure-instance adds
   * the backup privileges.
   */
  adminExtra: string[] = [];

  private newAdmin(password: string): UserAccount {
    const account = adminAccount(password);
    addGrants(account, this.adminExtra, "*.*", true);
    return account;
  }

  /** Adds a standalone instance (configured and with the admin account unless told otherwise). */
  add(address: string, opts: NewInstanceOptions = {}): InstanceState {
    if (this.instances.has(address)) throw new Error(`model: ${address} already exists`);
    const globals = { ...DEFAULT_GLOBALS, ...(opts.globals ?? {}) };
    const inst: InstanceState = {
      address,
      reachable: opts.reachable ?? true,
      mysqldRunning: opts.mysqldRunning ?? true,
      configured: opts.configured ?? true,
      configureNeedsRestart: opts.configureNeedsRestart ?? false,
      configurePending: false,
      users: new Map(),
      globals,
      cnf: { ...globals, ...(opts.cnf ?? {}) },
      persisted: {},
      schemas: new Set(opts.schemas ?? []),
      metadataUnreadable: false,
      gtidExecuted: 0,
      errantGtids: 0,
      gtidPurged: 0,
      gr: null,
      metadata: null,
      bootId: 1,
      downTicks: opts.mysqldRunning === false ? Infinity : 0,
      restartTicks: opts.restartTicks ?? 1,
      recoveryTicks: opts.recoveryTicks ?? 0,
      startOnBoot: true,
    };
    if (opts.admin) inst.users.set(userKey(opts.admin.user, "%"), this.newAdmin(opts.admin.password));
    this.instances.set(address, inst);
    return inst;
  }

  get(address: string): InstanceState {
    const inst = this.instances.get(address);
    if (!inst) throw new Error(`model: no instance ${address}`);
    return inst;
  }

  has(address: string): boolean {
    return this.instances.has(address);
  }

  /** Reachable over TCP with mysqld up. */
  isUp(inst: InstanceState): boolean {
    return inst.reachable && inst.mysqldRunning;
  }

  // ---- groups ----

  newGroup(name: string): GroupState {
    const g: GroupState = { id: this.nextGroupId++, name, view: [] };
    this.groups.set(g.id, g);
    return g;
  }

  groupOf(inst: InstanceState): GroupState | undefined {
    return inst.gr ? this.groups.get(inst.gr.groupId) : undefined;
  }

  groupsNamed(name: string): GroupState[] {
    return [...this.groups.values()].filter((g) => g.name === name);
  }

  /** The state of a view member as the group sees it. */
  memberState(group: GroupState, address: string): GroupMemberState {
    const inst = this.get(address);
    if (!this.isUp(inst) || !inst.gr || inst.gr.groupId !== group.id) return "UNREACHABLE";
    return inst.gr.state;
  }

  activeMembers(group: GroupState): string[] {
    return group.view.filter((a) => {
      const s = this.memberState(group, a);
      return s === "ONLINE" || s === "RECOVERING";
    });
  }

  hasQuorum(group: GroupState): boolean {
    return this.activeMembers(group).length * 2 > group.view.length;
  }

  primaryOf(group: GroupState): string | undefined {
    return group.view.find((a) => {
      const inst = this.get(a);
      return this.memberState(group, a) === "ONLINE" && inst.gr?.role === "PRIMARY";
    });
  }

  /** Elects a primary when the group has none: the first ONLINE member of the view. */
  electPrimary(group: GroupState): void {
    if (this.primaryOf(group)) return;
    const next = group.view.find((a) => this.memberState(group, a) === "ONLINE");
    if (next) this.get(next).gr!.role = "PRIMARY";
  }

  /** Takes `address` out of its group's view (a clean leave, an expel or a removal). */
  leaveGroup(address: string): void {
    const inst = this.get(address);
    for (const g of this.groups.values()) {
      if (!g.view.includes(address)) continue;
      g.view = g.view.filter((a) => a !== address);
      if (g.view.length === 0) this.groups.delete(g.id);
      else this.electPrimary(g);
    }
    inst.gr = null;
  }

  /** The metadata as the group's members hold it (the primary's copy), else this instance's copy. */
  groupMetadata(group: GroupState): ClusterMetadata | null {
    const p = this.primaryOf(group);
    const src = p ? this.get(p) : this.get(group.view[0]!);
    return src.metadata;
  }

  /** Writes a new metadata copy to every active member of the group (replication) and to `extra`. */
  replicateMetadata(group: GroupState, md: ClusterMetadata, extra: string[] = []): void {
    for (const a of new Set([...this.activeMembers(group), ...extra])) this.get(a).metadata = cloneMetadata(md);
  }

  /**
   * A write transaction on `address`: refused on a group member that is not the primary (super_read_only); on the
   * primary it is replicated to every active member, elsewhere applied locally.
   */
  write(address: string, fn: (inst: InstanceState) => void): void {
    const inst = this.get(address);
    const group = this.groupOf(inst);
    if (inst.gr && (inst.gr.role !== "PRIMARY" || inst.gr.state !== "ONLINE")) throw new Error("super_read_only");
    const targets = group ? this.activeMembers(group).map((a) => this.get(a)) : [inst];
    for (const t of targets) {
      fn(t);
      t.gtidExecuted++;
    }
  }

  /** Copies the donor's data (accounts, schemas, GTIDs) to a joiner, as clone or incremental recovery does. */
  provision(joiner: InstanceState, donor: InstanceState): void {
    joiner.users = cloneUsers(donor.users);
    joiner.schemas = new Set(donor.schemas);
    joiner.gtidExecuted = donor.gtidExecuted;
    joiner.errantGtids = 0;
  }

  /** What mysqld loads at boot: my.cnf, then mysqld-auto.cnf (persisted values win). */
  loadOptionFiles(inst: InstanceState): void {
    inst.globals = { ...inst.globals, ...inst.cnf, ...inst.persisted };
  }

  // ---- time ----

  tick(): void {
    this.clock++;
    for (const inst of this.instances.values()) {
      if (!inst.mysqldRunning && inst.downTicks !== Infinity) {
        inst.downTicks--;
        if (inst.downTicks <= 0) this.boot(inst);
      } else if (inst.gr && inst.gr.state === "RECOVERING") {
        inst.gr.recoveringTicks--;
        if (inst.gr.recoveringTicks <= 0) {
          inst.gr.state = "ONLINE";
          const g = this.groupOf(inst);
          if (g) this.electPrimary(g);
        }
      }
    }
  }

  /** mysqld starts: restart-only values take effect; a member rejoins its group if the group is up. */
  boot(inst: InstanceState): void {
    inst.mysqldRunning = true;
    inst.downTicks = 0;
    inst.bootId++;
    this.loadOptionFiles(inst);
    if (inst.configurePending) {
      inst.configured = true;
      inst.configurePending = false;
    }
    inst.gr = null;
    if (!inst.startOnBoot || !inst.metadata || !inst.reachable) return;
    const md = inst.metadata;
    const group = this.groupsNamed(md.clusterName).find((g) => this.hasQuorum(g));
    if (!group) return;
    const gmd = this.groupMetadata(group);
    if (!gmd || !gmd.members.includes(inst.address)) return;
    this.joinGroup(inst, group);
  }

  /** Puts `inst` into `group` as a SECONDARY (RECOVERING first when recoveryTicks > 0), provisioned from the primary. */
  joinGroup(inst: InstanceState, group: GroupState): void {
    const primary = this.primaryOf(group);
    if (primary) this.provision(inst, this.get(primary));
    inst.gr = {
      groupId: group.id,
      state: inst.recoveryTicks > 0 ? "RECOVERING" : "ONLINE",
      role: "SECONDARY",
      recoveringTicks: inst.recoveryTicks,
    };
    if (!group.view.includes(inst.address)) group.view.push(inst.address);
    const md = this.groupMetadata(group);
    if (md) inst.metadata = cloneMetadata(md);
  }

  /** The RESTART statement: a clean shutdown (the member leaves its group), back after restartTicks ticks. */
  restart(address: string): void {
    const inst = this.get(address);
    if (inst.gr) this.leaveGroup(address);
    inst.mysqldRunning = false;
    inst.downTicks = Math.max(1, inst.restartTicks);
  }

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

/** Whether logging in with `password` succeeds: the account's password or its retained one (MySQL dual passwords). */
export function acceptsPassword(u: UserAccount | undefined, password: unknown): boolean {
  return (
    u !== undefined &&
    (u.password === password || (u.secondaryPassword !== undefined && u.secondaryPassword === password))
  );
}

export function adminAccount(password: string): UserAccount {
  return clusterAdminAccount(password);
}

export function cloneMetadata(md: ClusterMetadata): ClusterMetadata {
  return { ...md, members: [...md.members], options: { ...md.options } };
}

export function cloneUsers(users: Map<string, UserAccount>): Map<string, UserAccount> {
  const out = new Map<string, UserAccount>();
  for (const [k, u] of users)
    out.set(k, {
      ...u,
      grants: new Set(u.grants),
      ...(u.grantable ? { grantable: new Set(u.grantable) } : {}),
    });
  return out;
}
