/**
 * The state the MODEL keeps per MySQL instance and per group (./fleet.ts), and the pure helpers over it. Not MySQL.
 */
import { clusterAdminAccount } from "./privileges";

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
  /** mysql.user.ssl_type: "ANY" after ALTER USER ... REQUIRE SSL; absent ('') without a REQUIRE clause. */
  sslType?: "ANY";
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
  /** The own view of a member in ERROR, which holds only itself (Fleet.memberError). */
  errorOnly?: boolean;
}

export const DEFAULT_GLOBALS: Record<string, string> = {
  max_connections: "151",
  innodb_buffer_pool_size: "134217728",
  innodb_log_file_size: "50331648",
  binlog_expire_logs_seconds: "2592000",
  super_read_only: "OFF",
  group_replication_start_on_boot: "ON",
  // OFF by default (mysql-server sql/sys_vars.cc Sys_trust_function_creators, DEFAULT(false)); a boolean reads back
  // as 0/1. Deprecated in 8.4, still read and set (configure-instance, setup-accounts).
  log_bin_trust_function_creators: "0",
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
