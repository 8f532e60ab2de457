/**
 * The core of the MODEL fleet (./fleet.ts): instances, groups, replication of writes and metadata, time. Not MySQL.
 * Group Replication and the server are MySQL Server behaviour, not in the MySQL Shell source; where Shell reads that
 * behaviour, the reading is cited (mysql-shell 8.4.3 = 8.4.8).
 */
import { addGrants } from "./privileges";
import { DEFAULT_GLOBALS, adminAccount, cloneMetadata, cloneUsers, userKey } from "./instance";
import type {
  ClusterMetadata,
  GroupMemberState,
  GroupState,
  InstanceState,
  NewInstanceOptions,
  UserAccount,
} from "./instance";

export class FleetCore {
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

  protected newAdmin(password: string): UserAccount {
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

  /**
   * The state of a view member as the group sees it (performance_schema.replication_group_members, the states of
   * mysqlshdk/libs/mysql/group_replication.cc to_string).
   */
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

  /** A majority of the view ONLINE or RECOVERING: group_replication.cc get_members (has_quorum). */
  hasQuorum(group: GroupState): boolean {
    return this.activeMembers(group).length * 2 > group.view.length;
  }

  /** The ONLINE PRIMARY of the view (modules/adminapi/dba_utils.cc find_cluster_member_uri_of_role). */
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

  /**
   * mysqld starts: restart-only values take effect; a member rejoins its group if the group is up
   * (group_replication_start_on_boot, which Shell sets from manualStartOnBoot: modules/adminapi/common/provision.cc).
   */
  boot(inst: InstanceState): void {
    inst.mysqldRunning = true;
    inst.downTicks = 0;
    inst.bootId++;
    this.loadOptionFiles(inst);
    if (inst.configurePending) {
      inst.configured = true;
      inst.configurePending = false;
    }
    this.dropErrorView(inst);
    inst.gr = null;
    if (!inst.startOnBoot || !inst.metadata || !inst.reachable) return;
    const md = inst.metadata;
    const group = this.groupsNamed(md.clusterName).find((g) => this.hasQuorum(g));
    if (!group) return;
    const gmd = this.groupMetadata(group);
    if (!gmd || !gmd.members.includes(inst.address)) return;
    this.joinGroup(inst, group);
  }

  /** A member in ERROR whose Group Replication ends with its mysqld: its own view goes too. */
  protected dropErrorView(inst: InstanceState): void {
    const g = this.groupOf(inst);
    if (g?.errorOnly) this.groups.delete(g.id);
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
}
