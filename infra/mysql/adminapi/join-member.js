// @ts-check
// join-member: per node (create step), run on the joining node.
// Makes params.self an ONLINE member of cluster params.clusterName, reached through params.seed as the cluster admin:
// already ONLINE: nothing; RECOVERING: wait; in the metadata but not in the group: rejoinInstance; absent:
// addInstance with the explicit recoveryMethod; with clone, only when self holds no user schemas (clone would replace
// them). waitSeconds (default 600) bounds the wait for self to come ONLINE.
// params  = { clusterName, seed, self, clusterAdmin, recoveryMethod, waitSeconds? }
// secrets = { clusterAdminPassword }

gamedbMain("join-member", function () {
  var args = loadArgs();
  var P = args.params;
  var name = needIdentifier(needString(P, "clusterName"), "params.clusterName");
  var seed = needAddress(P, "seed");
  var self = needAddress(P, "self");
  var creds = {
    user: needIdentifier(needString(P, "clusterAdmin"), "params.clusterAdmin"),
    password: needSecret(args.secrets, "clusterAdminPassword"),
  };
  var recoveryMethod = needRecoveryMethod(P);

  var cluster = reachCluster(name, seed, creds);
  var st = clusterStatus(cluster, name);
  var topo = topologyOf(st);
  var s = memberStatus(topo, self);
  if (s === "ONLINE") {
    say(self + " is already an ONLINE member of cluster " + name + "; nothing to do");
    return;
  }
  if (s === "RECOVERING") {
    say(self + " is RECOVERING; waiting for it");
  } else if (s !== "ABSENT") {
    var r = tryOpen(self, creds);
    if (!r.session)
      fail(
        self +
          " is " +
          s +
          " in cluster " +
          name +
          " and cannot be reached: " +
          r.error +
          ". Start mysqld on it and rerun.",
      );
    closeQuietly(r.session);
    rejoinMember(cluster, primaryOf(st, name), self, creds, recoveryMethod, s);
  } else {
    if (recoveryMethod === "clone") ensureNothingToCloneOver(self, creds, name);
    say("adding " + self + " to cluster " + name + " (recoveryMethod " + recoveryMethod + ")");
    step(
      "cluster.addInstance('" + self + "')",
      "Check that " + self + " is configured (configure-instance) and read its error log, then rerun",
      function () {
        cluster.addInstance(self, { recoveryMethod: recoveryMethod });
      },
    );
  }
  waitOnline(self, creds, "joining");
  var after = memberStatus(topologyOf(clusterStatus(reachCluster(name, seed, creds), name)), self);
  if (after !== "ONLINE")
    fail(self + " is " + after + " after joining cluster " + name + ". Check its error log and rerun.");
  say(self + " is an ONLINE member of cluster " + name);
});

/** @param {string} name @param {string} seed @param {Creds} creds @returns {Cluster} */
function reachCluster(name, seed, creds) {
  var p = probe(seed, creds, name);
  if (p.kind === "cluster") return p.cluster;
  if (p.kind === "unreachable")
    fail(
      "the seed " +
        seed +
        " is unreachable (" +
        p.error +
        "); join-member reaches cluster " +
        name +
        " through it. Start mysqld on the seed or fix the network, then rerun.",
    );
  if (p.kind === "standalone")
    fail("the seed " + seed + " is not in a cluster. Run the shard's converge step first, then rerun.");
  if (p.kind === "stopped")
    fail(
      "Group Replication is stopped on the seed " +
        seed +
        " (it is missing from cluster " +
        name +
        ", or the cluster is in complete outage). Run the shard's converge step, which rejoins or reboots it, then rerun.",
    );
  fail("cannot reach cluster " + name + " through the seed " + seed + ": " + p.error + ". Fix it by hand, then rerun.");
}
