/**
 * join-member against the AdminAPI model. Run against both Shell releases the model imitates (helpers.ts
 * describeEachShell).
 */
import { Fleet, mutations } from "./adminapi";
import {
  ADMIN,
  SECRETS,
  NAME,
  A,
  B,
  C,
  D,
  run,
  joinParams,
  fleetOf,
  expectConverged,
  expectOk,
  expectNoChange,
  callsTo,
  expectNoSecretInAnyRun,
  describeEachShell,
} from "./helpers";

describeEachShell(() => {
  describe("join-member", () => {
    test("absent: addInstance(self, {recoveryMethod}); a second run changes nothing", () => {
      const f = fleetOf(C);
      f.buildCluster(NAME, [A, B], ADMIN);
      f.get(C).recoveryTicks = 2;
      const r = run(f, C, "join-member", joinParams(C), SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.addInstance db3:3306"]);
      expect(callsTo(r, "cluster.addInstance")[0]!.args).toEqual([C, { recoveryMethod: "clone" }]);
      expectConverged(f, [A, B, C]);
      const again = run(f, C, "join-member", joinParams(C), SECRETS);
      expectNoChange(again);
      expect(again.output).toMatch(/already an ONLINE member/);
    });

    test("never clones over data: self holding user schemas is refused before addInstance, naming them", () => {
      const f = new Fleet();
      f.add(C, { admin: ADMIN, schemas: ["game"] });
      f.buildCluster(NAME, [A, B], ADMIN);
      const r = run(f, C, "join-member", joinParams(C), SECRETS);
      expect(r.error).toMatch(
        /^gamedb: refusing to add db3:3306 to cluster shard1 with recoveryMethod clone: it holds user schemas \(game\) and clone would replace them/,
      );
      expect(mutations(r)).toEqual([]);
      expect([...f.get(C).schemas]).toEqual(["game"]);
      expect(f.membership(NAME)[C]).toBeUndefined();
      f.get(C).schemas.clear();
      const again = run(f, C, "join-member", joinParams(C), SECRETS);
      expectOk(again);
      expect(mutations(again)).toEqual(["cluster.addInstance db3:3306"]);
    });

    test("MISSING: rejoinInstance(self)", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.stopGroupReplication(C);
      const r = run(f, C, "join-member", joinParams(C), SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.rejoinInstance db3:3306"]);
      expectConverged(f, [A, B, C]);
    });

    test("an unreachable seed, or a seed whose Group Replication is stopped, stops with what to do", () => {
      const f = fleetOf(D);
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.crash(A);
      const r = run(f, D, "join-member", joinParams(D), SECRETS);
      expect(r.error).toMatch(/^gamedb: the seed db1:3306 is unreachable .*Start mysqld on the seed/);
      const g = fleetOf(D);
      g.buildCluster(NAME, [A, B, C], ADMIN);
      g.stopGroupReplication(A);
      const s = run(g, D, "join-member", joinParams(D), SECRETS);
      expect(s.error).toMatch(
        /^gamedb: Group Replication is stopped on the seed db1:3306 .*Run the shard's converge step/,
      );
      expect(mutations(r).concat(mutations(s))).toEqual([]);
    });
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as adminapi-secrets.test.ts checks).
afterAll(expectNoSecretInAnyRun);
