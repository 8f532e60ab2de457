// @ts-check
// gamedb AdminAPI helper for converge-cluster only (infra/mysql/adminapi/index.ts puts it after the shared helpers):
// the rolling restart that puts restart-only settings (params.restartVariables) in effect on every member,
// secondaries first, the primary last after a switchover. Uses ctx as converge-cluster builds it.

// The restart-only settings address expects (its own my.cnf values), {} when params.restartVariables lists none.
/** @param {ConvergeCtx} ctx @param {string} address @returns {{ [variable: string]: unknown }} */
function wantedOn(ctx, address) {
  return ctx.restartVariables[address] || {};
}

// The restart-only settings whose running value on address differs from the value that member wants ("name is X,
// wants Y").
/** @param {ConvergeCtx} ctx @param {string} address @returns {string[]} */
function restartDiffs(ctx, address) {
  var wanted = wantedOn(ctx, address);
  var names = keysOf(wanted);
  if (names.length === 0) return [];
  var s = openOrFail(address, ctx.creds);
  /** @type {string[]} */
  var out = [];
  names.forEach(function (n) {
    var cur = queryOne(s, "SELECT @@GLOBAL." + n);
    var want = String(wanted[n]);
    if (!sameValue(cur, want)) out.push(n + " is " + cur + ", wants " + want);
  });
  closeQuietly(s);
  return out;
}

// Whether any member has restart-only settings to compare.
/** @param {ConvergeCtx} ctx @returns {boolean} */
function anyRestartVariables(ctx) {
  return ctx.desired.some(function (a) {
    return keysOf(wantedOn(ctx, a)).length > 0;
  });
}

// The current cluster, its status and topology; every member must be ONLINE before a restart.
/** @param {ConvergeCtx} ctx @param {string} what @returns {{ cluster: Cluster, primary: string, members: string[] }} */
function allOnline(ctx, what) {
  var loc = locateCluster(ctx.desired, ctx.creds, ctx.name);
  if (!loc.cluster) fail("cluster " + ctx.name + " cannot be reached through " + ctx.desired.join(", ") + ". Rerun.");
  var st = clusterStatus(loc.cluster, ctx.name);
  var topo = topologyOf(st);
  keysOf(topo).forEach(function (a) {
    if (memberStatus(topo, a) !== "ONLINE")
      fail(
        "not restarting " +
          what +
          " while " +
          a +
          " is " +
          memberStatus(topo, a) +
          ". Rerun once every member is ONLINE.",
      );
  });
  return { cluster: loc.cluster, primary: primaryOf(st, ctx.name), members: keysOf(topo) };
}

// RESTART (mysqld comes back through systemd), wait until the old connection is gone, then until the member is
// ONLINE again; single: the member is the whole cluster, so it is rebooted from the outage its restart causes.
/** @param {ConvergeCtx} ctx @param {string} address @param {string[]} diffs @param {boolean} single */
function restartMember(ctx, address, diffs, single) {
  say("restarting " + address + " to apply: " + diffs.join(", "));
  var s = openOrFail(address, ctx.creds);
  try {
    s.runSql("RESTART");
  } catch (e) {
    var code = errCode(e);
    if (code !== CR_SERVER_LOST && code !== CR_SERVER_GONE)
      fail(
        "RESTART on " +
          address +
          " failed: " +
          errText(e) +
          ". mysqld must run under systemd for RESTART to work; restart it by hand and rerun.",
      );
  }
  var gone = false;
  var tries = waitTries();
  for (var i = 0; i < tries && !gone; i++) {
    try {
      s.runSql("SELECT 1");
      os.sleep(GAMEDB_WAIT_SECONDS);
    } catch (e) {
      gone = true;
    }
  }
  closeQuietly(s);
  if (!gone) fail(address + " did not go down after RESTART. Check its error log, restart it by hand and rerun.");
  if (single) {
    var back = false;
    for (var j = 0; j < tries && !back; j++) {
      var r = tryOpen(address, ctx.creds);
      if (r.session) {
        var state = localMemberState(r.session);
        closeQuietly(r.session);
        if (state === "ONLINE") return checkApplied(ctx, address);
        if (state !== "RECOVERING") back = true;
      }
      if (!back) os.sleep(GAMEDB_WAIT_SECONDS);
    }
    if (!back)
      fail(
        address +
          " did not come back after RESTART within " +
          tries * GAMEDB_WAIT_SECONDS +
          " s. Check its error log and rerun (or raise params.waitSeconds).",
      );
    say(address + " is the only member: rebooting cluster " + ctx.name + " after its restart");
    shell.connect(adminConnection(address, ctx.creds));
    step(
      "dba.rebootClusterFromCompleteOutage('" + ctx.name + "') on " + address,
      "Read the messages above and rerun",
      function () {
        dba.rebootClusterFromCompleteOutage(ctx.name);
      },
    );
  }
  waitOnline(address, ctx.creds, "RESTART");
  checkApplied(ctx, address);
}

/** @param {ConvergeCtx} ctx @param {string} address */
function checkApplied(ctx, address) {
  var still = restartDiffs(ctx, address);
  if (still.length > 0)
    fail(
      "after restarting " +
        address +
        " still: " +
        still.join(", ") +
        ". Its my.cnf does not carry the wanted value: rerun the configure step on that node, then converge.",
    );
}

/** @param {ConvergeCtx} ctx */
function rollingRestart(ctx) {
  if (!anyRestartVariables(ctx)) return;
  var view = allOnline(ctx, "members");
  /** @type {{ [address: string]: string[] }} */
  var stale = {};
  /** @type {string[]} */
  var staleList = [];
  view.members.forEach(function (a) {
    var d = restartDiffs(ctx, a);
    if (d.length > 0) {
      stale[a] = d;
      staleList.push(a);
    }
  });
  if (staleList.length === 0) {
    say("restart-only settings are in effect on every member");
    return;
  }
  if (view.members.length === 1) {
    restartMember(ctx, view.members[0], stale[view.members[0]], true);
    return;
  }
  var primary = view.primary;
  staleList
    .filter(function (a) {
      return a !== primary;
    })
    .forEach(function (a) {
      allOnline(ctx, a);
      restartMember(ctx, a, stale[a], false);
    });
  if (!stale[primary]) return;
  var now = allOnline(ctx, "the primary " + primary);
  /** @type {string | null} */
  var candidate = null;
  now.members.forEach(function (a) {
    if (!candidate && a !== primary && restartDiffs(ctx, a).length === 0) candidate = a;
  });
  if (!candidate) fail("no up-to-date ONLINE secondary to take over from the primary " + primary + ". Rerun.");
  var next = candidate;
  say("switching the primary from " + primary + " to " + next + " before restarting it");
  step("cluster.setPrimaryInstance('" + next + "')", "Read the messages above and rerun", function () {
    now.cluster.setPrimaryInstance(next);
  });
  restartMember(ctx, primary, stale[primary], false);
}
