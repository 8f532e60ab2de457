// @ts-check
// gamedb AdminAPI helpers for finding a cluster, reading its status, rejoining and checking members. Follows
// common.js in every script (infra/mysql/adminapi/index.ts) and uses its helpers.

// ---- finding the cluster ------------------------------------------------------------------------------------------

// What dba.getCluster says through one instance:
//   { kind: "cluster", cluster }   the instance is an active (ONLINE or RECOVERING) member of the cluster
//   { kind: "standalone" }         MYSQLSH 51300: no metadata, not in a group
//   { kind: "stopped" }            MYSQLSH 51314: metadata says it is a member but its Group Replication is stopped
//   { kind: "unreachable", error } no connection (mysqld down, network, or login refused: see code)
//   { kind: "error", error }       anything else (e.g. the instance belongs to another cluster, or is in ERROR)
// Connects the global session to the instance (dba functions work on the global session).
/** @param {string} address @param {Creds} creds @param {string} clusterName @returns {Probe} */
function probe(address, creds, clusterName) {
  var s;
  try {
    s = shell.connect(adminConnection(address, creds));
  } catch (e) {
    return { address: address, kind: "unreachable", error: errText(e), code: errCode(e) };
  }
  var cluster;
  try {
    cluster = dba.getCluster(clusterName);
  } catch (e) {
    var code = errCode(e);
    if (code === SHERR_INSTANCE_NOT_MANAGED) return { address: address, kind: "standalone" };
    if (code === SHERR_INSTANCE_NOT_ONLINE) return { address: address, kind: "stopped" };
    return { address: address, kind: "error", error: errText(e), code: code };
  }
  // dba.getCluster also answers through a member in ERROR: Shell counts every state but OFFLINE and UNREACHABLE as
  // Group Replication active, and retries without the primary (mysql-shell 8.4.3 mysqlshdk/libs/mysql/
  // group_replication.cc is_active_member; modules/adminapi/mod_dba.cc Dba::get_cluster, "Retrying getCluster() using
  // a secondary member"). Such a member sees only itself, so it is no way to the cluster: its own state decides.
  var own;
  try {
    own = localMemberState(s);
  } catch (e) {
    return { address: address, kind: "error", error: "cannot read its Group Replication state: " + errText(e) };
  }
  if (!ACTIVE_STATES[own])
    return {
      address: address,
      kind: "error",
      error:
        "its own Group Replication state is " +
        own +
        ", not ONLINE or RECOVERING, so the cluster is not reached through it (a member in ERROR is rejoined through another member)",
      state: own,
    };
  return { address: address, kind: "cluster", cluster: cluster };
}

// Tries each address in order and stops at the first through which dba.getCluster works.
// Returns { cluster, via, probes: {address: probe} }; cluster is null when none worked.
/** @param {string[]} addresses @param {Creds} creds @param {string} clusterName @param {Probes} [probes] @returns {Located} */
function locateCluster(addresses, creds, clusterName, probes) {
  probes = probes || {};
  for (var i = 0; i < addresses.length; i++) {
    var p = probe(addresses[i], creds, clusterName);
    probes[addresses[i]] = p;
    if (p.kind === "cluster") return { cluster: p.cluster, via: addresses[i], probes: probes };
  }
  return { cluster: null, via: null, probes: probes };
}

/** @param {Probe} p @returns {string} */
function describeProbe(p) {
  if (p.kind === "unreachable") return p.address + " (unreachable: " + p.error + ")";
  if (p.kind === "error") return p.address + " (" + p.error + ")";
  if (p.kind === "stopped") return p.address + " (Group Replication stopped)";
  if (p.kind === "standalone") return p.address + " (not in a cluster)";
  return p.address + " (member)";
}

// ---- rejoining ----------------------------------------------------------------------------------------------------

// The recoveryMethod a rejoin of `address` uses. Shell asks which method to use when incremental recovery is not
// safe, and a non-interactive Shell throws 51167 instead (mysql-shell 8.4.3 modules/adminapi/common/
// gtid_validations.cc validate_auto_recovery; the rejoin path is cluster/add_instance.cc check_recovery_method with
// REJOIN_INSTANCE), so the method is chosen here, from the GTID sets, as Shell would:
//   errant transactions (on the member, not in the cluster): refuse; clone would discard them, and Shell itself
//     refuses (SHERR_DBA_DATA_RECOVERY_NOT_POSSIBLE);
//   the primary still holds every transaction the member lacks (its gtid_purged is within the member's set):
//     incremental, a catch-up from the binary logs;
//   otherwise clone, when params.recoveryMethod allows it (clone replaces the member's data with the donor's: the
//     same data set, newer).
/** @param {string} primary @param {string} address @param {Creds} creds @param {string} allowed @returns {RecoveryMethod} */
function rejoinMethod(primary, address, creds, allowed) {
  var ms = openOrFail(address, creds);
  var memberSet;
  try {
    memberSet = String(queryOne(ms, "SELECT @@GLOBAL.gtid_executed") || "");
  } finally {
    closeQuietly(ms);
  }
  var ps = openOrFail(primary, creds);
  var row;
  try {
    row = ps
      .runSql("SELECT GTID_SUBTRACT(?, @@GLOBAL.gtid_executed), GTID_SUBSET(@@GLOBAL.gtid_purged, ?)", [
        memberSet,
        memberSet,
      ])
      .fetchOne();
  } finally {
    closeQuietly(ps);
  }
  if (!row) fail("comparing the GTID sets of " + address + " and the primary " + primary + " returned no row. Rerun.");
  var errant = String(row[0] || "");
  if (errant !== "")
    fail(
      address +
        " has transactions the cluster does not have (errant GTIDs: " +
        errant +
        "), so it is not rejoined: clone would discard them. Inspect them on " +
        address +
        "; if they are not needed, rejoin it by hand with cluster.rejoinInstance('" +
        address +
        "', {recoveryMethod: 'clone'}), then rerun.",
    );
  if (Number(row[1]) === 1) return "incremental";
  if (allowed !== "clone")
    fail(
      address +
        " needs transactions the primary " +
        primary +
        " has purged from its binary logs, so only clone can rejoin it, and params.recoveryMethod is '" +
        allowed +
        "'. Rejoin it by hand with cluster.rejoinInstance('" +
        address +
        "', {recoveryMethod: 'clone'}), then rerun.",
    );
  return "clone";
}

// Rejoins `address` (not in the group, reachable) with an explicit recoveryMethod, then waits until it is ONLINE.
/** @param {Cluster} cluster @param {string} primary @param {string} address @param {Creds} creds @param {string} allowed @param {string} status */
function rejoinMember(cluster, primary, address, creds, allowed, status) {
  var method = rejoinMethod(primary, address, creds, allowed);
  say("rejoining " + address + " (status " + status + ", recoveryMethod " + method + ")");
  step("cluster.rejoinInstance('" + address + "')", "Check the error log on " + address + " and rerun", function () {
    cluster.rejoinInstance(address, { recoveryMethod: method });
  });
  waitOnline(address, creds, "rejoinInstance");
}

// ---- cluster status -----------------------------------------------------------------------------------------------

/** @type {{ [state: string]: boolean }} */
var ACTIVE_STATES = { ONLINE: true, RECOVERING: true };

// cluster.status(), failing when the group has lost quorum.
/** @param {Cluster} cluster @param {string} clusterName @returns {ClusterStatus} */
function clusterStatus(cluster, clusterName) {
  var st = step("reading the status of cluster " + clusterName, "", function () {
    return cluster.status();
  });
  var rs = st.defaultReplicaSet;
  if (rs.status === "NO_QUORUM")
    fail(
      "cluster " +
        clusterName +
        " has lost quorum (NO_QUORUM): most members are unreachable. Bring the missing members back; if they are lost for good, restore quorum by hand with cluster.forceQuorumUsingPartitionOf() on a surviving member, then rerun.",
    );
  return st;
}

// The primary's address from cluster.status(); fails when the cluster has none (status() says "?" then:
// mysql-shell 8.4.3 modules/adminapi/cluster/status.cc collect_replicaset_status).
/** @param {ClusterStatus} st @param {string} clusterName @param {string} [todo] @returns {string} */
function primaryOf(st, clusterName, todo) {
  var p = st.defaultReplicaSet.primary;
  if (!p || p === "?") fail("cluster " + clusterName + " has no primary. " + (todo || "Rerun once one is elected."));
  return String(p);
}

/** @param {ClusterStatus} st @returns {ClusterStatus["defaultReplicaSet"]["topology"]} */
function topologyOf(st) {
  return st.defaultReplicaSet.topology || {};
}

/** @param {ClusterStatus["defaultReplicaSet"]["topology"]} topo @param {string} address @returns {string} */
function memberStatus(topo, address) {
  return topo[address] ? String(topo[address].status) : "ABSENT";
}

/** @param {object} obj @returns {string[]} */
function keysOf(obj) {
  var out = [];
  for (var k in obj) if (Object.prototype.hasOwnProperty.call(obj, k)) out.push(k);
  return out;
}

// Fails unless `address` can leave the cluster: never the last member, and the members left in the group (status
// other than "(MISSING)") must keep a majority ONLINE.
/** @param {ClusterStatus["defaultReplicaSet"]["topology"]} topo @param {string} address @param {string} clusterName */
function checkRemovable(topo, address, clusterName) {
  var all = keysOf(topo);
  var remaining = all.filter(function (a) {
    return a !== address;
  });
  if (remaining.length === 0)
    fail(
      "refusing to remove " +
        address +
        ": it is the last member of cluster " +
        clusterName +
        ". If the cluster is to go away, dissolve it by hand (cluster.dissolve()).",
    );
  var group = remaining.filter(function (a) {
    return memberStatus(topo, a) !== "(MISSING)";
  });
  var online = group.filter(function (a) {
    return memberStatus(topo, a) === "ONLINE";
  }).length;
  var majority = Math.floor(group.length / 2) + 1;
  if (online < majority)
    fail(
      "refusing to remove " +
        address +
        ": the " +
        group.length +
        " member(s) left in the group would have only " +
        online +
        " ONLINE, fewer than a majority (" +
        majority +
        "). Bring the other members ONLINE first, then rerun.",
    );
}

// Waits until `address` reports itself ONLINE in the group (it connects to the member itself). Fails after the
// bounded wait.
/** @param {string} address @param {Creds} creds @param {string} what */
function waitOnline(address, creds, what) {
  var last = "unknown";
  var tries = waitTries();
  for (var i = 0; i < tries; i++) {
    var r = tryOpen(address, creds);
    if (r.session) {
      try {
        last = localMemberState(r.session);
      } catch (e) {
        last = "unknown (" + errText(e) + ")";
      }
      closeQuietly(r.session);
      if (last === "ONLINE") return;
    } else {
      last = "unreachable (" + r.error + ")";
    }
    os.sleep(GAMEDB_WAIT_SECONDS);
  }
  fail(
    address +
      " did not come ONLINE after " +
      what +
      " within " +
      tries * GAMEDB_WAIT_SECONDS +
      " s (last state: " +
      last +
      "). Check its error log (/var/log/mysql/error.log); if it is still recovering (a long clone), rerun once it is ONLINE or raise params.waitSeconds.",
  );
}

// The final check shared by converge-cluster and setup-accounts: every desired member ONLINE, nothing else in the
// cluster, status OK (OK_NO_TOLERANCE is the best a cluster of one or two members can be).
/** @param {string} clusterName @param {string[]} desired @param {Creds} creds */
function verifyFinal(clusterName, desired, creds) {
  var loc = locateCluster(desired, creds, clusterName);
  if (!loc.cluster)
    fail(
      "cluster " +
        clusterName +
        " cannot be reached through any of " +
        desired.join(", ") +
        " for the final check. Rerun converge.",
    );
  var st = clusterStatus(loc.cluster, clusterName);
  var topo = topologyOf(st);
  var bad = [];
  for (var i = 0; i < desired.length; i++) {
    var s = memberStatus(topo, desired[i]);
    if (s !== "ONLINE") bad.push(desired[i] + " is " + s);
  }
  var extra = keysOf(topo).filter(function (a) {
    return desired.indexOf(a) < 0;
  });
  for (var j = 0; j < extra.length; j++) bad.push(extra[j] + " is a member but not wanted");
  var overall = st.defaultReplicaSet.status;
  var okStates = desired.length >= 3 ? ["OK"] : ["OK", "OK_NO_TOLERANCE"];
  if (okStates.indexOf(overall) < 0) bad.push("cluster status is " + overall);
  if (bad.length > 0)
    fail("cluster " + clusterName + " is not converged: " + bad.join("; ") + ". Rerun converge-cluster.");
  say(
    "cluster " +
      clusterName +
      " is " +
      overall +
      " with " +
      desired.length +
      " member(s) ONLINE: " +
      desired.join(", "),
  );
}
