/**
 * A MODEL of the MySQL Shell (8.4) scripting globals the gamedb AdminAPI scripts use: `dba`, `shell`, `session`
 * (ClassicSession), `Cluster`, `os`, `sys`, `println`. It is not MySQL Shell: each function checks the preconditions
 * and raises the errors documented for (or found in the source of) mysqlsh, then changes the model fleet
 * (./fleet.ts). Every call is recorded, marked mutating or not, so tests can assert what a script did.
 *
 * Where the model had to choose (behaviour not confirmed from the mysqlsh source or docs), the choice is the stricter
 * one and is marked "model assumption" below.
 *
 * SQL: session.runSql understands only the statements the scripts send (listed in `runSql`); anything else fails
 * with "model: unsupported SQL", so a script cannot silently depend on SQL the model does not check.
 */
import { accountSql } from "./accountSql";
import { gtidExecuted, gtidPurged, recoverability } from "./gtids";
import { ADMIN_GLOBAL_PRIVILEGES, clusterAdminAccount, holds, superReadOnly } from "./privileges";
import { ClusterMetadata, Fleet, GroupState, InstanceState, cloneMetadata, acceptsPassword, userKey } from "./fleet";
import { ER, ModelShellError, SHERR, argumentError, asThrown, mysqlError, shellError } from "./errors";

export interface ApiCall {
  seq: number;
  /** e.g. "dba.createCluster", "cluster.addInstance", "session.runSql", "os.sleep". */
  api: string;
  /** The instance the call acts on, when there is one ("host:port"). */
  target?: string;
  args: unknown[];
  /** The call changes state: an AdminAPI change, or SQL that writes (SET, RESTART, CREATE, ALTER, GRANT, ...). */
  mutating: boolean;
  /** session.runSql: the SQL text as the script wrote it (placeholders, not values). */
  sql?: string;
  /** The error the call raised, if any. */
  error?: string;
}

/** AdminAPI functions that change the cluster or an instance. */
export const MUTATING_APIS = new Set([
  "dba.createCluster",
  "dba.configureInstance",
  "dba.rebootClusterFromCompleteOutage",
  "cluster.addInstance",
  "cluster.rejoinInstance",
  "cluster.removeInstance",
  "cluster.setPrimaryInstance",
  "cluster.setupRouterAccount",
]);

const MUTATING_SQL =
  /^\s*(SET|RESTART|CREATE|ALTER|GRANT|REVOKE|DROP|INSERT|UPDATE|DELETE|INSTALL|START|STOP|RESET)\b/i;

/** Grants cluster.setupRouterAccount gives (a subset of the real list, enough for checks). */
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

/** Variables SET GLOBAL / SET PERSIST refuse (read-only at runtime). */
const READ_ONLY_VARIABLES = new Set(["innodb_log_file_size", "innodb_buffer_pool_instances", "innodb_page_size"]);

const CREATE_OPTIONS: Record<string, (v: unknown) => boolean> = {
  communicationStack: (v) => v === "MYSQL" || v === "XCOM",
  memberSslMode: (v) => ["AUTO", "DISABLED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY"].includes(String(v)),
  gtidSetIsComplete: (v) => typeof v === "boolean",
  exitStateAction: (v) => ["ABORT_SERVER", "OFFLINE_MODE", "READ_ONLY"].includes(String(v)),
  autoRejoinTries: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 2016,
  expelTimeout: (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 3600,
  consistency: (v) =>
    ["EVENTUAL", "BEFORE_ON_PRIMARY_FAILOVER", "BEFORE", "AFTER", "BEFORE_AND_AFTER"].includes(String(v)),
  manualStartOnBoot: (v) => typeof v === "boolean",
  memberWeight: (v) => Number.isInteger(v),
  ipAllowlist: (v) => typeof v === "string",
  localAddress: (v) => typeof v === "string",
  groupName: (v) => typeof v === "string",
  disableClone: (v) => typeof v === "boolean",
  paxosSingleLeader: (v) => typeof v === "boolean",
  transactionSizeLimit: (v) => Number.isInteger(v),
  replicationAllowedHost: (v) => typeof v === "string",
  memberAuthType: (v) => typeof v === "string",
  multiPrimary: (v) => typeof v === "boolean",
  force: (v) => typeof v === "boolean",
};

type Options = Record<string, unknown>;

function checkOptions(opts: unknown, allowed: string[]): Options {
  if (opts === undefined || opts === null) return {};
  if (typeof opts !== "object") throw argumentError("Argument #2 is expected to be a map");
  const o = opts as Options;
  const bad = Object.keys(o).filter((k) => !allowed.includes(k));
  if (bad.length > 0) throw argumentError(`Invalid options: ${bad.join(", ")}`);
  return o;
}

function isAddress(v: string): boolean {
  return /^[A-Za-z0-9._-]+:[0-9]+$/.test(v);
}

function addressOf(target: unknown): string {
  if (typeof target === "string") {
    const at = target.lastIndexOf("@");
    const a = at >= 0 ? target.slice(at + 1) : target;
    const withPort = a.includes(":") ? a : `${a}:3306`;
    if (!isAddress(withPort)) throw argumentError(`Invalid URI: ${target}`);
    return withPort;
  }
  if (target && typeof target === "object") {
    const t = target as Options;
    return `${String(t.host)}:${String(t.port ?? 3306)}`;
  }
  throw argumentError("Argument #1 is expected to be a string or a map");
}

function sqlValue(v: string): string | number {
  return /^-?[0-9]+$/.test(v) ? Number(v) : v;
}

/** A row set as mysqlsh's ClassicResult exposes it. */
export class ModelResult {
  private i = 0;
  constructor(private readonly rows: unknown[][]) {}
  fetchOne(): unknown[] | null {
    return this.i < this.rows.length ? this.rows[this.i++]! : null;
  }
  fetchAll(): unknown[][] {
    const rest = this.rows.slice(this.i);
    this.i = this.rows.length;
    return rest;
  }
  getAffectedItemsCount(): number {
    return 0;
  }
}

interface Credentials {
  /** "tcp": user/password over TCP; "socket": root over the local socket (auth_socket). */
  kind: "tcp" | "socket";
  user: string;
  password?: string;
}

export interface ModelEnvironment {
  fleet: Fleet;
  /** The Shell release imitated ("8.4.3", "8.4.8"): it decides the shape of thrown errors (errors.ts asThrown). */
  shellVersion: string;
  /** The host the script runs on ("host:3306"): where the local socket leads. */
  localAddress: string;
  files: Map<string, string>;
  argv: string[];
  /** Where calls are recorded. */
  calls: ApiCall[];
  /** What println/print wrote, one entry per call. */
  output: string[];
}

/** The model's ClassicSession. */
export class ModelSession {
  private closed = false;
  readonly bootId: number;
  /** SET SESSION sql_log_bin = 0: this session's writes are not binary-logged, so not replicated and no GTID. */
  noBinlog = false;

  constructor(
    private readonly api: ModelApi,
    readonly address: string,
    readonly creds: Credentials,
  ) {
    this.bootId = api.fleet.get(address).bootId;
  }

  /** Throws like a dead connection when mysqld went away or restarted since the session opened. */
  alive(): InstanceState {
    if (this.closed) throw shellError("Not connected.", undefined);
    const inst = this.api.fleet.get(this.address);
    const up = this.creds.kind === "socket" ? inst.mysqldRunning : this.api.fleet.isUp(inst);
    if (!up || inst.bootId !== this.bootId)
      throw mysqlError("Lost connection to MySQL server during query", ER.SERVER_LOST);
    return inst;
  }

  runSql(sql: string, args?: unknown[]): ModelResult {
    return this.api.record(
      "session.runSql",
      this.address,
      [sql, args],
      MUTATING_SQL.test(sql),
      () => this.api.runSql(this, sql, args ?? []),
      sql,
    );
  }

  close(): void {
    this.closed = true;
  }

  isOpen(): boolean {
    return !this.closed;
  }

  getUri(): string {
    return this.creds.kind === "socket" ? `root@/var/run/mysqld/mysqld.sock` : `${this.creds.user}@${this.address}`;
  }
}

/** The model's Cluster object: bound to the session (instance) it was obtained through. */
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

  /** The group, through a live session to `via` that is still an active member of it. */
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

  private quorum(group: GroupState): void {
    if (!this.fleet.hasQuorum(group))
      throw shellError("There is no quorum to perform the operation", SHERR.GROUP_HAS_NO_QUORUM);
  }

  /**
   * Changes go through the primary with the session's credentials. Model assumption: root over the local socket
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

  /** Opens a connection to a target with the cluster session's credentials, as mysqlsh does. */
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

  status(opts?: unknown): unknown {
    return this.call("status", this.via, [opts], () => {
      checkOptions(opts, ["extended", "queryMembers"]);
      const group = this.usable();
      const md = this.metadata(group);
      const topology: Record<string, Options> = {};
      let online = 0;
      for (const a of md.members) {
        const inst = this.fleet.has(a) ? this.fleet.get(a) : undefined;
        if (group.view.includes(a)) {
          const st = this.fleet.memberState(group, a);
          const role = inst?.gr?.role ?? "SECONDARY";
          if (st === "ONLINE") online++;
          topology[a] = {
            address: a,
            memberRole: role,
            mode: st === "ONLINE" ? (role === "PRIMARY" ? "R/W" : "R/O") : "n/a",
            role: "HA",
            status: st,
          };
        } else {
          const up = inst ? this.fleet.isUp(inst) : false;
          topology[a] = {
            address: a,
            memberRole: "SECONDARY",
            mode: "n/a",
            role: "HA",
            status: "(MISSING)",
            ...(up
              ? { memberState: "OFFLINE" }
              : {
                  shellConnectError: `MySQL Error 2003: Could not open connection to '${a}': Can't connect to MySQL server on '${a}' (113)`,
                }),
          };
        }
      }
      const partial = md.members.some((a) => topology[a]!.status !== "ONLINE");
      const tolerated = Math.floor((online - 1) / 2);
      let status: string;
      let statusText: string;
      if (!this.fleet.hasQuorum(group)) {
        status = "NO_QUORUM";
        statusText = "Cluster has no quorum as visible from this member and cannot process write transactions.";
      } else if (tolerated >= 1) {
        status = partial ? "OK_PARTIAL" : "OK";
        statusText = `Cluster is ONLINE and can tolerate up to ${tolerated} failure(s).`;
      } else {
        status = partial ? "OK_NO_TOLERANCE_PARTIAL" : "OK_NO_TOLERANCE";
        statusText = "Cluster is NOT tolerant to any failures.";
      }
      return {
        clusterName: this.name,
        defaultReplicaSet: {
          name: "default",
          // cluster/status.cc collect_replicaset_status: "?" when no PRIMARY is found.
          primary: this.fleet.primaryOf(group) ?? "?",
          ssl: "REQUIRED",
          status,
          statusText,
          topology,
          topologyMode: "Single-Primary",
        },
        groupInformationSourceMember: this.via,
      };
    });
  }

  addInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("addInstance", addr, [target, opts], () => {
      const o = checkOptions(opts, [
        "recoveryMethod",
        "label",
        "cloneDonor",
        "exitStateAction",
        "memberWeight",
        "autoRejoinTries",
        "ipAllowlist",
        "localAddress",
        "interactive",
        "recoveryProgress",
        "waitRecovery",
        "certSubject",
      ]);
      const rm = o.recoveryMethod === undefined ? "auto" : String(o.recoveryMethod);
      if (!["auto", "clone", "incremental"].includes(rm))
        throw argumentError(`Invalid value for option recoveryMethod: ${rm}`);
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
      if (t.metadata)
        throw shellError(
          `The instance '${addr}' has a populated Metadata schema (cluster '${t.metadata.clusterName}'); drop it with dba.dropMetadataSchema() before adding it`,
          SHERR.INSTANCE_HAS_METADATA,
        );
      if (!t.configured)
        throw shellError(
          `Instance '${addr}' is not configured for InnoDB Cluster. Use dba.configureInstance() to fix it.`,
          SHERR.INVALID_SERVER_CONFIGURATION,
        );
      let method = rm;
      if (rm === "auto") {
        // Non-interactive "auto": incremental when it is safe, else the explicit-method error (MYSQLSH 51167).
        if (md.gtidSetIsComplete && t.gtidExecuted <= primary.gtidExecuted) {
          this.api.print("Incremental state recovery was selected because it seems to be safely usable.");
          method = "incremental";
        } else
          throw shellError(
            "'recoveryMethod' option must be set to 'clone' or 'incremental'",
            SHERR.PROVISIONING_EXPLICIT_METHOD_REQUIRED,
          );
      }
      if (method === "incremental" && t.gtidExecuted > primary.gtidExecuted)
        throw shellError(
          "Cannot use recoveryMethod=incremental option because the GTID state is not compatible or cannot be recovered.",
          SHERR.PROVISIONING_INCREMENTAL_NOT_POSSIBLE,
        );
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

  rejoinInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("rejoinInstance", addr, [target, opts], () => {
      const o = checkOptions(opts, [
        "recoveryMethod",
        "cloneDonor",
        "interactive",
        "dryRun",
        "timeout",
        "localAddress",
        "ipAllowlist",
      ]);
      const rm = o.recoveryMethod === undefined ? "auto" : String(o.recoveryMethod);
      if (!["auto", "clone", "incremental"].includes(rm))
        throw argumentError(`Invalid value for option recoveryMethod: ${rm}`);
      const group = this.usable();
      this.quorum(group);
      const primary = this.primaryAccess(group);
      const md = this.metadata(group);
      if (!md.members.includes(addr))
        throw shellError(`The instance '${addr}' does not belong to the cluster: '${this.name}'.`, undefined);
      const t = this.connectTarget(addr);
      if (t.gr && t.gr.groupId === group.id && group.view.includes(addr)) {
        // mysqlsh prints a note and changes nothing (cluster rejoin_instance: Instance_rejoinability::ONLINE).
        this.api.print(`NOTE: ${addr} is already an active (${t.gr.state}) member of cluster '${this.name}'.`);
        return;
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
      // mysql-shell 8.4.3/8.4.8 cluster/add_instance.cc (check_recovery_method with REJOIN_INSTANCE) and
      // common/gtid_validations.cc: incremental needs the GTID state recoverable and safe, else 51166; without an
      // explicit method, a non-interactive Shell throws 51167 where it would ask, and refuses a diverged member
      // (51153) where even clone is not offered.
      const { diverged, possible } = recoverability(t, primary);
      if (rm === "incremental" && !possible)
        throw shellError(
          "Cannot use recoveryMethod=incremental option because the GTID state is not compatible or cannot be recovered.",
          SHERR.PROVISIONING_INCREMENTAL_NOT_POSSIBLE,
        );
      if (rm === "auto" && !possible) {
        if (diverged) throw shellError("Instance provisioning required", SHERR.DATA_RECOVERY_NOT_POSSIBLE);
        throw shellError(
          "'recoveryMethod' option must be set to 'clone' or 'incremental'",
          SHERR.PROVISIONING_EXPLICIT_METHOD_REQUIRED,
        );
      }
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

  removeInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("removeInstance", addr, [target, opts], () => {
      const o = checkOptions(opts, ["force", "interactive", "dryRun", "timeout"]);
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
      // mysql-shell 8.4.3/8.4.8 cluster/remove_instance.cc prepare: the target is connected with the session's
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
      if (up) t.gr = null;
      this.api.print(`The instance '${addr}' was successfully removed from the cluster.`);
    });
  }

  setPrimaryInstance(target: unknown, opts?: unknown): void {
    const addr = addressOf(target);
    this.call("setPrimaryInstance", addr, [target, opts], () => {
      checkOptions(opts, ["runningTransactionsTimeout", "dryRun"]);
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

  setupRouterAccount(account: unknown, opts?: unknown): void {
    this.call("setupRouterAccount", this.via, [account, opts], () => {
      const o = checkOptions(opts, [
        "password",
        "update",
        "dryRun",
        "interactive",
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

/** The globals a script sees, over one fleet. */
export class ModelApi {
  readonly fleet: Fleet;
  private globalSession: ModelSession | null = null;
  private seq = 0;
  private depth = 0;

  constructor(readonly env: ModelEnvironment) {
    this.fleet = env.fleet;
  }

  print(...parts: unknown[]): void {
    this.env.output.push(parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join(" "));
  }

  record<T>(api: string, target: string | undefined, args: unknown[], mutating: boolean, fn: () => T, sql?: string): T {
    const call: ApiCall = { seq: ++this.seq, api, target, args, mutating };
    if (sql !== undefined) call.sql = sql;
    this.env.calls.push(call);
    this.depth++;
    try {
      return fn();
    } catch (e) {
      call.error = e instanceof Error ? e.message : String(e);
      // The script sees the error as the modelled Shell release throws it; calls nested in a call see the model's.
      throw this.depth === 1 ? asThrown(e, this.env.shellVersion) : e;
    } finally {
      this.depth--;
    }
  }

  // ---- connections ----

  /** Opens a session from connection data (a dict, or "user[:password]@host:port"). */
  open(cd: unknown, password?: unknown): ModelSession {
    let data: Options;
    if (typeof cd === "string") {
      const m = /^(?:mysql:\/\/)?([^:@]+)(?::([^@]*))?@([A-Za-z0-9._-]+)(?::([0-9]+))?$/.exec(cd);
      if (!m) throw argumentError(`Invalid URI: ${cd}`);
      data = { user: m[1], password: m[2], host: m[3], port: m[4] ? Number(m[4]) : 3306 };
    } else if (cd && typeof cd === "object") {
      data = { ...(cd as Options) };
      const bad = Object.keys(data).filter(
        (k) => !["scheme", "host", "port", "user", "password", "socket"].includes(k),
      );
      if (bad.length > 0) throw argumentError(`Invalid values in connection options: ${bad.join(", ")}`);
    } else throw argumentError("Invalid connection options, expected either a URI or a Connection Options Dictionary");
    if (password !== undefined) data.password = password;
    if (data.scheme !== undefined && data.scheme !== "mysql")
      throw argumentError(`Invalid scheme: ${String(data.scheme)}`);
    const user = String(data.user ?? "root");

    if (data.socket !== undefined) {
      const inst = this.fleet.get(this.env.localAddress);
      if (!inst.mysqldRunning)
        throw mysqlError(
          `Can't connect to local MySQL server through socket '${String(data.socket)}' (2)`,
          ER.CONNECTION_ERROR,
        );
      if (user !== "root") {
        const u = inst.users.get(userKey(user, "localhost")) ?? inst.users.get(userKey(user, "%"));
        if (!acceptsPassword(u, data.password))
          throw mysqlError(`Access denied for user '${user}'@'localhost' (using password: YES)`, ER.ACCESS_DENIED);
        return new ModelSession(this, inst.address, { kind: "tcp", user, password: String(data.password) });
      }
      return new ModelSession(this, inst.address, { kind: "socket", user: "root" });
    }

    const address = `${String(data.host)}:${String(data.port ?? 3306)}`;
    if (!this.fleet.has(address) || !this.fleet.isUp(this.fleet.get(address)))
      throw mysqlError(`Can't connect to MySQL server on '${address}' (113)`, ER.CONN_HOST_ERROR);
    const inst = this.fleet.get(address);
    const usingPw = data.password !== undefined && data.password !== "" ? "YES" : "NO";
    // root authenticates with auth_socket: never over TCP.
    const u = user === "root" ? undefined : inst.users.get(userKey(user, "%"));
    if (!acceptsPassword(u, data.password))
      throw mysqlError(
        `Access denied for user '${user}'@'${this.env.localAddress.split(":")[0]}' (using password: ${usingPw})`,
        ER.ACCESS_DENIED,
      );
    return new ModelSession(this, address, { kind: "tcp", user, password: String(data.password) });
  }

  private requireSession(fn: string): ModelSession {
    if (!this.globalSession)
      throw shellError(`${fn}: An open session is required to perform this operation.`, undefined);
    return this.globalSession;
  }

  /** Resolves the instance a dba function acts on: the global session's, or the one `instance` names. */
  private targetOf(fn: string, instance: unknown): { inst: InstanceState; session: ModelSession } {
    if (instance === undefined || instance === null || instance === "") {
      const s = this.requireSession(fn);
      return { inst: s.alive(), session: s };
    }
    const g = this.globalSession;
    const cd =
      typeof instance === "string" && !instance.includes("@") && g && g.creds.kind === "tcp"
        ? { user: g.creds.user, password: g.creds.password, ...hostPort(instance) }
        : instance;
    const s = this.open(cd);
    return { inst: s.alive(), session: s };
  }

  // ---- SQL ----

  runSql(s: ModelSession, rawSql: string, args: unknown[]): ModelResult {
    const inst = s.alive();
    const sql = rawSql.trim().replace(/\s+/g, " ");
    const placeholders = (sql.match(/\?/g) ?? []).length;
    if (placeholders !== args.length)
      throw mysqlError(
        `Insufficient number of parameters (${placeholders} placeholders, ${args.length} values)`,
        ER.PARSE_ERROR,
      );
    const fleet = this.fleet;
    const write = (fn: (i: InstanceState) => void) => {
      try {
        if (!s.noBinlog) fleet.write(inst.address, fn);
        else if (superReadOnly(inst)) throw new Error("super_read_only");
        else fn(inst);
      } catch {
        throw mysqlError(
          "The MySQL server is running with the --super-read-only option so it cannot execute this statement",
          ER.OPTION_PREVENTS_STATEMENT,
        );
      }
    };
    let m: RegExpExecArray | null;

    if (/^SELECT 1$/i.test(sql)) return new ModelResult([[1]]);

    if ((m = /^SELECT @@GLOBAL\.([A-Za-z_][A-Za-z0-9_]*)$/i.exec(sql))) {
      const name = m[1]!.toLowerCase();
      if (name === "gtid_executed") return new ModelResult([[gtidExecuted(inst)]]);
      if (name === "gtid_purged") return new ModelResult([[gtidPurged(inst)]]);
      if (name === "super_read_only") return new ModelResult([[superReadOnly(inst) ? 1 : 0]]);
      if (!(name in inst.globals)) throw mysqlError(`Unknown system variable '${name}'`, ER.UNKNOWN_SYSTEM_VARIABLE);
      return new ModelResult([[sqlValue(inst.globals[name]!)]]);
    }

    // SET GLOBAL changes the running value only (my.cnf rules again after a restart); SET PERSIST also writes
    // mysqld-auto.cnf, which overrides my.cnf at every later boot.
    if ((m = /^SET (GLOBAL|PERSIST) ([A-Za-z_][A-Za-z0-9_]*) = \?$/i.exec(sql))) {
      const scope = m[1]!.toUpperCase();
      const name = m[2]!.toLowerCase();
      if (!(name in inst.globals)) throw mysqlError(`Unknown system variable '${name}'`, ER.UNKNOWN_SYSTEM_VARIABLE);
      if (READ_ONLY_VARIABLES.has(name)) throw mysqlError(`Variable '${name}' is a read only variable`, 1238);
      const value = args[0];
      if (/^-?[0-9]+$/.test(inst.globals[name]!) && typeof value !== "number")
        throw mysqlError(`Incorrect argument type to variable '${name}'`, ER.WRONG_TYPE_FOR_VAR);
      inst.globals[name] = String(value);
      if (scope === "PERSIST") inst.persisted[name] = String(value);
      return new ModelResult([]);
    }

    if (/^SELECT VARIABLE_NAME FROM performance_schema\.persisted_variables$/i.test(sql))
      return new ModelResult(Object.keys(inst.persisted).map((n) => [n]));

    if ((m = /^RESET PERSIST (IF EXISTS )?([A-Za-z_][A-Za-z0-9_]*)$/i.exec(sql))) {
      const name = m[2]!.toLowerCase();
      if (!(name in inst.persisted) && !m[1])
        throw mysqlError(`Variable ${name} does not exist in persisted config file`, 3615);
      delete inst.persisted[name];
      return new ModelResult([]);
    }

    if (
      /^SELECT SCHEMA_NAME FROM information_schema\.SCHEMATA WHERE SCHEMA_NAME NOT IN \((\?, )*\?\) ORDER BY SCHEMA_NAME$/i.test(
        sql,
      )
    ) {
      const all = ["information_schema", "mysql", "performance_schema", "sys", ...inst.schemas];
      if (inst.metadata) all.push("mysql_innodb_cluster_metadata");
      const excluded = new Set(args.map((a) => String(a)));
      return new ModelResult(
        all
          .filter((n) => !excluded.has(n))
          .sort()
          .map((n) => [n]),
      );
    }

    if (/^RESTART$/i.test(sql)) {
      fleet.restart(inst.address);
      return new ModelResult([]);
    }

    if (
      /^SELECT MEMBER_STATE FROM performance_schema\.replication_group_members WHERE MEMBER_ID = @@server_uuid$/i.test(
        sql,
      )
    ) {
      if (inst.gr) return new ModelResult([[inst.gr.state]]);
      return new ModelResult(inst.configured ? [["OFFLINE"]] : []);
    }

    if (
      /^SELECT i\.address FROM mysql_innodb_cluster_metadata\.v2_instances i JOIN mysql_innodb_cluster_metadata\.v2_clusters c ON c\.cluster_id = i\.cluster_id WHERE c\.cluster_name = \?$/i.test(
        sql,
      )
    ) {
      if (!inst.metadata) throw mysqlError("Unknown database 'mysql_innodb_cluster_metadata'", ER.BAD_DB);
      if (inst.metadataUnreadable)
        throw mysqlError(
          `SELECT command denied to user '${s.creds.user}'@'%' for table 'v2_instances'`,
          ER.TABLE_ACCESS_DENIED,
        );
      if (inst.metadata.clusterName !== args[0]) return new ModelResult([]);
      return new ModelResult(inst.metadata.members.map((a) => [a]));
    }

    if (/^SELECT COUNT\(\*\) FROM mysql\.user WHERE user = \? AND host = \?$/i.test(sql)) {
      return new ModelResult([[inst.users.has(userKey(String(args[0]), String(args[1]))) ? 1 : 0]]);
    }

    const rows = accountSql(inst, s, sql, args, write);
    if (rows) return new ModelResult(rows);

    throw mysqlError(`model: unsupported SQL: ${sql}`, ER.PARSE_ERROR);
  }

  // ---- the script globals ----

  globals(): Record<string, unknown> {
    const shell = {
      connect: (cd: unknown, password?: unknown) =>
        this.record("shell.connect", describeTarget(cd, this.env.localAddress), [redactCd(cd)], false, () => {
          const s = this.open(cd, password);
          this.globalSession = s;
          return s;
        }),
      openSession: (cd: unknown, password?: unknown) =>
        this.record("shell.openSession", describeTarget(cd, this.env.localAddress), [redactCd(cd)], false, () =>
          this.open(cd, password),
        ),
      getSession: () => this.record("shell.getSession", undefined, [], false, () => this.globalSession),
    };

    const dba = {
      getCluster: (name?: unknown, opts?: unknown) =>
        this.record("dba.getCluster", this.globalSession?.address, [name, opts], false, () => {
          checkOptions(opts, ["connectToPrimary"]);
          const s = this.requireSession("Dba.getCluster");
          const inst = s.alive();
          const active = inst.gr && (inst.gr.state === "ONLINE" || inst.gr.state === "RECOVERING");
          if (!active) {
            if (!inst.metadata)
              throw shellError(
                "This function is not available through a session to a standalone instance",
                SHERR.INSTANCE_NOT_MANAGED,
              );
            // A removed instance keeps a stale copy that no longer lists it. Model assumption: a plain runtime error
            // without a code, neither 51300 nor 51314 (scripts must not read it as "standalone" or "stopped").
            if (!inst.metadata.members.includes(inst.address))
              throw shellError(
                "This function is not available through a session to a standalone instance (metadata exists, instance does not belong to that metadata)",
                undefined,
              );
            throw shellError(
              "This function is not available through a session to a standalone instance (metadata exists, instance belongs to that metadata, but GR is not active)",
              SHERR.INSTANCE_NOT_ONLINE,
            );
          }
          if (!inst.metadata)
            throw shellError(
              "This function is not available through a session to an instance belonging to an unmanaged replication group",
              undefined,
            );
          if (name !== undefined && name !== null && name !== inst.metadata.clusterName)
            throw shellError(
              `The cluster with the name '${String(name)}' does not exist.`,
              SHERR.MISSING_FROM_METADATA,
            );
          return new ModelCluster(this, inst.metadata.clusterName, inst.address, inst.gr!.groupId, s.creds);
        }),

      createCluster: (name: unknown, opts?: unknown) =>
        this.record("dba.createCluster", this.globalSession?.address, [name, opts], true, () => {
          const s = this.requireSession("Dba.createCluster");
          const inst = s.alive();
          if (typeof name !== "string" || !/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name))
            throw argumentError("The Cluster name can only start with an alphabetic or the '_' character.");
          const o = checkOptions(opts, Object.keys(CREATE_OPTIONS));
          for (const [k, v] of Object.entries(o))
            if (!CREATE_OPTIONS[k]!(v)) throw argumentError(`Invalid value for ${k} option: ${String(v)}`);
          if (inst.gr && inst.metadata)
            throw shellError(
              `Unable to create cluster. The instance '${inst.address}' already belongs to an InnoDB cluster. Use dba.getCluster() to access it.`,
              undefined,
            );
          if (inst.gr)
            throw shellError(
              `The instance '${inst.address}' is already part of a Replication Group (use adoptFromGR)`,
              SHERR.INSTANCE_ALREADY_IN_GR,
            );
          if (inst.metadata)
            throw shellError(
              `dba.createCluster: Unable to create cluster. The instance '${inst.address}' has a populated Metadata schema and belongs to that Metadata. Use either dba.dropMetadataSchema() to drop the schema, or dba.rebootClusterFromCompleteOutage() to reboot the cluster from complete outage.`,
              undefined,
            );
          if (!inst.configured)
            throw shellError(
              `Instance '${inst.address}' is not configured for InnoDB Cluster. Use dba.configureInstance() to fix it.`,
              SHERR.INVALID_SERVER_CONFIGURATION,
            );
          const group = this.fleet.newGroup(name);
          inst.gr = { groupId: group.id, state: "ONLINE", role: "PRIMARY", recoveringTicks: 0 };
          group.view.push(inst.address);
          inst.metadata = {
            clusterName: name,
            members: [inst.address],
            gtidSetIsComplete: o.gtidSetIsComplete === true,
            options: { ...o },
          };
          inst.gtidExecuted++;
          this.print(`Cluster successfully created on '${inst.address}'.`);
          return new ModelCluster(this, name, inst.address, group.id, s.creds);
        }),

      rebootClusterFromCompleteOutage: (name?: unknown, opts?: unknown) =>
        this.record("dba.rebootClusterFromCompleteOutage", this.globalSession?.address, [name, opts], true, () => {
          const o = checkOptions(opts, [
            "force",
            "dryRun",
            "primary",
            "switchCommunicationStack",
            "ipAllowlist",
            "localAddress",
            "timeout",
            "paxosSingleLeader",
          ]);
          const s = this.requireSession("Dba.rebootClusterFromCompleteOutage");
          const inst = s.alive();
          const md = inst.metadata;
          if (!md)
            throw shellError(
              "This function is not available through a session to a standalone instance",
              SHERR.INSTANCE_NOT_MANAGED,
            );
          if (!md.members.includes(inst.address))
            throw shellError(
              "This function is not available through a session to a standalone instance (metadata exists, instance does not belong to that metadata)",
              undefined,
            );
          if (name !== undefined && name !== null && name !== md.clusterName)
            throw shellError(
              `The cluster with the name '${String(name)}' does not exist.`,
              SHERR.MISSING_FROM_METADATA,
            );
          for (const a of md.members) {
            const i = this.fleet.has(a) ? this.fleet.get(a) : undefined;
            if (!i || !this.fleet.isUp(i) || !i.gr || (i.gr.state !== "ONLINE" && i.gr.state !== "RECOVERING"))
              continue;
            const g = this.fleet.groupOf(i)!;
            if (this.fleet.hasQuorum(g)) throw shellError("The Cluster is ONLINE", undefined);
            throw shellError(
              `The MySQL instance '${a}' belongs to an InnoDB Cluster and is reachable. Please use <Cluster>.forceQuorumUsingPartitionOf() to restore from the quorum loss.`,
              undefined,
            );
          }
          const unreachable = md.members.filter((a) => !this.fleet.has(a) || !this.fleet.isUp(this.fleet.get(a)));
          if (unreachable.length > 0 && o.force !== true) {
            this.print(
              `WARNING: One or more instances of the Cluster could not be reached and cannot be rejoined nor ensured to be OFFLINE: ${unreachable
                .map((a) => `'${a}'`)
                .join(
                  ", ",
                )}. Cluster may diverge and become inconsistent unless all instances are either reachable or certain to be OFFLINE and not accepting new transactions. You may use the 'force' option to bypass this check and proceed anyway.`,
            );
            throw shellError("Could not determine if Cluster is completely OFFLINE", undefined);
          }
          const reachable = md.members.filter((a) => !unreachable.includes(a)).map((a) => this.fleet.get(a));
          // The most up-to-date member becomes the primary (model assumption: chosen automatically).
          let seed = inst;
          for (const i of reachable) if (i.gtidExecuted > seed.gtidExecuted) seed = i;
          const group = this.fleet.newGroup(md.clusterName);
          seed.gr = { groupId: group.id, state: "ONLINE", role: "PRIMARY", recoveringTicks: 0 };
          group.view.push(seed.address);
          for (const i of reachable) if (i !== seed) this.fleet.joinGroup(i, group);
          this.fleet.replicateMetadata(group, cloneMetadata(seed.metadata ?? md));
          this.print(`The Cluster was successfully rebooted.`);
          return new ModelCluster(this, md.clusterName, inst.address, group.id, s.creds);
        }),

      configureInstance: (instance?: unknown, opts?: unknown) =>
        this.record("dba.configureInstance", this.globalSession?.address, [instance, redactOpts(opts)], true, () => {
          const o = checkOptions(opts, [
            "clusterAdmin",
            "clusterAdminPassword",
            "clusterAdminPasswordExpiration",
            "clusterAdminCertIssuer",
            "clusterAdminCertSubject",
            "restart",
            "interactive",
            "applierWorkerThreads",
            "mycnfPath",
            "outputMycnfPath",
          ]);
          const { inst, session } = this.targetOf("Dba.configureInstance", instance);
          // Model assumption: refused on an instance already in a group.
          if (inst.gr)
            throw shellError(
              `This function is not available through a session to an instance already in an InnoDB Cluster`,
              SHERR.INSTANCE_MANAGED_IN_CLUSTER,
            );
          // mysql-shell 8.4.3/8.4.8 modules/adminapi/dba/configure_instance.cc check_create_admin_user: without
          // clusterAdmin the account in use is checked (common/accounts.cc check_admin_account_access_restrictions);
          // root, which exists only as root@localhost, is refused non-interactively with a std::runtime_error that
          // types_cpp.cc (Cpp_object_bridge::call_function) turns into a RuntimeError prefixed with the scope.
          if (o.clusterAdmin === undefined && session.creds.kind === "socket")
            throw shellError("Dba.configureInstance: User 'root' can only connect from 'localhost'.", undefined);
          if (o.clusterAdmin !== undefined) {
            const [user, host] = String(o.clusterAdmin).includes("@")
              ? String(o.clusterAdmin)
                  .split("@")
                  .map((x) => x.replace(/'/g, ""))
              : [String(o.clusterAdmin), "%"];
            const key = userKey(user!, host!);
            const existing = inst.users.get(key);
            // Same function: an existing account refuses clusterAdminPassword (ArgumentError) and must hold the
            // admin's privileges WITH GRANT OPTION (accounts.cc validate_cluster_admin_user_privileges).
            if (existing && o.clusterAdminPassword !== undefined)
              throw argumentError(
                `Dba.configureInstance: The '${user}'@'${host}' account already exists, clusterAdminPassword is not allowed for an existing account.`,
              );
            if (existing && ADMIN_GLOBAL_PRIVILEGES.some((p) => !holds(existing, p, "*.*", true)))
              throw shellError(
                `Dba.configureInstance: The account '${session.creds.user}'@'localhost' is missing privileges required to manage an InnoDB cluster.`,
                undefined,
              );
            if (!existing && typeof o.clusterAdminPassword !== "string")
              throw shellError("Dba.configureInstance: password for clusterAdmin required", undefined);
            if (!existing) {
              // Created with the binary log off (configure_instance.cc create_cluster_admin_user,
              // Suppress_binary_log): no GTID.
              inst.users.set(key, clusterAdminAccount(String(o.clusterAdminPassword)));
              this.print(`Cluster admin user '${user}'@'${host}' created.`);
            } else this.print(`User '${user}'@'${host}' already exists and will not be created.`);
          }
          if (!inst.configured && !inst.configurePending) {
            if (inst.configureNeedsRestart && o.restart === true) {
              inst.configurePending = true;
              this.print("Restarting MySQL...");
              this.fleet.restart(inst.address);
            } else if (inst.configureNeedsRestart) {
              inst.configurePending = true;
              this.print("NOTE: MySQL server needs to be restarted for configuration changes to take effect.");
            } else {
              inst.configured = true;
            }
          }
        }),

      checkInstanceConfiguration: (instance?: unknown, opts?: unknown) =>
        this.record("dba.checkInstanceConfiguration", this.globalSession?.address, [instance, opts], false, () => {
          checkOptions(opts, ["mycnfPath", "interactive"]);
          const { inst, session } = this.targetOf("Dba.checkInstanceConfiguration", instance);
          // mysql-shell 8.4.3/8.4.8 modules/adminapi/dba/check_instance.cc prepare: the account in use goes through
          // common/accounts.cc check_admin_account_access_restrictions non-interactively, which throws for an account
          // that exists only @localhost, as root does (a RuntimeError prefixed with the scope, types_cpp.cc).
          if (session.creds.kind === "socket")
            throw shellError(
              "Dba.checkInstanceConfiguration: User 'root' can only connect from 'localhost'.",
              undefined,
            );
          if (inst.gr)
            throw shellError(
              `This function is not available through a session to an instance already in an InnoDB Cluster`,
              SHERR.INSTANCE_MANAGED_IN_CLUSTER,
            );
          if (inst.configured) return { status: "ok" };
          return {
            status: "error",
            config_errors: [
              {
                option: "gtid_mode",
                current: "OFF",
                required: "ON",
                action: inst.configurePending || inst.configureNeedsRestart ? "server_update+restart" : "server_update",
              },
            ],
          };
        }),
    };

    const os = {
      sleep: (seconds: unknown) =>
        this.record("os.sleep", undefined, [seconds], false, () => {
          this.fleet.tick();
        }),
      loadTextFile: (path: unknown) =>
        this.record("os.loadTextFile", undefined, [path], false, () => {
          const text = this.env.files.get(String(path));
          if (text === undefined) throw shellError(`Cannot open file '${String(path)}'`, undefined);
          return text;
        }),
    };

    const sys = { argv: [...this.env.argv] };
    const println = (...parts: unknown[]) => this.print(...parts);
    return { shell, dba, os, sys, println, print: println };
  }

  get currentSession(): ModelSession | null {
    return this.globalSession;
  }
}

function hostPort(address: string): { host: string; port: number } {
  const [host, port] = address.split(":");
  return { host: host!, port: Number(port ?? 3306) };
}

function describeTarget(cd: unknown, local: string): string | undefined {
  if (cd && typeof cd === "object") {
    const o = cd as Options;
    if (o.socket !== undefined) return local;
    return `${String(o.host)}:${String(o.port ?? 3306)}`;
  }
  return typeof cd === "string" ? addressOf(cd) : undefined;
}

/** Connection data as recorded: the password replaced. */
function redactCd(cd: unknown): unknown {
  if (cd && typeof cd === "object") {
    const o = { ...(cd as Options) };
    if (o.password !== undefined) o.password = "****";
    return o;
  }
  return typeof cd === "string" ? cd.replace(/:[^@]*@/, ":****@") : cd;
}

function redactOpts(opts: unknown): unknown {
  if (opts && typeof opts === "object") {
    const o = { ...(opts as Options) };
    if (o.clusterAdminPassword !== undefined) o.clusterAdminPassword = "****";
    return o;
  }
  return opts;
}

export { ModelShellError };
