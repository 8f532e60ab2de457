/**
 * The MODEL's Cluster object. Upstream (mysql-shell 8.4.3, the same in 8.4.8): modules/adminapi/mod_dba_cluster.cc
 * exposes each method; modules/adminapi/cluster/cluster_impl.cc (Cluster_impl) runs it through the command classes
 * cited at each method. Not MySQL Shell.
 */
import type { ModelApi } from "./api";
import { MUTATING_APIS } from "./calls";
import { ER, SHERR, argumentError, mysqlError, shellError } from "./errors";
import { acceptsPassword, cloneMetadata, userKey } from "./fleet";
import type { ClusterMetadata, Fleet, GroupState, InstanceState } from "./fleet";
import { addMethod, checkRejoinMethod } from "./recovery";
import { addressOf, checkOptions, recoveryMethodOf } from "./options";
import type { Credentials } from "./session";
import { clusterStatus } from "./status";

/** Grants cluster.setupRouterAccount gives: a subset of common/accounts.cc create_router_grants. */
export const ROUTER_GRANTS = [
  "SELECT ON mysql_innodb_cluster_metadata.*",
  "EXECUTE ON mysql_innodb_cluster_metadata.*",
  "INSERT ON mysql_innodb_cluster_metadata.routers",
  "UPDATE ON mysql_innodb_cluster_metadata.routers",
  "DELETE ON mysql_innodb_cluster_metadata.routers",
  "SELECT ON performance_schema.replication_group_members",
  "SELECT ON performance_schema.replication_group_member_stats",
  "SELECT ON performance_schema.global_variables",
];

/**
 * The model's Cluster object: bound to the instance it was obtained through (`via`), as Cluster_impl keeps its
 * cluster server (mod_dba.cc Dba::get_cluster); it does not depend on the global session.
 */
export class ModelCluster {
  private readonly viaBootId: number;

  constructor(
    private readonly api: ModelApi,
    private readonly name: string,
    private readonly via: string,
    private readonly groupId: number,
    private readonly creds: Credentials,
  ) {
    this.viaBootId = api.fleet.get(via).bootId;
  }

  getName(): string {
    return this.name;
  }

  private get fleet(): Fleet {
    return this.api.fleet;
  }

  /** The group, through a live session to `via` that is still a member of it (Group Replication running). */
  private usable(): GroupState {
    const inst = this.fleet.get(this.via);
    if (!this.fleet.isUp(inst) || inst.bootId !== this.viaBootId)
      throw mysqlError("Lost connection to MySQL server during query", ER.SERVER_LOST);
    const group = this.fleet.groups.get(this.groupId);
    if (!group || !inst.gr || inst.gr.groupId !== this.groupId)
      throw shellError(
        `Group Replication is not running at instance '${this.via}'`,
        SHERR.GROUP_REPLICATION_NOT_RUNNING,
      );
    return group;
  }

  /** The quorum preconditions of each change (common/preconditions.cc, e.g. "Cluster.addInstance"). */
  private quorum(group: GroupState): void {
    if (!this.fleet.hasQuorum(group))
      throw shellError("There is no quorum to perform the operation", SHERR.GROUP_HAS_NO_QUORUM);
  }

  /**
   * Changes go through the primary with the session's credentials (mod_dba.cc Dba::get_cluster connects to the
   * primary; Cluster_impl acquires it for each change). Model assumption: root over the local socket
   * (auth_socket) cannot log in to another instance over TCP, so such a session can change the cluster only when it
   * is on the primary.
   */
  private primaryAccess(group: GroupState): InstanceState {
    const primary = this.fleet.primaryOf(group);
    if (!primary) throw shellError("The cluster has no primary", SHERR.GROUP_HAS_NO_QUORUM);
    if (this.creds.kind === "socket" && primary !== this.via)
      throw mysqlError(
        `Access denied for user 'root'@'${this.via.split(":")[0]}' (using password: NO)`,
        ER.ACCESS_DENIED,
      );
    return this.fleet.get(primary);
  }

  private metadata(group: GroupState): ClusterMetadata {
    const md = this.fleet.groupMetadata(group) ?? this.fleet.get(this.via).metadata;
    if (!md) throw shellError("Metadata not found", SHERR.MEMBER_METADATA_MISSING);
    return md;
  }

  /**
   * Opens a connection to a target with the cluster session's credentials over TCP: common/base_cluster_impl.cc
   * Base_cluster_impl::connect_target_instance.
   */
  private connectTarget(address: string): InstanceState {
    if (!this.fleet.has(address))
      throw mysqlError(`Can't connect to MySQL server on '${address}' (113)`, ER.CONN_HOST_ERROR);
    const inst = this.fleet.get(address);
    if (!this.fleet.isUp(inst))
      throw mysqlError(`Can't connect to MySQL server on '${address}' (113)`, ER.CONN_HOST_ERROR);
    if (this.creds.kind === "tcp") {
      const u = inst.users.get(userKey(this.creds.user, "%"));
      if (!acceptsPassword(u, this.creds.password))
        throw mysqlError(`Access denied for user '${this.creds.user}'@'%' (using password: YES)`, ER.ACCESS_DENIED);
    } else {
      throw mysqlError(`Access denied for user 'root'@'${address}' (using password: NO)`, ER.ACCESS_DENIED);
    }
    return inst;
  }

  private call<T>(api: string, target: string | undefined, args: unknown[], fn: () => T): T {
    return this.api.record(`cluster.${api}`, target, args, MUTATING_APIS.has(`cluster.${api}`), fn);
  }

  /** cluster/cluster_impl.cc Cluster_impl::status, cluster/status.cc (./status.ts); option: extended only. */
  status(opts?: unknown): unknown {
    return this.call("status", this.via, [opts], () => {
      checkOptions(opts, ["extended"]);
      const group = this.usable();
      return clusterStatus(this.fleet, this.name, this.via, group, this.metadata(group));
    });
  }

  /**
   * cluster/cluster_impl.cc Cluster_impl::add_instance -> cluster/add_instance.cc Add_instance::prepare (JOIN) and
   * do_run; the target check is common/instance_validations.cc ensure_instance_not_belong_to_cluster; the recovery
   * method Cluster_impl::check_recovery_method -> common/gtid_validations.cc validate_instance_recovery. Options:
   * cluster/api_options.cc Add_instance_options.
   */
  addInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("addInstance", addr, [target, opts], () => {
      const o = checkOptions(opts, [
        "recoveryMethod",
        "label",
        "exitStateAction",
        "memberWeight",
        "autoRejoinTries",
        "ipAllowlist",
        "localAddress",
        "recoveryProgress",
        "certSubject",
      ]);
      const rm = recoveryMethodOf(o);
      const group = this.usable();
      this.quorum(group);
      const primary = this.primaryAccess(group);
      const md = this.metadata(group);
      if (md.members.includes(addr))
        throw shellError(
          `The instance '${addr}' is already part of this InnoDB cluster`,
          SHERR.INSTANCE_ALREADY_MANAGED,
        );
      const t = this.connectTarget(addr);
      if (t.gr)
        throw shellError(
          `The instance '${addr}' is already part of another Replication Group`,
          SHERR.INSTANCE_ALREADY_IN_GR,
        );
      // ensure_instance_not_belong_to_cluster: a target holding metadata (a stale copy, e.g. of a removed member) is
      // accepted unless this cluster's metadata lists it (checked above); joining replaces its copy.
      if (!t.configured)
        throw shellError(
          `Instance '${addr}' is not configured for InnoDB Cluster. Use dba.configureInstance() to fix it.`,
          SHERR.INVALID_SERVER_CONFIGURATION,
        );
      const method = addMethod(rm, md, t, primary, (line) => this.api.print(line));
      if (method === "clone") {
        // Clone replaces the data (user schemas included: joinGroup provisions from the primary) and restarts the
        // joiner: restart-only settings take effect.
        t.bootId++;
        this.fleet.loadOptionFiles(t);
      }
      this.fleet.joinGroup(t, group);
      this.commitMetadata(group, { ...md, members: [...md.members, addr] }, [addr]);
      this.api.print(`The instance '${addr}' was successfully added to the cluster.`);
    });
  }

  /**
   * cluster/cluster_impl.cc Cluster_impl::rejoin_instance -> cluster/rejoin_instance.cc Rejoin_instance
   * (check_rejoinable on common/common.cc validate_instance_rejoinable, then do_run) and add_instance.cc
   * Add_instance::prepare (REJOIN), which picks the recovery method as addInstance does. Options: cluster/api_options.cc
   * Rejoin_instance_options.
   */
  rejoinInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("rejoinInstance", addr, [target, opts], () => {
      const o = checkOptions(opts, [
        "recoveryMethod",
        "cloneDonor",
        "recoveryProgress",
        "dryRun",
        "timeout",
        "localAddress",
        "ipAllowlist",
      ]);
      const rm = recoveryMethodOf(o);
      const group = this.usable();
      this.quorum(group);
      const primary = this.primaryAccess(group);
      const md = this.metadata(group);
      if (!md.members.includes(addr))
        throw shellError(`The instance '${addr}' does not belong to the cluster: '${this.name}'.`, undefined);
      const t = this.connectTarget(addr);
      if (t.gr && t.gr.groupId === group.id && group.view.includes(addr)) {
        // mysqlsh prints a note and changes nothing (Instance_rejoinability::ONLINE, RECOVERING).
        this.api.print(`NOTE: ${addr} is already an active (${t.gr.state}) member of cluster '${this.name}'.`);
        return;
      }
      if (t.gr?.state === "ERROR") {
        // Instance_rejoinability::ERROR: Group Replication is stopped, then the rejoin goes on.
        this.api.print(
          `NOTE: '${addr}' is in an ERROR state. Attempting to stop Group Replication to proceed with the rejoin.`,
        );
        this.fleet.stopGroupReplication(addr);
      }
      if (t.gr)
        throw shellError(
          `The instance '${addr}' is already part of another Replication Group`,
          SHERR.INSTANCE_ALREADY_IN_GR,
        );
      if (!t.configured)
        throw shellError(
          `Instance '${addr}' is not configured for InnoDB Cluster.`,
          SHERR.INVALID_SERVER_CONFIGURATION,
        );
      checkRejoinMethod(rm, t, primary);
      if (rm === "clone") {
        // Clone replaces the member's data with the donor's and restarts it (errant transactions are gone).
        t.bootId++;
        this.fleet.loadOptionFiles(t);
      }
      this.fleet.joinGroup(t, group);
      this.commitMetadata(group, md, [addr]);
      this.api.print(`The instance '${addr}' was successfully rejoined to the cluster.`);
    });
  }

  /**
   * cluster/cluster_impl.cc Cluster_impl::remove_instance -> cluster/remove_instance.cc Remove_instance
   * (ensure_not_last_instance_in_cluster, prepare, do_run). Options: cluster/api_options.cc Remove_instance_options.
   */
  removeInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("removeInstance", addr, [target, opts], () => {
      const o = checkOptions(opts, ["force", "dryRun", "timeout"]);
      const group = this.usable();
      this.quorum(group);
      this.primaryAccess(group);
      const md = this.metadata(group);
      if (!md.members.includes(addr))
        throw shellError(`The instance '${addr}' does not belong to the cluster.`, SHERR.MEMBER_METADATA_MISSING);
      if (md.members.length === 1) {
        this.api.print(
          `ERROR: The instance '${addr}' cannot be removed because it is the only member of the Cluster. Please use <Cluster>.dissolve() instead to remove the last instance and dissolve the Cluster.`,
        );
        throw shellError(`The instance '${addr}' is the last member of the cluster`, undefined);
      }
      const t = this.fleet.get(addr);
      const up = this.fleet.isUp(t);
      const force = o.force === true;
      // Remove_instance::prepare: the target is connected with the session's
      // account (common/base_cluster_impl.cc connect_target_instance); a client-side failure (unreachable) is
      // rethrown without force, a server-side one (access denied: root authenticates only over the socket) is
      // rethrown without force too. Then a reachable target that is not ONLINE or RECOVERING needs force (51004).
      if (!up && !force)
        throw mysqlError(
          `Could not open connection to '${addr}': Can't connect to MySQL server on '${addr}' (113)`,
          ER.CONN_HOST_ERROR,
        );
      if (up && this.creds.kind === "socket" && !force)
        throw mysqlError(
          `Access denied for user 'root'@'${this.via.split(":")[0]}' (using password: NO)`,
          ER.ACCESS_DENIED,
        );
      const inView = group.view.includes(addr);
      const targetState = inView ? this.fleet.memberState(group, addr) : "OFFLINE";
      if (up && !force && targetState !== "ONLINE" && targetState !== "RECOVERING")
        throw shellError("Instance is not ONLINE and cannot be safely removed", SHERR.GROUP_MEMBER_NOT_ONLINE);
      if (inView && this.fleet.memberState(group, addr) === "ONLINE") {
        const otherOnline = group.view.filter((a) => a !== addr && this.fleet.memberState(group, a) === "ONLINE");
        if (otherOnline.length === 0)
          throw shellError(`The instance '${addr}' cannot be removed because it is the only ONLINE member`, undefined);
      }
      const next = { ...md, members: md.members.filter((a) => a !== addr) };
      // The removal is written to the metadata through the primary while an active target is still in the group, so
      // the target's copy receives it; then its Group Replication stops. Like MySQL, the model does not drop the
      // metadata schema on the removed instance: it keeps a stale copy that no longer lists it (an unreachable or
      // MISSING target keeps the copy it had).
      const active = inView && ["ONLINE", "RECOVERING"].includes(this.fleet.memberState(group, addr));
      if (inView) this.fleet.leaveGroup(addr);
      const remaining = this.fleet.groups.get(group.id);
      if (remaining) this.commitMetadata(remaining, next, []);
      if (active) t.metadata = cloneMetadata(next);
      if (up && t.gr) this.fleet.stopGroupReplication(addr);
      this.api.print(`The instance '${addr}' was successfully removed from the cluster.`);
    });
  }

  /**
   * cluster/cluster_impl.cc Cluster_impl::set_primary_instance -> cluster/set_primary_instance.cc
   * Set_primary_instance (prepare, do_run). Option: runningTransactionsTimeout only (cluster/api_options.cc).
   */
  setPrimaryInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("setPrimaryInstance", addr, [target, opts], () => {
      checkOptions(opts, ["runningTransactionsTimeout"]);
      const group = this.usable();
      this.quorum(group);
      const old = this.primaryAccess(group);
      if (!group.view.includes(addr) || this.fleet.memberState(group, addr) !== "ONLINE")
        throw shellError(
          `The instance '${addr}' is not an ONLINE member of the cluster`,
          SHERR.GROUP_MEMBER_NOT_ONLINE,
        );
      old.gr!.role = "SECONDARY";
      this.fleet.get(addr).gr!.role = "PRIMARY";
      this.api.print(`The instance '${addr}' was successfully elected as primary.`);
    });
  }

  /**
   * cluster/cluster_impl.cc Cluster_impl::setup_router_account -> common/base_cluster_impl.cc
   * Base_cluster_impl::setup_account_common (on the primary) -> common/setup_account.cc Setup_account (prepare:
   * exists/update rules; do_run); grants common/accounts.cc create_router_grants. Options: common/api_options.cc.
   */
  setupRouterAccount(account: unknown, opts?: unknown): void {
    this.call("setupRouterAccount", this.via, [account, opts], () => {
      const o = checkOptions(opts, [
        "password",
        "update",
        "dryRun",
        "passwordExpiration",
        "requireCertIssuer",
        "requireCertSubject",
      ]);
      const m = /^([A-Za-z0-9_]+)(?:@(?:'([^']*)'|([^'@]+)))?$/.exec(String(account));
      if (!m) throw argumentError(`Invalid user name: ${String(account)}`);
      const user = m[1]!;
      const host = m[2] ?? m[3] ?? "%";
      const group = this.usable();
      this.quorum(group);
      const primary = this.primaryAccess(group);
      const key = userKey(user, host);
      const exists = primary.users.has(key);
      const update = o.update === true;
      if (exists && !update)
        throw shellError(
          `Could not proceed with the operation because account ${user}@${host} already exists. Enable the 'update' option to update the existing account's privileges.`,
          undefined,
        );
      if (!exists && update)
        throw shellError(
          `Could not proceed with the operation because account ${user}@${host} does not exist and the 'update' option is enabled`,
          undefined,
        );
      if (!exists && typeof o.password !== "string")
        throw argumentError("A password is required to create the account (the shell cannot prompt for it)");
      // CREATE USER ... IDENTIFIED BY with no REQUIRE clause, or ALTER USER ... IDENTIFIED BY on update, which keeps the
      // account's ssl_type (no requireCert* option given: mysql-shell 8.4.3 common/setup_account.cc create_account).
      this.fleet.write(primary.address, (inst) => {
        const u = inst.users.get(key) ?? { password: "", grants: new Set<string>() };
        if (typeof o.password === "string") u.password = o.password;
        for (const g of ROUTER_GRANTS) u.grants.add(g);
        inst.users.set(key, u);
      });
      this.api.print(`Account ${user}@${host} was successfully ${exists ? "updated" : "created"}.`);
    });
  }

  /** Replicates new metadata to the group's active members (and `extra`), as a write on the primary. */
  private commitMetadata(group: GroupState, md: ClusterMetadata, extra: string[]): void {
    this.fleet.replicateMetadata(group, cloneMetadata(md), extra);
    for (const a of this.fleet.activeMembers(group)) this.fleet.get(a).gtidExecuted++;
  }
}
