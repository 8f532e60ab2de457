/**
 * setup-accounts with a game database (params.schemaDatabase): the migration account, the game servers' account and
 * the slot mover's, against the AdminAPI model. Run against both Shell releases the model imitates (helpers.ts describeEachShell).
 */
import { grantsList } from "../helpers/adminapiLists";
import { Fleet, mutations, userKey } from "./adminapi";
import type { RunResult } from "./adminapi";
import {
  ACCOUNT_SECRETS,
  ADMIN,
  APP_USER,
  A,
  B,
  C,
  GAME_DB,
  GAME_SECRETS,
  MOVER_USER,
  NAME,
  ROTATED_SECRETS,
  SCHEMA_USER,
  SECRETS,
  accountsParams,
  configureParams,
  connectTo,
  describeEachShell,
  expectNoChange,
  expectNoSecretInAnyRun,
  expectOk,
  fleetOf,
  gameAccountsParams,
  modelEval,
  run,
} from "./helpers";

const SCHEMA_DB = grantsList("SCHEMA_DATABASE_PRIVILEGES");
const SCHEMA_META = grantsList("SCHEMA_META_PRIVILEGES");
const APP_DB = grantsList("APP_DATABASE_PRIVILEGES");
const APP_META = grantsList("APP_META_PRIVILEGES");
const MOVER_GLOBAL = grantsList("MOVER_GLOBAL_PRIVILEGES");
const MOVER_DB = grantsList("MOVER_DATABASE_PRIVILEGES");
const MOVER_META = grantsList("MOVER_META_PRIVILEGES");
const MOVER_PS = grantsList("MOVER_PERFORMANCE_SCHEMA_PRIVILEGES");
/** The objects as granted: `_` escaped, since it is a wildcard in a database-level GRANT. */
const escaped = (db: string) => db.replace(/_/g, "\\_");
const GAME_ON = `\`${escaped(GAME_DB)}\`.*`;
const META_ON = "`gamedb\\_meta`.*";
const PS_ON = "`performance\\_schema`.*";

/** A cluster of A, B, C with B the primary, configured for a game database (log_bin_trust_function_creators ON). */
function gameCluster(f: Fleet = fleetOf()): Fleet {
  f.buildCluster(NAME, [B, A, C], ADMIN);
  for (const m of [A, B, C]) f.get(m).globals.log_bin_trust_function_creators = "1";
  return f;
}

/** Every grant of user@% on `member`, as "PRIVILEGE ON object" (object as granted, without backticks). */
const grantsOf = (f: Fleet, member: string, user: string) =>
  [...f.get(member).users.get(userKey(user, "%"))!.grants].sort();

/** The grants each account must hold, exactly. */
const expected = (db: string[], meta: string[]) =>
  [...db.map((p) => `${p} ON ${escaped(GAME_DB)}.*`), ...meta.map((p) => `${p} ON gamedb\\_meta.*`)].sort();
/** The mover's: its database and gamedb_meta lists, the binlog's on *.*, performance_schema's. */
const expectedMover = () =>
  [
    ...expected(MOVER_DB, MOVER_META),
    ...MOVER_GLOBAL.map((p) => `${p} ON *.*`),
    ...MOVER_PS.map((p) => `${p} ON performance\\_schema.*`),
  ].sort();

/** The SQL a run sent, in order, with its target: what "changed nothing else" compares. */
const sqlOf = (r: RunResult) => r.calls.map((c) => `${c.api} ${c.target ?? ""} ${c.sql ?? ""}`);

describeEachShell(() => {
  describe("setup-accounts: the game database's accounts", () => {
    test("creates all three on the primary with exactly their grants, replicated to every member; a rerun changes nothing", () => {
      const f = gameCluster();
      // The accounts every shard has exist already: this run adds only the game database's.
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
      const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual([
        "SQL db2:3306: CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?",
        `SQL db2:3306: GRANT ${SCHEMA_DB.join(", ")} ON ${GAME_ON} TO ?@?`,
        `SQL db2:3306: GRANT ${SCHEMA_META.join(", ")} ON ${META_ON} TO ?@?`,
        "SQL db2:3306: ALTER USER ?@? REQUIRE SSL",
        "SQL db2:3306: CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?",
        `SQL db2:3306: GRANT ${APP_DB.join(", ")} ON ${GAME_ON} TO ?@?`,
        `SQL db2:3306: GRANT ${APP_META.join(", ")} ON ${META_ON} TO ?@?`,
        "SQL db2:3306: ALTER USER ?@? REQUIRE SSL",
        "SQL db2:3306: CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?",
        `SQL db2:3306: GRANT ${MOVER_GLOBAL.join(", ")} ON *.* TO ?@?`,
        `SQL db2:3306: GRANT ${MOVER_DB.join(", ")} ON ${GAME_ON} TO ?@?`,
        `SQL db2:3306: GRANT ${MOVER_META.join(", ")} ON ${META_ON} TO ?@?`,
        `SQL db2:3306: GRANT ${MOVER_PS.join(", ")} ON ${PS_ON} TO ?@?`,
        "SQL db2:3306: ALTER USER ?@? REQUIRE SSL",
      ]);
      for (const m of [A, B, C]) {
        expect(grantsOf(f, m, SCHEMA_USER)).toEqual(expected(SCHEMA_DB, SCHEMA_META));
        expect(grantsOf(f, m, APP_USER)).toEqual(expected(APP_DB, APP_META));
        expect(grantsOf(f, m, MOVER_USER)).toEqual(expectedMover());
        expect(f.get(m).users.get(userKey(SCHEMA_USER, "%"))!.password).toBe(GAME_SECRETS.schemaPassword);
        expect(f.get(m).users.get(userKey(APP_USER, "%"))!.password).toBe(GAME_SECRETS.appPassword);
        expect(f.get(m).users.get(userKey(MOVER_USER, "%"))!.password).toBe(GAME_SECRETS.moverPassword);
        // They log in over TCP (through the Routers): each requires TLS of its own.
        for (const user of [SCHEMA_USER, APP_USER, MOVER_USER])
          expect(f.get(m).users.get(userKey(user, "%"))!.sslType).toBe("ANY");
      }
      expectNoChange(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
    });

    test("the grants are the intended ones: nothing global, no GRANT OPTION, the app without DDL or fence writes", () => {
      // Decided in grants.js; checked here so a change to a list is a visible decision.
      expect(SCHEMA_DB).toEqual([
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "CREATE",
        "DROP",
        "ALTER",
        "INDEX",
        "REFERENCES",
        "TRIGGER",
        "CREATE VIEW",
        "SHOW VIEW",
      ]);
      expect(SCHEMA_META).toEqual(["SELECT", "INSERT", "UPDATE", "CREATE"]);
      expect(APP_DB).toEqual(["SELECT", "INSERT", "UPDATE", "DELETE"]);
      expect(APP_META).toEqual(["SELECT"]);
      const f = gameCluster();
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      for (const user of [SCHEMA_USER, APP_USER]) {
        const account = f.get(B).users.get(userKey(user, "%"))!;
        expect([...account.grants].filter((g) => g.endsWith(" ON *.*"))).toEqual([]);
        expect([...(account.grantable ?? [])]).toEqual([]);
      }
    });

    test("the mover's grants are the intended ones: the binlog's on *.*, data and TRIGGER (to see the fence), gamedb_meta, performance_schema; no other DDL, no GRANT OPTION", () => {
      expect(MOVER_GLOBAL).toEqual(["REPLICATION SLAVE", "REPLICATION CLIENT"]);
      expect(MOVER_DB).toEqual(["SELECT", "INSERT", "UPDATE", "DELETE", "TRIGGER"]);
      expect(MOVER_META).toEqual(["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE"]);
      expect(MOVER_PS).toEqual(["SELECT"]);
      const f = gameCluster();
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      const account = f.get(C).users.get(userKey(MOVER_USER, "%"))!;
      expect([...account.grants].filter((g) => g.endsWith(" ON *.*")).sort()).toEqual([
        "REPLICATION CLIENT ON *.*",
        "REPLICATION SLAVE ON *.*",
      ]);
      expect([...(account.grantable ?? [])]).toEqual([]);
      // SHOW GRANTS as MySQL 8.4 prints them: one line per object, the objects escaped as granted.
      const shown = modelEval(
        f,
        B,
        `${connectTo(B)} shell.getSession().runSql("SHOW GRANTS FOR ?@?", ["${MOVER_USER}", "%"]).fetchAll().map(function (r) { return String(r[0]); })`,
      );
      expect(shown.value).toEqual([
        "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `gamedb_mover`@`%`",
        `GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER ON ${GAME_ON} TO \`gamedb_mover\`@\`%\``,
        `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON ${META_ON} TO \`gamedb_mover\`@\`%\``,
        `GRANT SELECT ON ${PS_ON} TO \`gamedb_mover\`@\`%\``,
      ]);
    });

    test("an admin that cannot grant REPLICATION SLAVE: refused before any change, naming the grant and the fix", () => {
      const f = gameCluster();
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
      for (const m of [A, B, C])
        f.get(m).users.get(userKey(ADMIN.user, "%"))!.grantable!.delete("REPLICATION SLAVE ON *.*");
      const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS);
      expect(r.error).toMatch(
        /^gamedb: the cluster admin gamedb_admin@% on the primary db2:3306 cannot grant REPLICATION SLAVE ON \*\.\* to gamedb_mover@% \(it does not hold them WITH GRANT OPTION\)\. Rerun the configure step on db2:3306/,
      );
      expect(mutations(r)).toEqual([]);
      expect(f.get(B).users.has(userKey(MOVER_USER, "%"))).toBe(false);
    });

    test("rotation: new passwords set with RETAIN CURRENT PASSWORD (the old ones still log in); a rerun changes nothing", () => {
      const f = gameCluster();
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      const rotated = { ...GAME_SECRETS, ...ROTATED_SECRETS };
      const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), rotated);
      expectOk(r);
      expect(mutations(r).filter((m) => m.startsWith("SQL"))).toEqual([
        "SQL db2:3306: ALTER USER ?@? IDENTIFIED BY ? RETAIN CURRENT PASSWORD", // monitor
        "SQL db2:3306: ALTER USER ?@? IDENTIFIED BY ? RETAIN CURRENT PASSWORD", // schema
        "SQL db2:3306: ALTER USER ?@? IDENTIFIED BY ? RETAIN CURRENT PASSWORD", // app
        "SQL db2:3306: ALTER USER ?@? IDENTIFIED BY ? RETAIN CURRENT PASSWORD", // mover
      ]);
      for (const [user, now, before] of [
        [SCHEMA_USER, rotated.schemaPassword, GAME_SECRETS.schemaPassword],
        [APP_USER, rotated.appPassword, GAME_SECRETS.appPassword],
        [MOVER_USER, rotated.moverPassword, GAME_SECRETS.moverPassword],
      ] as const) {
        const account = f.get(C).users.get(userKey(user, "%"))!;
        expect([account.password, account.secondaryPassword]).toEqual([now, before]);
      }
      expectNoChange(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), rotated));
    });

    test("no game database: the accounts are not made and the run is the one without them, call for call", () => {
      const plain = gameCluster();
      const withSecrets = gameCluster();
      const a = run(plain, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS);
      // The game accounts' passwords alone change nothing: without params.schemaDatabase they are not read.
      const b = run(withSecrets, A, "setup-accounts", accountsParams([A, B, C]), GAME_SECRETS);
      expectOk(a);
      expectOk(b);
      expect(sqlOf(b)).toEqual(sqlOf(a));
      expect(b.output).toBe(a.output);
      expect(sqlOf(b).some((s) => s.includes("log_bin_trust_function_creators"))).toBe(false);
      for (const m of [A, B, C])
        for (const user of [SCHEMA_USER, APP_USER, MOVER_USER])
          expect(withSecrets.get(m).users.has(userKey(user, "%"))).toBe(false);
    });

    test("log_bin_trust_function_creators OFF on the primary: refused before any change, naming the fix", () => {
      const f = gameCluster();
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
      f.get(B).globals.log_bin_trust_function_creators = "0";
      const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS);
      expect(r.error).toMatch(
        /^gamedb: log_bin_trust_function_creators is OFF on the primary db2:3306: .*only an account with SUPER create triggers/,
      );
      expect(r.error).toMatch(/The configure step sets it .*: rerun it, then rerun this step\.$/);
      expect(mutations(r)).toEqual([]);
      // The configure step (params from infra/mysql/mycnf.ts dynamicVariables) sets it; then the accounts are made.
      expectOk(run(f, B, "configure-instance", configureParams(B, { log_bin_trust_function_creators: "1" }), SECRETS));
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      expect(f.get(C).users.has(userKey(SCHEMA_USER, "%"))).toBe(true);
    });

    test("an admin configured before these accounts (backup extras only): refused before any change, then configure fixes it", () => {
      const f = new Fleet();
      f.adminExtra = ["EVENT", "SHOW VIEW", "TRIGGER", "BACKUP_ADMIN"];
      gameCluster(f);
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
      const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS);
      expect(r.error).toMatch(
        /^gamedb: the cluster admin gamedb_admin@% on the primary db2:3306 cannot grant INSERT ON `game\\_data`\.\*, UPDATE ON /,
      );
      expect(r.error).toMatch(
        /to gamedb_schema@% \(it does not hold them WITH GRANT OPTION\)\. Rerun the configure step on db2:3306/,
      );
      expect(mutations(r)).toEqual([]);
      expect(f.get(B).users.has(userKey(SCHEMA_USER, "%"))).toBe(false);
      // configure-instance on the primary adds the admin's extras (binary log off, as for the backup account).
      expectOk(run(f, B, "configure-instance", configureParams(B), SECRETS));
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      expect(grantsOf(f, A, SCHEMA_USER)).toEqual(expected(SCHEMA_DB, SCHEMA_META));
    });

    test("an account missing one grant gets only that one", () => {
      const f = gameCluster();
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      for (const m of [A, B, C]) f.get(m).users.get(userKey(APP_USER, "%"))!.grants.delete("SELECT ON gamedb\\_meta.*");
      const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual([`SQL db2:3306: GRANT SELECT ON ${META_ON} TO ?@?`]);
    });

    test("a mover account made before it held TRIGGER gets TRIGGER on the game database, and nothing else", () => {
      const f = gameCluster();
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      for (const m of [A, B, C]) {
        const mover = f.get(m).users.get(userKey(MOVER_USER, "%"))!;
        mover.grants.delete(`TRIGGER ON ${escaped(GAME_DB)}.*`);
      }
      const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual([`SQL db2:3306: GRANT TRIGGER ON ${GAME_ON} TO ?@?`]);
      for (const m of [A, B, C]) expect(grantsOf(f, m, MOVER_USER)).toEqual(expectedMover());
    });

    test.each([
      ["a system schema", { schemaDatabase: "mysql" }, /^gamedb: params\.schemaDatabase 'mysql' is a schema MySQL/],
      ["gamedb_meta", { schemaDatabase: "gamedb_meta" }, /^gamedb: params\.schemaDatabase 'gamedb_meta' is a schema/],
      ["not an identifier", { schemaDatabase: "game-db" }, /^gamedb: params\.schemaDatabase 'game-db' is not a plain/],
      ["no metaDatabase", { metaDatabase: undefined }, /^gamedb: params\.metaDatabase must be a non-empty string/],
      [
        "no account names",
        { accounts: { router: "r", monitor: "m", backup: "b" } },
        /^gamedb: params\.accounts\.schema/,
      ],
      [
        "no mover account name",
        { accounts: { router: "r", monitor: "m", backup: "b", schema: "s", app: "a" } },
        /^gamedb: params\.accounts\.mover/,
      ],
    ])("bad params (%s): refused before any change, naming the field", (_what, bad, message) => {
      const f = gameCluster();
      const r = run(f, A, "setup-accounts", { ...gameAccountsParams([A, B, C]), ...bad }, GAME_SECRETS);
      expect(r.error).toMatch(message);
      expect(mutations(r)).toEqual([]);
    });

    test.each(["appPassword", "moverPassword"] as const)(
      "a missing password (%s): refused before any change, naming the secret",
      (name) => {
        const f = gameCluster();
        const secrets: Record<string, string> = { ...GAME_SECRETS };
        delete secrets[name];
        const r = run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), secrets);
        expect(r.error).toBe(
          `gamedb: secrets.${name} is missing or empty; the remote command passes it on stdin. Rerun the step.`,
        );
        expect(mutations(r)).toEqual([]);
      },
    );
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as adminapi-secrets.test.ts checks).
afterAll(expectNoSecretInAnyRun);
