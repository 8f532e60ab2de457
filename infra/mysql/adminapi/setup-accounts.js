// setup-accounts: per shard, run on the seed node after every member joined.
// Creates, on the primary, the accounts the rest of gamedb logs in with, each only when missing or different:
//   router   cluster.setupRouterAccount (the grants MySQL Router needs)
//   monitor  PROCESS, REPLICATION CLIENT on *.*; SELECT on performance_schema.* (least privilege)
//   backup   what util.dumpInstance and binlog shipping need
// Passwords travel as placeholders (session.runSql(sql, [args])), never in SQL text; a password is set again only
// when logging in with it fails, keeping the old one as a secondary password (RETAIN CURRENT PASSWORD) so clients
// not yet restarted still log in. Ends with the same check as converge-cluster.
// params  = { clusterName, seed, members, clusterAdmin, accounts: { router, monitor, backup }, accountHost }
// secrets = { clusterAdminPassword, routerPassword, monitorPassword, backupPassword }

var MONITOR_GRANTS = [
  { on: "*.*", privileges: ["PROCESS", "REPLICATION CLIENT"] },
  { on: "performance_schema.*", privileges: ["SELECT"] },
];

var BACKUP_GRANTS = [
  {
    on: "*.*",
    privileges: [
      "SELECT",
      "RELOAD",
      "PROCESS",
      "EVENT",
      "SHOW VIEW",
      "TRIGGER",
      "REPLICATION CLIENT",
      "REPLICATION SLAVE",
      "BACKUP_ADMIN",
    ],
  },
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
  var accounts = P.accounts || {};
  var host = needAccountHost(P.accountHost);
  var router = needIdentifier(accounts.router, "params.accounts.router");
  var monitor = needIdentifier(accounts.monitor, "params.accounts.monitor");
  var backup = needIdentifier(accounts.backup, "params.accounts.backup");
  var passwords = {
    router: needSecret(S, "routerPassword"),
    monitor: needSecret(S, "monitorPassword"),
    backup: needSecret(S, "backupPassword"),
  };
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
  var primary = st.defaultReplicaSet.primary;
  if (!primary) fail("cluster " + name + " has no primary. Run the shard's converge step, then rerun.");
  var ps = openOrFail(primary, creds);

  ensureRouterAccount(loc.cluster, ps, primary, router, host, passwords.router);
  ensureAccount(ps, primary, monitor, host, passwords.monitor, MONITOR_GRANTS);
  ensureAccount(ps, primary, backup, host, passwords.backup, BACKUP_GRANTS);
  closeQuietly(ps);

  verifyFinal(name, desired, creds);
});

// Whether user can log in to address with password (a wrong password is access denied, MySQL error 1045).
function passwordWorks(address, user, password) {
  var r = tryOpen(address, { user: user, password: password });
  if (r.session) {
    closeQuietly(r.session);
    return true;
  }
  if (r.code === ER_ACCESS_DENIED) return false;
  fail("cannot check the password of " + user + " on " + address + ": " + r.error + ". Rerun.");
}

function showGrants(ps, user, host) {
  var rows = ps.runSql("SHOW GRANTS FOR ?@?", [user, host]).fetchAll();
  var out = [];
  for (var i = 0; i < rows.length; i++) out.push(String(rows[i][0]));
  return out;
}

// {object: {PRIVILEGE: true}} from SHOW GRANTS lines ("GRANT A, B ON `db`.* TO `u`@`h`").
function parseGrants(lines) {
  var have = {};
  lines.forEach(function (line) {
    var m = /^GRANT (.+?) ON (\S+) TO /i.exec(line);
    if (!m) return;
    var on = m[2].replace(/`/g, "");
    have[on] = have[on] || {};
    m[1].split(/\s*,\s*/).forEach(function (p) {
      var priv = p.trim().toUpperCase();
      if (priv === "REPLICATION REPLICA") priv = "REPLICATION SLAVE";
      have[on][priv] = true;
    });
  });
  return have;
}

function hasPrivilege(have, on, priv) {
  var objects = on === "*.*" ? ["*.*"] : [on, "*.*"];
  for (var i = 0; i < objects.length; i++) {
    var h = have[objects[i]];
    if (h && (h[priv] || h["ALL PRIVILEGES"] || h.ALL)) return true;
  }
  return false;
}

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
  var have = parseGrants(showGrants(ps, user, host));
  grants.forEach(function (g) {
    var missing = g.privileges.filter(function (p) {
      return !hasPrivilege(have, g.on, p);
    });
    if (missing.length === 0) return;
    say("granting " + missing.join(", ") + " ON " + g.on + " to " + account);
    ps.runSql("GRANT " + missing.join(", ") + " ON " + g.on + " TO ?@?", [user, host]);
  });
  say("account " + account + " is in place");
}

// setupRouterAccount refuses an existing account without update: true and a missing one with it, so update follows
// whether the account exists. It is called only when the account is missing, its password fails, or it lacks the
// metadata grants setupRouterAccount gives.
function ensureRouterAccount(cluster, ps, primary, user, host, password) {
  var account = user + "@" + host;
  var exists = accountExists(ps, user, host);
  if (exists && passwordWorks(primary, user, password)) {
    var grants = showGrants(ps, user, host).join("\n");
    if (grants.indexOf("mysql_innodb_cluster_metadata") >= 0) {
      say("router account " + account + " is in place");
      return;
    }
  }
  say((exists ? "updating" : "creating") + " router account " + account);
  step("cluster.setupRouterAccount('" + account + "')", "Read the messages above and rerun", function () {
    cluster.setupRouterAccount(user + "@'" + host + "'", { password: password, update: exists });
  });
}
