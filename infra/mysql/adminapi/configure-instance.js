// configure-instance: per node, run after bootstrap with mysqld running.
// Connects as root over the local socket (auth_socket), then:
// 1. SET GLOBAL each of params.dynamicVariables whose running value (SELECT @@GLOBAL.name) differs. Never SET PERSIST:
//    my.cnf (written before this script runs) carries these values across restarts, and a persisted value would
//    override a smaller my.cnf value after an instance type change (e.g. a buffer pool too large for the new memory).
//    A value persisted earlier for one of these names (performance_schema.persisted_variables) is dropped with
//    RESET PERSIST, which leaves the running value alone, so my.cnf rules again at the next restart;
// 2. dba.configureInstance (with restart) only when dba.checkInstanceConfiguration reports something to fix or the
//    cluster admin account is missing; an ONLINE or RECOVERING group member is configured already.
// params  = { self, clusterAdmin, dynamicVariables: { name: value }, waitSeconds? }
// secrets = { clusterAdminPassword }

gamedbMain("configure-instance", function () {
  var args = loadArgs();
  var P = args.params;
  var self = needAddress(P, "self");
  var admin = needIdentifier(needString(P, "clusterAdmin"), "params.clusterAdmin");
  var vars = P.dynamicVariables || {};
  keysOf(vars).forEach(function (n) {
    needIdentifier(n, "params.dynamicVariables name");
  });

  var s = connectLocal(self);

  keysOf(vars).forEach(function (n) {
    var want = String(vars[n]);
    var cur = step(
      "reading @@GLOBAL." + n + " on " + self,
      "Check the variable name in the my.cnf settings",
      function () {
        return queryOne(s, "SELECT @@GLOBAL." + n);
      },
    );
    if (sameValue(cur, want)) return;
    say("SET GLOBAL " + n + " = " + want + " (was " + cur + ")");
    step(
      "SET GLOBAL " + n + " on " + self,
      "Check that " + n + " is a dynamic variable and the value is valid",
      function () {
        s.runSql("SET GLOBAL " + n + " = ?", [sqlValue(want)]);
      },
    );
  });

  var persisted = step("reading performance_schema.persisted_variables on " + self, "", function () {
    return persistedNames(s);
  });
  keysOf(vars).forEach(function (n) {
    if (!persisted[n.toLowerCase()]) return;
    say("RESET PERSIST " + n + " (my.cnf carries it; a persisted value would override my.cnf at the next restart)");
    step("RESET PERSIST " + n + " on " + self, "Read the messages above and rerun", function () {
      s.runSql("RESET PERSIST IF EXISTS " + n);
    });
  });

  var adminExists = accountExists(s, admin, "%");
  var state = localMemberState(s);
  if (ACTIVE_STATES[state]) {
    if (!adminExists)
      fail(
        self +
          " is a group member (" +
          state +
          ") but has no " +
          admin +
          "@% account. Create it by hand on the primary, then rerun.",
      );
    say(self + " is a group member (" + state + "); instance configuration is in place");
    return;
  }

  var check = step("dba.checkInstanceConfiguration() on " + self, "", function () {
    return dba.checkInstanceConfiguration();
  });
  var ok = !!check && check.status === "ok";
  if (ok && adminExists) {
    say(self + " is configured for InnoDB Cluster and " + admin + "@% exists; nothing to do");
    return;
  }
  // configureInstance refuses clusterAdminPassword for an account that exists, so the account options are passed
  // only to create it.
  var opts = { restart: true };
  if (!adminExists) {
    opts.clusterAdmin = admin;
    opts.clusterAdminPassword = needSecret(args.secrets, "clusterAdminPassword");
  }
  say(
    "configuring " +
      self +
      " for InnoDB Cluster" +
      (ok ? "" : " (settings to fix)") +
      (adminExists ? "" : " and creating " + admin + "@%"),
  );
  step("dba.configureInstance() on " + self, "Read the messages above and the error log, then rerun", function () {
    dba.configureInstance(null, opts);
  });

  // configureInstance may have restarted mysqld: reconnect (bounded wait) and check again.
  var after = null;
  var tries = waitTries();
  for (var i = 0; i < tries && !after; i++) {
    try {
      shell.connect(rootSocketConnection());
      after = dba.checkInstanceConfiguration();
    } catch (e) {
      os.sleep(GAMEDB_WAIT_SECONDS);
    }
  }
  if (!after)
    fail("mysqld on " + self + " did not come back after dba.configureInstance(). Check its error log and rerun.");
  if (after.status !== "ok")
    fail(
      self +
        " still needs configuration after dba.configureInstance() (" +
        JSON.stringify(after.config_errors || []) +
        "). Fix it by hand and rerun.",
    );
  if (!accountExists(shell.getSession(), admin, "%")) fail(admin + "@% was not created on " + self + ". Rerun.");
  say(self + " is configured for InnoDB Cluster");
});

function connectLocal(self) {
  try {
    shell.connect(rootSocketConnection());
    return shell.getSession();
  } catch (e) {
    fail(
      "cannot connect to mysqld on " +
        self +
        " as root over " +
        GAMEDB_SOCKET +
        ": " +
        errText(e) +
        ". Check that mysqld runs (systemctl status mysql) and rerun.",
    );
  }
}

// {name: true} (lower case) for every variable persisted in mysqld-auto.cnf.
function persistedNames(s) {
  var rows = s.runSql("SELECT VARIABLE_NAME FROM performance_schema.persisted_variables").fetchAll();
  var out = {};
  for (var i = 0; i < rows.length; i++) out[String(rows[i][0]).toLowerCase()] = true;
  return out;
}

// A value for SET GLOBAL ... = ?: numbers (sizes with K/M/G too) as numbers, since MySQL refuses a quoted string for
// a numeric variable; anything else as a string.
function sqlValue(v) {
  var n = normalizeValue(v);
  return /^-?[0-9]+$/.test(n) ? Number(n) : String(v);
}
