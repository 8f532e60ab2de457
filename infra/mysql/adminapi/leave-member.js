// @ts-check
// leave-member: per node (delete step), run on the leaving node before its host is destroyed.
// A guard, not a second remover: converge-cluster removes members no longer wanted. This script only makes sure the
// host does not go while it is still an active member of the cluster:
// 1. it reads this instance's own Group Replication state over the local socket as root (SELECT MEMBER_STATE FROM
//    performance_schema.replication_group_members WHERE MEMBER_ID = @@server_uuid). Not ONLINE/RECOVERING (converge
//    removed it already, Group Replication is stopped, or mysqld does not answer on the socket): nothing to do, exit 0,
//    without dba.getCluster (a removed instance keeps stale metadata, on which dba.getCluster fails);
// 2. an active member that is the last member of the cluster: the cluster ends with its hosts; nothing is removed;
// 3. otherwise it removes itself with cluster.removeInstance, refusing when the members left in the group would have
//    fewer ONLINE than a majority.
// params  = { clusterName, self, clusterAdmin? }
// secrets = { clusterAdminPassword? } (may be {})
//
// The removal connects as the cluster admin over TCP with secrets.clusterAdminPassword. Without it the script still
// reads the state (as root over the local socket) and exits 0 where there is nothing to remove, but refuses to
// remove: Shell reaches the removed member over TCP with the session's account, which root cannot do.

// The cluster admin account when params.clusterAdmin is not given (infra/mysql/clusterParams.ts ACCOUNTS).
var DEFAULT_CLUSTER_ADMIN = "gamedb_admin";

// Connection-level failures on the local socket: mysqld is not there to answer.
var SOCKET_DOWN_CODES = [CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR, CR_SERVER_GONE, CR_SERVER_LOST];

gamedbMain("leave-member", function () {
  var args = loadArgs();
  var P = args.params;
  var S = args.secrets;
  var name = needIdentifier(needString(P, "clusterName"), "params.clusterName");
  var self = needAddress(P, "self");
  var adminPassword = typeof S.clusterAdminPassword === "string" ? S.clusterAdminPassword : "";
  var useAdmin = adminPassword !== "";
  var user = useAdmin ? needIdentifier(P.clusterAdmin || DEFAULT_CLUSTER_ADMIN, "params.clusterAdmin") : "root";

  var state = ownState(self);
  if (!ACTIVE_STATES[state]) {
    say(
      self +
        " is not an active member of a group (" +
        state +
        "); nothing to do (converge-cluster removes members no longer wanted)",
    );
    return;
  }

  var how;
  try {
    if (useAdmin) {
      shell.connect(adminConnection(self, { user: user, password: adminPassword }));
      how = "as " + user;
    } else {
      shell.connect(rootSocketConnection());
      how = "as root over the local socket";
    }
  } catch (e) {
    fail(
      "cannot connect to mysqld on " +
        self +
        (useAdmin ? " as " + user : " as root over the local socket") +
        ": " +
        errText(e) +
        ". It is an active member (" +
        state +
        ") of its group, so its host must not go yet. Fix the login, or remove it from an ONLINE member with cluster.removeInstance('" +
        self +
        "'), then rerun.",
    );
  }

  /** @type {Cluster} */
  var cluster;
  try {
    cluster = dba.getCluster(name);
  } catch (e) {
    fail(
      "dba.getCluster('" +
        name +
        "') on " +
        self +
        " failed: " +
        errText(e) +
        ". It is an active member (" +
        state +
        ") of a group, so its host must not go yet. Remove it from its group by hand, then rerun.",
    );
  }

  var st = clusterStatus(cluster, name);
  var topo = topologyOf(st);
  if (!topo[self]) {
    say(self + " is not a member of cluster " + name + "; nothing to do");
    return;
  }
  if (keysOf(topo).length === 1) {
    say(
      self +
        " is the last member of cluster " +
        name +
        ": the cluster ends with its hosts; nothing is removed (dissolve it by hand with cluster.dissolve() if it is to go away while its hosts stay)",
    );
    return;
  }
  checkRemovable(topo, self, name);
  // Shell connects to the member it removes over TCP with the session's account (mysql-shell 8.4.3
  // modules/adminapi/cluster/cluster_impl.cc remove_instance, common/base_cluster_impl.cc connect_target_instance),
  // and root logs in only over the local socket: without the admin's password no removal can work, even on the
  // primary.
  if (!useAdmin)
    fail(
      "cannot remove " +
        self +
        " from cluster " +
        name +
        " without secrets.clusterAdminPassword: Shell reaches the member over TCP with the session's account, and root logs in only over the local socket. Pass the password (the member step's stdin does), or remove it from an ONLINE member with cluster.removeInstance('" +
        self +
        "'), then rerun.",
    );
  say("removing " + self + " from cluster " + name + " (" + how + ")");
  step("cluster.removeInstance('" + self + "')", "Read the messages above and rerun", function () {
    cluster.removeInstance(self);
  });
  say(self + " left cluster " + name);
});

// This instance's own Group Replication state, read as root over the local socket; "mysqld not reachable on the
// socket (...)" when it does not answer there.
/** @param {string} self @returns {string} */
function ownState(self) {
  /** @type {ClassicSession} */
  var s;
  try {
    s = shell.openSession(rootSocketConnection());
  } catch (e) {
    var code = errCode(e);
    if (code !== undefined && SOCKET_DOWN_CODES.indexOf(code) >= 0)
      return "mysqld not reachable on the socket: " + errText(e);
    fail(
      "cannot log in to mysqld on " +
        self +
        " as root over " +
        GAMEDB_SOCKET +
        ": " +
        errText(e) +
        ". Its Group Replication state decides whether it may go; fix the login (auth_socket), then rerun.",
    );
  }
  try {
    return step("reading the Group Replication state of " + self, "Rerun", function () {
      return localMemberState(s);
    });
  } finally {
    closeQuietly(s);
  }
}
