// @ts-check
// setup-accounts: per shard, run on the seed node after every member joined.
// Creates, on the primary, the accounts the rest of gamedb logs in with, each only when missing or different (every
// account that logs in over TCP also REQUIRE SSL, see ensureRequireSsl):
//   router   cluster.setupRouterAccount (the grants MySQL Router needs)
//   monitor  PROCESS, REPLICATION CLIENT on *.*; SELECT on performance_schema.* (least privilege)
//   backup   BACKUP_PRIVILEGES (grants.js) for params.accounts.backup@localhost, authenticated with auth_socket as
//            root: the backup and binlog jobs run as root on each member and log in over the local socket
// and, only when params.schemaDatabase names the game database (else nothing of theirs is read or changed):
//   schema   the migration account: SCHEMA_DATABASE_PRIVILEGES on the game database, SCHEMA_META_PRIVILEGES on
//            params.metaDatabase (gamedb_meta), nothing global (grants.js says why each)
//   app      the game servers' account: APP_DATABASE_PRIVILEGES on the game database, APP_META_PRIVILEGES on gamedb_meta
//   mover    the slot mover's account: MOVER_GLOBAL_PRIVILEGES on *.* (the binlog), MOVER_DATABASE_PRIVILEGES on the
//            game database, MOVER_META_PRIVILEGES on gamedb_meta, SELECT on performance_schema
// Passwords travel as placeholders (session.runSql(sql, [args])), never in SQL text; a password is set again only
// when logging in with it fails, keeping the old one as a secondary password (RETAIN CURRENT PASSWORD) so clients
// not yet restarted still log in. The session is the cluster admin's, which can grant only what it holds WITH GRANT
// OPTION (configure-instance makes sure it holds what the backup account needs). Ends with the same check as
// converge-cluster.
// params  = { clusterName, seed, members, clusterAdmin, accounts: { router, monitor, backup, schema?, app?, mover? },
//             accountHost, schemaDatabase?, metaDatabase? }
// secrets = { clusterAdminPassword, routerPassword, monitorPassword, schemaPassword?, appPassword?, moverPassword? }

var MONITOR_GRANTS = [
  { on: "*.*", privileges: ["PROCESS", "REPLICATION CLIENT"] },
  { on: "performance_schema.*", privileges: ["SELECT"] },
];

gamedbMain("setup-accounts", function () {
  var args = loadArgs();
  var P = args.params;
  var S = args.secrets;
  var name = needIdentifier(needString(P, "clusterName"), "params.clusterName");
  var seed = needAddress(P, "seed");
  var members = needAddressList(P, "members");
  if (members.indexOf(seed) < 0) fail("params.seed " + seed + " is not in params.members.");
  var creds = {
    user: needIdentifier(needString(P, "clusterAdmin"), "params.clusterAdmin"),
    password: needSecret(S, "clusterAdminPassword"),
  };
  var accounts = optionalObject(P, "accounts");
  var host = needAccountHost(P.accountHost);
  var router = needIdentifier(accounts.router, "params.accounts.router");
  var monitor = needIdentifier(accounts.monitor, "params.accounts.monitor");
  var backup = needIdentifier(accounts.backup, "params.accounts.backup");
  var passwords = {
    router: needSecret(S, "routerPassword"),
    monitor: needSecret(S, "monitorPassword"),
  };
  var game = optionalGameAccounts(P, S, accounts);
  var desired = [seed].concat(
    members.filter(function (m) {
      return m !== seed;
    }),
  );

  var loc = locateCluster(desired, creds, name);
  if (!loc.cluster)
    fail(
      "cluster " +
        name +
        " cannot be reached through any of " +
        desired
          .map(function (a) {
            return describeProbe(loc.probes[a]);
          })
          .join("; ") +
        ". Run the shard's converge step first, then rerun.",
    );
  var st = clusterStatus(loc.cluster, name);
  var primary = primaryOf(st, name, "Run the shard's converge step, then rerun.");
  var ps = openOrFail(primary, creds);

  ensureRouterAccount(loc.cluster, ps, primary, router, host, passwords.router);
  ensureAccount(ps, primary, monitor, host, passwords.monitor, MONITOR_GRANTS);
  ensureBackupAccount(ps, primary, creds.user, backup, host);
  if (game) ensureGameAccounts(ps, primary, creds.user, host, game);
  closeQuietly(ps);

  verifyFinal(name, desired, creds);
});

// Whether user can log in to address with password (a wrong password is access denied, MySQL error 1045).
/** @param {string} address @param {string} user @param {string} password @returns {boolean} */
function passwordWorks(address, user, password) {
  var r = tryOpen(address, { user: user, password: password });
  if (r.session) {
    closeQuietly(r.session);
    return true;
  }
  if (r.code === ER_ACCESS_DENIED) return false;
  fail("cannot check the password of " + user + " on " + address + ": " + r.error + ". Rerun.");
}

/** @param {ClassicSession} ps @param {string} primary @param {string} user @param {string} host @param {string} password @param {{ on: string, privileges: string[] }[]} grants */
function ensureAccount(ps, primary, user, host, password, grants) {
  var account = user + "@" + host;
  if (!accountExists(ps, user, host)) {
    say("creating account " + account);
    ps.runSql("CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?", [user, host, password]);
  } else if (!passwordWorks(primary, user, password)) {
    say("setting the password of " + account + " (logging in with the current one failed)");
    // RETAIN CURRENT PASSWORD: clients still holding the old password (pods not yet rolled) keep logging in.
    ps.runSql("ALTER USER ?@? IDENTIFIED BY ? RETAIN CURRENT PASSWORD", [user, host, password]);
  }
  grantMissing(ps, user, host, grants);
  ensureRequireSsl(ps, user, host);
  say("account " + account + " is in place");
}

// An account that logs in over TCP requires TLS itself (REQUIRE SSL), beside the servers' require_secure_transport:
// it keeps refusing plain connections on a member where that setting was switched off by hand. Not the backup account:
// it logs in over the local socket, which cannot carry TLS. setupRouterAccount writes a REQUIRE clause only for
// requireCertIssuer/requireCertSubject, and its update (ALTER USER ... IDENTIFIED BY) leaves the one there (mysql-shell
// 8.4.3 modules/adminapi/common/setup_account.cc create_account), so this runs after it too.
/** @param {ClassicSession} ps @param {string} user @param {string} host */
function ensureRequireSsl(ps, user, host) {
  var row = ps.runSql("SELECT ssl_type FROM mysql.user WHERE user = ? AND host = ?", [user, host]).fetchOne();
  if (!row) fail("account " + user + "@" + host + " is missing right after it was made. Rerun.");
  // ANY is REQUIRE SSL; X509 and SPECIFIED (certificate requirements) imply TLS as well.
  if (["ANY", "X509", "SPECIFIED"].indexOf(String(row[0])) >= 0) return;
  say("requiring TLS of " + user + "@" + host + " (REQUIRE SSL)");
  ps.runSql("ALTER USER ?@? REQUIRE SSL", [user, host]);
}

// GRANTs each privilege of `grants` ([{ on, privileges }]) that user@host lacks.
/** @param {ClassicSession} ps @param {string} user @param {string} host @param {{ on: string, privileges: string[] }[]} grants */
function grantMissing(ps, user, host, grants) {
  var account = user + "@" + host;
  var have = parseGrants(showGrants(ps, user, host), false);
  grants.forEach(function (g) {
    var missing = g.privileges.filter(function (p) {
      return !hasPrivilege(have, g.on, p);
    });
    if (missing.length === 0) return;
    say("granting " + missing.join(", ") + " ON " + g.on + " to " + account);
    ps.runSql("GRANT " + missing.join(", ") + " ON " + g.on + " TO ?@?", [user, host]);
  });
}

// The backup account: user@localhost, IDENTIFIED WITH auth_socket AS 'root', holding BACKUP_PRIVILEGES. Fails,
// naming the fix, when the cluster admin on the primary cannot grant them. An account of this name at accountHost
// (made by earlier versions of this step, with a password) is dropped: nothing logs in with it.
/** @param {ClassicSession} ps @param {string} primary @param {string} admin @param {string} user @param {string} accountHost */
function ensureBackupAccount(ps, primary, admin, user, accountHost) {
  var account = user + "@" + BACKUP_ACCOUNT_HOST;
  var cannot = missingGrantable(ps, admin, "%", BACKUP_PRIVILEGES);
  if (cannot.length > 0)
    fail(
      "the cluster admin " +
        admin +
        "@% on the primary " +
        primary +
        " cannot grant " +
        cannot.join(", ") +
        " to the backup account (it does not hold them WITH GRANT OPTION). Rerun the configure step on " +
        primary +
        " (configure-instance adds them), then rerun this step.",
    );
  var row = ps
    .runSql("SELECT plugin, authentication_string FROM mysql.user WHERE user = ? AND host = ?", [
      user,
      BACKUP_ACCOUNT_HOST,
    ])
    .fetchOne();
  if (!row) {
    say("creating account " + account + " (auth_socket as " + BACKUP_OS_USER + ")");
    ps.runSql("CREATE USER IF NOT EXISTS ?@? IDENTIFIED WITH auth_socket AS ?", [
      user,
      BACKUP_ACCOUNT_HOST,
      BACKUP_OS_USER,
    ]);
  } else if (String(row[0]) !== "auth_socket" || String(row[1]) !== BACKUP_OS_USER) {
    say("setting " + account + " to auth_socket as " + BACKUP_OS_USER + " (was " + String(row[0]) + ")");
    ps.runSql("ALTER USER ?@? IDENTIFIED WITH auth_socket AS ?", [user, BACKUP_ACCOUNT_HOST, BACKUP_OS_USER]);
  }
  grantMissing(ps, user, BACKUP_ACCOUNT_HOST, [{ on: "*.*", privileges: BACKUP_PRIVILEGES }]);
  if (accountHost !== BACKUP_ACCOUNT_HOST && accountExists(ps, user, accountHost)) {
    say("dropping " + user + "@" + accountHost + " (replaced by " + account + ")");
    ps.runSql("DROP USER IF EXISTS ?@?", [user, accountHost]);
  }
  say("account " + account + " is in place");
}

// setupRouterAccount refuses an existing account without update: true and a missing one with it, so update follows
// whether the account exists. It is called only when the account is missing, its password fails, or it lacks the
// metadata grants setupRouterAccount gives.
/** @param {Cluster} cluster @param {ClassicSession} ps @param {string} primary @param {string} user @param {string} host @param {string} password */
function ensureRouterAccount(cluster, ps, primary, user, host, password) {
  var account = user + "@" + host;
  var exists = accountExists(ps, user, host);
  if (exists && passwordWorks(primary, user, password)) {
    var grants = showGrants(ps, user, host).join("\n");
    if (grants.indexOf("mysql_innodb_cluster_metadata") >= 0) {
      ensureRequireSsl(ps, user, host);
      say("router account " + account + " is in place");
      return;
    }
  }
  say((exists ? "updating" : "creating") + " router account " + account);
  step("cluster.setupRouterAccount('" + account + "')", "Read the messages above and rerun", function () {
    cluster.setupRouterAccount(user + "@'" + host + "'", { password: password, update: exists });
  });
  ensureRequireSsl(ps, user, host);
}

// The game database's accounts, from params.schemaDatabase (null when it is left out) with params.metaDatabase, the
// names params.accounts.schema, .app and .mover, and their passwords secrets.schemaPassword, .appPassword and
// .moverPassword.
/** @param {JsonObject} P @param {JsonObject} S @param {JsonObject} accounts @returns {GameAccounts | null} */
function optionalGameAccounts(P, S, accounts) {
  if (P.schemaDatabase === undefined || P.schemaDatabase === null) return null;
  var database = needIdentifier(P.schemaDatabase, "params.schemaDatabase");
  var meta = needIdentifier(needString(P, "metaDatabase"), "params.metaDatabase");
  var reserved = SYSTEM_SCHEMAS.concat([meta]);
  if (reserved.indexOf(database.toLowerCase()) >= 0)
    fail(
      "params.schemaDatabase '" +
        database +
        "' is a schema MySQL or gamedb keeps for itself; name a database of its own (not " +
        reserved.join(", ") +
        ").",
    );
  return {
    database: database,
    meta: meta,
    schemaUser: needIdentifier(accounts.schema, "params.accounts.schema"),
    appUser: needIdentifier(accounts.app, "params.accounts.app"),
    moverUser: needIdentifier(accounts.mover, "params.accounts.mover"),
    schemaPassword: needSecret(S, "schemaPassword"),
    appPassword: needSecret(S, "appPassword"),
    moverPassword: needSecret(S, "moverPassword"),
  };
}

// The migration, game server and mover accounts, each granted its lists of grants.js (only the mover anything
// global: the binlog). Fails before any change when the migration account could not create the fence's triggers (log_bin_trust_function_creators OFF) or
// the cluster admin cannot grant what either account lacks.
/** @param {ClassicSession} ps @param {string} primary @param {string} admin @param {string} host @param {GameAccounts} game */
function ensureGameAccounts(ps, primary, admin, host, game) {
  // With the binary log on and log_bin_trust_function_creators OFF, CREATE TRIGGER needs SUPER (mysql-server
  // sql/sql_trigger.cc Sql_cmd_create_trigger::execute, ER_BINLOG_CREATE_ROUTINE_NEED_SUPER; SET_USER_ID in 8.0,
  // which 8.4 no longer has). The configure step sets it ON on every node of a shard with a game database.
  var trusted = queryOne(ps, "SELECT @@GLOBAL.log_bin_trust_function_creators");
  if (!sameValue(trusted, "ON"))
    fail(
      "log_bin_trust_function_creators is OFF on the primary " +
        primary +
        ": with binary logging on, MySQL then lets only an account with SUPER create triggers, so the migration account " +
        game.schemaUser +
        " could not install the slot fence. The configure step sets it on every node of a shard with a game database: rerun it, then rerun this step.",
    );
  var planned = [
    {
      user: game.schemaUser,
      password: game.schemaPassword,
      grants: [
        { on: databaseLevel(game.database), privileges: SCHEMA_DATABASE_PRIVILEGES },
        { on: databaseLevel(game.meta), privileges: SCHEMA_META_PRIVILEGES },
      ],
    },
    {
      user: game.appUser,
      password: game.appPassword,
      grants: [
        { on: databaseLevel(game.database), privileges: APP_DATABASE_PRIVILEGES },
        { on: databaseLevel(game.meta), privileges: APP_META_PRIVILEGES },
      ],
    },
    {
      user: game.moverUser,
      password: game.moverPassword,
      grants: [
        { on: "*.*", privileges: MOVER_GLOBAL_PRIVILEGES },
        { on: databaseLevel(game.database), privileges: MOVER_DATABASE_PRIVILEGES },
        { on: databaseLevel(game.meta), privileges: MOVER_META_PRIVILEGES },
        { on: databaseLevel("performance_schema"), privileges: MOVER_PERFORMANCE_SCHEMA_PRIVILEGES },
      ],
    },
  ];
  planned.forEach(function (a) {
    ensureAdminCanGrant(ps, primary, admin, a.user, host, a.grants);
  });
  planned.forEach(function (a) {
    ensureAccount(ps, primary, a.user, host, a.password, a.grants);
  });
}

// Fails, naming the fix, when user@host lacks privileges of `grants` that the cluster admin cannot give it (does not
// hold WITH GRANT OPTION on the object or on *.*).
/** @param {ClassicSession} ps @param {string} primary @param {string} admin @param {string} user @param {string} host @param {{ on: string, privileges: string[] }[]} grants */
function ensureAdminCanGrant(ps, primary, admin, user, host, grants) {
  var have = accountExists(ps, user, host) ? parseGrants(showGrants(ps, user, host), false) : {};
  /** @type {string[]} */
  var cannot = [];
  grants.forEach(function (g) {
    var missing = g.privileges.filter(function (p) {
      return !hasPrivilege(have, g.on, p);
    });
    if (missing.length === 0) return;
    missingGrantable(ps, admin, "%", missing, g.on).forEach(function (p) {
      cannot.push(p + " ON " + g.on);
    });
  });
  if (cannot.length > 0)
    fail(
      "the cluster admin " +
        admin +
        "@% on the primary " +
        primary +
        " cannot grant " +
        cannot.join(", ") +
        " to " +
        user +
        "@" +
        host +
        " (it does not hold them WITH GRANT OPTION). Rerun the configure step on " +
        primary +
        " (configure-instance adds them), then rerun this step.",
    );
}
