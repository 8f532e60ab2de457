/**
 * The gamedb AdminAPI scripts (infra/mysql/adminapi), run as the exact text sent to hosts, under Node's vm module
 * against a MODEL of the MySQL Shell AdminAPI over a model fleet (tests/model/adminapi). The model is not MySQL: it
 * checks the scripts' logic (which AdminAPI calls, in which order, under which preconditions), idempotence and
 * secret handling, not MySQL's behaviour itself.
 */
import * as vm from "vm";
import * as fc from "fast-check";
import { ADMINAPI_SCRIPTS, adminApiScript } from "../../infra/mysql/adminapi";
import { Fleet, ModelApi, RunResult, mutations, runAdminApi, userKey } from "./adminapi";
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

function convergeParams(members: string[], restartVariables: Record<string, string> = {}, seed = members[0]!) {
  return {
    clusterName: NAME,
    seed,
    members,
    clusterAdmin: ADMIN.user,
    createOptions: CREATE_OPTIONS,
    recoveryMethod: "clone",
    restartVariables,
  };
}

function converge(fleet: Fleet, members: string[], restartVariables: Record<string, string> = {}): RunResult {
  return run(fleet, members[0]!, "converge-cluster", convergeParams(members, restartVariables), SECRETS);
}

/** A fleet of configured standalone instances with the cluster admin account. */
function fleetOf(...addresses: string[]): Fleet {
  const f = new Fleet();
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
  test("lists the five scripts; each is common.js, a newline, then the script", () => {
    expect([...ADMINAPI_SCRIPTS]).toEqual([
      "configure-instance",
      "converge-cluster",
      "join-member",
      "leave-member",
      "setup-accounts",
    ]);
    const common = adminApiScript("join-member").split("\n// join-member:")[0]!;
    for (const name of ADMINAPI_SCRIPTS) {
      const text = adminApiScript(name);
      expect(text.startsWith(common)).toBe(true);
      expect(text).toContain(`gamedbMain("${name}"`);
    }
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
  const api = new ModelApi({ fleet, localAddress: local, files: new Map(), argv: [], calls: [], output: [] });
  const ctx = vm.createContext({ ...api.globals(), admin: { ...ADMIN, scheme: "mysql" } });
  try {
    return { value: new vm.Script(code).runInContext(ctx) };
  } catch (e) {
    const err = e as { message?: string; code?: number };
    return { error: String(err.message), code: err.code };
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
    expect(modelEval(g, A, `${c} c.removeInstance("${C}")`).error).toMatch(/not reachable/);
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
  test("a: nothing exists: createCluster on the seed, then addInstance one member at a time with recoveryMethod clone", () => {
    const f = fleetOf(A, B, C);
    f.get(B).recoveryTicks = 2;
    f.get(C).recoveryTicks = 2;
    const r = converge(f, [A, B, C]);
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
    const r = converge(f, [A]);
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
    expect(f.get(D).metadata).toBeNull();
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

  test("rejects bad params before touching anything", () => {
    const f = fleetOf(A, B);
    const bad = [
      { ...convergeParams([A, B]), seed: C },
      { ...convergeParams([A, B]), recoveryMethod: "auto" },
      { ...convergeParams([A, B]), members: [A, "db2"] },
      { ...convergeParams([A, B]), restartVariables: { "x; DROP": "1" } },
    ];
    for (const p of bad) {
      const r = run(f, A, "converge-cluster", p, SECRETS);
      expect(r.error).toMatch(/^gamedb: params\./);
      expect(mutations(r)).toEqual([]);
    }
    const noSecret = run(f, A, "converge-cluster", convergeParams([A, B]), {});
    expect(noSecret.error).toMatch(/^gamedb: secrets\.clusterAdminPassword is missing/);
  });

  test("property: from random start states, converge ends converged (and a rerun changes nothing) or stops with gamedb:", () => {
    const oneIn4 = fc.integer({ min: 0, max: 3 }).map((n) => n === 0);
    const member = fc.record({ inCluster: fc.boolean(), missing: fc.boolean(), down: oneIn4, stale: fc.boolean() });
    fc.assert(
      fc.property(
        fc.constantFrom("none", "running", "outage"),
        fc.tuple(member, member, member),
        fc.boolean(),
        oneIn4,
        (state, flags, extra, extraDown) => {
          const members: string[] = [A, B, C];
          const f = new Fleet();
          members.forEach((a, i) =>
            f.add(a, {
              admin: ADMIN,
              globals: { [BP]: flags[i]!.stale ? "134217728" : BP_256M },
              cnf: { [BP]: BP_256M },
            }),
          );
          if (extra) f.add(D, { admin: ADMIN, globals: { [BP]: BP_256M } });
          if (state !== "none") {
            // At least one desired member holds the cluster: a cluster only on hosts outside params.members cannot
            // be found (the script knows no other addresses) and is out of this property's scope.
            const inCluster = members.filter((_, i) => flags[i]!.inCluster);
            if (inCluster.length === 0) inCluster.push(B);
            if (extra) inCluster.push(D);
            f.buildCluster(NAME, inCluster, ADMIN);
            if (state === "outage") f.completeOutage(NAME);
            members.forEach((a, i) => {
              if (state === "running" && flags[i]!.inCluster && flags[i]!.missing) f.stopGroupReplication(a);
            });
          }
          members.forEach((a, i) => {
            if (flags[i]!.down) f.crash(a);
          });
          if (extra && extraDown) f.crash(D);

          const r = converge(f, members, { [BP]: "256M" });
          expect(f.groupsNamed(NAME).length).toBeLessThanOrEqual(1);
          if (r.error !== undefined) {
            expect(r.error).toMatch(/^gamedb: /);
            return;
          }
          expectConverged(f, members);
          for (const a of members) expect(f.get(a).globals[BP]).toBe(BP_256M);
          expectNoChange(converge(f, members, { [BP]: "256M" }));
        },
      ),
      { numRuns: 200, seed: 20240611 },
    );
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

const leaveParams = (self: string) => ({ clusterName: NAME, self });

describe("leave-member", () => {
  test("an instance in no cluster: nothing to do", () => {
    const f = fleetOf(D);
    const r = run(f, D, "leave-member", leaveParams(D), {});
    expectNoChange(r);
    expect(r.output).toMatch(/not in a cluster; nothing to do/);
  });

  test("a secondary with the cluster admin password: removeInstance(self); a second run changes nothing", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    const r = run(f, C, "leave-member", leaveParams(C), SECRETS);
    expectOk(r);
    expect(mutations(r)).toEqual(["cluster.removeInstance db3:3306"]);
    expectConverged(f, [A, B]);
    expectNoChange(run(f, C, "leave-member", leaveParams(C), SECRETS));
  });

  test("without secrets: the primary removes itself over the local socket; a secondary is refused with what to do", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    const sec = run(f, C, "leave-member", leaveParams(C), {});
    expect(sec.error).toMatch(/^gamedb: cannot remove db3:3306 as root over the local socket: it is not the primary/);
    expect(mutations(sec)).toEqual([]);
    const prim = run(f, A, "leave-member", leaveParams(A), {});
    expectOk(prim);
    expect(mutations(prim)).toEqual(["cluster.removeInstance db1:3306"]);
    expectConverged(f, [B, C]);
  });

  test("never the last member", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A], ADMIN);
    const r = run(f, A, "leave-member", leaveParams(A), SECRETS);
    expect(r.error).toMatch(/^gamedb: refusing to remove db1:3306: it is the last member of cluster shard1/);
    expect(mutations(r)).toEqual([]);
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

  test("a member whose Group Replication is stopped cannot remove itself: says what to do", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    f.stopGroupReplication(C);
    const r = run(f, C, "leave-member", leaveParams(C), SECRETS);
    expect(r.error).toMatch(/^gamedb: Group Replication is stopped on db3:3306.*removeInstance\('db3:3306'\)/);
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
      "SQL db2:3306: CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?",
      "SQL db2:3306: GRANT SELECT, RELOAD, PROCESS, EVENT, SHOW VIEW, TRIGGER, REPLICATION CLIENT, REPLICATION SLAVE, BACKUP_ADMIN ON *.* TO ?@?",
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
      expect(users.get(userKey("gamedb_backup", "%"))!.grants.has("BACKUP_ADMIN ON *.*")).toBe(true);
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
      "SQL db1:3306: ALTER USER ?@? IDENTIFIED BY ?",
      "SQL db1:3306: GRANT SELECT ON performance_schema.* TO ?@?",
    ]);
    expect(callsTo(r, "cluster.setupRouterAccount")[0]!.args[1]).toEqual({
      password: rotated.routerPassword,
      update: true,
    });
    expect(f.get(C).users.get(userKey("gamedb_monitor", "%"))!.password).toBe(rotated.monitorPassword);
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
  test("a fresh instance: SET PERSIST what differs, configureInstance with restart and the admin account; then nothing", () => {
    const f = new Fleet();
    f.add(A, { configured: false, configureNeedsRestart: true, restartTicks: 2 });
    const vars = { max_connections: "500", binlog_expire_logs_seconds: "604800", super_read_only: "OFF" };
    const r = run(f, A, "configure-instance", configureParams(A, vars), SECRETS);
    expectOk(r);
    expect(mutations(r)).toEqual([
      "SQL db1:3306: SET PERSIST max_connections = ?",
      "SQL db1:3306: SET PERSIST binlog_expire_logs_seconds = ?",
      "dba.configureInstance db1:3306",
    ]);
    expect(callsTo(r, "session.runSql").find((c) => c.sql?.startsWith("SET PERSIST max"))!.args[1]).toEqual([500]);
    expect(callsTo(r, "dba.configureInstance")[0]!.args).toEqual([
      null,
      { restart: true, clusterAdmin: ADMIN.user, clusterAdminPassword: "****" },
    ]);
    const inst = f.get(A);
    expect(inst.configured).toBe(true);
    expect(inst.users.get(userKey(ADMIN.user, "%"))!.password).toBe(ADMIN.password);
    expect(inst.globals.max_connections).toBe("500");
    expect(inst.cnf.max_connections).toBe("500");
    expectNoChange(run(f, A, "configure-instance", configureParams(A, vars), SECRETS));
  });

  test("configured with the admin account: only checks", () => {
    const f = fleetOf(A);
    const r = run(f, A, "configure-instance", configureParams(A, { max_connections: "151" }), SECRETS);
    expectNoChange(r);
    expect(callsTo(r, "dba.checkInstanceConfiguration")).toHaveLength(1);
  });

  test("the admin account exists but the instance needs configuration: no clusterAdminPassword is passed", () => {
    const f = fleetOf(A);
    f.get(A).configured = false;
    const r = run(f, A, "configure-instance", configureParams(A), SECRETS);
    expectOk(r);
    expect(callsTo(r, "dba.configureInstance")[0]!.args).toEqual([null, { restart: true }]);
  });

  test("an ONLINE member: dynamic variables still applied, no instance check", () => {
    const f = fleetOf();
    f.buildCluster(NAME, [A, B, C], ADMIN);
    const r = run(f, B, "configure-instance", configureParams(B, { max_connections: "300" }), SECRETS);
    expectOk(r);
    expect(mutations(r)).toEqual(["SQL db2:3306: SET PERSIST max_connections = ?"]);
    expect(callsTo(r, "dba.checkInstanceConfiguration")).toHaveLength(0);
    expectNoChange(run(f, B, "configure-instance", configureParams(B, { max_connections: "300" }), SECRETS));
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
