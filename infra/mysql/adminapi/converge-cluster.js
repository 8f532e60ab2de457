// @ts-check
// converge-cluster: per shard, run on the seed node.
// Brings cluster params.clusterName to: every address in params.members an ONLINE member, no other member, and the
// restart-only settings (params.restartVariables) in effect on every member; or stops with a gamedb: message.
// params  = { clusterName, seed, members, clusterAdmin, createOptions, recoveryMethod, allowCreate,
//             restartVariables: { "host:3306": { name: value } }, waitSeconds? }
// secrets = { clusterAdminPassword }
//
// allowCreate (required) is true only on the converge command's first run (Pulumi create), false on every later run
// (update): a later run whose members hold no cluster stops instead of creating a second, empty one.
// restartVariables is per member: each member is compared with the values its own my.cnf carries (nodes of one shard
// may differ in instance type); a member not listed has nothing to compare. waitSeconds (default 600) bounds each
// wait for a member to come back ONLINE.
//
// Order: find the cluster through any desired member (adopting it wherever it is), else reboot it from a complete
// outage (only when every member the metadata lists is reachable), else create it on the seed (only when allowCreate
// is true, every desired member is reachable and none holds a cluster); rejoin missing members; add new ones one at a
// time (never cloning over an instance that holds user schemas); remove members no longer wanted (never the last one,
// never below a majority); restart members whose restart-only settings differ, secondaries first, the primary last
// after a switchover; verify.

gamedbMain("converge-cluster", function () {
  var args = loadArgs();
  var P = args.params;
  /** @type {ConvergeCtx} */
  var ctx = {
    name: needIdentifier(needString(P, "clusterName"), "params.clusterName"),
    seed: needAddress(P, "seed"),
    members: needAddressList(P, "members"),
    creds: {
      user: needIdentifier(needString(P, "clusterAdmin"), "params.clusterAdmin"),
      password: needSecret(args.secrets, "clusterAdminPassword"),
    },
    recoveryMethod: needRecoveryMethod(P),
    createOptions: optionalObject(P, "createOptions"),
    allowCreate: needBoolean(P, "allowCreate"),
    // Checked by checkRestartVariables below.
    restartVariables: /** @type {ConvergeCtx["restartVariables"]} */ (P.restartVariables || {}),
    desired: [],
  };
  if (ctx.members.indexOf(ctx.seed) < 0) fail("params.seed " + ctx.seed + " is not in params.members.");
  checkRestartVariables(ctx.restartVariables, ctx.members);
  ctx.desired = [ctx.seed].concat(
    ctx.members.filter(function (m) {
      return m !== ctx.seed;
    }),
  );

  var loc = findOrCreate(ctx);
  rejoinAndAdd(ctx, loc);
  removeUnwanted(ctx);
  rollingRestart(ctx);
  verifyFinal(ctx.name, ctx.desired, ctx.creds);
});

// params.restartVariables: { "host:port": { name: value } }, every key one of params.members.
/** @param {unknown} rv @param {string[]} members */
function checkRestartVariables(rv, members) {
  if (!isJsonObject(rv) || Array.isArray(rv))
    fail('params.restartVariables must be an object keyed by member address: { "host:3306": { name: value } }.');
  keysOf(rv).forEach(function (a) {
    if (members.indexOf(a) < 0)
      fail(
        "params.restartVariables lists '" +
          a +
          '\', which is not one of params.members (it is keyed by member address: { "host:3306": { name: value } }).',
      );
    var vars = rv[a];
    if (!vars || typeof vars !== "object" || Array.isArray(vars))
      fail("params.restartVariables['" + a + "'] must be an object { name: value }.");
    keysOf(vars).forEach(function (n) {
      needIdentifier(n, "params.restartVariables['" + a + "'] name");
    });
  });
}

// ---- a, d, f: find the cluster, reboot it, or create it ---------------------------------------------------------

/** @param {ConvergeCtx} ctx @returns {Found} */
function findOrCreate(ctx) {
  var loc = locateCluster(ctx.desired, ctx.creds, ctx.name);
  var probes = loc.probes;
  if (loc.cluster) {
    if (loc.via === ctx.seed) say("cluster " + ctx.name + " found through the seed " + ctx.seed);
    else
      say(
        "cluster " +
          ctx.name +
          " found through " +
          loc.via +
          "; adopting it (seed: " +
          describeProbe(probes[ctx.seed]) +
          ")",
      );
    return loc;
  }
  var stopped = ctx.desired.filter(function (a) {
    return probes[a].kind === "stopped";
  });
  if (stopped.length > 0) return rebootFromOutage(ctx, loc, stopped);

  var seedProbe = probes[ctx.seed];
  if (seedProbe.kind === "unreachable") {
    if (seedProbe.code === ER_ACCESS_DENIED)
      fail(
        "cannot log in to the seed " +
          ctx.seed +
          " as " +
          ctx.creds.user +
          " (access denied). Run the configure step (configure-instance) on it, then rerun.",
      );
    fail(
      "the seed " +
        ctx.seed +
        " is unreachable (" +
        seedProbe.error +
        ") and no other member holds cluster " +
        ctx.name +
        ". Start mysqld on the seed (systemctl start mysql) or fix the network, then rerun.",
    );
  }
  var unknown = ctx.desired.filter(function (a) {
    return probes[a].kind === "unreachable" || probes[a].kind === "error";
  });
  if (unknown.length > 0)
    fail(
      "no reachable member holds cluster " +
        ctx.name +
        ", but these members could not be checked: " +
        unknown
          .map(function (a) {
            return describeProbe(probes[a]);
          })
          .join("; ") +
        ". One of them may hold the cluster, so none is created (that would make a second cluster). Bring them up or fix them, then rerun.",
    );
  if (seedProbe.kind !== "standalone")
    fail("the seed " + describeProbe(seedProbe) + " cannot host a new cluster. Fix it by hand, then rerun.");
  if (!ctx.allowCreate)
    fail(
      "no configured member holds cluster " +
        ctx.name +
        " (" +
        ctx.desired.join(", ") +
        " are all standalone, with no metadata and nothing to reboot), and this is not the converge command's first run (allowCreate is false): gamedb refuses to create a second one. Replacing every node of a shard in one edit is not supported: keep at least one existing member in the config so the cluster is found and the new nodes join it (or, to rebuild the shard deliberately as a new, empty cluster, replace the converge command with pulumi up --replace <urn>).",
    );

  say("no member holds cluster " + ctx.name + "; creating it on the seed " + ctx.seed);
  shell.connect(adminConnection(ctx.seed, ctx.creds));
  var cluster = step(
    "dba.createCluster('" + ctx.name + "') on " + ctx.seed,
    "Check the instance with dba.checkInstanceConfiguration() and its error log, then rerun",
    function () {
      return dba.createCluster(ctx.name, ctx.createOptions);
    },
  );
  return { cluster: cluster, via: ctx.seed, probes: probes };
}

// d: no desired member runs the cluster and some have its metadata with Group Replication stopped.
/** @param {ConvergeCtx} ctx @param {Located} loc @param {string[]} stopped @returns {Found} */
function rebootFromOutage(ctx, loc, stopped) {
  var probes = loc.probes;
  // Every member the metadata lists, as recorded on the stopped instances. Every copy must be read: one that cannot
  // be read fails the run (a shorter list would let the reachability check below miss members).
  /** @type {string[]} */
  var meta = [];
  stopped.forEach(function (a) {
    var s = openOrFail(
      a,
      ctx.creds,
      "Its copy of the metadata is needed to check that every member is reachable before a reboot; bring it back, then rerun.",
    );
    try {
      metadataMembers(s, a, ctx.name).forEach(function (m) {
        if (meta.indexOf(m) < 0) meta.push(m);
      });
    } finally {
      closeQuietly(s);
    }
  });
  stopped.forEach(function (a) {
    if (meta.indexOf(a) < 0) meta.push(a);
  });
  // A member outside params.members may still run the cluster: check the ones not probed yet.
  var unchecked = meta.filter(function (a) {
    return !probes[a];
  });
  var found = locateCluster(unchecked, ctx.creds, ctx.name, probes);
  if (found.cluster) {
    say("cluster " + ctx.name + " found through " + found.via + " (not in params.members); adopting it");
    return found;
  }
  var unreachable = meta.filter(function (a) {
    return probes[a].kind === "unreachable" || probes[a].kind === "error";
  });
  if (unreachable.length > 0)
    fail(
      "cluster " +
        ctx.name +
        " is in complete outage (Group Replication is stopped on every reachable member), and it is not rebooted while members are unreachable: " +
        unreachable
          .map(function (a) {
            return describeProbe(probes[a]);
          })
          .join("; ") +
        ". Bring them back and rerun. Only if they are lost for good, run dba.rebootClusterFromCompleteOutage('" +
        ctx.name +
        "', {force: true}) by hand on the most up-to-date member.",
    );
  var from = stopped.indexOf(ctx.seed) >= 0 ? ctx.seed : stopped[0];
  say(
    "cluster " +
      ctx.name +
      " is in complete outage; all " +
      meta.length +
      " member(s) in its metadata are reachable: rebooting it from " +
      from,
  );
  shell.connect(adminConnection(from, ctx.creds));
  step(
    "dba.rebootClusterFromCompleteOutage('" + ctx.name + "') on " + from,
    "Read the messages above, fix the instance they name and rerun",
    function () {
      dba.rebootClusterFromCompleteOutage(ctx.name);
    },
  );
  var search = ctx.desired.concat(
    meta.filter(function (a) {
      return ctx.desired.indexOf(a) < 0;
    }),
  );
  var after = locateCluster(search, ctx.creds, ctx.name);
  if (!after.cluster)
    fail(
      "cluster " +
        ctx.name +
        " was rebooted but cannot be reached through " +
        search.join(", ") +
        ". Check the error logs and rerun.",
    );
  return after;
}

// ---- c, b: rejoin missing members, add new ones -----------------------------------------------------------------

/** @param {ConvergeCtx} ctx @param {Found} loc */
function rejoinAndAdd(ctx, loc) {
  var cluster = loc.cluster;
  var st = clusterStatus(cluster, ctx.name);
  var topo = topologyOf(st);
  /** @type {string[]} */
  var missing = [];

  ctx.desired.forEach(function (a) {
    var s = memberStatus(topo, a);
    if (s === "ABSENT" || s === "ONLINE") return;
    if (s === "RECOVERING") {
      say(a + " is RECOVERING; waiting for it");
      waitOnline(a, ctx.creds, "recovery");
      return;
    }
    var r = tryOpen(a, ctx.creds);
    if (!r.session) {
      missing.push(a + " (" + s + ", unreachable: " + r.error + ")");
      return;
    }
    closeQuietly(r.session);
    rejoinMember(cluster, primaryOf(st, ctx.name), a, ctx.creds, ctx.recoveryMethod, s);
  });

  ctx.desired.forEach(function (a) {
    if (memberStatus(topo, a) !== "ABSENT") return;
    var p = loc.probes[a] || probe(a, ctx.creds, ctx.name);
    if (p.kind === "unreachable") {
      missing.push(a + " (not a member yet, unreachable: " + p.error + ")");
      return;
    }
    if (p.kind === "stopped")
      fail(
        a +
          " is not a member of cluster " +
          ctx.name +
          " but holds stale metadata of it (Group Replication stopped). If it holds no data you need, run dba.dropMetadataSchema() on it, then rerun.",
      );
    if (p.kind === "cluster")
      fail(
        a +
          " runs a group named " +
          ctx.name +
          " that is not the one reached through " +
          loc.via +
          ": two clusters with one name. Stop and reconcile them by hand.",
      );
    if (p.kind === "error") fail("cannot add " + a + ": " + p.error + ". Fix it by hand, then rerun.");
    if (ctx.recoveryMethod === "clone") ensureNothingToCloneOver(a, ctx.creds, ctx.name);
    say("adding " + a + " to cluster " + ctx.name + " (recoveryMethod " + ctx.recoveryMethod + ")");
    step(
      "cluster.addInstance('" + a + "')",
      "Check that " + a + " is configured (configure-instance) and read its error log, then rerun",
      function () {
        cluster.addInstance(a, { recoveryMethod: ctx.recoveryMethod });
      },
    );
    waitOnline(a, ctx.creds, "addInstance");
  });

  if (missing.length > 0)
    fail(
      "these members of cluster " +
        ctx.name +
        " are not ONLINE and cannot be reached: " +
        missing.join("; ") +
        ". The reachable members were converged; members not wanted are not removed and no restart is done while one is missing. Start mysqld on them or fix the network, then rerun.",
    );
}

// ---- e: remove members no longer wanted -------------------------------------------------------------------------

/** @param {ConvergeCtx} ctx */
function removeUnwanted(ctx) {
  for (;;) {
    var loc = locateCluster(ctx.desired, ctx.creds, ctx.name);
    if (!loc.cluster) fail("cluster " + ctx.name + " cannot be reached through " + ctx.desired.join(", ") + ". Rerun.");
    var topo = topologyOf(clusterStatus(loc.cluster, ctx.name));
    var all = keysOf(topo);
    // Members that are not ONLINE go first: taking them out never lowers the number of ONLINE members.
    var extra = all
      .filter(function (a) {
        return ctx.desired.indexOf(a) < 0;
      })
      .sort(function (a, b) {
        return (memberStatus(topo, a) === "ONLINE" ? 1 : 0) - (memberStatus(topo, b) === "ONLINE" ? 1 : 0);
      });
    if (extra.length === 0) return;
    var x = extra[0];
    checkRemovable(topo, x, ctx.name);
    // Only an ONLINE or RECOVERING member can leave cleanly; any other (unreachable, Group Replication stopped,
    // ERROR) needs force, or Shell refuses it without a prompt (51004; mysql-shell 8.4.3
    // modules/adminapi/cluster/remove_instance.cc prepare). Its metadata entry goes through the primary either way.
    var active = ACTIVE_STATES[memberStatus(topo, x)] === true;
    var opts = active ? {} : { force: true };
    say(
      "removing " +
        x +
        " from cluster " +
        ctx.name +
        " (not in params.members" +
        (active ? ")" : "; " + memberStatus(topo, x) + ", so with force)"),
    );
    var cluster = loc.cluster;
    step("cluster.removeInstance('" + x + "')", "Read the messages above and rerun", function () {
      cluster.removeInstance(x, opts);
    });
  }
}
