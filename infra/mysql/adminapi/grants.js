// @ts-check
// gamedb AdminAPI helpers for accounts and privileges: what the backup account holds, what the cluster admin must be
// able to grant, and reading SHOW GRANTS. Follows common.js in every script (infra/mysql/adminapi/index.ts).

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

// BACKUP_PRIVILEGES that the cluster admin dba.configureInstance creates does not hold on *.* WITH GRANT OPTION
// (mysql-shell 8.4.3 modules/adminapi/common/accounts.cc k_admin_global_privileges): configure-instance adds them.
var ADMIN_EXTRA_PRIVILEGES = ["EVENT", "SHOW VIEW", "TRIGGER", "BACKUP_ADMIN"];

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

/** @param {GrantMap} have @param {string} on @param {string} priv @returns {boolean} */
function hasPrivilege(have, on, priv) {
  var objects = on === "*.*" ? ["*.*"] : [on, "*.*"];
  for (var i = 0; i < objects.length; i++) {
    var h = have[objects[i]];
    if (h && (h[priv] || h["ALL PRIVILEGES"] || h.ALL)) return true;
  }
  return false;
}

// The privileges of `privileges` that user@host cannot grant on *.* (does not hold WITH GRANT OPTION).
/** @param {ClassicSession} s @param {string} user @param {string} host @param {string[]} privileges @returns {string[]} */
function missingGrantable(s, user, host, privileges) {
  var have = parseGrants(showGrants(s, user, host), true);
  return privileges.filter(function (p) {
    return !hasPrivilege(have, "*.*", p);
  });
}
