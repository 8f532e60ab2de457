/**
 * converge-cluster against the AdminAPI model, cases a to d: create (a), add (b), rejoin (c), reboot after a complete
 * outage (d); its clear failures and its params check. Cases e to g: adminapi-converge-e-g.test.ts. Run against both
 * Shell releases the model imitates (helpers.ts describeEachShell).
 */
import { mutations } from "./adminapi";
import {
  ADMIN,
  SECRETS,
  NAME,
  A,
  B,
  C,
  D,
  CREATE_OPTIONS,
  BP,
  BP_256M,
  run,
  convergeParams,
  converge,
  FIRST_RUN,
  fleetOf,
  expectConverged,
  expectOk,
  expectNoChange,
  callsTo,
  expectNoSecretInAnyRun,
  describeEachShell,
} from "./helpers";

describeEachShell(() => {
  describe("converge-cluster", () => {
    test("a: nothing exists, first run: createCluster on the seed, then addInstance one member at a time with recoveryMethod clone", () => {
      const f = fleetOf(A, B, C);
      f.get(B).recoveryTicks = 2;
      f.get(C).recoveryTicks = 2;
      const r = converge(f, [A, B, C], {}, FIRST_RUN);
      expectOk(r);
      expect(mutations(r)).toEqual([
        "dba.createCluster db1:3306",
        "cluster.addInstance db2:3306",
        "cluster.addInstance db3:3306",
      ]);
      expect(callsTo(r, "dba.createCluster")[0]!.args).toEqual([NAME, CREATE_OPTIONS]);
      expect(callsTo(r, "cluster.addInstance").map((c) => c.args)).toEqual([
        [B, { recoveryMethod: "clone" }],
        [C, { recoveryMethod: "clone" }],
      ]);
      // db3 is added only after db2 finished recovering (the script polled, sleeping, in between).
      const seqOf = (api: string, target: string) => r.calls.find((c) => c.api === api && c.target === target)!.seq;
      const sleepsBetween = r.calls.filter(
        (c) =>
          c.api === "os.sleep" && c.seq > seqOf("cluster.addInstance", B) && c.seq < seqOf("cluster.addInstance", C),
      );
      expect(sleepsBetween.length).toBeGreaterThanOrEqual(2);
      expect(r.output).toMatch(/gamedb: cluster shard1 is OK with 3 member\(s\) ONLINE/);
      expectConverged(f, [A, B, C]);
      expectNoChange(converge(f, [A, B, C]));
    });

    test("a: a one-member cluster ends OK_NO_TOLERANCE", () => {
      const f = fleetOf(A);
      const r = converge(f, [A], {}, FIRST_RUN);
      expectOk(r);
      expect(mutations(r)).toEqual(["dba.createCluster db1:3306"]);
      expect(r.output).toMatch(/OK_NO_TOLERANCE with 1 member/);
      expectNoChange(converge(f, [A]));
    });

    test("b: desired members missing from the cluster are added, one at a time", () => {
      const f = fleetOf(C, D);
      f.buildCluster(NAME, [A, B], ADMIN);
      const r = converge(f, [A, B, C, D]);
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.addInstance db3:3306", "cluster.addInstance db4:3306"]);
      expectConverged(f, [A, B, C, D]);
      expectNoChange(converge(f, [A, B, C, D]));
    });

    test("c: a reachable member that is MISSING (Group Replication stopped) is rejoined", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.stopGroupReplication(C);
      const r = converge(f, [A, B, C]);
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.rejoinInstance db3:3306"]);
      expectConverged(f, [A, B, C]);
      expectNoChange(converge(f, [A, B, C]));
    });

    test("c: an unreachable MISSING member stops the run, naming it, after the rest was converged", () => {
      const f = fleetOf(D);
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.crash(C);
      const r = converge(f, [A, B, C, D]);
      expect(r.error).toMatch(
        /^gamedb: these members of cluster shard1 are not ONLINE and cannot be reached: db3:3306/,
      );
      expect(r.error).toMatch(/Start mysqld on them/);
      expect(mutations(r)).toEqual(["cluster.addInstance db4:3306"]);
      expect(f.membership(NAME)[D]).toBe("ONLINE");
      // The operator brings it back (without auto-rejoin): the next run rejoins it.
      f.get(C).startOnBoot = false;
      f.start(C);
      const again = converge(f, [A, B, C, D]);
      expectOk(again);
      expect(mutations(again)).toEqual(["cluster.rejoinInstance db3:3306"]);
      expectConverged(f, [A, B, C, D]);
    });

    test("d: complete outage with every member reachable: rebootClusterFromCompleteOutage once", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.get(B).gtidExecuted = 10;
      f.completeOutage(NAME);
      const r = converge(f, [A, B, C]);
      expectOk(r);
      expect(mutations(r)).toEqual(["dba.rebootClusterFromCompleteOutage db1:3306"]);
      expect(callsTo(r, "dba.rebootClusterFromCompleteOutage")[0]!.args[0]).toBe(NAME);
      expectConverged(f, [A, B, C]);
      expectNoChange(converge(f, [A, B, C]));
    });

    test.each([
      ["a secondary", C],
      ["the seed", A],
    ])("d: complete outage with %s unreachable: no reboot, the unreachable member is listed", (_what, down) => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.completeOutage(NAME);
      f.crash(down);
      const r = converge(f, [A, B, C]);
      expect(r.error).toMatch(/^gamedb: cluster shard1 is in complete outage/);
      expect(r.error).toContain(`${down} (unreachable`);
      expect(r.error).toMatch(/force: true/);
      expect(mutations(r)).toEqual([]);
    });

    test("d: an outage whose metadata lists a member no longer wanted: reboot (all reachable), then remove it", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C, D], ADMIN);
      f.completeOutage(NAME);
      const r = converge(f, [A, B, C]);
      expectOk(r);
      expect(mutations(r)).toEqual(["dba.rebootClusterFromCompleteOutage db1:3306", "cluster.removeInstance db4:3306"]);
      expectConverged(f, [A, B, C]);
    });

    test("fails clearly for an unreachable seed", () => {
      const f = fleetOf(A, B, C);
      f.crash(A);
      const r = converge(f, [A, B, C]);
      expect(r.error).toMatch(
        /^gamedb: the seed db1:3306 is unreachable \(Can't connect to MySQL server on 'db1:3306'/,
      );
      expect(r.error).toMatch(/Start mysqld on the seed/);
      expect(mutations(r)).toEqual([]);
    });

    test("fails clearly when the cluster admin cannot log in (configure-instance not run)", () => {
      const f = fleetOf(B, C);
      f.add(A, { configured: false });
      const r = converge(f, [A, B, C]);
      expect(r.error).toMatch(
        /^gamedb: cannot log in to the seed db1:3306 as gamedb_admin \(access denied\)\. Run the configure step/,
      );
    });

    test("b: never clones over data: a new member holding user schemas is refused, naming them; once emptied it is added", () => {
      const f = fleetOf(C);
      f.add(D, { admin: ADMIN, schemas: ["shop", "game"] });
      f.buildCluster(NAME, [A, B], ADMIN);
      // The cluster's own data is no obstacle: clone copies it to the new member.
      for (const x of [A, B]) f.get(x).schemas.add("game");
      const r = converge(f, [A, B, C, D]);
      expect(r.error).toMatch(
        /^gamedb: refusing to add db4:3306 to cluster shard1 with recoveryMethod clone: it holds user schemas \(game, shop\) and clone would replace them/,
      );
      expect(r.error).toMatch(/empty the instance .*restore that instance as a member by hand/);
      expect(mutations(r)).toEqual(["cluster.addInstance db3:3306"]);
      expect([...f.get(C).schemas]).toEqual(["game"]);
      expect([...f.get(D).schemas].sort()).toEqual(["game", "shop"]);
      expect(f.membership(NAME)[D]).toBeUndefined();
      f.get(D).schemas.clear();
      const again = converge(f, [A, B, C, D]);
      expectOk(again);
      expect(mutations(again)).toEqual(["cluster.addInstance db4:3306"]);
      expectConverged(f, [A, B, C, D]);
    });

    test("b, g: waits up to params.waitSeconds (default 600) for a member to come ONLINE", () => {
      const f = fleetOf(C);
      f.buildCluster(NAME, [A, B], ADMIN);
      f.get(C).recoveryTicks = 300; // a long clone: beyond the old fixed 120 polls
      expectOk(converge(f, [A, B, C]));
      expectConverged(f, [A, B, C]);
      for (const a of [A, B, C]) {
        f.get(a).cnf[BP] = BP_256M;
        f.get(a).restartTicks = 200; // a slow restart (a large buffer pool)
      }
      expectOk(converge(f, [A, B, C], { [BP]: "256M" }));
      for (const a of [A, B, C]) expect(f.get(a).globals[BP]).toBe(BP_256M);

      const g = fleetOf(C);
      g.buildCluster(NAME, [A, B], ADMIN);
      g.get(C).recoveryTicks = 30;
      const r = converge(g, [A, B, C], {}, { waitSeconds: 10 });
      expect(r.error).toMatch(
        /^gamedb: db3:3306 did not come ONLINE after addInstance within 10 s \(last state: RECOVERING\)/,
      );
      expect(r.error).toMatch(/raise params\.waitSeconds/);
      expect(callsTo(r, "os.sleep")).toHaveLength(10);
    });

    test("d: a stopped member's copy of the metadata cannot be read: no reboot", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.completeOutage(NAME);
      f.get(A).metadataUnreadable = true;
      const r = converge(f, [A, B, C]);
      expect(r.error).toMatch(
        /^gamedb: cannot read the member list of cluster shard1 from the metadata on db1:3306: SELECT command denied/,
      );
      expect(r.error).toMatch(/nothing is rebooted/);
      expect(mutations(r)).toEqual([]);
    });

    test("d: no copy of the metadata can be read while a member only the metadata lists is down: no reboot", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C, D], ADMIN);
      f.completeOutage(NAME);
      f.crash(D);
      for (const a of [A, B, C]) f.get(a).metadataUnreadable = true;
      const r = converge(f, [A, B, C]);
      expect(r.error).toMatch(/^gamedb: cannot read the member list of cluster shard1 from the metadata on db1:3306/);
      expect(callsTo(r, "dba.rebootClusterFromCompleteOutage")).toEqual([]);
      expect(mutations(r)).toEqual([]);
    });

    test("rejects bad params before touching anything", () => {
      const f = fleetOf(A, B);
      const bad = [
        { ...convergeParams([A, B]), seed: C },
        { ...convergeParams([A, B]), recoveryMethod: "auto" },
        { ...convergeParams([A, B]), members: [A, "db2"] },
        { ...convergeParams([A, B]), allowCreate: undefined },
        { ...convergeParams([A, B]), allowCreate: "true" },
        // the old, shard-wide shape: not keyed by member
        { ...convergeParams([A, B]), restartVariables: { [BP]: "256M" } },
        { ...convergeParams([A, B]), restartVariables: { [C]: { [BP]: "256M" } } },
        { ...convergeParams([A, B]), restartVariables: { [A]: { "x; DROP": "1" } } },
        { ...convergeParams([A, B]), restartVariables: { [A]: "256M" } },
        { ...convergeParams([A, B]), waitSeconds: 0 },
        { ...convergeParams([A, B]), waitSeconds: "600" },
        { ...convergeParams([A, B]), waitSeconds: 1.5 },
      ];
      for (const p of bad) {
        const r = run(f, A, "converge-cluster", p, SECRETS);
        expect(r.error).toMatch(/^gamedb: params\./);
        expect(mutations(r)).toEqual([]);
      }
      const noSecret = run(f, A, "converge-cluster", convergeParams([A, B]), {});
      expect(noSecret.error).toMatch(/^gamedb: secrets\.clusterAdminPassword is missing/);
    });
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as adminapi-secrets.test.ts checks).
afterAll(expectNoSecretInAnyRun);
