/**
 * GDB-K8S-005 and GDB-K8S-006 over real plans: the shipped stacks pass, each fixture (networkPolicyFixtures.ts)
 * fails naming the rule, the workload and the reason, and what the rules must leave alone.
 */
import { checkPlanDocument } from "../../scripts/lib/policyPlan";
import { RULES } from "../../policy/rules";
import { copyOf, res, resource, shippedPlan } from "./fixtures";
import { NETWORK_POLICY, NETWORK_POLICY_FIXTURES, policySpec } from "./networkPolicyFixtures";

const IDS = ["GDB-K8S-005", "GDB-K8S-006"];
const violationsOf = (doc: Parameters<typeof checkPlanDocument>[0]) =>
  checkPlanDocument(doc).violations.filter((v) => IDS.includes(v.ruleId));

describe("NetworkPolicy rules", () => {
  it("are registered, GDB-K8S-005 with checkov's CKV2_K8S_6 (no checkov check covers 006)", () => {
    const rules = RULES.filter((r) => IDS.includes(r.id));
    expect(rules.map((r) => [r.id, r.checkov, r.fsbp])).toEqual([
      ["GDB-K8S-005", ["CKV2_K8S_6"], []],
      ["GDB-K8S-006", [], []],
    ]);
  });

  it.each(["dev", "prod"] as const)("pass on the shipped %s stack", async (stack) => {
    expect(violationsOf(await shippedPlan(stack))).toEqual([]);
  });

  it("have a fixture each", () => {
    expect(new Set(NETWORK_POLICY_FIXTURES.map((f) => f.rule))).toEqual(new Set(IDS));
  });

  it.each(NETWORK_POLICY_FIXTURES.map((f) => [f.rule, f.what, f] as const))(
    "%s fails when %s",
    async (ruleId, _what, fixture) => {
      const base = await shippedPlan("prod");
      const doc = copyOf(base);
      const urn = fixture.breakIt(doc);
      const found = checkPlanDocument(doc).violations.filter((v) => v.ruleId === ruleId && v.urn === urn);
      expect(found.map((v) => v.reason)).toContainEqual(expect.stringMatching(fixture.reason));
      expect(checkPlanDocument(base).violations.filter((v) => v.ruleId === ruleId && v.urn === urn)).toEqual([]);
    },
  );

  it("leave open ingress to ports that are not database ports alone (the worker's metrics, a mover's status)", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    resource(doc, NETWORK_POLICY, "metrics-from-anywhere", {
      metadata: { name: "metrics-from-anywhere", namespace: "gamedb" },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "monitor" } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 9464 }] }],
      },
    });
    // A named port that is not a database port, and a range below them, on the Redis pods.
    policySpec(doc, "redis").ingress.push(
      { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: "status" }] },
      { ports: [{ port: 1, endPort: 6378 }] },
    );
    expect(violationsOf(doc)).toEqual([]);
  });

  it("read a named port and a port range as covering the database port they include", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    policySpec(doc, "redis").ingress.push(
      { from: [{ namespaceSelector: {} }], ports: [{ port: "bus" }] },
      { ports: [{ port: 6000, endPort: 6400 }] },
    );
    const reasons = violationsOf(doc).map((v) => v.reason);
    expect(reasons).toEqual([
      "NetworkPolicy gamedb-redis-ingress ingress[2] (ports 16379) from[0] admits pods of every namespace (namespaceSelector {})",
      "NetworkPolicy gamedb-redis-ingress ingress[3] (ports 6379) has no from: it admits every pod and address",
    ]);
    expect(new Set(violationsOf(doc).map((v) => v.urn))).toEqual(
      new Set([res(doc, "kubernetes:apps/v1:StatefulSet", "gamedb-redis").urn]),
    );
  });

  it("accept game namespaces selected by name with In, and deny-only pods that admit nobody", async () => {
    const doc = copyOf(await shippedPlan("prod"));
    policySpec(doc, "routers").ingress[0].from[0] = {
      namespaceSelector: {
        matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["game-servers", "lobby"] }],
      },
    };
    // Only the default deny selects Redis now: nobody reaches it, which admits no unnamed source.
    policySpec(doc, "redis").podSelector = { matchLabels: { "app.kubernetes.io/name": "nothing" } };
    expect(violationsOf(doc)).toEqual([]);
  });
});
