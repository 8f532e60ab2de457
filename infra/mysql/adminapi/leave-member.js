// leave-member: per node (delete step), run on the leaving node before its host is destroyed.
// Removes params.self from cluster params.clusterName; nothing when it is in no cluster. Refuses to remove the last
// member or a member whose removal would leave fewer ONLINE members than a majority of the rest.
// params  = { clusterName, self, clusterAdmin? }
// secrets = { clusterAdminPassword? } (may be {})
//
// With the cluster admin password it connects as the cluster admin over TCP; without it, as root over the local
// socket (auth_socket). Root cannot log in to the other members over TCP, and mysqlsh makes cluster changes through
// the primary with the session's credentials, so without the password only the primary can remove itself.

// The cluster admin account when params.clusterAdmin is not given (infra/mysql/clusterParams.ts ACCOUNTS).
var DEFAULT_CLUSTER_ADMIN = "gamedb_admin";

gamedbMain("leave-member", function () {
  var args = loadArgs();
  var P = args.params;
  var S = args.secrets;
  var name = needIdentifier(needString(P, "clusterName"), "params.clusterName");
  var self = needAddress(P, "self");
  var useAdmin = typeof S.clusterAdminPassword === "string" && S.clusterAdminPassword !== "";
  var how;
  try {
    if (useAdmin) {
      var user = needIdentifier(P.clusterAdmin || DEFAULT_CLUSTER_ADMIN, "params.clusterAdmin");
      shell.connect(adminConnection(self, { user: user, password: S.clusterAdminPassword }));
      how = "as " + user;
    } else {
      shell.connect(rootSocketConnection());
      how = "as root over the local socket";
    }
  } catch (e) {
    fail(
      "cannot connect to mysqld on " +
        self +
        ": " +
        errText(e) +
        ". If mysqld is gone for good, remove " +
        self +
        " from an ONLINE member with cluster.removeInstance('" +
        self +
        "', {force: true}), or rerun converge-cluster without it.",
    );
  }

  var cluster;
  try {
    cluster = dba.getCluster(name);
  } catch (e) {
    var code = errCode(e);
    if (code === SHERR_INSTANCE_NOT_MANAGED) {
      say(self + " is not in a cluster; nothing to do");
      return;
    }
    if (code === SHERR_INSTANCE_NOT_ONLINE)
      fail(
        "Group Replication is stopped on " +
          self +
          ", so it cannot remove itself. From an ONLINE member run cluster.removeInstance('" +
          self +
          "') (or rerun converge-cluster without this node), then rerun.",
      );
    fail("dba.getCluster('" + name + "') on " + self + " failed: " + errText(e) + ". Fix it by hand, then rerun.");
  }

  var st = clusterStatus(cluster, name);
  var topo = topologyOf(st);
  if (!topo[self]) {
    say(self + " is not a member of cluster " + name + "; nothing to do");
    return;
  }
  checkRemovable(topo, self, name);
  if (!useAdmin && st.defaultReplicaSet.primary !== self)
    fail(
      "cannot remove " +
        self +
        " " +
        how +
        ": it is not the primary, and root cannot reach the primary " +
        st.defaultReplicaSet.primary +
        " over TCP. Pass secrets.clusterAdminPassword, or remove it from the primary with cluster.removeInstance('" +
        self +
        "'), then rerun.",
    );
  say("removing " + self + " from cluster " + name + " (" + how + ")");
  step("cluster.removeInstance('" + self + "')", "Read the messages above and rerun", function () {
    cluster.removeInstance(self);
  });
  say(self + " left cluster " + name);
});
