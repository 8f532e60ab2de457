// @ts-check
// gamedb AdminAPI helpers, shared by every script in this directory. infra/mysql/adminapi/index.ts puts this file in
// front of each script, so the scripts need no mysqlsh `require`. Plain JavaScript for `mysqlsh --js` (MySQL Shell
// 8.4); run as: mysqlsh --js --no-wizard -f SCRIPT PARAMS_JSON SECRETS_JSON (sys.argv[1], sys.argv[2]).
//
// Rules every script follows:
// - a failure throws an Error whose message starts with "gamedb:" and says what is wrong and what to do;
// - progress goes to println("gamedb: ..."); no secret is ever printed, put in SQL text or in an error message;
// - every change is made only when a check shows it is needed, so a second run changes nothing.
//
// Every script also takes params.waitSeconds (optional, default 600): how long a bounded wait (a member coming back
// ONLINE after a rejoin, an add or a restart; mysqld coming back) lasts before the script gives up.

var GAMEDB_SOCKET = "/var/run/mysqld/mysqld.sock";
// Bounded waits: polls GAMEDB_WAIT_SECONDS apart, for at most GAMEDB_WAIT_LIMIT seconds in all (params.waitSeconds,
// read by loadArgs; 600 when not given: a clone or a restart with a large buffer pool takes minutes).
var GAMEDB_WAIT_SECONDS = 1;
var GAMEDB_WAIT_LIMIT = 600;

// The number of polls a bounded wait makes.
/** @returns {number} */
function waitTries() {
  return Math.max(1, Math.ceil(GAMEDB_WAIT_LIMIT / GAMEDB_WAIT_SECONDS));
}

// Schemas every instance has; any other schema holds user data (see userSchemas).
var SYSTEM_SCHEMAS = ["mysql", "sys", "information_schema", "performance_schema", "mysql_innodb_cluster_metadata"];

// MySQL client error codes (connection level) and AdminAPI error codes (MYSQLSH nnnnn) the scripts act on.
var ER_ACCESS_DENIED = 1045;
var CR_CONNECTION_ERROR = 2002;
var CR_CONN_HOST_ERROR = 2003;
var CR_SERVER_GONE = 2006;
var CR_SERVER_LOST = 2013;
var SHERR_INSTANCE_NOT_MANAGED = 51300; // dba.getCluster on a standalone instance
var SHERR_INSTANCE_NOT_ONLINE = 51314; // dba.getCluster on a member whose Group Replication is stopped

/** @param {string} message @returns {Error} */
function gamedbError(message) {
  return new Error("gamedb: " + message);
}

/** @param {string} message @returns {never} */
function fail(message) {
  throw gamedbError(message);
}

/** @param {string} message */
function say(message) {
  println("gamedb: " + message);
}

/** @param {unknown} e What a catch received. @returns {string} */
function errText(e) {
  var o = /** @type {{ message?: unknown } | null | undefined} */ (e);
  if (o && o.message) return String(o.message);
  return String(e);
}

// The error code of what a Shell API call threw. Shell 8.4.0-8.4.3 (V8) throws the error dictionary itself, so the
// code is e.code (mysql-shell 8.4.3 mysqlshdk/scripting/jscript_object_wrapper.cc, ThrowException(convert(
// exc.error()))); from 8.4.4 (GraalJS) it throws Error(message, {cause: dictionary}), so the code is e.cause.code
// (8.4.4 mysqlshdk/scripting/polyglot/languages/polyglot_javascript.cc create_exception_object).
/** @param {unknown} e What a catch received. @returns {number | undefined} */
function errCode(e) {
  if (!e || typeof e !== "object") return undefined;
  var o = /** @type {{ code?: unknown, cause?: { code?: unknown } }} */ (e);
  if (typeof o.code === "number") return o.code;
  if (o.cause && typeof o.cause === "object" && typeof o.cause.code === "number") return o.cause.code;
  return undefined;
}

/** @param {unknown} e @returns {boolean} */
function isGamedbError(e) {
  var o = /** @type {{ message?: unknown } | null | undefined} */ (e);
  return !!(o && o.message && String(o.message).indexOf("gamedb:") === 0);
}

// Runs fn; an error that is not already a gamedb: error is reported as "<what> failed: <error>. <todo>".
/** @template T @param {string} what @param {string} todo @param {() => T} fn @returns {T} */
function step(what, todo, fn) {
  try {
    return fn();
  } catch (e) {
    if (isGamedbError(e)) throw e;
    throw gamedbError(what + " failed: " + errText(e) + (todo ? ". " + todo : ""));
  }
}

// Runs a script's main function; any stray error still leaves with a gamedb: message.
/** @param {string} name @param {() => void} fn */
function gamedbMain(name, fn) {
  try {
    fn();
  } catch (e) {
    if (isGamedbError(e)) throw e;
    throw gamedbError(name + ": unexpected error: " + errText(e) + ". Check the instance logs and rerun.");
  }
}

// ---- values -------------------------------------------------------------------------------------------------------

// A system variable value in a comparable form: booleans as ON/OFF, sizes with K/M/G suffixes in bytes, numbers
// without leading zeros, everything else upper-cased.
/** @param {unknown} v @returns {string} */
function normalizeValue(v) {
  if (v === null || v === undefined) return "";
  var s = String(v).trim();
  var up = s.toUpperCase();
  if (up === "ON" || up === "TRUE") return "ON";
  if (up === "OFF" || up === "FALSE") return "OFF";
  var m = /^([0-9]+)([KMG])$/.exec(up);
  if (m) {
    var mult = m[2] === "K" ? 1024 : m[2] === "M" ? 1024 * 1024 : 1024 * 1024 * 1024;
    return String(parseInt(m[1], 10) * mult);
  }
  if (/^-?[0-9]+$/.test(s)) return String(parseInt(s, 10));
  return up;
}

// Compares a variable's running value with the wanted one. A boolean variable reads back as 0/1.
/** @param {unknown} current @param {unknown} wanted @returns {boolean} */
function sameValue(current, wanted) {
  var a = normalizeValue(current);
  var b = normalizeValue(wanted);
  if (a === b) return true;
  /** @type {{ [value: string]: string }} */
  var asBool = { ON: "1", OFF: "0" };
  return (asBool[a] || a) === (asBool[b] || b);
}

// ---- sessions -----------------------------------------------------------------------------------------------------

/** @param {string} address @param {Creds} creds @returns {ConnectionData} */
function adminConnection(address, creds) {
  var a = splitAddress(address);
  return { scheme: "mysql", host: a.host, port: a.port, user: creds.user, password: creds.password };
}

/** @returns {ConnectionData} */
function rootSocketConnection() {
  return { scheme: "mysql", user: "root", socket: GAMEDB_SOCKET };
}

// A session to address as creds.user (not the global session), or { error, code } when it cannot be opened.
/** @param {string} address @param {Creds} creds @returns {OpenAttempt} */
function tryOpen(address, creds) {
  try {
    return { session: shell.openSession(adminConnection(address, creds)) };
  } catch (e) {
    return { error: errText(e), code: errCode(e) };
  }
}

/** @param {string} address @param {Creds} creds @param {string} [todo] @returns {ClassicSession} */
function openOrFail(address, creds, todo) {
  var r = tryOpen(address, creds);
  if (r.session) return r.session;
  if (r.code === ER_ACCESS_DENIED)
    fail(
      "cannot log in to " +
        address +
        " as " +
        creds.user +
        " (access denied). Run the configure step (configure-instance) on that node, then rerun.",
    );
  fail(
    "cannot connect to " +
      address +
      ": " +
      r.error +
      ". " +
      (todo || "Start mysqld there or fix the network, then rerun."),
  );
}

/** @param {ClassicSession | null | undefined} s */
function closeQuietly(s) {
  try {
    if (s) s.close();
  } catch (e) {
    // already closed or lost: nothing to do
  }
}

/** @param {ClassicSession} s @param {string} sql @param {(string | number)[]} [args] @returns {unknown} */
function queryOne(s, sql, args) {
  var row = s.runSql(sql, args || []).fetchOne();
  return row ? row[0] : null;
}

// This instance's Group Replication state (ONLINE, RECOVERING, ERROR, OFFLINE, ...); OFFLINE when GR is not running.
/** @param {ClassicSession} s @returns {string} */
function localMemberState(s) {
  var row = s
    .runSql("SELECT MEMBER_STATE FROM performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid", [])
    .fetchOne();
  return row && row[0] ? String(row[0]) : "OFFLINE";
}

// The addresses the copy of the cluster metadata on `address` (session s) lists for clusterName. Fails when the list
// cannot be read or is empty: a caller deciding whether every member is reachable must never see fewer members than
// the metadata has.
/** @param {ClassicSession} s @param {string} address @param {string} clusterName @returns {string[]} */
function metadataMembers(s, address, clusterName) {
  var rows;
  try {
    rows = s
      .runSql(
        "SELECT i.address FROM mysql_innodb_cluster_metadata.v2_instances i JOIN mysql_innodb_cluster_metadata.v2_clusters c ON c.cluster_id = i.cluster_id WHERE c.cluster_name = ?",
        [clusterName],
      )
      .fetchAll();
  } catch (e) {
    fail(
      "cannot read the member list of cluster " +
        clusterName +
        " from the metadata on " +
        address +
        ": " +
        errText(e) +
        ". Without it, it cannot be checked that every member is reachable, so nothing is rebooted. Fix the metadata schema (mysql_innodb_cluster_metadata) or the cluster admin's grants on it, then rerun.",
    );
  }
  var out = [];
  for (var i = 0; i < rows.length; i++) out.push(String(rows[i][0]));
  if (out.length === 0)
    fail(
      "the metadata on " +
        address +
        " lists no member of cluster " +
        clusterName +
        ", so it cannot be checked that every member is reachable and nothing is rebooted. Inspect mysql_innodb_cluster_metadata on " +
        address +
        " by hand, then rerun.",
    );
  return out;
}

// The schemas on an instance other than the SYSTEM_SCHEMAS, sorted.
/** @param {ClassicSession} s @returns {string[]} */
function userSchemas(s) {
  var rows = s
    .runSql(
      "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (?, ?, ?, ?, ?) ORDER BY SCHEMA_NAME",
      SYSTEM_SCHEMAS,
    )
    .fetchAll();
  var out = [];
  for (var i = 0; i < rows.length; i++) out.push(String(rows[i][0]));
  return out;
}

// Fails when `address` holds user schemas: adding it with recoveryMethod clone would replace them with the donor's
// data. Connects to the instance itself as creds.user.
/** @param {string} address @param {Creds} creds @param {string} clusterName */
function ensureNothingToCloneOver(address, creds, clusterName) {
  var s = openOrFail(address, creds);
  var found;
  try {
    found = step("listing the schemas on " + address, "", function () {
      return userSchemas(s);
    });
  } finally {
    closeQuietly(s);
  }
  if (found.length > 0)
    fail(
      "refusing to add " +
        address +
        " to cluster " +
        clusterName +
        " with recoveryMethod clone: it holds user schemas (" +
        found.join(", ") +
        ") and clone would replace them with the donor's data. If they are not needed, empty the instance (drop those schemas) and rerun; if they hold data you need, restore that instance as a member by hand instead.",
    );
}

/** @param {ClassicSession} s @param {string} user @param {string} host @returns {boolean} */
function accountExists(s, user, host) {
  return Number(queryOne(s, "SELECT COUNT(*) FROM mysql.user WHERE user = ? AND host = ?", [user, host])) > 0;
}
