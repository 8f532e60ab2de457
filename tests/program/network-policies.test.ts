/**
 * The NetworkPolicies of the gamedb namespace under Pulumi's mock runtime: the exact resources and specs, the deny
 * declared after the allows, which of the program's own pods each policy selects and admits (read from the pod
 * templates the program declares, so a relabelled workload fails here), and what a config edit changes.
 */
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans } from "../../scripts/lib/planDiff";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { networkPolicySpecs } from "../../infra/kubernetes/networkPolicies";
import { stackOf } from "../helpers/stack";
import { planOf, resourceOf as get } from "../helpers/plan";
import { validProd } from "../helpers/configs";

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const COMPONENT = "gamedb:kubernetes:NetworkPolicies";
const KEYS = ["routers", "redis", "default-deny"];

const policies = (doc: PlanDocument) => doc.resources.filter((r) => r.type === POLICY);
const policy = (doc: PlanDocument, key: string) => get(doc, POLICY, `gamedb-network-policies-${key}`);

/** Label-selector semantics, as the API server applies them (matchLabels and In are all the program writes). */
function selects(selector: Any, labels: Record<string, string>): boolean {
  const pairs = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const exprs = (selector.matchExpressions ?? []).every((e: Any) => {
    if (e.operator !== "In") throw new Error(`operator ${e.operator} not modelled here`);
    return e.values.includes(labels[e.key]);
  });
  return pairs && exprs;
}

/** Every workload's pod template labels, by `type name`. */
function podLabels(doc: PlanDocument): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  for (const r of doc.resources) {
    const i = r.inputs as Any;
    const template =
      r.type === "kubernetes:batch/v1:CronJob"
        ? i.spec.jobTemplate.spec.template
        : ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:batch/v1:Job"].includes(
              r.type,
            )
          ? i.spec.template
          : undefined;
    if (template)
      out.set(`${r.type.split(":").at(-1)} ${r.name}`.replace(/-[0-9a-f]{10}$/, "-<digest>"), template.metadata.labels);
  }
  return out;
}

/** The workloads whose pods a policy selects, and those its gamedb-namespace peers (no namespaceSelector) admit. */
function reach(doc: PlanDocument, p: PlannedResource) {
  const spec = (p.inputs as Any).spec;
  const pods = [...podLabels(doc)];
  const ownPeers = (spec.ingress ?? []).flatMap((rule: Any) => rule.from.filter((f: Any) => !f.namespaceSelector));
  return {
    selected: pods.filter(([, l]) => selects(spec.podSelector, l)).map(([w]) => w),
    admitted: pods.filter(([, l]) => ownPeers.some((f: Any) => selects(f.podSelector, l))).map(([w]) => w),
  };
}

/** The prod stack file with a provisioning shard 5 and a move onto it: movers and the gate run too. */
function prodWithMove(): Record<string, Any> {
  const doc = parse(readFileSync(join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")).config as Any;
  const raw = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^gamedb:/, ""), v])) as Any;
  raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" });
  raw.slotMoves = {
    image: "registry.example.com/gamedb/gamedb-mover:0.1.0",
    moves: [{ id: 7, slots: "14336-16383", from: 4, to: 5, phase: "copy" }],
  };
  return raw;
}

describe("NetworkPolicies (prod)", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await planOf("prod");
  });

  it("declares one component and exactly the Routers', Redis' and default-deny policies in the gamedb namespace", () => {
    const component = get(doc, COMPONENT, "gamedb-network-policies");
    expect(policies(doc).map((r) => r.name)).toEqual(KEYS.map((k) => `gamedb-network-policies-${k}`));
    for (const r of policies(doc)) {
      expect(r.parent).toBe(component.urn);
      expect((r.inputs as Any).metadata).toMatchObject({ namespace: "gamedb" });
    }
    const expected = networkPolicySpecs({
      gameNamespaces: ["game-servers"],
      redisOnKubernetes: true,
      prometheusOperator: false,
    });
    expect(policies(doc).map((r) => [(r.inputs as Any).metadata.name, (r.inputs as Any).spec])).toEqual(
      expected.map((p) => [p.name, p.spec]),
    );
  });

  it("admits the game-servers namespace by its name label, and declares the deny after both allows", () => {
    for (const key of ["routers", "redis"])
      expect((policy(doc, key).inputs as Any).spec.ingress[0].from[0]).toEqual({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "game-servers" } },
      });
    expect((policy(doc, "default-deny").inputs as Any).spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    expect(policy(doc, "default-deny").options.dependsOn).toEqual([
      policy(doc, "routers").urn,
      policy(doc, "redis").urn,
    ]);
    expect(policy(doc, "routers").options.dependsOn).toEqual([]);
  });
});

describe("which of the program's pods each policy selects and admits (prod with a slot move)", () => {
  let doc: PlanDocument;
  beforeAll(async () => {
    doc = await evaluate(stackOf(prodWithMove(), "prod"));
  });

  it("selects every shard's Routers, and admits the migration, partition, mover and gate pods", () => {
    const routers = reach(doc, policy(doc, "routers"));
    expect(routers.selected).toEqual([1, 2, 3, 4, 5].map((id) => `Deployment shard${id}-router`));
    expect([...routers.admitted].sort()).toEqual([
      "CronJob gamedb-partitions",
      "Deployment gamedb-move-7",
      "Job gamedb-migrate-<digest>",
      "Job gamedb-slotmap-gate-<digest>",
    ]);
  });

  it("selects the Redis StatefulSet, and admits the controller Jobs, the worker and the Redis pods themselves", () => {
    const redis = reach(doc, policy(doc, "redis"));
    expect(redis.selected).toEqual(["StatefulSet gamedb-redis"]);
    expect([...redis.admitted].sort()).toEqual(
      [
        "Deployment gamedb-monitor",
        "Job gamedb-redis-drain",
        "Job gamedb-redis-reconcile",
        "StatefulSet gamedb-redis",
      ].sort(),
    );
  });

  it("leaves restore verification admitted nowhere, and puts every pod of the namespace under the deny", () => {
    const admitted = ["routers", "redis"].flatMap((k) => reach(doc, policy(doc, k)).admitted);
    expect(admitted).not.toContain("CronJob gamedb-restore-verify");
    expect(podLabels(doc).has("CronJob gamedb-restore-verify")).toBe(true);
    expect(reach(doc, policy(doc, "default-deny")).selected).toEqual([...podLabels(doc).keys()]);
  });
});

describe("config edits", () => {
  it("an empty gameNamespaces keeps the deny and admits only gamedb's own programs", async () => {
    const raw = validProd();
    raw.kubernetes = { ...raw.kubernetes, gameNamespaces: [] };
    const doc = await evaluate(stackOf(raw, "prod"));
    expect(policies(doc).map((r) => r.name)).toEqual(KEYS.map((k) => `gamedb-network-policies-${k}`));
    expect((policy(doc, "default-deny").inputs as Any).spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    for (const key of ["routers", "redis"])
      for (const peer of (policy(doc, key).inputs as Any).spec.ingress[0].from)
        expect(peer.namespaceSelector).toBeUndefined();
  });

  it("adding a game namespace updates the two allows in place and nothing else", async () => {
    const raw = validProd();
    const base = await evaluate(stackOf(raw, "prod"));
    raw.kubernetes = { ...raw.kubernetes, gameNamespaces: ["game-servers", "game-lobby"] };
    const diff = diffPlans(base, await evaluate(stackOf(raw, "prod")));
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    expect(diff.changed.map((c) => [c.name, c.inputs, c.options])).toEqual([
      ["gamedb-network-policies-routers", ["spec"], []],
      ["gamedb-network-policies-redis", ["spec"], []],
    ]);
  });

  it("with ElastiCache declares only the Routers' policy and the deny", async () => {
    const raw = validProd();
    raw.redis = { engine: "elasticache", masters: 3, replicasPerMaster: 2 };
    const doc = await evaluate(stackOf(raw, "prod"));
    expect(policies(doc).map((r) => r.name)).toEqual([
      "gamedb-network-policies-routers",
      "gamedb-network-policies-default-deny",
    ]);
    expect(policy(doc, "default-deny").options.dependsOn).toEqual([policy(doc, "routers").urn]);
  });

  it("with the Prometheus Operator lets other namespaces scrape the worker's port 9464", async () => {
    const raw = validProd();
    raw.monitoring = { ...raw.monitoring, prometheusOperator: true };
    const doc = await evaluate(stackOf(raw, "prod"));
    const metrics = policy(doc, "monitor-metrics");
    expect((metrics.inputs as Any).spec.ingress).toEqual([
      { from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 9464 }] },
    ]);
    expect(reach(doc, metrics).selected).toEqual(["Deployment gamedb-monitor"]);
    expect(policy(doc, "default-deny").options.dependsOn).toContain(metrics.urn);
  });

  it("a namespace of another name puts the policies there", async () => {
    const raw = validProd();
    raw.kubernetes = { ...raw.kubernetes, namespace: "games", createNamespace: false };
    const doc = await evaluate(stackOf(raw, "prod"));
    for (const r of policies(doc)) expect((r.inputs as Any).metadata.namespace).toBe("games");
  });
});
