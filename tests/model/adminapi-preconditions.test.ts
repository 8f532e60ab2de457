/**
 * The AdminAPI model (tests/model/adminapi) itself refuses what mysqlsh refuses, so that the script tests can rely on
 * it. Run against both Shell releases the model imitates (helpers.ts describeEachShell).
 */
import { userKey } from "./adminapi";
import { ADMIN, NAME, A, B, C, D, E, BP, BP_256M, fleetOf, modelEval, connectTo, describeEachShell } from "./helpers";

describeEachShell(() => {
  describe("the AdminAPI model enforces mysqlsh's preconditions", () => {
    test("dba.getCluster: 51300 on a standalone instance, 51314 on a member whose Group Replication is stopped", () => {
      const f = fleetOf(A);
      f.buildCluster(NAME, [B, C, D], ADMIN);
      f.stopGroupReplication(D);
      expect(modelEval(f, A, `${connectTo(A)} dba.getCluster("${NAME}")`)).toMatchObject({ code: 51300 });
      expect(modelEval(f, D, `${connectTo(D)} dba.getCluster("${NAME}")`)).toMatchObject({ code: 51314 });
      expect(modelEval(f, B, `${connectTo(B)} dba.getCluster("${NAME}").getName()`)).toEqual({ value: NAME });
    });

    test("dba.createCluster refuses an instance already in a group, or holding cluster metadata", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      expect(modelEval(f, A, `${connectTo(A)} dba.createCluster("${NAME}")`).error).toMatch(
        /already belongs to an InnoDB cluster/,
      );
      f.stopGroupReplication(C);
      expect(modelEval(f, C, `${connectTo(C)} dba.createCluster("${NAME}")`).error).toMatch(
        /populated Metadata schema/,
      );
      const g = fleetOf(D);
      g.get(D).configured = false;
      expect(modelEval(g, D, `${connectTo(D)} dba.createCluster("x")`)).toMatchObject({ code: 51150 });
    });

    test("cluster.addInstance: recoveryMethod auto cannot prompt (51167); an unconfigured target is refused", () => {
      const f = fleetOf(C, D);
      f.buildCluster(NAME, [A, B], ADMIN, { gtidSetIsComplete: false });
      f.get(D).configured = false;
      const c = `${connectTo(A)} var c = dba.getCluster();`;
      expect(modelEval(f, A, `${c} c.addInstance("${C}")`)).toMatchObject({ code: 51167 });
      expect(modelEval(f, A, `${c} c.addInstance("${D}", {recoveryMethod: "clone"})`)).toMatchObject({ code: 51150 });
      expect(modelEval(f, A, `${c} c.addInstance("${A}", {recoveryMethod: "clone"})`)).toMatchObject({ code: 51301 });
      expect(modelEval(f, A, `${c} c.addInstance("${C}", {recoveryMethod: "clone"})`).error).toBeUndefined();
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE", [C]: "ONLINE" });
    });

    test("cluster.addInstance with clone replaces the joiner's user schemas with the donor's", () => {
      const f = fleetOf();
      f.add(C, { admin: ADMIN, schemas: ["old_game"] });
      f.buildCluster(NAME, [A, B], ADMIN);
      f.get(A).schemas.add("game");
      const r = modelEval(f, A, `${connectTo(A)} dba.getCluster().addInstance("${C}", {recoveryMethod: "clone"})`);
      expect(r.error).toBeUndefined();
      expect([...f.get(C).schemas]).toEqual(["game"]);
    });

    test("cluster.rejoinInstance of an ONLINE member changes nothing (mysqlsh prints a note)", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const before = f.get(C).bootId;
      expect(modelEval(f, A, `${connectTo(A)} dba.getCluster().rejoinInstance("${C}")`).error).toBeUndefined();
      expect(f.get(C).bootId).toBe(before);
      expect(f.membership(NAME)[C]).toBe("ONLINE");
    });

    test("cluster.removeInstance refuses the last member, and an unreachable one without force", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A], ADMIN);
      expect(modelEval(f, A, `${connectTo(A)} dba.getCluster().removeInstance("${A}")`).error).toMatch(/last member/);
      const g = fleetOf();
      g.buildCluster(NAME, [A, B, C], ADMIN);
      g.crash(C);
      const c = `${connectTo(A)} var c = dba.getCluster();`;
      // Unreachable without force: Shell rethrows the connection error (remove_instance.cc prepare).
      expect(modelEval(g, A, `${c} c.removeInstance("${C}")`).code).toBe(2003);
      expect(modelEval(g, A, `${c} c.removeInstance("${C}", {force: true})`).error).toBeUndefined();
      expect(g.get(A).metadata!.members).toEqual([A, B]);
    });

    test("dba.rebootClusterFromCompleteOutage refuses while the cluster is ONLINE or a member is unreachable", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      expect(modelEval(f, A, `${connectTo(A)} dba.rebootClusterFromCompleteOutage("${NAME}")`).error).toMatch(
        /Cluster is ONLINE/,
      );
      f.completeOutage(NAME);
      f.crash(C);
      expect(modelEval(f, A, `${connectTo(A)} dba.rebootClusterFromCompleteOutage("${NAME}")`).error).toMatch(
        /Could not determine if Cluster is completely OFFLINE/,
      );
      expect(
        modelEval(f, A, `${connectTo(A)} dba.rebootClusterFromCompleteOutage("${NAME}", {force: true})`).error,
      ).toBeUndefined();
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE" });
    });

    test("RESTART loads the restart-only values and the member rejoins its group", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.get(C).cnf[BP] = BP_256M;
      const r = modelEval(
        f,
        A,
        `var s = shell.openSession({scheme: "mysql", host: "db3", port: 3306, user: admin.user, password: admin.password}); s.runSql("RESTART"); s`,
      );
      expect(r.error).toBeUndefined();
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE" });
      f.tick();
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE", [C]: "ONLINE" });
      expect(f.get(C).globals[BP]).toBe(BP_256M);
    });

    test("SET GLOBAL lasts until the next restart (my.cnf rules again); SET PERSIST overrides my.cnf at boot", () => {
      const f = fleetOf(A);
      const inst = f.get(A);
      const root = `shell.connect({scheme: "mysql", user: "root", socket: "/s"});`;
      expect(
        modelEval(f, A, `${root} shell.getSession().runSql("SET GLOBAL max_connections = ?", [500])`).error,
      ).toBeUndefined();
      expect(inst.globals.max_connections).toBe("500");
      expect(modelEval(f, A, `${root} shell.getSession().runSql("RESTART")`).error).toBeUndefined();
      f.tick();
      expect(inst.globals.max_connections).toBe("151");
      expect(
        modelEval(f, A, `${root} shell.getSession().runSql("SET PERSIST max_connections = ?", [700])`).error,
      ).toBeUndefined();
      inst.cnf.max_connections = "300";
      expect(modelEval(f, A, `${root} shell.getSession().runSql("RESTART")`).error).toBeUndefined();
      f.tick();
      expect(inst.globals.max_connections).toBe("700");
      expect(
        modelEval(f, A, `${root} shell.getSession().runSql("RESET PERSIST max_connections")`).error,
      ).toBeUndefined();
      expect(modelEval(f, A, `${root} shell.getSession().runSql("RESET PERSIST max_connections")`).error).toMatch(
        /persisted/,
      );
      expect(modelEval(f, A, `${root} shell.getSession().runSql("RESTART")`).error).toBeUndefined();
      f.tick();
      expect(inst.globals.max_connections).toBe("300");
    });

    test("cluster.setupRouterAccount needs update: true for an existing account and refuses it for a missing one", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const c = `${connectTo(A)} var c = dba.getCluster();`;
      expect(modelEval(f, A, `${c} c.setupRouterAccount("r@'%'", {password: "p", update: true})`).error).toMatch(
        /does not exist/,
      );
      expect(modelEval(f, A, `${c} c.setupRouterAccount("r@'%'", {password: "p"})`).error).toBeUndefined();
      expect(modelEval(f, A, `${c} c.setupRouterAccount("r@'%'", {password: "p"})`).error).toMatch(/already exists/);
      expect(f.get(C).users.has(userKey("r", "%"))).toBe(true);
    });

    test("dba.configureInstance refuses clusterAdminPassword for an existing admin account", () => {
      const f = fleetOf(A);
      f.get(A).configured = false;
      const r = modelEval(
        f,
        A,
        `shell.connect({scheme: "mysql", user: "root", socket: "/s"}); dba.configureInstance(null, {clusterAdmin: "${ADMIN.user}", clusterAdminPassword: "x"})`,
      );
      expect(r.error).toMatch(/already exists/);
    });

    test("cluster.status computes OK, OK_PARTIAL, OK_NO_TOLERANCE_PARTIAL and NO_QUORUM from the group", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C, D, E], ADMIN);
      const status = () =>
        (modelEval(f, A, `${connectTo(A)} dba.getCluster().status().defaultReplicaSet.status`).value as string) ?? "";
      expect(status()).toBe("OK");
      f.crash(E);
      expect(status()).toBe("OK_PARTIAL");
      f.crash(D);
      f.crash(C);
      expect(status()).toBe("OK_NO_TOLERANCE_PARTIAL");
      const g = fleetOf();
      g.buildCluster(NAME, [A, B, C], ADMIN);
      g.suspect(B);
      g.suspect(C);
      expect(modelEval(g, A, `${connectTo(A)} dba.getCluster().status().defaultReplicaSet.status`).value).toBe(
        "NO_QUORUM",
      );
    });
  });
});
