/**
 * MySQL names and numbers several layers share: the accounts gamedb creates and the server port. Constants only.
 */
import { FENCE_SCHEMA, MOVER_ACCOUNT } from "../contracts/slotFence";

/** MySQL accounts gamedb creates. */
export const ACCOUNTS = {
  clusterAdmin: "gamedb_admin",
  router: "gamedb_router",
  monitor: "gamedb_monitor",
  /** Local to each member (@localhost), authenticated with auth_socket: it has no password (setup-accounts.js). */
  backup: "gamedb_backup",
  /** Runs schema migrations and installs the slot fence; made only for a shard with a game database. */
  schema: "gamedb_schema",
  /** The game servers' account (data only); made only for a shard with a game database. */
  app: "gamedb_app",
  /**
   * The slot mover's (infra/contracts/slotMoves.ts): reads the binlog, copies rows past the fence triggers (which
   * let this name through) and changes fence rows; made only for a shard with a game database.
   */
  mover: MOVER_ACCOUNT,
} as const;
/** The accounts every shard has that log in with a password, which comes from @pulumi/random, per shard. */
export const PASSWORD_ROLES = ["clusterAdmin", "router", "monitor"] as const;
export type PasswordRole = (typeof PASSWORD_ROLES)[number];
/**
 * The password accounts made only when a shard has a game database (InnoDbClusterArgs.schemaDatabase): without
 * one, neither the accounts nor their passwords exist.
 */
export const SCHEMA_PASSWORD_ROLES = ["schema", "app", "mover"] as const;
export type SchemaPasswordRole = (typeof SCHEMA_PASSWORD_ROLES)[number];

export const MYSQL_PORT = 3306;

/** A game database's (or table's) name gamedb accepts: a plain identifier that needs no quoting rules. */
export const MYSQL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Schemas MySQL, the AdminAPI or gamedb keep for themselves: never a game database (compared in lower case). */
export const RESERVED_DATABASES: readonly string[] = [
  "mysql",
  "sys",
  "information_schema",
  "performance_schema",
  "mysql_innodb_cluster_metadata",
  FENCE_SCHEMA,
];
