/**
 * setup-accounts against the AdminAPI model. Run against both Shell releases the model imitates (helpers.ts
 * describeEachShell).
 */
import { mutations, userKey } from "./adminapi";
import {
  ADMIN,
  ACCOUNT_SECRETS,
  NAME,
  A,
  B,
  C,
  run,
  accountsParams,
  fleetOf,
  expectOk,
  expectNoChange,
  callsTo,
  expectNoSecretInAnyRun,
  describeEachShell,
} from "./helpers";

describeEachShell(() => {
  describe("setup-accounts", () => {
    test("creates the accounts once, on the primary, replicated to every member; a second run changes nothing", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [B, A, C], ADMIN); // db2 is the primary
      const r = run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS);
      expectOk(r);
      expect(mutations(r)).toEqual([
        "cluster.setupRouterAccount db1:3306",
        // setupRouterAccount makes the router account with no REQUIRE clause; the step adds it.
        "SQL db2:3306: ALTER USER ?@? REQUIRE SSL",
        "SQL db2:3306: CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?",
        "SQL db2:3306: GRANT PROCESS, REPLICATION CLIENT ON *.* TO ?@?",
        "SQL db2:3306: GRANT SELECT ON performance_schema.* TO ?@?",
        "SQL db2:3306: ALTER USER ?@? REQUIRE SSL",
        "SQL db2:3306: CREATE USER IF NOT EXISTS ?@? IDENTIFIED WITH auth_socket AS ?",
        "SQL db2:3306: GRANT SELECT, RELOAD, PROCESS, EVENT, SHOW VIEW, TRIGGER, REPLICATION CLIENT, BACKUP_ADMIN ON *.* TO ?@?",
      ]);
      expect(callsTo(r, "cluster.setupRouterAccount")[0]!.args).toEqual([
        "gamedb_router@'%'",
        { password: ACCOUNT_SECRETS.routerPassword, update: false },
      ]);
      for (const a of [A, B, C]) {
        const users = f.get(a).users;
        expect(users.get(userKey("gamedb_router", "%"))!.password).toBe(ACCOUNT_SECRETS.routerPassword);
        expect([...users.get(userKey("gamedb_monitor", "%"))!.grants].sort()).toEqual([
          "PROCESS ON *.*",
          "REPLICATION CLIENT ON *.*",
          "SELECT ON performance_schema.*",
        ]);
        const backup = users.get(userKey("gamedb_backup", "localhost"))!;
        expect([backup.plugin, backup.authAs, backup.password]).toEqual(["auth_socket", "root", ""]);
        // The TCP accounts require TLS; the backup account logs in over the socket, which cannot carry it.
        expect(users.get(userKey("gamedb_router", "%"))!.sslType).toBe("ANY");
        expect(users.get(userKey("gamedb_monitor", "%"))!.sslType).toBe("ANY");
        expect(backup.sslType).toBeUndefined();
        expect([...backup.grants].sort()).toEqual(
          ["BACKUP_ADMIN", "EVENT", "PROCESS", "RELOAD", "REPLICATION CLIENT", "SELECT", "SHOW VIEW", "TRIGGER"].map(
            (p) => `${p} ON *.*`,
          ),
        );
      }
      expectNoChange(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
    });

    test("requires TLS again of an account that lost it, and keeps it through a router password update", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
      // Someone ran ALTER USER ... REQUIRE NONE on the monitor account.
      for (const a of [A, B, C]) delete f.get(a).users.get(userKey("gamedb_monitor", "%"))!.sslType;
      const r = run(f, A, "setup-accounts", accountsParams([A, B, C]), {
        ...ACCOUNT_SECRETS,
        routerPassword: "rtr-Secret-NEW-5e2",
      });
      expectOk(r);
      expect(mutations(r)).toEqual(["cluster.setupRouterAccount db1:3306", "SQL db1:3306: ALTER USER ?@? REQUIRE SSL"]);
      for (const a of [A, B, C]) {
        expect(f.get(a).users.get(userKey("gamedb_router", "%"))!.sslType).toBe("ANY");
        expect(f.get(a).users.get(userKey("gamedb_monitor", "%"))!.sslType).toBe("ANY");
      }
    });

    test("changes only what differs: a new router password (update: true), a new monitor password, a missing grant", () => {
      const f = fleetOf();
      f.buildCluster(NAME, [A, B, C], ADMIN);
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
      for (const a of [A, B, C])
        f.get(a).users.get(userKey("gamedb_monitor", "%"))!.grants.delete("SELECT ON performance_schema.*");
      const rotated = {
        ...ACCOUNT_SECRETS,
        routerPassword: "rtr-Secret-NEW-9d1",
        monitorPassword: "mon-Secret-NEW-3c7",
      };
      const r = run(f, A, "setup-accounts", accountsParams([A, B, C]), rotated);
      expectOk(r);
      expect(mutations(r)).toEqual([
        "cluster.setupRouterAccount db1:3306",
        "SQL db1:3306: ALTER USER ?@? IDENTIFIED BY ? RETAIN CURRENT PASSWORD",
        "SQL db1:3306: GRANT SELECT ON performance_schema.* TO ?@?",
      ]);
      expect(callsTo(r, "cluster.setupRouterAccount")[0]!.args[1]).toEqual({
        password: rotated.routerPassword,
        update: true,
      });
      expect(f.get(C).users.get(userKey("gamedb_monitor", "%"))!.password).toBe(rotated.monitorPassword);
      // The old password still logs in until the next rotation: workers not yet restarted keep working.
      expect(f.get(C).users.get(userKey("gamedb_monitor", "%"))!.secondaryPassword).toBe(
        ACCOUNT_SECRETS.monitorPassword,
      );
      expectNoChange(run(f, A, "setup-accounts", accountsParams([A, B, C]), rotated));
    });

    test("no reachable cluster: stops and says to converge first", () => {
      const f = fleetOf(A, B);
      const r = run(f, A, "setup-accounts", accountsParams([A, B]), ACCOUNT_SECRETS);
      expect(r.error).toMatch(/^gamedb: cluster shard1 cannot be reached .*Run the shard's converge step first/);
      expect(mutations(r)).toEqual([]);
    });
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as adminapi-secrets.test.ts checks).
afterAll(expectNoSecretInAnyRun);
