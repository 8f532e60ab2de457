// @ts-check
// gamedb AdminAPI helpers for accounts and privileges: what the backup account and the game database's accounts hold,
// what the cluster admin must be able to grant, and reading SHOW GRANTS. Follows common.js in every script
// (infra/mysql/adminapi/index.ts).

// What util.dumpInstance (consistent, with events and triggers) and the binlog job need, on *.*: EVENT and TRIGGER
// are checked before a dump starts (mysql-shell 8.4.3 modules/util/dump/dumper.cc validate_privileges), BACKUP_ADMIN
// takes LOCK INSTANCE FOR BACKUP so DDL cannot break a dump, RELOAD takes FLUSH TABLES WITH READ LOCK and FLUSH
// BINARY LOGS (dumper.cc lock_all_tables), REPLICATION CLIENT reads the binary log position, SELECT and SHOW VIEW
// read data and view definitions, PROCESS lists the threads the lock waits for.
var BACKUP_PRIVILEGES = [
  "SELECT",
  "RELOAD",
  "PROCESS",
  "EVENT",
  "SHOW VIEW",
  "TRIGGER",
  "REPLICATION CLIENT",
  "BACKUP_ADMIN",
];

// The migration account (params.accounts.schema) on the game database: it runs the migrations' DDL and data changes
// and installs the slot fence's triggers (infra/contracts/slotFence.ts). SELECT, INSERT, UPDATE, DELETE: data
// migrations (batched UPDATE/DELETE) and what the DDL copies; CREATE, DROP, ALTER: tables, columns, partitions
// (ADD/DROP PARTITION is ALTER plus DROP), TRUNCATE (DROP), RENAME TABLE (ALTER, DROP, CREATE, INSERT); INDEX:
// CREATE/DROP INDEX; REFERENCES: foreign keys; TRIGGER: the fence triggers, and their definer must keep it and
// SELECT on the tables for the triggers to run (they run as their definer); CREATE VIEW, SHOW VIEW: views a migration
// defines or reads. Not LOCK TABLES (online DDL takes its own locks; a locking read is allowed by UPDATE/DELETE), not
// CREATE ROUTINE/EVENT (no stored routines or events in gamedb's schema), nothing global: SHOW GLOBAL STATUS
// (Threads_running, the batch throttle) reads performance_schema.global_status, which needs no privilege
// (mysql-shell 8.4.3 modules/adminapi/common/accounts.cc, the note above k_admin_table_grants).
var SCHEMA_DATABASE_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "ALTER",
  "INDEX",
  "REFERENCES",
  "TRIGGER",
  "CREATE VIEW",
  "SHOW VIEW",
];
// The migration account on gamedb_meta: CREATE for the schema itself and its tables (CREATE DATABASE/TABLE IF NOT
// EXISTS: slot_fence, schema_migrations), SELECT, INSERT, UPDATE for their rows (the fence rows are INSERT IGNORE; a
// migration's row moves from running to applied, failed or rolled_back). UPDATE also allows the triggers' share-locked
// read of slot_fence, made as their definer. No DELETE, DROP or ALTER: nothing there is removed or reshaped.
var SCHEMA_META_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "CREATE"];
// The game servers' account (params.accounts.app): data on the game database, and reads of gamedb_meta for the
// scatter queries' join on slot_fence (ownedSlotsJoin). Schema-wide, not ON gamedb_meta.slot_fence: MySQL refuses a
// table-level GRANT of a table that does not exist yet (ER_NO_SUCH_TABLE, sql/auth/sql_authorization.cc
// mysql_table_grant, read at 8.0, unless CREATE is granted too) and this step runs before the first migration creates
// the fence.
// Writers need nothing on the fence: its triggers run as their definer, the migration account.
var APP_DATABASE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE"];
var APP_META_PRIVILEGES = ["SELECT"];
// The slot mover's account (params.accounts.mover, infra/contracts/slotMoves.ts), whose name the fence triggers let
// through (infra/contracts/slotFence.ts MOVER_ACCOUNT).
// - On *.*: REPLICATION SLAVE to follow a binlog as a replica client (still the grant's name in 8.4: mysql-shell
//   8.4.8 modules/adminapi/replica_set/replica_set_impl.cc grants "REPLICATION SLAVE" on *.*, and accounts.cc
//   k_admin_global_privileges lists it without an upper version); REPLICATION CLIENT for SHOW BINARY LOG STATUS and
//   SHOW BINARY LOGS (where the stream stands).
// - On the game database: the rows it copies, applies from the stream and, at cleanup or cancel, deletes. TRIGGER so
//   its preflight sees the fence triggers: information_schema.TRIGGERS (and SHOW TRIGGERS) list a table's triggers
//   only to an account with TRIGGER on it (MySQL 8.4 Reference Manual 28.3.44 "The INFORMATION_SCHEMA TRIGGERS
//   Table"), and without it every sharded table reads as unfenced (scripts/lib/mover/preflight.ts, checkShardedTable).
//   TRIGGER also allows CREATE and DROP TRIGGER there (manual 15.1.22, 15.1.34); the mover issues neither. No other
//   DDL: the migrate Job owns the schema.
// - On gamedb_meta: its control and watermark tables (CREATE, then their rows) and the fence rows it freezes and
//   flips (UPDATE).
// - On performance_schema: replication_group_members (where the primary is, whose binlog it reads) and
//   replication_group_member_stats (the applier queue it throttles on).
// The cluster admin can grant all of it: REPLICATION SLAVE, REPLICATION CLIENT and SELECT on *.* WITH GRANT OPTION
// are Shell's own (k_admin_global_privileges), DELETE, CREATE and TRIGGER are among ADMIN_EXTRA_PRIVILEGES.
var MOVER_GLOBAL_PRIVILEGES = ["REPLICATION SLAVE", "REPLICATION CLIENT"];
var MOVER_DATABASE_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRIGGER"];
var MOVER_META_PRIVILEGES = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE"];
var MOVER_PERFORMANCE_SCHEMA_PRIVILEGES = ["SELECT"];

// What the cluster admin that dba.configureInstance creates does not hold on *.* WITH GRANT OPTION (mysql-shell 8.4.3
// modules/adminapi/common/accounts.cc k_admin_global_privileges: SELECT and administrative privileges only) and the
// accounts step grants: EVENT, SHOW VIEW, TRIGGER, BACKUP_ADMIN for BACKUP_PRIVILEGES; the rest for the migration,
// game server and mover accounts. configure-instance adds them. On *.*, not on the game database: the admin can already
// write mysql.* (k_admin_schema_grants), so a narrower grant would protect nothing, and a renamed game database
// needs no new grant.
var ADMIN_EXTRA_PRIVILEGES = [
  "EVENT",
  "SHOW VIEW",
  "TRIGGER",
  "BACKUP_ADMIN",
  "INSERT",
  "UPDATE",
  "DELETE",
  "CREATE",
  "DROP",
  "ALTER",
  "INDEX",
  "REFERENCES",
  "CREATE VIEW",
];

// The backup account authenticates with auth_socket as the operating-system user root: the jobs run as root on the
// member and log in over the local socket, so no password exists to store, rotate or leak.
var BACKUP_ACCOUNT_HOST = "localhost";
var BACKUP_OS_USER = "root";

/** @param {ClassicSession} s @param {string} user @param {string} host @returns {string[]} */
function showGrants(s, user, host) {
  var rows = s.runSql("SHOW GRANTS FOR ?@?", [user, host]).fetchAll();
  var out = [];
  for (var i = 0; i < rows.length; i++) out.push(String(rows[i][0]));
  return out;
}

// {object: {PRIVILEGE: true}} from SHOW GRANTS lines ("GRANT A, B ON `db`.* TO `u`@`h` [WITH GRANT OPTION]"); with
// grantableOnly, only the lines WITH GRANT OPTION.
/** @param {string[]} lines @param {boolean} grantableOnly @returns {GrantMap} */
function parseGrants(lines, grantableOnly) {
  /** @type {GrantMap} */
  var have = {};
  lines.forEach(function (line) {
    var m = /^GRANT (.+?) ON (\S+) TO .*?( WITH GRANT OPTION)?$/i.exec(line);
    if (!m || (grantableOnly && !m[3])) return;
    var on = m[2].replace(/`/g, "");
    have[on] = have[on] || {};
    m[1].split(/\s*,\s*/).forEach(function (p) {
      var priv = p.trim().toUpperCase();
      if (priv === "REPLICATION REPLICA") priv = "REPLICATION SLAVE";
      have[on][priv] = true;
    });
  });
  return have;
}

// A database-level object for GRANT: the name in backticks with `_` escaped, since in a database-level GRANT `_`
// and `%` are wildcards (MySQL 8.4 Reference Manual, GRANT Statement, "Object Quoting Guidelines"): `game_db`.*
// would also cover gamexdb. SHOW GRANTS prints the name as granted, escapes included.
/** @param {string} database @returns {string} */
function databaseLevel(database) {
  return "`" + database.replace(/([_%])/g, "\\$1") + "`.*";
}

/** @param {GrantMap} have @param {string} on @param {string} priv @returns {boolean} */
function hasPrivilege(have, on, priv) {
  on = on.replace(/`/g, "");
  var objects = on === "*.*" ? ["*.*"] : [on, "*.*"];
  for (var i = 0; i < objects.length; i++) {
    var h = have[objects[i]];
    if (h && (h[priv] || h["ALL PRIVILEGES"] || h.ALL)) return true;
  }
  return false;
}

// The privileges of `privileges` that user@host cannot grant on `on` (default *.*): it does not hold them WITH GRANT
// OPTION there or on *.*.
/** @param {ClassicSession} s @param {string} user @param {string} host @param {string[]} privileges @param {string} [on] @returns {string[]} */
function missingGrantable(s, user, host, privileges, on) {
  var have = parseGrants(showGrants(s, user, host), true);
  return privileges.filter(function (p) {
    return !hasPrivilege(have, on || "*.*", p);
  });
}
