/**
 * MODEL of MySQL accounts and privileges, as far as the gamedb AdminAPI scripts touch them: the cluster admin that
 * dba.configureInstance creates, GRANT (which the grantor may only give WITH GRANT OPTION), SHOW GRANTS, auth_socket
 * accounts, and statements run with the binary log off. Not MySQL.
 *
 * Sources: mysql-shell 8.4.3 and 8.4.8 modules/adminapi/common/accounts.cc (the admin's grants, identical in both);
 * for GRANT, the MySQL 8.4 reference manual, "GRANT Statement" ("To use GRANT, you must have the GRANT OPTION
 * privilege, and you must have the privileges that you are granting") and its error list: the 8.4 server source
 * (mysql/mysql-server, sql/auth/sql_authorization.cc) is 4.3 GB and could not be fetched here, so the error codes
 * below (1044/1045 for static privileges, 1227 for dynamic ones) are the manual's and a model assumption.
 */
import type { InstanceState, UserAccount } from "./fleet";
import { mysqlError } from "./errors";

/** accounts.cc k_admin_global_privileges (every entry applies to 8.4), granted on *.* WITH GRANT OPTION. */
export const ADMIN_GLOBAL_PRIVILEGES = [
  "RELOAD",
  "SHUTDOWN",
  "PROCESS",
  "FILE",
  "SELECT",
  "REPLICATION SLAVE",
  "REPLICATION CLIENT",
  "CREATE USER",
  "SYSTEM_VARIABLES_ADMIN",
  "PERSIST_RO_VARIABLES_ADMIN",
  "REPLICATION_APPLIER",
  "EXECUTE",
  "CLONE_ADMIN",
  "REPLICATION_SLAVE_ADMIN",
  "GROUP_REPLICATION_ADMIN",
  "ROLE_ADMIN",
  "CONNECTION_ADMIN",
];

/** accounts.cc k_metadata_schema_privileges, on each k_admin_schema_grants schema, WITH GRANT OPTION. */
const METADATA_SCHEMA_PRIVILEGES = [
  "ALTER",
  "ALTER ROUTINE",
  "CREATE",
  "CREATE ROUTINE",
  "CREATE TEMPORARY TABLES",
  "CREATE VIEW",
  "DELETE",
  "DROP",
  "EVENT",
  "EXECUTE",
  "INDEX",
  "INSERT",
  "LOCK TABLES",
  "REFERENCES",
  "SHOW VIEW",
  "TRIGGER",
  "UPDATE",
];
const ADMIN_SCHEMA_GRANTS: Record<string, string[]> = {
  mysql_innodb_cluster_metadata: METADATA_SCHEMA_PRIVILEGES,
  mysql_innodb_cluster_metadata_bkp: METADATA_SCHEMA_PRIVILEGES,
  mysql_innodb_cluster_metadata_previous: METADATA_SCHEMA_PRIVILEGES,
  mysql: ["INSERT", "UPDATE", "DELETE"],
};

/** Privileges the server registers at run time (SHOW GRANTS lists them on a line of their own). */
export const DYNAMIC_PRIVILEGES = new Set([
  "BACKUP_ADMIN",
  "CLONE_ADMIN",
  "CONNECTION_ADMIN",
  "GROUP_REPLICATION_ADMIN",
  "PERSIST_RO_VARIABLES_ADMIN",
  "REPLICATION_APPLIER",
  "REPLICATION_SLAVE_ADMIN",
  "ROLE_ADMIN",
  "SYSTEM_VARIABLES_ADMIN",
]);
const STATIC_PRIVILEGES = new Set([
  ...ADMIN_GLOBAL_PRIVILEGES.filter((p) => !DYNAMIC_PRIVILEGES.has(p)),
  ...METADATA_SCHEMA_PRIVILEGES,
  "ALL PRIVILEGES",
  "SHOW DATABASES",
  "SUPER",
  "USAGE",
]);

/** The cluster admin account as dba.configureInstance creates it (accounts.cc create_admin_grants). */
export function clusterAdminAccount(password: string): UserAccount {
  const grants = new Set<string>(ADMIN_GLOBAL_PRIVILEGES.map((p) => `${p} ON *.*`));
  for (const [schema, privs] of Object.entries(ADMIN_SCHEMA_GRANTS))
    for (const p of privs) grants.add(`${p} ON ${schema}.*`);
  return { password, grants, grantable: new Set(grants) };
}

/** Whether `account` holds `priv` on `on` (`*.*` or `db.*`), directly or through *.*. */
export function holds(account: UserAccount | undefined, priv: string, on: string, grantable = false): boolean {
  if (!account) return false;
  const set = grantable ? (account.grantable ?? new Set<string>()) : account.grants;
  return set.has(`${priv} ON ${on}`) || set.has(`${priv} ON *.*`) || set.has("ALL PRIVILEGES ON *.*");
}

/**
 * GRANT privileges ON `on` by `grantor` (undefined: root over the local socket, which holds everything WITH GRANT
 * OPTION). Throws the server's error for the first privilege the grantor cannot give.
 */
export function checkGrantor(
  grantor: { user: string; account: UserAccount | undefined } | undefined,
  privileges: string[],
  on: string,
): void {
  for (const p of privileges) {
    if (!STATIC_PRIVILEGES.has(p) && !DYNAMIC_PRIVILEGES.has(p))
      throw mysqlError(`Illegal privilege level specified for ${p}`, 1064);
    if (!grantor || holds(grantor.account, p, on, true)) continue;
    if (DYNAMIC_PRIVILEGES.has(p))
      throw mysqlError(
        "Access denied; you need (at least one of) the GRANT OPTION privilege(s) for this operation",
        1227,
      );
    if (on === "*.*") throw mysqlError(`Access denied for user '${grantor.user}'@'%' (using password: YES)`, 1045);
    throw mysqlError(`Access denied for user '${grantor.user}'@'%' to database '${on.split(".")[0]}'`, 1044);
  }
}

/** Adds the grants to `account` (and, with grantOption, to what it may grant on). */
export function addGrants(account: UserAccount, privileges: string[], on: string, grantOption: boolean): void {
  for (const p of privileges) {
    account.grants.add(`${p} ON ${on}`);
    if (grantOption) (account.grantable ??= new Set()).add(`${p} ON ${on}`);
  }
}

function grantObject(on: string): string {
  if (on === "*.*") return on;
  const [db, tbl] = on.split(".");
  return `\`${db}\`.${tbl === "*" ? "*" : `\`${tbl}\``}`;
}

/**
 * SHOW GRANTS lines, as MySQL 8.4 prints them: per object, static privileges on one line and dynamic ones on another,
 * and privileges held WITH GRANT OPTION on lines of their own that end so.
 */
export function showGrants(user: string, host: string, account: UserAccount): string[] {
  const to = `TO \`${user}\`@\`${host}\``;
  const byLine = new Map<string, string[]>();
  const add = (key: string, p: string) => byLine.set(key, [...(byLine.get(key) ?? []), p]);
  for (const g of account.grants) {
    const m = /^(.+) ON (\S+)$/.exec(g);
    if (!m) continue;
    const [p, on] = [m[1]!, m[2]!];
    const withGrant = account.grantable?.has(g) ?? false;
    add(`${on}|${DYNAMIC_PRIVILEGES.has(p) ? "d" : "s"}|${withGrant ? "g" : ""}`, p);
  }
  const lines: string[] = [];
  if (![...byLine.keys()].some((k) => k.startsWith("*.*|s|"))) lines.push(`GRANT USAGE ON *.* ${to}`);
  const keys = [...byLine.keys()].sort((a, b) => (a.startsWith("*.*") ? 0 : 1) - (b.startsWith("*.*") ? 0 : 1));
  for (const k of keys) {
    const [on, kind, g] = k.split("|");
    const sep = kind === "d" ? "," : ", ";
    lines.push(`GRANT ${byLine.get(k)!.join(sep)} ON ${grantObject(on!)} ${to}${g ? " WITH GRANT OPTION" : ""}`);
  }
  return lines;
}

/** The account's (plugin, authentication_string) as mysql.user holds them. */
export function authRow(account: UserAccount): [string, string] {
  if (account.plugin === "auth_socket") return ["auth_socket", account.authAs ?? ""];
  return ["caching_sha2_password", "<hash>"];
}

/** Whether an auth_socket account lets the operating-system user `osUser` in (authentication_string names it). */
export function socketAccepts(account: UserAccount | undefined, osUser: string): boolean {
  return !!account && account.plugin === "auth_socket" && (account.authAs ?? "") === osUser;
}

/** The instance's view of super_read_only: ON on a group member that is not the ONLINE primary. */
export function superReadOnly(inst: InstanceState): boolean {
  if (inst.gr) return !(inst.gr.role === "PRIMARY" && inst.gr.state === "ONLINE");
  return inst.globals.super_read_only === "ON";
}
