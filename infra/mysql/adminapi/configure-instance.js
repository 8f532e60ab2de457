// @ts-check
// configure-instance: per node, run after bootstrap with mysqld running.
// Connects as root over the local socket (auth_socket), then:
// 1. SET GLOBAL each of params.dynamicVariables whose running value (SELECT @@GLOBAL.name) differs. Never SET PERSIST:
//    my.cnf (written before this script runs) carries these values across restarts, and a persisted value would
//    override a smaller my.cnf value after an instance type change (e.g. a buffer pool too large for the new memory).
//    A value persisted earlier for one of these names (performance_schema.persisted_variables) is dropped with
//    RESET PERSIST, which leaves the running value alone, so my.cnf rules again at the next restart;
// 2. dba.configureInstance (with restart) only when dba.checkInstanceConfiguration (as the cluster admin, over TCP)
//    reports something to fix or the cluster admin account is missing; an ONLINE or RECOVERING group member is configured already;
// 3. lets the cluster admin grant what the backup account needs (ensureAdminGrantable).
// params  = { self, clusterAdmin, dynamicVariables: { name: value }, waitSeconds? }
// secrets = { clusterAdminPassword }

gamedbMain("configure-instance", function () {
  var args = loadArgs();
  var P = args.params;
  var self = needAddress(P, "self");
  var admin = needIdentifier(needString(P, "clusterAdmin"), "params.clusterAdmin");
  var vars = optionalObject(P, "dynamicVariables");
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
    ensureAdminGrantable(s, self, admin);
    say(self + " is a group member (" + state + "); instance configuration is in place");
    return;
  }

  // Checked as the cluster admin over TCP: as root@localhost Shell refuses the check itself ("User 'root' can only
  // connect from 'localhost'", mysql-shell 8.4.3 modules/adminapi/dba/check_instance.cc prepare, which calls
  // common/accounts.cc check_admin_account_access_restrictions non-interactively). Without the admin account there
  // is nothing to check with: configureInstance creates it.
  var adminCreds = { user: admin, password: needSecret(args.secrets, "clusterAdminPassword") };
  var ok = false;
  if (adminExists) {
    var check = step("dba.checkInstanceConfiguration() on " + self + " as " + admin, "", function () {
      return dba.checkInstanceConfiguration(adminConnection(self, adminCreds));
    });
    ok = !!check && check.status === "ok";
  }
  if (ok) {
    ensureAdminGrantable(s, self, admin);
    say(self + " is configured for InnoDB Cluster and " + admin + "@% exists");
    return;
  }
  // clusterAdmin is always named: without it Shell checks the account in use, root@localhost, and refuses it ("User
  // 'root' can only connect from 'localhost'", mysql-shell 8.4.3 modules/adminapi/dba/configure_instance.cc
  // check_create_admin_user, common/accounts.cc check_admin_account_access_restrictions). clusterAdminPassword goes
  // only with an account to create: Shell refuses it for an existing one (same function).
  /** @type {ConfigureInstanceOptions} */
  var opts = { restart: true, clusterAdmin: admin };
  if (!adminExists) opts.clusterAdminPassword = adminCreds.password;
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

  // configureInstance may have restarted mysqld: reconnect (bounded wait) and check again, as the admin.
  /** @type {{ local: ClassicSession, check: InstanceCheck } | null} */
  var after = null;
  var last = "";
  var tries = waitTries();
  for (var i = 0; i < tries && !after; i++) {
    try {
      var local = shell.connect(rootSocketConnection());
      after = { local: local, check: dba.checkInstanceConfiguration(adminConnection(self, adminCreds)) };
    } catch (e) {
      last = errText(e);
      os.sleep(GAMEDB_WAIT_SECONDS);
    }
  }
  if (!after)
    fail(
      "mysqld on " +
        self +
        " could not be checked after dba.configureInstance() (last error: " +
        last +
        "). Check its error log and rerun.",
    );
  if (after.check.status !== "ok")
    fail(
      self +
        " still needs configuration after dba.configureInstance() (" +
        JSON.stringify(after.check.config_errors || []) +
        "). Fix it by hand and rerun.",
    );
  if (!accountExists(after.local, admin, "%")) fail(admin + "@% was not created on " + self + ". Rerun.");
  ensureAdminGrantable(after.local, self, admin);
  say(self + " is configured for InnoDB Cluster");
});

// The cluster admin that dba.configureInstance creates holds EVENT, SHOW VIEW and TRIGGER only on the metadata
// schemas and no BACKUP_ADMIN (mysql-shell 8.4.3 modules/adminapi/common/accounts.cc k_admin_global_privileges,
// k_metadata_schema_privileges), and MySQL lets an account grant only what it holds WITH GRANT OPTION; the accounts
// step (setup-accounts, as the cluster admin on the primary) grants them to the backup account. So root adds them
// here, with the binary log off for the session, exactly as Shell creates the admin itself (configure_instance.cc
// create_cluster_admin_user, Suppress_binary_log): a local change that is never a transaction the group sees. An
// instance in super_read_only (a group secondary) is left alone; every instance passes through here before it joins,
// and clone copies the donor's grants.
/** @param {ClassicSession} s @param {string} self @param {string} admin */
function ensureAdminGrantable(s, self, admin) {
  var missing = missingGrantable(s, admin, "%", ADMIN_EXTRA_PRIVILEGES);
  if (missing.length === 0) return;
  if (sameValue(queryOne(s, "SELECT @@GLOBAL.super_read_only"), "ON")) {
    say(
      admin +
        "@% on " +
        self +
        " cannot grant " +
        missing.join(", ") +
        " (super_read_only: a group secondary); it is added when this node is configured as a primary or standalone",
    );
    return;
  }
  say("letting " + admin + "@% grant " + missing.join(", ") + " on " + self + " (binary log off for this change)");
  step("GRANT ... WITH GRANT OPTION to " + admin + "@% on " + self, "Read the messages above and rerun", function () {
    s.runSql("SET SESSION sql_log_bin = 0");
    try {
      s.runSql("GRANT " + missing.join(", ") + " ON *.* TO ?@? WITH GRANT OPTION", [admin, "%"]);
    } finally {
      s.runSql("SET SESSION sql_log_bin = 1");
    }
  });
}

/** @param {string} self @returns {ClassicSession} */
function connectLocal(self) {
  try {
    return shell.connect(rootSocketConnection());
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
/** @param {ClassicSession} s @returns {{ [name: string]: boolean }} */
function persistedNames(s) {
  var rows = s.runSql("SELECT VARIABLE_NAME FROM performance_schema.persisted_variables").fetchAll();
  /** @type {{ [name: string]: boolean }} */
  var out = {};
  for (var i = 0; i < rows.length; i++) out[String(rows[i][0]).toLowerCase()] = true;
  return out;
}

// A value for SET GLOBAL ... = ?: numbers (sizes with K/M/G too) as numbers, since MySQL refuses a quoted string for
// a numeric variable; anything else as a string.
/** @param {unknown} v @returns {string | number} */
function sqlValue(v) {
  var n = normalizeValue(v);
  return /^-?[0-9]+$/.test(n) ? Number(n) : String(v);
}
