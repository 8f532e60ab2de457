/**
 * The MySQL Shell 8.4 globals the AdminAPI scripts (*.js here, run by `mysqlsh --js`) use, typed from what upstream
 * exposes (mysql-shell 8.4.3 = 8.4.8 for everything here but the thrown error's shape). Only for type-checking the
 * scripts (./tsconfig.json); the program's own tsconfig excludes this file, so these globals exist only there.
 * Options are the 8.4 lists, so an option Shell 8.4 lacks is a type error in an object literal.
 */

/** A value a script passes where Shell takes connection data: a URI string or a dictionary (modules/mod_utils.cc). */
type ConnectionData =
  string | { scheme?: "mysql"; host?: string; port?: number; user?: string; password?: string; socket?: string };

/**
 * What `catch (e)` receives from a Shell call. 8.4.0-8.4.3 (V8) throw the error dictionary itself
 * (mysqlshdk/scripting/jscript_object_wrapper.cc); 8.4.4+ (GraalJS) throw Error(message, {cause: dictionary})
 * (mysqlshdk/scripting/polyglot/languages/polyglot_javascript.cc). The dictionary: mysqlshdk/scripting/types.cc
 * (code -1 when the error has none; state for MySQL errors).
 */
interface ShellErrorData {
  type: string;
  message: string;
  code: number;
  state?: string;
}

/** A result row: indexed by column (modules/devapi/base_resultset.h Row). */
interface ShellRow {
  readonly [column: number]: unknown;
  readonly length: number;
}

/** modules/mod_mysql_resultset.cc ClassicResult. */
interface ClassicResult {
  /** The next row, null after the last. */
  fetchOne(): ShellRow | null;
  fetchAll(): ShellRow[];
  getAffectedItemsCount(): number;
}

/** modules/mod_mysql_session.cc ClassicSession. */
interface ClassicSession {
  /** `?` placeholders are filled client-side from args: numbers, strings, booleans, null (base_session.cc). */
  runSql(query: string, args?: ReadonlyArray<string | number | boolean | null>): ClassicResult;
  close(): void;
  isOpen(): boolean;
  getUri(): string;
}

/** modules/mod_shell.cc Shell. */
interface MysqlShell {
  /** Opens a session and makes it the global one, closing the previous one. */
  connect(connectionData: ConnectionData, password?: string): ClassicSession;
  /** Opens a session that is not the global one. */
  openSession(connectionData?: ConnectionData, password?: string): ClassicSession;
  /** The global session, null when there is none. */
  getSession(): ClassicSession | null;
}

/** A member in cluster.status() (cluster/status.cc feed_metadata_info, feed_member_info). */
interface ClusterStatusMember {
  address: string;
  memberRole: string;
  mode: string;
  role: string;
  /** The group's view: ONLINE, RECOVERING, OFFLINE, ERROR, UNREACHABLE, or "(MISSING)" (not in the group). */
  status: string;
  /** The member's own state, when it differs from status. */
  memberState?: string;
  shellConnectError?: string;
  instanceErrors?: string[];
  version?: string;
}

/** cluster.status() (cluster/status.cc Status::execute, collect_replicaset_status, get_default_replicaset_status). */
interface ClusterStatus {
  clusterName: string;
  defaultReplicaSet: {
    name: string;
    /** The primary's address, "?" when none is found; absent in multi-primary mode or without Group Replication. */
    primary?: string;
    ssl?: string;
    /** OK, OK_PARTIAL, OK_NO_TOLERANCE, OK_NO_TOLERANCE_PARTIAL, NO_QUORUM, ERROR, OFFLINE, UNREACHABLE, ... */
    status: string;
    statusText: string;
    /** Keyed by the member's metadata label, its address. */
    topology: { [address: string]: ClusterStatusMember };
    topologyMode?: string;
    /** Set when the status was read from an instance that is not ONLINE. */
    warning?: string;
    clusterErrors?: string[];
  };
  groupInformationSourceMember: string;
}

/** recoveryMethod (common/clone_options.cc Join_cluster_clone_options), any case. */
type RecoveryMethod = "auto" | "clone" | "incremental";

/** cluster/api_options.cc Add_instance_options (with group_replication_options.cc, clone_options.cc). */
interface AddInstanceOptions {
  recoveryMethod?: RecoveryMethod;
  label?: string;
  exitStateAction?: string;
  memberWeight?: number;
  autoRejoinTries?: number;
  ipAllowlist?: string;
  localAddress?: string;
  recoveryProgress?: number;
  certSubject?: string;
}

/** cluster/api_options.cc Rejoin_instance_options. */
interface RejoinInstanceOptions {
  recoveryMethod?: RecoveryMethod;
  cloneDonor?: string;
  recoveryProgress?: number;
  dryRun?: boolean;
  timeout?: number;
  ipAllowlist?: string;
  localAddress?: string;
}

/** cluster/api_options.cc Remove_instance_options. */
interface RemoveInstanceOptions {
  force?: boolean;
  dryRun?: boolean;
  timeout?: number;
}

/** common/api_options.cc Setup_account_options. */
interface SetupAccountOptions {
  password?: string;
  dryRun?: boolean;
  update?: boolean;
  requireCertIssuer?: string;
  requireCertSubject?: string;
  passwordExpiration?: number | "NEVER" | "DEFAULT" | null;
}

/** modules/adminapi/mod_dba_cluster.cc Cluster (the methods the scripts use). */
interface Cluster {
  getName(): string;
  status(options?: { extended?: number | boolean }): ClusterStatus;
  addInstance(instance: ConnectionData, options?: AddInstanceOptions): void;
  rejoinInstance(instance: ConnectionData, options?: RejoinInstanceOptions): void;
  removeInstance(instance: ConnectionData, options?: RemoveInstanceOptions): void;
  setPrimaryInstance(instance: ConnectionData, options?: { runningTransactionsTimeout?: number }): void;
  setupRouterAccount(user: string, options?: SetupAccountOptions): void;
}

/** dba/api_options.cc Configure_cluster_instance_options. */
interface ConfigureInstanceOptions {
  clusterAdmin?: string;
  clusterAdminPassword?: string;
  clusterAdminCertIssuer?: string;
  clusterAdminCertSubject?: string;
  clusterAdminPasswordExpiration?: number | "NEVER" | "DEFAULT" | null;
  restart?: boolean;
  mycnfPath?: string;
  outputMycnfPath?: string;
  applierWorkerThreads?: number;
}

/** dba.checkInstanceConfiguration() (dba/check_instance.cc; common/instance_validations.cc). */
interface InstanceCheck {
  status: "ok" | "error";
  config_errors?: { option: string; current: string; required: string; action: string; persisted?: string }[];
}

/** dba/api_options.cc Reboot_cluster_options. */
interface RebootClusterOptions {
  force?: boolean;
  dryRun?: boolean;
  primary?: string;
  switchCommunicationStack?: string;
  timeout?: number;
  ipAllowlist?: string;
  localAddress?: string;
  paxosSingleLeader?: boolean;
}

/** modules/adminapi/mod_dba.cc Dba (the functions the scripts use). */
interface Dba {
  /** Exposed with "?name" only. */
  getCluster(name?: string): Cluster;
  /** Options: dba/api_options.cc Create_cluster_options; the scripts pass them through from params. */
  createCluster(name: string, options?: { [option: string]: unknown }): Cluster;
  rebootClusterFromCompleteOutage(clusterName?: string, options?: RebootClusterOptions): Cluster;
  /** null: the global session's instance. */
  configureInstance(instance?: ConnectionData | null, options?: ConfigureInstanceOptions): void;
  checkInstanceConfiguration(
    instance?: ConnectionData | null,
    options?: { mycnfPath?: string; verifyMyCnf?: string },
  ): InstanceCheck;
}

/** modules/mod_os.cc Os. */
interface ShellOs {
  /** The file's text; throws when it cannot be read. */
  loadTextFile(path: string): string;
  sleep(seconds: number): void;
}

declare const dba: Dba;
declare const shell: MysqlShell;
/** The global session (the last shell.connect), null when there is none. */
declare let session: ClassicSession | null;
declare const os: ShellOs;
/** argv: the script, then the arguments after it (mysqlshdk/shellcore/shell_options.cc --file). */
declare const sys: { argv: string[] };
/** 8.4.3 mysqlshdk/scripting/jscript_context.cc; 8.4.8 mysqlshdk/scripting/polyglot/shell_javascript.cc. */
declare function println(...values: unknown[]): void;
declare function print(...values: unknown[]): void;
