/**
 * Defects a reading of MySQL Shell's source found in the AdminAPI scripts (issue 12), each run against the model of
 * both Shell releases the model imitates (8.4.3, V8 errors; 8.4.8, GraalJS errors):
 * - the backup account's grants: the cluster admin can grant only what it holds WITH GRANT OPTION;
 * - configureInstance as root without clusterAdmin is refused;
 * - rejoinInstance needs an explicit recoveryMethod when incremental recovery is not safe;
 * and the model's own fidelity where a script could notice (stale metadata, status() tolerance, 8.4 options).
 */
import { grantsList } from "../helpers/adminapiLists";
import { Fleet, MODEL_SHELL_VERSIONS, mutations, runAdminApi, userKey } from "./adminapi";
import type { RunResult } from "./adminapi";
import { connectAs, evalIn } from "./modelEval";

const ADMIN = { user: "gamedb_admin", password: "adm-Secret-5e1b77" };
const SECRETS = { clusterAdminPassword: ADMIN.password };
const ACCOUNT_SECRETS = { ...SECRETS, routerPassword: "rtr-Secret-a81c", monitorPassword: "mon-Secret-0d2f" };
const NAME = "shard1";
const [A, B, C, D] = ["db1:3306", "db2:3306", "db3:3306", "db4:3306"] as const;
const BACKUP_EXTRA = grantsList("ADMIN_EXTRA_PRIVILEGES");

function expectOk(r: RunResult): void {
  if (r.error !== undefined) throw new Error(`script failed: ${r.error}\n${r.output}`);
}

/** A running cluster of A, B, C (A primary) whose admin accounts are as `adminExtra` leaves them. */
function cluster(adminExtra: string[] = BACKUP_EXTRA): Fleet {
  const f = new Fleet();
  f.adminExtra = adminExtra;
  f.buildCluster(NAME, [A, B, C], ADMIN);
  return f;
}

describe.each(MODEL_SHELL_VERSIONS)("against the model of MySQL Shell %s", (shell) => {
  const run = (f: Fleet, host: string, script: Parameters<typeof runAdminApi>[2], params: unknown, secrets: unknown) =>
    runAdminApi(f, host, script, params, secrets, shell);

  const accounts = () => ({
    clusterName: NAME,
    seed: A,
    members: [A, B, C],
    clusterAdmin: ADMIN.user,
    accounts: { router: "gamedb_router", monitor: "gamedb_monitor", backup: "gamedb_backup" },
    accountHost: "%",
  });
  const configure = (self: string) => ({ self, clusterAdmin: ADMIN.user, dynamicVariables: {} });
  const converge = (extra: Record<string, unknown> = {}) => ({
    clusterName: NAME,
    seed: A,
    members: [A, B, C],
    clusterAdmin: ADMIN.user,
    createOptions: {},
    recoveryMethod: "clone",
    allowCreate: false,
    restartVariables: {},
    ...extra,
  });

  describe("the backup account", () => {
    test("the model refuses a GRANT of what the grantor lacks WITH GRANT OPTION, as MySQL does", () => {
      const f = cluster([]);
      const code = (sql: string) =>
        evalIn(
          f,
          A,
          shell,
          `${connectAs(A, ADMIN)} var s = shell.getSession();
           s.runSql("CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?", ["u", "%", "x"]); s.runSql("${sql}", ["u", "%"]);`,
        ).code ?? 0;
      expect(code("GRANT BACKUP_ADMIN ON *.* TO ?@?")).toBe(1227);
      expect(code("GRANT EVENT ON *.* TO ?@?")).toBe(1045);
      expect(code("GRANT SELECT, RELOAD ON *.* TO ?@?")).toBe(0);
    });

    test("setup-accounts with an admin as Shell makes it: refused before any change, naming the fix", () => {
      const f = cluster([]);
      const r = run(f, A, "setup-accounts", accounts(), ACCOUNT_SECRETS);
      expect(r.error).toMatch(/cannot grant EVENT, SHOW VIEW, TRIGGER, BACKUP_ADMIN to the backup account/);
      expect(r.error).toMatch(/Rerun the configure step on db1:3306/);
      expect(f.get(A).users.has(userKey("gamedb_backup", "localhost"))).toBe(false);
    });

    test("configure-instance on the primary lets the admin grant them, locally and with no GTID; then accounts work", () => {
      const f = cluster([]);
      const before = f.get(A).gtidExecuted;
      const c = run(f, A, "configure-instance", configure(A), SECRETS);
      expectOk(c);
      expect(mutations(c)).toEqual([
        "SQL db1:3306: SET SESSION sql_log_bin = 0",
        `SQL db1:3306: GRANT ${BACKUP_EXTRA.join(", ")} ON *.* TO ?@? WITH GRANT OPTION`,
        "SQL db1:3306: SET SESSION sql_log_bin = 1",
      ]);
      expect(f.get(A).gtidExecuted).toBe(before);
      expect(f.get(B).users.get(userKey(ADMIN.user, "%"))!.grantable!.has("BACKUP_ADMIN ON *.*")).toBe(false);
      // A secondary (super_read_only) is left alone, and says so.
      const secondary = run(f, B, "configure-instance", configure(B), SECRETS);
      expectOk(secondary);
      expect(mutations(secondary)).toEqual([]);
      expect(secondary.output).toMatch(/cannot grant .* \(super_read_only: a group secondary\)/);
      expectOk(run(f, A, "setup-accounts", accounts(), ACCOUNT_SECRETS));
      for (const m of [A, B, C]) {
        const backup = f.get(m).users.get(userKey("gamedb_backup", "localhost"))!;
        expect(backup.plugin).toBe("auth_socket");
        expect(backup.grants.has("BACKUP_ADMIN ON *.*")).toBe(true);
      }
    });

    test("an account left by earlier versions (gamedb_backup@%) is dropped; a password account is moved to auth_socket", () => {
      const f = cluster();
      f.write(A, (i) => {
        i.users.set(userKey("gamedb_backup", "%"), { password: "old", grants: new Set() });
        i.users.set(userKey("gamedb_backup", "localhost"), { password: "old", grants: new Set() });
      });
      const r = run(f, A, "setup-accounts", accounts(), ACCOUNT_SECRETS);
      expectOk(r);
      expect(mutations(r)).toContain("SQL db1:3306: ALTER USER ?@? IDENTIFIED WITH auth_socket AS ?");
      expect(mutations(r)).toContain("SQL db1:3306: DROP USER IF EXISTS ?@?");
      for (const m of [A, B, C]) {
        expect(f.get(m).users.has(userKey("gamedb_backup", "%"))).toBe(false);
        expect(f.get(m).users.get(userKey("gamedb_backup", "localhost"))!.authAs).toBe("root");
      }
      expect(mutations(run(f, A, "setup-accounts", accounts(), ACCOUNT_SECRETS))).toEqual([]);
    });
  });

  describe("configureInstance as root", () => {
    test("without clusterAdmin Shell refuses root@localhost; the script always names the admin", () => {
      const f = new Fleet();
      f.add(A, { admin: ADMIN, configured: false });
      const message = evalIn(
        f,
        A,
        shell,
        `shell.connect({scheme: "mysql", user: "root", socket: "/s"}); dba.configureInstance(null, {restart: true});`,
      ).error;
      expect(message).toBe("Dba.configureInstance: User 'root' can only connect from 'localhost'.");
      const r = run(f, A, "configure-instance", configure(A), SECRETS);
      expectOk(r);
      expect(f.get(A).configured).toBe(true);
    });
  });

  describe("more of what Shell refuses", () => {
    test("checkInstanceConfiguration as root@localhost is refused; configure-instance checks as the admin over TCP", () => {
      const f = new Fleet();
      f.adminExtra = BACKUP_EXTRA;
      f.add(A, { admin: ADMIN });
      const r = run(f, A, "configure-instance", configure(A), SECRETS);
      expectOk(r);
      const checks = r.calls.filter((c) => c.api === "dba.checkInstanceConfiguration");
      expect(checks).toHaveLength(1);
      expect(checks[0]!.args[0]).toMatchObject({ host: "db1", port: 3306, user: ADMIN.user });
      expect(checks[0]!.error).toBeUndefined();
      const asRoot = `shell.connect({scheme: "mysql", user: "root", socket: "/s"}); dba.checkInstanceConfiguration();`;
      expect(evalIn(f, A, shell, asRoot).error).toBe(
        "Dba.checkInstanceConfiguration: User 'root' can only connect from 'localhost'.",
      );
    });

    test("a reachable member no longer wanted whose Group Replication is stopped is removed with force (else 51004)", () => {
      const f = cluster();
      f.stopGroupReplication(C);
      const r = run(f, A, "converge-cluster", { ...converge(), members: [A, B] }, SECRETS);
      expectOk(r);
      const removal = r.calls.filter((c) => c.api === "cluster.removeInstance");
      expect(removal.map((c) => [c.target, c.args[1]])).toEqual([[C, { force: true }]]);
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE" });
    });

    test('a cluster without a primary ("?" in status()) is named as such, not used as an address', () => {
      const f = cluster();
      f.get(A).gr!.role = "SECONDARY";
      const primary = evalIn(f, A, shell, `${connectAs(B, ADMIN)} dba.getCluster().status().defaultReplicaSet.primary`);
      expect(primary.value).toBe("?");
      const r = run(f, A, "setup-accounts", accounts(), ACCOUNT_SECRETS);
      expect(r.error).toMatch(/^gamedb: cluster shard1 has no primary\. Run the shard's converge step/);
    });
  });

  describe("rejoining with an explicit recoveryMethod", () => {
    /** C leaves the group; the group commits n transactions without it; the primary purges its binary logs. */
    function behind(n: number, purge: boolean): Fleet {
      const f = cluster();
      f.stopGroupReplication(C);
      for (let i = 0; i < n; i++) f.write(A, () => undefined);
      if (purge) f.get(A).gtidPurged = f.get(A).gtidExecuted;
      return f;
    }
    const rejoinArgs = (r: RunResult) =>
      r.calls.filter((c) => c.api === "cluster.rejoinInstance").map((c) => c.args[1]);

    test("what the primary still holds: incremental", () => {
      const f = behind(3, false);
      const r = run(f, A, "converge-cluster", converge(), SECRETS);
      expectOk(r);
      expect(rejoinArgs(r)).toEqual([{ recoveryMethod: "incremental" }]);
      expect(f.membership(NAME)[C]).toBe("ONLINE");
    });

    test("purged from the primary's binary logs: clone (a rejoin without a method throws 51167 here)", () => {
      const f = behind(3, true);
      const r = run(f, A, "converge-cluster", converge(), SECRETS);
      expectOk(r);
      expect(rejoinArgs(r)).toEqual([{ recoveryMethod: "clone" }]);
      expect(f.membership(NAME)[C]).toBe("ONLINE");
      const j = behind(2, true);
      expectOk(
        run(
          j,
          C,
          "join-member",
          { clusterName: NAME, seed: A, self: C, clusterAdmin: ADMIN.user, recoveryMethod: "clone" },
          SECRETS,
        ),
      );
      expect(j.membership(NAME)[C]).toBe("ONLINE");
    });

    test("purged, and params.recoveryMethod is incremental: refused, naming the manual rejoin", () => {
      const f = behind(3, true);
      const r = run(f, A, "converge-cluster", converge({ recoveryMethod: "incremental" }), SECRETS);
      expect(r.error).toMatch(/only clone can rejoin it, and params.recoveryMethod is 'incremental'/);
      expect(rejoinArgs(r)).toEqual([]);
    });

    test("errant transactions on the member: never cloned over; the errant set is named", () => {
      const f = behind(1, true);
      f.get(C).errantGtids = 2;
      const r = run(f, A, "converge-cluster", converge(), SECRETS);
      expect(r.error).toMatch(/db3:3306 has transactions the cluster does not have \(errant GTIDs: [0-9a-f-]+:1-2\)/);
      expect(rejoinArgs(r)).toEqual([]);
      expect(f.get(C).errantGtids).toBe(2);
    });
  });
  describe("the model follows Shell where the scripts could notice", () => {
    const at = (f: Fleet, host: string, code: string) => evalIn(f, host, shell, code);
    const status = (f: Fleet, via: string) =>
      at(f, via, `${connectAs(via, ADMIN)} dba.getCluster().status().defaultReplicaSet`).value as {
        status: string;
        statusText: string;
        topology: Record<string, { status: string; memberState?: string }>;
      };

    test("addInstance accepts a target holding a stale metadata copy this cluster does not list (ensure_instance_not_belong_to_cluster)", () => {
      const f = cluster();
      f.add(D, { admin: ADMIN });
      // D was in another cluster's metadata, which it keeps (StandaloneInMetadata), and one that no longer lists it.
      f.get(D).metadata = { clusterName: "old", members: [D], gtidSetIsComplete: true, options: {} };
      const add = `${connectAs(A, ADMIN)} dba.getCluster().addInstance("${D}", {recoveryMethod: "clone"})`;
      expect(at(f, A, add).error).toBeUndefined();
      expect(f.membership(NAME)[D]).toBe("ONLINE");
      expect(f.get(D).metadata!.members).toContain(D);
      expect(at(f, A, add).error).toMatch(/already part of this InnoDB cluster/);
    });

    test("createCluster drops a stale metadata copy that does not list the instance, refuses one that does", () => {
      const f = new Fleet();
      f.add(A, { admin: ADMIN });
      f.get(A).metadata = { clusterName: NAME, members: [B, C], gtidSetIsComplete: true, options: {} };
      expect(at(f, A, `${connectAs(A, ADMIN)} dba.createCluster("fresh").getName()`).value).toBe("fresh");
      expect(f.get(A).metadata!.members).toEqual([A]);
      const g = new Fleet();
      g.add(A, { admin: ADMIN });
      g.get(A).metadata = { clusterName: NAME, members: [A, B], gtidSetIsComplete: true, options: {} };
      expect(at(g, A, `${connectAs(A, ADMIN)} dba.createCluster("fresh")`).error).toMatch(
        /has a populated Metadata schema and belongs to that Metadata/,
      );
    });

    test("status(): RECOVERING members count toward tolerance and are not PARTIAL; UNREACHABLE ones are (check_group_status)", () => {
      const f = cluster();
      f.get(C).gr!.state = "RECOVERING";
      expect(status(f, A)).toMatchObject({
        status: "OK",
        statusText: "Cluster is ONLINE and can tolerate up to ONE failure. 1 member is not active.",
      });
      f.get(C).gr!.state = "ONLINE";
      f.buildCluster("five", ["e1:3306", "e2:3306", "e3:3306", "e4:3306", "e5:3306"], ADMIN);
      f.suspect("e5:3306");
      const five = status(f, "e1:3306");
      expect(five.status).toBe("OK_PARTIAL");
      expect(five.statusText).toBe("Cluster is ONLINE and can tolerate up to ONE failure. 1 member is not active.");
      expect(five.topology["e5:3306"]).toMatchObject({ status: "UNREACHABLE", memberState: "(MISSING)" });
    });

    test("status() shows a member missing from the group with its own state; no ONLINE member is ERROR", () => {
      const f = cluster();
      f.stopGroupReplication(C);
      expect(status(f, A).topology[C]).toMatchObject({ status: "(MISSING)", memberState: "OFFLINE" });
      const g = cluster();
      g.get(B).gr!.state = "RECOVERING";
      g.get(C).gr!.state = "RECOVERING";
      g.get(A).gr!.state = "RECOVERING";
      expect(status(g, A)).toMatchObject({
        status: "ERROR",
        statusText: expect.stringMatching(/^There are no ONLINE members/),
      });
    });

    test("options Shell 8.4 does not have are refused, as Shell refuses them", () => {
      const f = cluster();
      const c = `${connectAs(A, ADMIN)} var c = dba.getCluster();`;
      expect(at(f, A, `${c} c.addInstance("${D}", {interactive: false})`).error).toMatch(
        /Invalid options: interactive/,
      );
      expect(at(f, A, `${c} c.removeInstance("${C}", {interactive: false})`).error).toMatch(/Invalid options/);
      expect(at(f, A, `${c} c.status({queryMembers: true})`).error).toMatch(/Invalid options/);
      expect(at(f, A, `${connectAs(A, ADMIN)} dba.getCluster("${NAME}", {})`).error).toMatch(
        /Invalid number of arguments/,
      );
      expect(at(f, A, `${c} c.rejoinInstance("${C}", {recoveryMethod: "INCREMENTAL"})`).error).toBeUndefined();
    });
  });
  describe("a member in Group Replication state ERROR", () => {
    /** A, B, C with A (the seed) in ERROR: out of the group's view, its own view only itself. */
    function seedInError(): Fleet {
      const f = cluster();
      f.memberError(A);
      return f;
    }

    test("the model: getCluster through it returns a Cluster after a retry; status() is read from it (mod_dba.cc get_cluster, status.cc)", () => {
      const f = seedInError();
      expect(f.membership(NAME)).toEqual({ [A]: "ERROR", [B]: "ONLINE", [C]: "ONLINE" });
      const r = evalIn(f, A, shell, `${connectAs(A, ADMIN)} dba.getCluster("${NAME}").status().defaultReplicaSet`);
      expect(r.output).toMatch(/Retrying getCluster\(\) using a secondary member/);
      expect(r.value).toMatchObject({
        status: "ERROR",
        statusText: `Cluster has no quorum as visible from '${A}' and no ONLINE members that can be used to restore it. 3 members are not active.`,
        primary: "?",
        warning: "The cluster description may be inaccurate as it was generated from an instance in Error state",
        topology: {
          [A]: { status: "ERROR" },
          [B]: { status: "(MISSING)", memberState: "ONLINE" },
          [C]: { status: "(MISSING)", memberState: "ONLINE" },
        },
      });
      // Seen from the group, it is missing; its own state shows.
      const fromB = evalIn(f, B, shell, `${connectAs(B, ADMIN)} dba.getCluster().status().defaultReplicaSet`);
      expect(fromB.value).toMatchObject({
        status: "OK_NO_TOLERANCE_PARTIAL",
        topology: { [A]: { memberState: "ERROR" } },
      });
    });

    test("the model: rejoinInstance stops its Group Replication and rejoins it (rejoin_instance.cc, Instance_rejoinability::ERROR)", () => {
      const f = seedInError();
      const r = evalIn(
        f,
        B,
        shell,
        `${connectAs(B, ADMIN)} dba.getCluster().rejoinInstance("${A}", {recoveryMethod: "incremental"})`,
      );
      expect(r.error).toBeUndefined();
      expect(r.output).toMatch(
        /is in an ERROR state\. Attempting to stop Group Replication to proceed with the rejoin/,
      );
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE", [C]: "ONLINE" });
      expect(f.groupsNamed(NAME)).toHaveLength(1);
    });

    test("the model: a reboot stops Group Replication on a member in ERROR before it rejoins (ensure_all_members_offline)", () => {
      const f = cluster();
      f.memberError(C);
      f.stopGroupReplication(B);
      f.stopGroupReplication(A);
      const r = evalIn(f, A, shell, `${connectAs(A, ADMIN)} dba.rebootClusterFromCompleteOutage("${NAME}")`);
      expect(r.error).toBeUndefined();
      expect(r.output).toMatch(/Stopping Group Replication on 'db3:3306'/);
      expect(f.groupsNamed(NAME)).toHaveLength(1);
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE", [C]: "ONLINE" });
    });

    test("converge with the seed in ERROR adopts the cluster through another member and rejoins the seed", () => {
      const f = seedInError();
      const r = run(f, A, "converge-cluster", converge(), SECRETS);
      expectOk(r);
      expect(r.output).toMatch(/found through db2:3306; adopting it \(seed: db1:3306 \(.*ERROR/);
      const rejoins = r.calls.filter((c) => c.api === "cluster.rejoinInstance");
      expect(rejoins.map((c) => [c.target, c.args[1]])).toEqual([[A, { recoveryMethod: "incremental" }]]);
      expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE", [C]: "ONLINE" });
      expect(mutations(run(f, A, "converge-cluster", converge(), SECRETS))).toEqual([]);
    });

    test("join-member and setup-accounts do not take the cluster through it", () => {
      const f = seedInError();
      const j = run(
        f,
        C,
        "join-member",
        { clusterName: NAME, seed: A, self: C, clusterAdmin: ADMIN.user, recoveryMethod: "clone" },
        SECRETS,
      );
      expect(j.error).toMatch(/cannot reach cluster shard1 through the seed db1:3306: .*ERROR/);
      expect(mutations(j)).toEqual([]);
      const s = run(f, A, "setup-accounts", accounts(), ACCOUNT_SECRETS);
      // Found through B; the final check names the seed, which converge rejoins.
      expect(s.error).toMatch(/db1:3306 is \(MISSING\)/);
    });
  });
});
