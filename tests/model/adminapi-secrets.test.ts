/**
 * No secret reaches what a script prints, its errors or the SQL text it sends. Every test file that runs scripts
 * checks all of its own runs after its tests (afterAll(expectNoSecretInAnyRun), helpers.ts); this test runs each
 * script through the paths that handle a secret, successes and failures, and checks those runs. Run against both
 * Shell releases the model imitates (helpers.ts describeEachShell).
 */
import { Fleet } from "./adminapi";
import {
  A,
  ACCOUNT_SECRETS,
  ADMIN,
  B,
  BP,
  BP_256M,
  C,
  D,
  E,
  FIRST_RUN,
  GAME_SECRETS,
  NAME,
  ROTATED_SECRETS,
  SECRETS,
  accountsParams,
  configureParams,
  converge,
  convergeParams,
  describeEachShell,
  expectNoSecretIn,
  expectNoSecretInAnyRun,
  expectOk,
  fleetOf,
  gameAccountsParams,
  joinParams,
  leaveParams,
  run,
  runs,
} from "./helpers";

describeEachShell(() => {
  describe("secrets", () => {
    test("no secret appears in printed output, in error messages or in any runSql SQL text", () => {
      const first = runs.length;
      // converge-cluster: create and add with the admin password; a restart; bad params; no secrets; failures.
      const f = fleetOf(A, B, C, D);
      expectOk(converge(f, [A, B, C], {}, FIRST_RUN));
      for (const a of [A, B, C]) f.get(a).cnf[BP] = BP_256M;
      expectOk(converge(f, [A, B, C], { [BP]: "256M" }));
      for (const bad of [{ seed: E }, { recoveryMethod: "auto" }, { restartVariables: { [A]: "256M" } }])
        expect(run(f, A, "converge-cluster", { ...convergeParams([A, B, C]), ...bad }, SECRETS).error).toMatch(
          /^gamedb: params\./,
        );
      expect(run(f, A, "converge-cluster", convergeParams([A, B, C]), {}).error).toMatch(/^gamedb: secrets\./);
      // join-member, then leave-member without and with the password.
      expectOk(run(f, D, "join-member", joinParams(D), SECRETS));
      expectOk(run(f, D, "join-member", joinParams(D), SECRETS));
      expect(run(f, D, "leave-member", leaveParams(D), {}).error).toMatch(/without secrets\.clusterAdminPassword/);
      expectOk(run(f, D, "leave-member", leaveParams(D), SECRETS));
      expectOk(run(f, D, "leave-member", leaveParams(D), SECRETS));
      // setup-accounts: create, rotate (router update: true, monitor ALTER USER), rerun.
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
      const rotated = {
        ...ACCOUNT_SECRETS,
        routerPassword: "rtr-Secret-NEW-9d1",
        monitorPassword: "mon-Secret-NEW-3c7",
      };
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), rotated));
      expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), rotated));
      // The game database's accounts: created, rotated, a missing password, and refusals that name the accounts.
      for (const m of [A, B, C]) f.get(m).globals.log_bin_trust_function_creators = "1";
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS));
      expectOk(run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), { ...GAME_SECRETS, ...ROTATED_SECRETS }));
      expect(
        run(f, A, "setup-accounts", gameAccountsParams([A, B, C]), { ...GAME_SECRETS, appPassword: "" }).error,
      ).toMatch(/secrets\.appPassword/);
      const old = fleetOf();
      old.adminExtra = ["EVENT", "SHOW VIEW", "TRIGGER", "BACKUP_ADMIN"];
      old.buildCluster(NAME, [A, B, C], ADMIN);
      for (const m of [A, B, C]) old.get(m).globals.log_bin_trust_function_creators = "1";
      expect(run(old, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS).error).toMatch(/cannot grant/);
      old.get(A).globals.log_bin_trust_function_creators = "0";
      expect(run(old, A, "setup-accounts", gameAccountsParams([A, B, C]), GAME_SECRETS).error).toMatch(
        /log_bin_trust_function_creators is OFF/,
      );
      // configure-instance: a fresh instance (the admin account created with its password), then only checks.
      const g = new Fleet();
      g.add(E, { configured: false, configureNeedsRestart: true, cnf: { max_connections: "500" } });
      expectOk(run(g, E, "configure-instance", configureParams(E, { max_connections: "500" }), SECRETS));
      expectOk(run(g, E, "configure-instance", configureParams(E, { max_connections: "500" }), SECRETS));
      expect(run(g, E, "configure-instance", configureParams(E, { no_such_var: "1" }), SECRETS).error).toMatch(
        /Unknown system variable/,
      );
      // Failures that name hosts and accounts: no cluster yet, an unreachable seed, a login refused, an outage.
      const h = fleetOf(A, B, C);
      expect(run(h, A, "setup-accounts", accountsParams([A, B]), ACCOUNT_SECRETS).error).toMatch(/cannot be reached/);
      expect(converge(h, [A, B, C]).error).toMatch(/refuses to create/);
      h.crash(A);
      expect(converge(h, [A, B, C]).error).toMatch(/is unreachable/);
      const k = fleetOf(B, C);
      k.add(A, { configured: false });
      expect(converge(k, [A, B, C]).error).toMatch(/cannot log in/);
      k.buildCluster(NAME, [B, C], ADMIN);
      k.completeOutage(NAME);
      k.crash(C);
      expect(converge(k, [B, C]).error).toMatch(/complete outage/);
      expect(run(k, C, "configure-instance", configureParams(C), SECRETS).error).toMatch(/cannot connect/);

      const these = runs.slice(first);
      expect(these.length).toBeGreaterThan(20);
      expectNoSecretIn(these);
    });
  });
});

// No secret in the output, errors or SQL of any run above, under either release (as the test checks its own).
afterAll(expectNoSecretInAnyRun);
