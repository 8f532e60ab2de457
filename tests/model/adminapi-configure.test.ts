/**
 * configure-instance against the AdminAPI model. Run against both Shell releases the model imitates (helpers.ts
 * describeEachShell).
 */
import { grantsList } from "../helpers/adminapiLists";
import { Fleet, mutations, userKey } from "./adminapi";
import {
  ADMIN,
  SECRETS,
  NAME,
  A,
  B,
  C,
  BP,
  BP_256M,
  run,
  configureParams,
  fleetOf,
  expectOk,
  expectNoChange,
  callsTo,
  expectNoSecretInAnyRun,
  modelEval,
  describeEachShell,
} from "./helpers";

describeEachShell(() => {
  describe("configure-instance", () => {
    test("a fresh instance: SET GLOBAL what differs, configureInstance with restart and the admin account; then nothing", () => {
      const f = new Fleet();
      // my.cnf is written (with the new values) before the script runs; mysqld still runs with the old ones.
      const vars = { max_connections: "500", binlog_expire_logs_seconds: "604800", super_read_only: "OFF" };
      f.add(A, { configured: false, configureNeedsRestart: true, restartTicks: 2, cnf: vars });
      const r = run(f, A, "configure-instance", configureParams(A, vars), SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual([
        "SQL db1:3306: SET GLOBAL max_connections = ?",
        "SQL db1:3306: SET GLOBAL binlog_expire_logs_seconds = ?",
        "dba.configureInstance db1:3306",
        "SQL db1:3306: SET SESSION sql_log_bin = 0",
        `SQL db1:3306: GRANT ${grantsList("ADMIN_EXTRA_PRIVILEGES").join(", ")} ON *.* TO ?@? WITH GRANT OPTION`,
        "SQL db1:3306: SET SESSION sql_log_bin = 1",
      ]);
      expect(callsTo(r, "session.runSql").find((c) => c.sql?.startsWith("SET GLOBAL max"))!.args[1]).toEqual([500]);
      expect(callsTo(r, "dba.configureInstance")[0]!.args).toEqual([
        null,
        { restart: true, clusterAdmin: ADMIN.user, clusterAdminPassword: "****" },
      ]);
      const inst = f.get(A);
      expect(inst.configured).toBe(true);
      expect(inst.users.get(userKey(ADMIN.user, "%"))!.password).toBe(ADMIN.password);
      expect(inst.globals.max_connections).toBe("500");
      expect(inst.persisted).toEqual({});
      expectNoChange(run(f, A, "configure-instance", configureParams(A, vars), SECRETS));
    });

    test("configured with the admin account: only checks", () => {
      const f = fleetOf(A);
      const r = run(f, A, "configure-instance", configureParams(A, { max_connections: "151" }), SECRETS);
      expectNoChange(r);
      expect(callsTo(r, "dba.checkInstanceConfiguration")).toHaveLength(1);
    });

    test("the admin account exists but the instance needs configuration: clusterAdmin named, no clusterAdminPassword", () => {
      // Without clusterAdmin, Shell checks root@localhost and refuses it (configure_instance.cc
      // check_create_admin_user); with clusterAdminPassword for an existing account it refuses too.
      const f = fleetOf(A);
      f.get(A).configured = false;
      const r = run(f, A, "configure-instance", configureParams(A), SECRETS);
      expectOk(r);
      expect(callsTo(r, "dba.configureInstance")[0]!.args).toEqual([null, { restart: true, clusterAdmin: ADMIN.user }]);
      expect(f.get(A).configured).toBe(true);
    });

    test("an ONLINE member: dynamic variables still applied, no instance check", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const r = run(f, B, "configure-instance", configureParams(B, { max_connections: "300" }), SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual(["SQL db2:3306: SET GLOBAL max_connections = ?"]);
      expect(callsTo(r, "dba.checkInstanceConfiguration")).toHaveLength(0);
      expectNoChange(run(f, B, "configure-instance", configureParams(B, { max_connections: "300" }), SECRETS));
    });

    test("a shard with a game database: log_bin_trust_function_creators set at runtime, on secondaries too; then nothing", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      // infra/mysql/mycnf.ts dynamicVariables gives ON as the value the server reads back, 1 (tests/program checks it).
      const vars = { log_bin_trust_function_creators: "1" };
      for (const m of [A, B]) {
        const r = run(f, m, "configure-instance", configureParams(m, vars), SECRETS);
        expectOk(r);
        expect(mutations(r)).toEqual([`SQL ${m}: SET GLOBAL log_bin_trust_function_creators = ?`]);
        expect(f.get(m).globals.log_bin_trust_function_creators).toBe("1");
        expect(f.get(m).persisted).toEqual({});
        expectNoChange(run(f, m, "configure-instance", configureParams(m, vars), SECRETS));
      }
      expect(f.get(C).globals.log_bin_trust_function_creators).toBe("0");
    });

    test("never SET PERSIST: after an instance type change, the smaller my.cnf value rules at the next RESTART", () => {
      const f = fleetOf();
      f.add(A, { admin: ADMIN, cnf: { [BP]: "1073741824" } });
      const big = { [BP]: "1G" };
      const r = run(f, A, "configure-instance", configureParams(A, big), SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual([`SQL db1:3306: SET GLOBAL ${BP} = ?`]);
      expect(callsTo(r, "session.runSql").some((c) => /^SET PERSIST/i.test(c.sql ?? ""))).toBe(false);
      expect(f.get(A).globals[BP]).toBe("1073741824");
      expect(f.get(A).persisted).toEqual({});
      // The node moves to a smaller instance type: my.cnf is rewritten with 256M, then mysqld restarts.
      f.get(A).cnf[BP] = BP_256M;
      expect(
        modelEval(
          f,
          A,
          `shell.connect({scheme: "mysql", user: "root", socket: "/s"}); shell.getSession().runSql("RESTART")`,
        ).error,
      ).toBeUndefined();
      f.tick();
      expect(f.get(A).globals[BP]).toBe(BP_256M);
      expectNoChange(run(f, A, "configure-instance", configureParams(A, { [BP]: "256M" }), SECRETS));
    });

    test("a value persisted earlier (mysqld-auto.cnf) for one of the variables is dropped with RESET PERSIST", () => {
      const f = fleetOf(A);
      const inst = f.get(A);
      inst.cnf.max_connections = "500";
      inst.globals.max_connections = "500";
      inst.persisted = { max_connections: "500", gtid_mode: "ON" };
      const r = run(f, A, "configure-instance", configureParams(A, { max_connections: "500" }), SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual(["SQL db1:3306: RESET PERSIST IF EXISTS max_connections"]);
      // Only the names gamedb sets at runtime: what dba.configureInstance persisted stays.
      expect(inst.persisted).toEqual({ gtid_mode: "ON" });
      expect(inst.globals.max_connections).toBe("500");
      expectNoChange(run(f, A, "configure-instance", configureParams(A, { max_connections: "500" }), SECRETS));
    });

    test("an unknown variable or a stopped mysqld stops with a gamedb: message", () => {
      const f = fleetOf(A);
      expect(run(f, A, "configure-instance", configureParams(A, { no_such_var: "1" }), SECRETS).error).toMatch(
        /^gamedb: reading @@GLOBAL.no_such_var on db1:3306 failed: Unknown system variable 'no_such_var'/,
      );
      f.crash(A);
      expect(run(f, A, "configure-instance", configureParams(A), SECRETS).error).toMatch(
        /^gamedb: cannot connect to mysqld on db1:3306 as root over \/var\/run\/mysqld\/mysqld\.sock/,
      );
    });
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as adminapi-secrets.test.ts checks).
afterAll(expectNoSecretInAnyRun);
