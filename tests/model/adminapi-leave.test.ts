/**
 * leave-member against the AdminAPI model. Run against both Shell releases the model imitates (helpers.ts
 * describeEachShell).
 */
import { mutations } from "./adminapi";
import type { RunResult } from "./adminapi";
import {
  ADMIN,
  SECRETS,
  NAME,
  A,
  B,
  C,
  D,
  run,
  converge,
  leaveParams,
  fleetOf,
  expectConverged,
  expectOk,
  expectNoChange,
  callsTo,
  expectNoSecretInAnyRun,
  modelEval,
  connectTo,
  describeEachShell,
} from "./helpers";

/** leave-member read its own state and stopped there: exit 0, nothing changed, dba.getCluster never called. */
function expectNotActive(r: RunResult, self: string): void {
  expectNoChange(r);
  expect(r.output).toContain(`gamedb: ${self} is not an active member of a group`);
  expect(callsTo(r, "dba.getCluster")).toEqual([]);
  const state = callsTo(r, "session.runSql").filter((c) => /replication_group_members/.test(c.sql ?? ""));
  expect(state.map((c) => c.target)).toEqual([self]);
}

describeEachShell(() => {
  describe("leave-member", () => {
    test("an instance in no cluster: not an active member, nothing to do", () => {
      const f = fleetOf(D);
      expectNotActive(run(f, D, "leave-member", leaveParams(D), {}), D);
    });

    test("the state is read as root over the local socket", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const r = run(f, C, "leave-member", leaveParams(C), SECRETS);
      const first = r.calls.find((c) => c.api === "shell.openSession")!;
      expect(first.target).toBe(C);
      expect(first.args[0]).toEqual({ scheme: "mysql", user: "root", socket: "/var/run/mysqld/mysqld.sock" });
    });

    test("a secondary with the cluster admin password: removeInstance(self) as the cluster admin; a second run changes nothing", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const r = run(f, C, "leave-member", leaveParams(C), SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.removeInstance db3:3306"]);
      expect(callsTo(r, "shell.connect")[0]!.args[0]).toMatchObject({ host: "db3", port: 3306, user: ADMIN.user });
      expectConverged(f, [A, B]);
      // db3 keeps a stale copy of the metadata (dba.getCluster there fails with neither 51300 nor 51314): leave-member
      // no longer asks it.
      expectNotActive(run(f, C, "leave-member", leaveParams(C), SECRETS), C);
    });

    test("a member converge already removed (stale metadata on it): exit 0 without dba.getCluster", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C, D], ADMIN);
      expectOk(converge(f, [A, B, C]));
      expect(f.get(D).metadata).not.toBeNull();
      const viaGetCluster = modelEval(f, D, `${connectTo(D)} dba.getCluster("${NAME}")`);
      expect(viaGetCluster.error).toMatch(/does not belong to that metadata/);
      expect([51300, 51314]).not.toContain(viaGetCluster.code);
      expectNotActive(run(f, D, "leave-member", leaveParams(D), SECRETS), D);
      expectNotActive(run(f, D, "leave-member", leaveParams(D), {}), D);
    });

    test("without secrets: nothing is removed, not even by the primary, and the error says what to do", () => {
      // Shell reaches the removed member over TCP with the session's account (cluster_impl.cc remove_instance,
      // base_cluster_impl.cc connect_target_instance); root logs in only over the socket.
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      for (const self of [C, A]) {
        const r = run(f, self, "leave-member", leaveParams(self), {});
        expect(r.error).toMatch(/without secrets\.clusterAdminPassword: Shell reaches the member over TCP/);
        expect(mutations(r)).toEqual([]);
      }
      expectConverged(f, [A, B, C]);
      const rootSession = `shell.connect({scheme: "mysql", user: "root", socket: "/s"}); dba.getCluster().removeInstance("${A}")`;
      expect(modelEval(f, A, rootSession).code).toBe(1045);
    });

    test("the last member: the cluster ends with its hosts, nothing is removed, exit 0", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A], ADMIN);
      const r = run(f, A, "leave-member", leaveParams(A), SECRETS);
      expectNoChange(r);
      expect(r.output).toMatch(
        /gamedb: db1:3306 is the last member of cluster shard1: the cluster ends with its hosts/,
      );
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE" });
    });

    test("a whole shard deleted (members leave in reverse order): two removals, then the last member ends with its host", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      const rs = [C, B, A].map((x) => run(f, x, "leave-member", leaveParams(x), SECRETS));
      rs.forEach(expectOk);
      expect(rs.flatMap(mutations)).toEqual(["cluster.removeInstance db3:3306", "cluster.removeInstance db2:3306"]);
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE" });
    });

    test("never when the rest of the group would lose its ONLINE majority", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.suspect(C);
      const r = run(f, B, "leave-member", leaveParams(B), SECRETS);
      expect(r.error).toMatch(
        /^gamedb: refusing to remove db2:3306: the 2 member\(s\) left in the group would have only 1 ONLINE/,
      );
      expect(mutations(r)).toEqual([]);
    });

    test("Group Replication stopped, or mysqld not answering on the socket: not an active member, exit 0", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      f.stopGroupReplication(C);
      expectNotActive(run(f, C, "leave-member", leaveParams(C), SECRETS), C);
      f.crash(B);
      const down = run(f, B, "leave-member", leaveParams(B), SECRETS);
      expectNoChange(down);
      expect(down.output).toMatch(/db2:3306 is not an active member of a group \(mysqld not reachable on the socket/);
      expect(callsTo(down, "dba.getCluster")).toEqual([]);
    });
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as adminapi-secrets.test.ts checks).
afterAll(expectNoSecretInAnyRun);
