/**
 * MySQL names and numbers several layers share: the accounts gamedb creates and the server port. Constants only.
 */

/** MySQL accounts gamedb creates. */
export const ACCOUNTS = {
  clusterAdmin: "gamedb_admin",
  router: "gamedb_router",
  monitor: "gamedb_monitor",
  /** Local to each member (@localhost), authenticated with auth_socket: it has no password (setup-accounts.js). */
  backup: "gamedb_backup",
} as const;
/** The accounts that log in with a password, which comes from @pulumi/random, per shard. */
export const PASSWORD_ROLES = ["clusterAdmin", "router", "monitor"] as const;
export type PasswordRole = (typeof PASSWORD_ROLES)[number];

export const MYSQL_PORT = 3306;
