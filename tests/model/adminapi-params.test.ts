/**
 * Params that must be objects (createOptions, dynamicVariables, accounts) are checked as such before anything is
 * touched, naming the field: the type check of the scripts (infra/mysql/adminapi/tsconfig.json) found them read
 * without a check (`P.x || {}`). Run against both Shell releases the model imitates.
 */
import { Fleet, MODEL_SHELL_VERSIONS, mutations, runAdminApi } from "./adminapi";

const ADMIN = { user: "gamedb_admin", password: "adm-Secret-93d1" };
const SECRETS = { clusterAdminPassword: ADMIN.password };
const [A, B] = ["db1:3306", "db2:3306"] as const;

describe.each(MODEL_SHELL_VERSIONS)("against the model of MySQL Shell %s", (shell) => {
  const fleet = () => {
    const f = new Fleet();
    f.add(A, { admin: ADMIN });
    f.add(B, { admin: ADMIN });
    return f;
  };

  test.each([["a string"], [["x"]]])("converge-cluster: createOptions %j is refused, naming the field", (bad) => {
    const f = fleet();
    const params = {
      clusterName: "shard1",
      seed: A,
      members: [A, B],
      clusterAdmin: ADMIN.user,
      createOptions: bad,
      recoveryMethod: "clone",
      allowCreate: true,
      restartVariables: {},
    };
    const r = runAdminApi(f, A, "converge-cluster", params, SECRETS, shell);
    expect(r.error).toBe("gamedb: params.createOptions must be an object { name: value }.");
    expect(r.calls.filter((c) => c.api.startsWith("dba.") || c.api.startsWith("shell."))).toEqual([]);
  });

  test("configure-instance: dynamicVariables that is not an object is refused, naming the field", () => {
    const f = fleet();
    const params = { self: A, clusterAdmin: ADMIN.user, dynamicVariables: "max_connections=500" };
    const r = runAdminApi(f, A, "configure-instance", params, SECRETS, shell);
    expect(r.error).toBe("gamedb: params.dynamicVariables must be an object { name: value }.");
    expect(mutations(r)).toEqual([]);
  });

  test("setup-accounts: accounts that is not an object is refused, naming the field", () => {
    const f = fleet();
    f.buildCluster("shard1", [A, B], ADMIN);
    const params = { clusterName: "shard1", seed: A, members: [A, B], clusterAdmin: ADMIN.user, accounts: "gamedb" };
    const secrets = { ...SECRETS, routerPassword: "rtr-Secret-77", monitorPassword: "mon-Secret-88" };
    const r = runAdminApi(f, A, "setup-accounts", { ...params, accountHost: "%" }, secrets, shell);
    expect(r.error).toBe("gamedb: params.accounts must be an object { name: value }.");
    expect(mutations(r)).toEqual([]);
  });
});
