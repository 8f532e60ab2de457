/**
 * GDB-MYSQL-001 (MySQL requires secure transport) and GDB-MYSQL-002 (the Router connects to the servers with
 * verified TLS): the readers of a configure step's my.cnf and of the Router start script, the shipped stacks, and
 * fixtures that break each rule.
 */
import { RULES } from "../../policy/rules";
import { configureStepMycnf, mycnfTlsProblems, routerTlsProblems } from "../../policy/rules/mysql";
import { checkPlanDocument } from "../../scripts/lib/policyPlan";
import { ROUTER_BOOTSTRAP_SCRIPT } from "../../infra/mysql/router";
import { copyOf, res, shippedPlan } from "./fixtures";

const IDS = ["GDB-MYSQL-001", "GDB-MYSQL-002"];
const COMMAND = "command:remote:Command";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const violationsOf = (doc: Parameters<typeof checkPlanDocument>[0]) =>
  checkPlanDocument(doc).violations.filter((v) => IDS.includes(v.ruleId));

describe("MySQL rules", () => {
  it("are registered, with no checkov or FSBP id (theirs read managed services only)", () => {
    expect(RULES.filter((r) => IDS.includes(r.id)).map((r) => [r.id, r.checkov, r.fsbp])).toEqual([
      ["GDB-MYSQL-001", [], []],
      ["GDB-MYSQL-002", [], []],
    ]);
  });

  it.each(["dev", "prod"] as const)("pass on the shipped %s stack, having read every configure step", async (stack) => {
    const doc = await shippedPlan(stack);
    const configures = doc.resources.filter((r) => r.type === COMMAND && r.name.endsWith("-configure"));
    expect(configures.length).toBeGreaterThan(0);
    for (const c of configures)
      expect(configureStepMycnf(String(c.inputs.create))?.get("require_secure_transport")).toBe("ON");
    expect(violationsOf(doc)).toEqual([]);
  });

  it("read only configure steps: another command's text is not a my.cnf", async () => {
    const doc = await shippedPlan("dev");
    expect(configureStepMycnf(String(res(doc, COMMAND, "shard1-converge").inputs.create))).toBeUndefined();
    expect(mycnfTlsProblems(new Map())).toEqual([
      "require_secure_transport is not set, not ON",
      "ssl_ca is not set",
      "ssl_cert is not set",
      "ssl_key is not set",
    ]);
  });

  it.each([
    ["switched off", "require_secure_transport = OFF", "my.cnf: require_secure_transport is OFF, not ON"],
    ["left out", "", "my.cnf: require_secure_transport is not set, not ON"],
  ])("fail a member whose my.cnf has require_secure_transport %s, naming the rule", async (_what, line, reason) => {
    const doc = copyOf(await shippedPlan("prod"));
    const cmd = res(doc, COMMAND, "shard2-node1-configure");
    cmd.inputs.create = String(cmd.inputs.create).replace(/^require_secure_transport = ON$/m, line);
    const found = violationsOf(doc);
    expect(found.map((v) => [v.ruleId, v.urn, v.reason])).toEqual([["GDB-MYSQL-001", cmd.urn, reason]]);
  });

  it("fail a member without its certificate files", async () => {
    const doc = copyOf(await shippedPlan("dev"));
    const cmd = res(doc, COMMAND, "shard1-node0-configure");
    cmd.inputs.create = String(cmd.inputs.create).replace(/^ssl_key = .*$/m, "");
    expect(violationsOf(doc).map((v) => [v.ruleId, v.reason])).toEqual([
      ["GDB-MYSQL-001", "my.cnf: ssl_key is not set"],
    ]);
  });

  it("accept the Router script gamedb ships and say what a script without TLS to the servers lacks", () => {
    expect(routerTlsProblems(ROUTER_BOOTSTRAP_SCRIPT)).toEqual([]);
    expect(routerTlsProblems("mysqlrouter --bootstrap x@h:3306 --directory d\n# --server-ssl-mode REQUIRED\n")).toEqual(
      [
        "--server-ssl-mode is not given (AS_CLIENT, PREFERRED after bootstrap), not REQUIRED",
        "--server-ssl-verify is not given (DISABLED), not VERIFY_CA or VERIFY_IDENTITY",
        "--server-ssl-ca is not given",
      ],
    );
    expect(
      routerTlsProblems("--server-ssl-mode PREFERRED --server-ssl-verify VERIFY_CA --server-ssl-ca /ca.pem"),
    ).toEqual(["--server-ssl-mode is PREFERRED, not REQUIRED"]);
  });

  it("fail the Routers' ConfigMap whose script routes without verified TLS, naming the rule", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    const cm = res(doc, CONFIGMAP, "gamedb-router-bootstrap");
    const data = cm.inputs.data as Record<string, string>;
    // Every occurrence, the comments' too: the rule reads only the commands.
    data["bootstrap.sh"] = data["bootstrap.sh"]!.split("--server-ssl-verify VERIFY_IDENTITY").join(
      "--server-ssl-verify DISABLED",
    );
    expect(violationsOf(doc).map((v) => [v.ruleId, v.urn, v.reason])).toEqual([
      ["GDB-MYSQL-002", cm.urn, "bootstrap.sh: --server-ssl-verify is DISABLED, not VERIFY_CA or VERIFY_IDENTITY"],
    ]);
  });
});
