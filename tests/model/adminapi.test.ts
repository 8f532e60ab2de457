/**
 * The gamedb AdminAPI scripts (infra/mysql/adminapi), run as the exact text sent to hosts, under Node's vm module
 * against a MODEL of the MySQL Shell AdminAPI over a model fleet (tests/model/adminapi). The model is not MySQL: it
 * checks the scripts' logic (which AdminAPI calls, in which order, under which preconditions), idempotence and
 * secret handling, not MySQL's behaviour itself.
 */
import * as vm from "vm";
import * as fc from "fast-check";
import * as fs from "fs";
import * as path from "path";
import { ADMINAPI_HELPERS, ADMINAPI_SCRIPTS, adminApiScript, adminApiScriptFiles } from "../../infra/mysql/adminapi";
import { Fleet, ModelApi, RunResult, modelShellVersion, mutations, runAdminApi, userKey } from "./adminapi";
import type { ApiCall } from "./adminapi";

const ADMIN = { user: "gamedb_admin", password: "adm-Secret-7f3a9c" };
const SECRETS = { clusterAdminPassword: ADMIN.password };
const ACCOUNT_SECRETS = {
  clusterAdminPassword: ADMIN.password,
  routerPassword: "rtr-Secret-1b8e44",
  monitorPassword: "mon-Secret-a0c2d7",
  backupPassword: "bak-Secret-55e9f1",
};
const ALL_SECRETS = Object.values(ACCOUNT_SECRETS);
const NAME = "shard1";
const [A, B, C, D, E, F] = ["db1:3306", "db2:3306", "db3:3306", "db4:3306", "db5:3306", "db6:3306"] as const;
const CREATE_OPTIONS = {
  communicationStack: "MYSQL",
  memberSslMode: "REQUIRED",
  gtidSetIsComplete: true,
  exitStateAction: "OFFLINE_MODE",
  autoRejoinTries: 3,
  expelTimeout: 5,
  consistency: "BEFORE_ON_PRIMARY_FAILOVER",
  manualStartOnBoot: false,
};
const BP = "innodb_buffer_pool_size";
const BP_256M = "268435456";

/** Every run in this file, for the secrets check at the end. */
const runs: RunResult[] = [];

function run(fleet: Fleet, host: string, script: (typeof ADMINAPI_SCRIPTS)[number], params: unknown, secrets: unknown) {
  const r = runAdminApi(fleet, host, script, params, secrets);
  runs.push(r);
  return r;
}

/** params.restartVariables: member address -> { variable: value that member's my.cnf carries }. */
type PerMember = Record<string, Record<string, string>>;

/** The same restart-only values for every member. */
function onEvery(members: string[], vars: Record<string, string>): PerMember {
  return Object.keys(vars).length === 0 ? {} : Object.fromEntries(members.map((m) => [m, { ...vars }]));
}

/**
 * converge-cluster params. allowCreate is false unless given, as on every run of the converge command but its first
 * (Pulumi create).
 */
function convergeParams(members: string[], restartVariables: PerMember = {}, extra: Record<string, unknown> = {}) {
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
function converge(
  fleet: Fleet,
  members: string[],
  restartVariables: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): RunResult {
  return convergePer(fleet, members, onEvery(members, restartVariables), extra);
}

/** converge-cluster with per-member restart-only values. */
function convergePer(
  fleet: Fleet,
  members: string[],
  restartVariables: PerMember,
  extra: Record<string, unknown> = {},
): RunResult {
  return run(fleet, members[0]!, "converge-cluster", convergeParams(members, restartVariables, extra), SECRETS);
}

/** The first run of the converge command (Pulumi create): allowCreate true. */
const FIRST_RUN = { allowCreate: true };

/** What gamedb's configure-instance lets the cluster admin grant beyond Shell's own list (grants.js). */
const ADMIN_EXTRA = ["EVENT", "SHOW VIEW", "TRIGGER", "BACKUP_ADMIN"];

/** A fleet of standalone instances configured by configure-instance, with the cluster admin account. */
function fleetOf(...addresses: string[]): Fleet {
  const f = new Fleet();
  f.adminExtra = ADMIN_EXTRA;
  for (const a of addresses) f.add(a, { admin: ADMIN });
  return f;
}

function expectConverged(fleet: Fleet, members: string[]): void {
  expect(fleet.groupsNamed(NAME)).toHaveLength(1);
  expect(fleet.membership(NAME)).toEqual(Object.fromEntries(members.map((m) => [m, "ONLINE"])));
  const md = fleet.get(members[0]!).metadata!;
  expect([...md.members].sort()).toEqual([...members].sort());
}

function expectOk(r: RunResult): void {
  if (r.error !== undefined) throw new Error(`script failed: ${r.error}\n${r.output}`);
}

/** A second run changes nothing: no error, no mutating call. */
function expectNoChange(r: RunResult): void {
  expectOk(r);
  expect(mutations(r)).toEqual([]);
}

function callsTo(r: RunResult, api: string): ApiCall[] {
  return r.calls.filter((c) => c.api === api);
}

// ---- the loader ---------------------------------------------------------------------------------------------------

describe("adminApiScript", () => {
  test("lists the five scripts; each is the shared helpers, its own helpers, then the script, joined by newlines", () => {
    expect([...ADMINAPI_SCRIPTS]).toEqual([
      "configure-instance",
      "converge-cluster",
      "join-member",
      "leave-member",
      "setup-accounts",
    ]);
    const dir = path.join(__dirname, "../../infra/mysql/adminapi");
    for (const name of ADMINAPI_SCRIPTS) {
      const files = adminApiScriptFiles(name);
      expect(files.slice(0, ADMINAPI_HELPERS.length)).toEqual([...ADMINAPI_HELPERS]);
      expect(files[files.length - 1]).toBe(`${name}.js`);
      const text = adminApiScript(name);
      expect(text).toBe(files.map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n"));
      expect(text).toContain(`gamedbMain("${name}"`);
    }
    expect(adminApiScriptFiles("converge-cluster")).toContain("restart.js");
    expect(adminApiScriptFiles("join-member")).not.toContain("restart.js");
  });

  test("no script has a line equal to the heredoc delimiter GAMEDB_EOF", () => {
    for (const name of ADMINAPI_SCRIPTS) expect(adminApiScript(name).split("\n")).not.toContain("GAMEDB_EOF");
  });

  test("every script parses and uses no require (mysqlsh gets a single file)", () => {
    for (const name of ADMINAPI_SCRIPTS) {
      const text = adminApiScript(name);
      expect(() => new vm.Script(text)).not.toThrow();
      expect(text).not.toMatch(/\brequire\s*\(/);
    }
  });

  test("an unknown script name is refused", () => {
    expect(() => adminApiScript("nope" as never)).toThrow(/unknown AdminAPI script/);
  });
});

// ---- the model itself ---------------------------------------------------------------------------------------------

/** Evaluates JS against the model's globals (as a script would), returning the value or the error raised. */
function modelEval(fleet: Fleet, local: string, code: string): { value?: unknown; error?: string; code?: number } {
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

const connectTo = (addr: string) => {
  const [host, port] = addr.split(":");
  return `shell.connect({scheme: "mysql", host: "${host}", port: ${port}, user: admin.user, password: admin.password});`;
};

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
    expect(modelEval(f, C, `${connectTo(C)} dba.createCluster("${NAME}")`).error).toMatch(/populated Metadata schema/);
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
    expect(modelEval(f, A, `${root} shell.getSession().runSql("RESET PERSIST max_connections")`).error).toBeUndefined();
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

// ---- converge-cluster ---------------------------------------------------------------------------------------------

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
      (c) => c.api === "os.sleep" && c.seq > seqOf("cluster.addInstance", B) && c.seq < seqOf("cluster.addInstance", C),
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
    expect(r.error).toMatch(/^gamedb: these members of cluster shard1 are not ONLINE and cannot be reached: db3:3306/);
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

  test("e: a member not in members is removed", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C, D], ADMIN);
    const r = converge(f, [A, B, C]);
    expectOk(r);
    expect(mutations(r)).toEqual(["cluster.removeInstance db4:3306"]);
    expect(callsTo(r, "cluster.removeInstance")[0]!.args).toEqual([D, {}]);
    // Like MySQL, the removed instance keeps a stale copy of the metadata, which no longer lists it.
    expect(f.get(D).gr).toBeNull();
    expect(f.get(D).metadata!.members).toEqual([A, B, C]);
    expectConverged(f, [A, B, C]);
    expectNoChange(converge(f, [A, B, C]));
  });

  test("e: an unwanted member that is unreachable is removed with force", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C, D], ADMIN);
    f.crash(D);
    const r = converge(f, [A, B, C]);
    expectOk(r);
    expect(callsTo(r, "cluster.removeInstance")[0]!.args).toEqual([D, { force: true }]);
    expectConverged(f, [A, B, C]);
  });

  test("e: members that are not ONLINE are removed first, so ONLINE members keep a majority throughout", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, D, E], ADMIN);
    f.suspect(E); // UNREACHABLE, still in the group view
    const r = converge(f, [A, B]);
    expectOk(r);
    expect(mutations(r)).toEqual(["cluster.removeInstance db5:3306", "cluster.removeInstance db4:3306"]);
    expectConverged(f, [A, B]);
  });

  test("e: never removes a member when the rest of the group would have fewer ONLINE members than a majority", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, D, E, F], ADMIN);
    for (const x of [D, E, F]) f.get(x).gr = { ...f.get(x).gr!, state: "RECOVERING", recoveringTicks: 1000 };
    const r = converge(f, [A, B]);
    expect(r.error).toMatch(
      /^gamedb: refusing to remove db\d:3306: the 4 member\(s\) left in the group would have only 2 ONLINE/,
    );
    expect(mutations(r)).toEqual([]);
  });

  test("f: the cluster lives on other desired members: adopt it and add the seed, never a second cluster", () => {
    const f = fleetOf(A);
    f.buildCluster(NAME, [B, C], ADMIN);
    const r = converge(f, [A, B, C]);
    expectOk(r);
    expect(r.output).toMatch(/found through db2:3306; adopting it/);
    expect(mutations(r)).toEqual(["cluster.addInstance db1:3306"]);
    expectConverged(f, [A, B, C]);
    expectNoChange(converge(f, [A, B, C]));
  });

  test("f: no cluster found while a desired member cannot be checked: nothing is created", () => {
    const f = fleetOf(A, B, C);
    f.crash(C);
    const r = converge(f, [A, B, C]);
    expect(r.error).toMatch(
      /^gamedb: no reachable member holds cluster shard1, but these members could not be checked: db3:3306/,
    );
    expect(r.error).toMatch(/second cluster/);
    expect(mutations(r)).toEqual([]);
  });

  test("fails clearly for an unreachable seed", () => {
    const f = fleetOf(A, B, C);
    f.crash(A);
    const r = converge(f, [A, B, C]);
    expect(r.error).toMatch(/^gamedb: the seed db1:3306 is unreachable \(Can't connect to MySQL server on 'db1:3306'/);
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

  test("g: rolling restart: secondaries first, then a switchover, then the old primary; each back ONLINE first", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    for (const a of [A, B, C]) {
      f.get(a).cnf[BP] = BP_256M;
      f.get(a).restartTicks = 3;
      f.get(a).recoveryTicks = 2;
    }
    const r = converge(f, [A, B, C], { [BP]: "256M" });
    expectOk(r);
    expect(mutations(r)).toEqual([
      "SQL db2:3306: RESTART",
      "SQL db3:3306: RESTART",
      "cluster.setPrimaryInstance db2:3306",
      "SQL db1:3306: RESTART",
    ]);
    for (const a of [A, B, C]) expect(f.get(a).globals[BP]).toBe(BP_256M);
    expect(f.primaryOf(f.groupsNamed(NAME)[0]!)).toBe(B);
    expectConverged(f, [A, B, C]);
    expectNoChange(converge(f, [A, B, C], { [BP]: "256M" }));
  });

  test("g: only the members whose value differs are restarted", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    for (const a of [A, B, C]) f.get(a).cnf[BP] = BP_256M;
    f.get(A).globals[BP] = BP_256M;
    f.get(B).globals[BP] = BP_256M;
    const r = converge(f, [A, B, C], { [BP]: "268435456" });
    expectOk(r);
    expect(mutations(r)).toEqual(["SQL db3:3306: RESTART"]);
  });

  test("g: a value that does not change across a restart (my.cnf not updated) stops the run", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    const r = converge(f, [A, B, C], { [BP]: "256M" });
    expect(r.error).toMatch(
      /^gamedb: after restarting db2:3306 still: innodb_buffer_pool_size is 134217728, wants 256M/,
    );
    expect(mutations(r)).toEqual(["SQL db2:3306: RESTART"]);
  });

  test("g: a one-member cluster restarts, then is rebooted from the outage its restart causes", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A], ADMIN);
    f.get(A).cnf[BP] = BP_256M;
    const r = converge(f, [A], { [BP]: "256M" });
    expectOk(r);
    expect(mutations(r)).toEqual(["SQL db1:3306: RESTART", "dba.rebootClusterFromCompleteOutage db1:3306"]);
    expect(f.get(A).globals[BP]).toBe(BP_256M);
    expectNoChange(converge(f, [A], { [BP]: "256M" }));
  });

  test("g: values compare in the server's form (128M is 134217728, ON is 1)", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    for (const a of [A, B, C]) f.get(a).globals.skip_name_resolve = "1";
    expectNoChange(converge(f, [A, B, C], { [BP]: "128M", skip_name_resolve: "ON" }));
  });

  test("allowCreate false: a shard whose every node was replaced (cluster on db1-3, config lists only new db4-6) is refused", () => {
    const f = fleetOf(D, E, F);
    f.buildCluster(NAME, [A, B, C], ADMIN);
    const r = converge(f, [D, E, F]);
    expect(r.error).toMatch(
      /^gamedb: no configured member holds cluster shard1 \(db4:3306, db5:3306, db6:3306 are all/,
    );
    expect(r.error).toMatch(/gamedb refuses to create a second one/);
    expect(r.error).toMatch(
      /Replacing every node of a shard in one edit is not supported: keep at least one existing member/,
    );
    expect(r.error).toContain("pulumi up --replace <urn>");
    expect(mutations(r)).toEqual([]);
    expect(f.groupsNamed(NAME)).toHaveLength(1);
    expect(f.membership(NAME)).toEqual({ [A]: "ONLINE", [B]: "ONLINE", [C]: "ONLINE" });
    for (const x of [D, E, F]) expect(f.get(x).gr).toBeNull();
  });

  test("allowCreate: an empty fleet is created only on the first run", () => {
    const f = fleetOf(A, B, C);
    const later = converge(f, [A, B, C]);
    expect(later.error).toMatch(/^gamedb: no configured member holds cluster shard1 .*refuses to create a second one/);
    expect(mutations(later)).toEqual([]);
    const first = converge(f, [A, B, C], {}, FIRST_RUN);
    expectOk(first);
    expect(mutations(first)[0]).toBe("dba.createCluster db1:3306");
    expectConverged(f, [A, B, C]);
    expectNoChange(converge(f, [A, B, C]));
  });

  test("allowCreate false: keeping one existing member in config, the new nodes join the cluster and the old ones leave", () => {
    const f = fleetOf(D, E);
    f.buildCluster(NAME, [A, B, C], ADMIN);
    const r = converge(f, [C, D, E]);
    expectOk(r);
    expect(mutations(r)).toEqual([
      "cluster.addInstance db4:3306",
      "cluster.addInstance db5:3306",
      "cluster.removeInstance db1:3306",
      "cluster.removeInstance db2:3306",
    ]);
    expectConverged(f, [C, D, E]);
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

  test("g: restart-only values per member: a member restarts only when its own values differ; a second run restarts nothing", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    // db2 moved to a larger instance type: its my.cnf carries 512M; db1 and db3 keep 256M. All run with 256M now.
    const want: PerMember = { [A]: { [BP]: "256M" }, [B]: { [BP]: "512M" }, [C]: { [BP]: "256M" } };
    for (const a of [A, B, C]) {
      f.get(a).globals[BP] = BP_256M;
      f.get(a).cnf[BP] = a === B ? "536870912" : BP_256M;
    }
    const r = convergePer(f, [A, B, C], want);
    expectOk(r);
    expect(mutations(r)).toEqual(["SQL db2:3306: RESTART"]);
    expect([A, B, C].map((a) => f.get(a).globals[BP])).toEqual([BP_256M, "536870912", BP_256M]);
    expectConverged(f, [A, B, C]);
    expectNoChange(convergePer(f, [A, B, C], want));
  });

  test("g: a member missing from restartVariables has nothing to compare", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    f.get(C).cnf[BP] = BP_256M;
    // db1 and db2 run with 128M and are not listed: never restarted. db3 is.
    const r = convergePer(f, [A, B, C], { [C]: { [BP]: "256M" } });
    expectOk(r);
    expect(mutations(r)).toEqual(["SQL db3:3306: RESTART"]);
    const reads = callsTo(r, "session.runSql").filter((c) => c.sql === `SELECT @@GLOBAL.${BP}`);
    expect(new Set(reads.map((c) => c.target))).toEqual(new Set([C]));
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

  // Generated states, and which of them cannot converge (so converge must stop with a gamedb: error):
  // - a desired node is down, unconfigured (no cluster admin account) or in another cluster (shard9);
  // - a desired node that must be added (it is not in the cluster) holds user schemas: clone would replace them;
  // - no desired node holds the cluster ("none": every node new; "replaced": the cluster lives only on db4-6) and
  //   allowCreate is false: converge refuses to create a second one. ("replaced" is generated only with allowCreate
  //   false: allowCreate is true only on the command's first run, when the shard has no nodes from before.)
  // - the group has lost quorum (an unwanted member crashed out of a two-member group): it needs forceQuorum by hand;
  // - a complete outage whose metadata lists an unwanted member that is down: the reboot is refused.
  // Every other generated state must converge: converge succeeds, and a rerun changes nothing.
  test("property: converge succeeds exactly when the state can converge, and stops with gamedb: otherwise", () => {
    const oneIn4 = fc.integer({ min: 0, max: 3 }).map((n) => n === 0);
    // At most one fault per node; most nodes have none.
    const fault = fc.oneof(
      { arbitrary: fc.constant("none" as const), weight: 20 },
      {
        arbitrary: fc.constantFrom("down" as const, "unconfigured" as const, "foreign" as const, "data" as const),
        weight: 4,
      },
    );
    const member = fc
      .record({ inCluster: fc.boolean(), missing: fc.boolean(), stale: fc.boolean(), big: fc.boolean(), fault })
      .map(({ fault: x, ...rest }) => ({
        ...rest,
        down: x === "down",
        unconfigured: x === "unconfigured",
        foreign: x === "foreign",
        data: x === "data",
      }));
    const seen = { converged: 0, refusedCreate: 0, failed: 0 };
    fc.assert(
      fc.property(
        fc.constantFrom("none", "replaced", "running", "outage"),
        fc.tuple(member, member, member),
        fc.boolean(),
        oneIn4,
        fc.boolean(),
        (state, flags, extra, extraDown, allowCreateFlag) => {
          const members: string[] = [A, B, C];
          const clusterOnDesired = state === "running" || state === "outage";
          const allowCreate = state === "replaced" ? false : allowCreateFlag;
          const foreign = flags.map((x) => x.foreign);
          if (foreign.every(Boolean)) foreign[1] = false;
          const inCluster = clusterOnDesired ? members.filter((_, i) => flags[i]!.inCluster && !foreign[i]) : [];
          if (clusterOnDesired && inCluster.length === 0) inCluster.push(members[foreign.indexOf(false)]!);
          const unconfigured = members.map((a, i) => flags[i]!.unconfigured && !foreign[i] && !inCluster.includes(a));
          const hasData = members.map((a, i) => flags[i]!.data && !foreign[i] && !inCluster.includes(a));
          // my.cnf of each node (instance types differ); the running value is stale (128M) or already right.
          const want = members.map((_, i) => (flags[i]!.big ? "536870912" : BP_256M));
          const restartVariables: PerMember = Object.fromEntries(
            members.map((a, i) => [a, { [BP]: flags[i]!.big ? "512M" : "256M" }]),
          );

          const f = new Fleet();
          members.forEach((a, i) =>
            f.add(a, {
              ...(unconfigured[i] ? { configured: false } : { admin: ADMIN }),
              globals: { [BP]: flags[i]!.stale ? "134217728" : want[i]! },
              cnf: { [BP]: want[i]! },
              schemas: hasData[i] ? ["game"] : [],
            }),
          );
          const foreignMembers = members.filter((_, i) => foreign[i]);
          if (foreignMembers.length > 0) f.buildCluster("shard9", foreignMembers, ADMIN);
          const withExtra = clusterOnDesired && extra;
          if (state === "replaced") f.buildCluster(NAME, [D, E, F], ADMIN);
          if (clusterOnDesired) {
            if (withExtra) f.add(D, { admin: ADMIN });
            f.buildCluster(NAME, withExtra ? [...inCluster, D] : inCluster, ADMIN);
            if (state === "outage") f.completeOutage(NAME);
            if (state === "running")
              members.forEach((a, i) => {
                if (inCluster.includes(a) && flags[i]!.missing) f.stopGroupReplication(a);
              });
          }
          members.forEach((a, i) => {
            if (flags[i]!.down) f.crash(a);
          });
          if (withExtra && extraDown) f.crash(D);

          const desiredOk = members.every((_, i) => !flags[i]!.down && !unconfigured[i] && !foreign[i]);
          const group = clusterOnDesired ? f.groupsNamed(NAME)[0] : undefined;
          const quorumLost = group !== undefined && !f.hasQuorum(group);
          const outageBlocked = state === "outage" && withExtra && extraDown;
          const refusesCreate = !clusterOnDesired && !allowCreate;
          // Data blocks only a node that must be cloned: not the seed a new cluster is created on.
          const dataBlocks = members.some((a, i) => hasData[i] && (clusterOnDesired || a !== members[0]));
          const canConverge = desiredOk && !refusesCreate && !dataBlocks && !quorumLost && !outageBlocked;
          const groupsBefore = f.groupsNamed(NAME).length;

          const r = convergePer(f, members, restartVariables, { allowCreate });
          if (r.error !== undefined) expect(r.error).toMatch(/^gamedb: /);
          expect({ canConverge, error: r.error }).toEqual({ canConverge, error: canConverge ? undefined : r.error });
          if (!canConverge) {
            expect(r.error).toBeDefined();
            expect(f.groupsNamed(NAME).length).toBeLessThanOrEqual(Math.max(1, groupsBefore));
            if (refusesCreate && desiredOk) {
              expect(r.error).toMatch(
                /^gamedb: no configured member holds cluster shard1 .*refuses to create a second one/,
              );
              expect(mutations(r)).toEqual([]);
              seen.refusedCreate++;
            } else seen.failed++;
            return;
          }
          seen.converged++;
          expect(f.groupsNamed(NAME)).toHaveLength(1);
          expectConverged(f, members);
          members.forEach((a, i) => expect(f.get(a).globals[BP]).toBe(want[i]));
          expectNoChange(convergePer(f, members, restartVariables, { allowCreate: false }));
        },
      ),
      { numRuns: 300, seed: 20240611 },
    );
    // The generator reaches every outcome, often.
    expect(seen.converged).toBeGreaterThan(50);
    expect(seen.refusedCreate).toBeGreaterThan(10);
    expect(seen.failed).toBeGreaterThan(50);
  });
});

// ---- join-member --------------------------------------------------------------------------------------------------

function joinParams(self: string, seed: string = A) {
  return { clusterName: NAME, seed, self, clusterAdmin: ADMIN.user, recoveryMethod: "clone" };
}

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

// ---- leave-member -------------------------------------------------------------------------------------------------

const leaveParams = (self: string) => ({ clusterName: NAME, self, clusterAdmin: ADMIN.user });

/** leave-member read its own state and stopped there: exit 0, nothing changed, dba.getCluster never called. */
function expectNotActive(r: RunResult, self: string): void {
  expectNoChange(r);
  expect(r.output).toContain(`gamedb: ${self} is not an active member of a group`);
  expect(callsTo(r, "dba.getCluster")).toEqual([]);
  const state = callsTo(r, "session.runSql").filter((c) => /replication_group_members/.test(c.sql ?? ""));
  expect(state.map((c) => c.target)).toEqual([self]);
}

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
    expect(r.output).toMatch(/gamedb: db1:3306 is the last member of cluster shard1: the cluster ends with its hosts/);
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

// ---- setup-accounts -----------------------------------------------------------------------------------------------

const accountsParams = (members: string[]) => ({
  clusterName: NAME,
  seed: members[0]!,
  members,
  clusterAdmin: ADMIN.user,
  accounts: { router: "gamedb_router", monitor: "gamedb_monitor", backup: "gamedb_backup" },
  accountHost: "%",
});

describe("setup-accounts", () => {
  test("creates the accounts once, on the primary, replicated to every member; a second run changes nothing", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [B, A, C], ADMIN); // db2 is the primary
    const r = run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS);
    expectOk(r);
    expect(mutations(r)).toEqual([
      "cluster.setupRouterAccount db1:3306",
      "SQL db2:3306: CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?",
      "SQL db2:3306: GRANT PROCESS, REPLICATION CLIENT ON *.* TO ?@?",
      "SQL db2:3306: GRANT SELECT ON performance_schema.* TO ?@?",
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
      expect([...backup.grants].sort()).toEqual(
        ["BACKUP_ADMIN", "EVENT", "PROCESS", "RELOAD", "REPLICATION CLIENT", "SELECT", "SHOW VIEW", "TRIGGER"].map(
          (p) => `${p} ON *.*`,
        ),
      );
    }
    expectNoChange(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
  });

  test("changes only what differs: a new router password (update: true), a new monitor password, a missing grant", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    expectOk(run(f, A, "setup-accounts", accountsParams([A, B, C]), ACCOUNT_SECRETS));
    for (const a of [A, B, C])
      f.get(a).users.get(userKey("gamedb_monitor", "%"))!.grants.delete("SELECT ON performance_schema.*");
    const rotated = { ...ACCOUNT_SECRETS, routerPassword: "rtr-Secret-NEW-9d1", monitorPassword: "mon-Secret-NEW-3c7" };
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
    expect(f.get(C).users.get(userKey("gamedb_monitor", "%"))!.secondaryPassword).toBe(ACCOUNT_SECRETS.monitorPassword);
    expectNoChange(run(f, A, "setup-accounts", accountsParams([A, B, C]), rotated));
  });

  test("no reachable cluster: stops and says to converge first", () => {
    const f = fleetOf(A, B);
    const r = run(f, A, "setup-accounts", accountsParams([A, B]), ACCOUNT_SECRETS);
    expect(r.error).toMatch(/^gamedb: cluster shard1 cannot be reached .*Run the shard's converge step first/);
    expect(mutations(r)).toEqual([]);
  });
});

// ---- configure-instance -------------------------------------------------------------------------------------------

const configureParams = (self: string, dynamicVariables: Record<string, string> = {}) => ({
  self,
  clusterAdmin: ADMIN.user,
  dynamicVariables,
});

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
      "SQL db1:3306: GRANT EVENT, SHOW VIEW, TRIGGER, BACKUP_ADMIN ON *.* TO ?@? WITH GRANT OPTION",
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

// ---- secrets ------------------------------------------------------------------------------------------------------

describe("secrets", () => {
  test("no secret appears in printed output, in error messages or in any runSql SQL text", () => {
    expect(runs.length).toBeGreaterThan(20);
    for (const r of runs) {
      for (const secret of ALL_SECRETS.concat(["rtr-Secret-NEW-9d1", "mon-Secret-NEW-3c7"])) {
        expect(r.output).not.toContain(secret);
        expect(r.error ?? "").not.toContain(secret);
        for (const c of r.calls) {
          if (c.sql !== undefined) expect(c.sql).not.toContain(secret);
          expect(c.error ?? "").not.toContain(secret);
        }
      }
    }
  });
});
