#!/usr/bin/env node
/**
 * STAND-IN for mysqlsh (MySQL Shell 8.4): there is no MySQL Shell or MySQL 8 on this machine.
 *
 * Runs the JavaScript it is given (`-e CODE`, or the script on stdin as `mysqlsh --js --no-wizard` reads it) against a
 * small model of Shell's globals and of the server it talks to:
 * - shell.connect({scheme, user, password, socket}): the socket must answer with a MySQL handshake;
 *   `--socket=... --user=root` on the command line connects at start (the restore's `-e` runs);
 * - util.loadDump(prefix, options): options checked as Shell checks them (loadDumpModel.js, with its citations);
 *   the dump must be complete (@.done.json readable at s3EndpointOverride/s3BucketName/prefix); its @.json
 *   "schemas" are loaded, so a dump of a cluster member brings mysql_innodb_cluster_metadata (mysql-shell 8.4.3 and
 *   8.4.8 modules/util/common/dump/constants.h: dumpInstance leaves out only information_schema, mysql, ndbinfo,
 *   performance_schema and sys); the progress file goes where Shell puts it, and the principal may only READ the
 *   bucket (the verification's IAM user, the restore's reader), so a progress file in the dump's prefix fails;
 * - session.runSql: the few statements the restore and verification send, answered from the model; anything
 *   else throws, so an unmodelled statement cannot pass silently.
 *
 * Environment: STANDIN_LOG (JSON lines: argv, script, calls, uncaught error), STANDIN_PLAN (JSON: per dump prefix,
 * {counts} the restored user schemas hold, or {error} the load throws), STANDIN_SERVER (a JSON file: the server's
 * state across runs; without it each run starts from an empty server).
 * An uncaught error exits 1 with its message on stderr, as mysqlsh does in batch mode.
 */
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const { execFileSync } = require("child_process");
const { checkLoadDumpOptions, progressFileTarget, schemasToLoad } = require("./loadDumpModel");

const METADATA = "mysql_innodb_cluster_metadata";
/** Base tables of the AdminAPI metadata schema 2.2.0 (mysql-shell 8.4.3 metadata-model-2.2.0.sql: 9 CREATE TABLE). */
const METADATA_TABLES = 9;
const SERVER_UUID = "00000000-0000-0000-0000-0000000000ff";

const argv = process.argv.slice(2);
const flag = (name) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? undefined : a.slice(name.length + 3);
};
const e = argv.indexOf("-e");
const script = e >= 0 ? argv[e + 1] : fs.readFileSync(0, "utf8");
const plan = process.env.STANDIN_PLAN ? JSON.parse(fs.readFileSync(process.env.STANDIN_PLAN, "utf8")) : {};

const record = {
  prog: "mysqlsh",
  pid: process.pid,
  argv,
  script,
  awsKeyInEnv: Boolean(process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY),
  configHome: process.env.MYSQLSH_USER_CONFIG_HOME,
  calls: [],
};
const save = () => {
  if (process.env.STANDIN_LOG) fs.appendFileSync(process.env.STANDIN_LOG, JSON.stringify(record) + "\n");
};

/** The server: schemas with their base tables, accounts, and the recovery accounts its metadata names. */
const statePath = process.env.STANDIN_SERVER;
const server =
  statePath && fs.existsSync(statePath)
    ? JSON.parse(fs.readFileSync(statePath, "utf8"))
    : { schemas: {}, users: [], metadataAccounts: [] };
const persist = () => {
  if (statePath) fs.writeFileSync(statePath, JSON.stringify(server, null, 2));
};

const node = (code) => {
  try {
    return execFileSync(process.execPath, ["-e", code], { encoding: "utf8", timeout: 5000 });
  } catch {
    return undefined;
  }
};
const get = (url) =>
  node(
    `fetch(${JSON.stringify(url)}).then(async (r) => { if (!r.ok) process.exit(1); process.stdout.write(await r.text()); }, () => process.exit(1))`,
  );

let connected = Boolean(flag("socket"));
let loaded;

function result(rows) {
  return { fetchOneObject: () => rows.shift() || null };
}

/**
 * The statements the restore and verification send (scripts/apps/restore-verify/script.ts,
 * scripts/lib/restore/target.ts).
 */
function runSql(sql, args = []) {
  record.calls.push({ runSql: sql, args });
  if (!connected) throw new Error("stand-in: runSql without a session");
  const notIn =
    /^SELECT TABLE_SCHEMA AS name, COUNT\(\*\) AS n FROM information_schema\.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN \(([^)]*)\) GROUP BY TABLE_SCHEMA$/.exec(
      sql,
    );
  if (notIn) {
    const excluded = notIn[1].split(",").map((s) => s.trim().replace(/^'|'$/g, ""));
    const all = { mysql: 1, sys: 1, ...server.schemas }; // the system schemas: present, their counts not modelled
    return result(
      Object.entries(all)
        .filter(([name]) => !excluded.includes(name))
        .map(([name, n]) => ({ name, n })),
    );
  }
  const has =
    /^SELECT COUNT\(\*\) AS n FROM information_schema\.TABLES WHERE TABLE_SCHEMA = '([^']+)' AND TABLE_NAME = 'instances'$/.exec(
      sql,
    );
  if (has) return result([{ n: has[1] === METADATA && server.schemas[METADATA] ? 1 : 0 }]);
  if (
    sql ===
    `SELECT attributes->>'$.recoveryAccountUser' AS u, attributes->>'$.recoveryAccountHost' AS h FROM ${METADATA}.instances`
  ) {
    if (!server.schemas[METADATA]) throw new Error(`Table '${METADATA}.instances' doesn't exist`);
    return result(server.metadataAccounts.map((a) => ({ ...a })));
  }
  if (sql === "DROP USER IF EXISTS ?@?") {
    server.users = server.users.filter((u) => u !== `${args[0]}@${args[1]}`);
    persist();
    return result([]);
  }
  const drop = /^DROP SCHEMA IF EXISTS (\w+)$/.exec(sql);
  if (drop) {
    delete server.schemas[drop[1]];
    persist();
    return result([]);
  }
  throw new Error(`stand-in: no model for ${JSON.stringify(sql)}`);
}

function loadDump(prefix, rawOptions) {
  record.calls.push({ loadDump: [prefix, rawOptions] });
  const options = checkLoadDumpOptions(rawOptions);
  if (!connected) throw new Error("stand-in: not connected");
  const base = `${options.s3EndpointOverride}/${options.s3BucketName}/${prefix}`;
  if (get(`${base}@.done.json`) === undefined) throw new Error(`stand-in: cannot read ${base}@.done.json`);
  const progress = progressFileTarget(options, SERVER_UUID);
  if (progress && progress.inDump)
    throw new Error(
      `stand-in: cannot write the progress file s3://${options.s3BucketName}/${prefix}${progress.inDump}: ` +
        "this principal may only read the bucket (AccessDenied)",
    );
  const planned = plan[prefix] || {};
  if (planned.error) throw new Error(planned.error);
  const metadata = JSON.parse(get(`${base}@.json`) || "{}");
  for (const schema of schemasToLoad(metadata, options)) {
    if (schema === METADATA) server.schemas[METADATA] = METADATA_TABLES;
    else if (!planned.counts) server.schemas[schema] = 1;
  }
  Object.assign(server.schemas, planned.counts || {});
  persist();
  loaded = prefix;
}

const globals = {
  shell: {
    connect(o) {
      record.calls.push({ connect: o });
      if (o.scheme !== "mysql" || o.user !== "root" || o.password !== "")
        throw new Error("stand-in: unexpected connection " + JSON.stringify(o));
      const answers = node(
        `require('net').connect(${JSON.stringify(o.socket)}).on('data', (d) => process.exit(d[4] === 10 ? 0 : 1)).on('error', () => process.exit(1))`,
      );
      if (answers === undefined)
        throw new Error(`Can't connect to local MySQL server through socket '${o.socket}' (2)`);
      connected = true;
      record.workdir = fs.readdirSync(path.dirname(o.socket)).sort();
    },
    getSession() {
      if (!connected) throw new Error("stand-in: not connected");
      return { runSql };
    },
  },
  util: { loadDump },
  println: (...a) => process.stdout.write(a.join(" ") + "\n"),
};

try {
  vm.runInNewContext(script, globals, { filename: e >= 0 ? "-e" : "stdin.js" });
  record.loaded = loaded;
  save();
} catch (err) {
  record.uncaught = String(err && err.message);
  save();
  process.stderr.write(String(err && err.message) + "\n");
  process.exit(1);
}
