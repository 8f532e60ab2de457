/**
 * Shared by the AdminAPI script tests (tests/model/adminapi-*.test.ts): the gamedb AdminAPI scripts
 * (infra/mysql/adminapi), run as the exact text sent to hosts, under Node's vm module against a MODEL of the MySQL
 * Shell AdminAPI over a model fleet (tests/model/adminapi). The model is not MySQL: it checks the scripts' logic
 * (which AdminAPI calls, in which order, under which preconditions), idempotence and secret handling, not MySQL's
 * behaviour itself.
 */
import { grantsList } from "../helpers/adminapiLists";
import * as vm from "vm";
import { ADMINAPI_SCRIPTS } from "../../infra/mysql/adminapi";
import {
  Fleet,
  MODEL_SHELL_VERSIONS,
  ModelApi,
  RunResult,
  modelShellVersion,
  mutations,
  runAdminApi,
} from "./adminapi";
import type { ApiCall } from "./adminapi";

// ---- every model release ------------------------------------------------------------------------------------------

/**
 * Registers `body`'s tests once per Shell release the model imitates (8.4.3; 8.4.8, whose GraalJS throws
 * Error(message, {cause: {code}}): errors.ts asThrown). The release is set before each test, not at registration:
 * runAdminApi and modelEval read it when the test runs, so it cannot leak from one release's block into the next.
 */
export function describeEachShell(body: () => void): void {
  describe.each(MODEL_SHELL_VERSIONS)("against the model of MySQL Shell %s", (shell) => {
    beforeEach(() => modelShellVersion(shell));
    body();
  });
}

// ---- fixtures -----------------------------------------------------------------------------------------------------

/** The cluster admin account configure-instance creates. */
export const ADMIN = { user: "gamedb_admin", password: "adm-Secret-7f3a9c" };
/** secrets.json of converge-cluster, join-member, leave-member and configure-instance. */
export const SECRETS = { clusterAdminPassword: ADMIN.password };
/** secrets.json of setup-accounts. */
export const ACCOUNT_SECRETS = {
  clusterAdminPassword: ADMIN.password,
  routerPassword: "rtr-Secret-1b8e44",
  monitorPassword: "mon-Secret-a0c2d7",
  backupPassword: "bak-Secret-55e9f1",
};
/** secrets.json of setup-accounts for a shard with a game database: also the migration, game server and mover accounts'. */
export const GAME_SECRETS = {
  ...ACCOUNT_SECRETS,
  schemaPassword: "sch-Secret-4d2f10",
  appPassword: "app-Secret-9a7b3e",
  moverPassword: "mov-Secret-2c8d51",
};
/** The passwords the rotation tests set. */
export const ROTATED_SECRETS = {
  routerPassword: "rtr-Secret-NEW-9d1",
  monitorPassword: "mon-Secret-NEW-3c7",
  schemaPassword: "sch-Secret-NEW-61c",
  appPassword: "app-Secret-NEW-0e5",
  moverPassword: "mov-Secret-NEW-7a4",
};
/** Every secret the tests pass, for the secrets checks: the above and the rotated ones of the setup-accounts tests. */
const ALL_SECRETS = [
  ...new Set([...Object.values(GAME_SECRETS), ...Object.values(ACCOUNT_SECRETS), ...Object.values(ROTATED_SECRETS)]),
];
/** The cluster's name. */
export const NAME = "shard1";
/** Six instance addresses, db1:3306 to db6:3306. */
export const [A, B, C, D, E, F] = ["db1:3306", "db2:3306", "db3:3306", "db4:3306", "db5:3306", "db6:3306"] as const;
/** converge-cluster's params.createOptions. */
export const CREATE_OPTIONS = {
  communicationStack: "MYSQL",
  memberSslMode: "REQUIRED",
  gtidSetIsComplete: true,
  exitStateAction: "OFFLINE_MODE",
  autoRejoinTries: 3,
  expelTimeout: 5,
  consistency: "BEFORE_ON_PRIMARY_FAILOVER",
  manualStartOnBoot: false,
};
/** A restart-only variable. */
export const BP = "innodb_buffer_pool_size";
/** 256M in the server's form. */
export const BP_256M = "268435456";

// ---- running scripts ----------------------------------------------------------------------------------------------

/** Every run of the test file that imports this (jest's module registry is per file), for the secrets checks. */
export const runs: RunResult[] = [];

/** runAdminApi, recorded in `runs`. */
export function run(
  fleet: Fleet,
  host: string,
  script: (typeof ADMINAPI_SCRIPTS)[number],
  params: unknown,
  secrets: unknown,
) {
  const r = runAdminApi(fleet, host, script, params, secrets);
  runs.push(r);
  return r;
}

/** params.restartVariables: member address -> { variable: value that member's my.cnf carries }. */
export type PerMember = Record<string, Record<string, string>>;

/** The same restart-only values for every member. */
export function onEvery(members: string[], vars: Record<string, string>): PerMember {
  return Object.keys(vars).length === 0 ? {} : Object.fromEntries(members.map((m) => [m, { ...vars }]));
}

/**
 * converge-cluster params. allowCreate is false unless given, as on every run of the converge command but its first
 * (Pulumi create).
 */
export function convergeParams(
  members: string[],
  restartVariables: PerMember = {},
  extra: Record<string, unknown> = {},
) {
  return {
    clusterName: NAME,
    seed: members[0]!,
    members,
    clusterAdmin: ADMIN.user,
    createOptions: CREATE_OPTIONS,
    recoveryMethod: "clone",
    allowCreate: false,
    restartVariables,
    ...extra,
  };
}

/** converge-cluster on the seed (members[0]), the same restart-only values wanted on every member. */
export function converge(
  fleet: Fleet,
  members: string[],
  restartVariables: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): RunResult {
  return convergePer(fleet, members, onEvery(members, restartVariables), extra);
}

/** converge-cluster with per-member restart-only values. */
export function convergePer(
  fleet: Fleet,
  members: string[],
  restartVariables: PerMember,
  extra: Record<string, unknown> = {},
): RunResult {
  return run(fleet, members[0]!, "converge-cluster", convergeParams(members, restartVariables, extra), SECRETS);
}

/** The first run of the converge command (Pulumi create): allowCreate true. */
export const FIRST_RUN = { allowCreate: true };

/** join-member params. */
export function joinParams(self: string, seed: string = A) {
  return { clusterName: NAME, seed, self, clusterAdmin: ADMIN.user, recoveryMethod: "clone" };
}

/** leave-member params. */
export const leaveParams = (self: string) => ({ clusterName: NAME, self, clusterAdmin: ADMIN.user });

/** setup-accounts params. */
export const accountsParams = (members: string[]) => ({
  clusterName: NAME,
  seed: members[0]!,
  members,
  clusterAdmin: ADMIN.user,
  accounts: { router: "gamedb_router", monitor: "gamedb_monitor", backup: "gamedb_backup" },
  accountHost: "%",
});

/** The game database the tests name: its `_` must be escaped in GRANT (a wildcard there). */
export const GAME_DB = "game_data";
/** The migration account, the game servers' and the mover's (infra/catalog/mysql.ts ACCOUNTS). */
export const SCHEMA_USER = "gamedb_schema";
export const APP_USER = "gamedb_app";
export const MOVER_USER = "gamedb_mover";

/** setup-accounts params of a shard with a game database. */
export const gameAccountsParams = (members: string[], database: string = GAME_DB) => {
  const p = accountsParams(members);
  return {
    ...p,
    accounts: { ...p.accounts, schema: SCHEMA_USER, app: APP_USER, mover: MOVER_USER },
    schemaDatabase: database,
    metaDatabase: "gamedb_meta",
  };
};

/** configure-instance params. */
export const configureParams = (self: string, dynamicVariables: Record<string, string> = {}) => ({
  self,
  clusterAdmin: ADMIN.user,
  dynamicVariables,
});

// ---- fleets and expectations --------------------------------------------------------------------------------------

/** What gamedb's configure-instance lets the cluster admin grant beyond Shell's own list (grants.js). */
const ADMIN_EXTRA = grantsList("ADMIN_EXTRA_PRIVILEGES");

/** A fleet of standalone instances configured by configure-instance, with the cluster admin account. */
export function fleetOf(...addresses: string[]): Fleet {
  const f = new Fleet();
  f.adminExtra = ADMIN_EXTRA;
  for (const a of addresses) f.add(a, { admin: ADMIN });
  return f;
}

/** One cluster NAME, exactly `members`, all ONLINE, and its metadata listing them. */
export function expectConverged(fleet: Fleet, members: string[]): void {
  expect(fleet.groupsNamed(NAME)).toHaveLength(1);
  expect(fleet.membership(NAME)).toEqual(Object.fromEntries(members.map((m) => [m, "ONLINE"])));
  const md = fleet.get(members[0]!).metadata!;
  expect([...md.members].sort()).toEqual([...members].sort());
}

/** The script ended without an error (else the error and the output, to see why). */
export function expectOk(r: RunResult): void {
  if (r.error !== undefined) throw new Error(`script failed: ${r.error}\n${r.output}`);
}

/** A second run changes nothing: no error, no mutating call. */
export function expectNoChange(r: RunResult): void {
  expectOk(r);
  expect(mutations(r)).toEqual([]);
}

/** The calls a run made to `api` ("cluster.addInstance"). */
export function callsTo(r: RunResult, api: string): ApiCall[] {
  return r.calls.filter((c) => c.api === api);
}

// ---- secrets ------------------------------------------------------------------------------------------------------

/** No secret appears in printed output, in error messages or in any runSql SQL text of `results`. */
export function expectNoSecretIn(results: RunResult[]): void {
  for (const r of results) {
    for (const secret of ALL_SECRETS) {
      expect(r.output).not.toContain(secret);
      expect(r.error ?? "").not.toContain(secret);
      for (const c of r.calls) {
        if (c.sql !== undefined) expect(c.sql).not.toContain(secret);
        expect(c.error ?? "").not.toContain(secret);
      }
    }
  }
}

/** For afterAll in every file that runs scripts: no run of that file, under either Shell release, shows a secret. */
export function expectNoSecretInAnyRun(): void {
  expect(runs.length).toBeGreaterThan(0);
  expectNoSecretIn(runs);
}

// ---- the model's globals ------------------------------------------------------------------------------------------

/** Evaluates JS against the model's globals (as a script would), returning the value or the error raised. */
export function modelEval(
  fleet: Fleet,
  local: string,
  code: string,
): { value?: unknown; error?: string; code?: number } {
  const api = new ModelApi({
    fleet,
    localAddress: local,
    files: new Map(),
    argv: [],
    shellVersion: modelShellVersion(),
    calls: [],
    output: [],
  });
  const ctx = vm.createContext({ ...api.globals(), admin: { ...ADMIN, scheme: "mysql" } });
  try {
    return { value: new vm.Script(code).runInContext(ctx) };
  } catch (e) {
    // Either shape a Shell release throws (errors.ts asThrown): the code is e.code or e.cause.code.
    const err = e as { message?: string; code?: number; cause?: { code?: number } };
    return { error: String(err.message), code: err.code ?? err.cause?.code };
  }
}

/** `shell.connect(...)` to `addr` as the cluster admin (the `admin` global modelEval sets), as JavaScript text. */
export const connectTo = (addr: string) => {
  const [host, port] = addr.split(":");
  return `shell.connect({scheme: "mysql", host: "${host}", port: ${port}, user: admin.user, password: admin.password});`;
};
