/**
 * The NetworkPolicy spec builders (infra/kubernetes/networkPolicies.ts), pure: which policies exist for which
 * config, exact specs, game namespaces by name label only, and no ingress rule that admits every source.
 */
import {
  COMPONENTS,
  NetworkPolicyInputs,
  gameNamespacePeers,
  networkPolicySpecs,
} from "../../infra/kubernetes/networkPolicies";

const BASE: NetworkPolicyInputs = {
  gameNamespaces: ["game-servers"],
  redisOnKubernetes: true,
  prometheusOperator: false,
};
const GAMEDB = { "app.kubernetes.io/part-of": "gamedb" };
const of = (component: string) => ({ matchLabels: { "app.kubernetes.io/name": component, ...GAMEDB } });
const own = (...components: string[]) => ({
  podSelector: {
    matchLabels: GAMEDB,
    matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: components }],
  },
});
const namespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
const byKey = (inputs: NetworkPolicyInputs) => Object.fromEntries(networkPolicySpecs(inputs).map((p) => [p.key, p]));

describe("networkPolicySpecs", () => {
  it("admits the game namespaces and the migration, partition, mover and gate pods to the Routers' client ports", () => {
    expect(byKey(BASE).routers).toEqual({
      key: "routers",
      name: "gamedb-routers-ingress",
      spec: {
        podSelector: of("mysql-router"),
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [namespace("game-servers"), own("migrate", "mover", "partitions", "slotmap-gate")],
            ports: tcp(6446, 6447, 6448, 6449, 6450),
          },
        ],
      },
    });
  });

  it("admits the game namespaces, the worker and the controller Jobs to Redis, and Redis pods to each other on both ports", () => {
    expect(byKey(BASE).redis).toEqual({
      key: "redis",
      name: "gamedb-redis-ingress",
      spec: {
        podSelector: of("redis"),
        policyTypes: ["Ingress"],
        ingress: [
          { from: [namespace("game-servers"), own("monitor", "redis-reconcile")], ports: tcp(6379) },
          { from: [{ podSelector: of("redis") }], ports: tcp(6379, 16379) },
        ],
      },
    });
  });

  it("denies ingress to every other pod of the namespace, declared after the allows", () => {
    const specs = networkPolicySpecs(BASE);
    expect(specs.map((p) => p.key)).toEqual(["routers", "redis", "default-deny"]);
    expect(specs.at(-1)).toEqual({
      key: "default-deny",
      name: "gamedb-default-deny-ingress",
      spec: { podSelector: {}, policyTypes: ["Ingress"] },
    });
  });

  it("with an empty gameNamespaces still denies, and admits only gamedb's own programs", () => {
    const p = byKey({ ...BASE, gameNamespaces: [] });
    expect(Object.keys(p)).toEqual(["routers", "redis", "default-deny"]);
    expect(p["default-deny"]!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    expect(p.routers!.spec.ingress![0]!.from).toEqual([own("migrate", "mover", "partitions", "slotmap-gate")]);
    expect(p.redis!.spec.ingress![0]!.from).toEqual([own("monitor", "redis-reconcile")]);
  });

  it("has no Redis policy with ElastiCache (its security group admits the nodes), only the Routers' and the deny", () => {
    expect(networkPolicySpecs({ ...BASE, redisOnKubernetes: false }).map((p) => p.key)).toEqual([
      "routers",
      "default-deny",
    ]);
  });

  it("lets any namespace's pods scrape the worker's metrics port, and only that, when the Prometheus Operator is on", () => {
    const p = byKey({ ...BASE, prometheusOperator: true });
    expect(networkPolicySpecs({ ...BASE, prometheusOperator: true }).map((s) => s.key)).toEqual([
      "routers",
      "redis",
      "monitor-metrics",
      "default-deny",
    ]);
    expect(p["monitor-metrics"]).toEqual({
      key: "monitor-metrics",
      name: "gamedb-monitor-metrics-ingress",
      spec: {
        podSelector: of("monitor"),
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: {} }], ports: tcp(9464) }],
      },
    });
  });

  it("never writes an ingress rule without sources (which would admit every pod and address)", () => {
    for (const gameNamespaces of [[], ["a"], ["b", "a"]])
      for (const redisOnKubernetes of [true, false])
        for (const prometheusOperator of [true, false])
          for (const p of networkPolicySpecs({ gameNamespaces, redisOnKubernetes, prometheusOperator }))
            for (const rule of p.spec.ingress ?? []) {
              expect(rule.from.length).toBeGreaterThan(0);
              expect(rule.ports.length).toBeGreaterThan(0);
            }
  });

  it("names policies by key alone: the namespaces listed change the rules, never a name", () => {
    const names = (ns: string[]) => networkPolicySpecs({ ...BASE, gameNamespaces: ns }).map((p) => [p.key, p.name]);
    expect(names(["a", "b", "c"])).toEqual(names([]));
  });
});

describe("gameNamespacePeers", () => {
  it("selects each namespace once by its kubernetes.io/metadata.name label, in name order", () => {
    expect(gameNamespacePeers(["zeta", "alpha", "zeta"])).toEqual([namespace("alpha"), namespace("zeta")]);
    expect(gameNamespacePeers([])).toEqual([]);
  });
});

describe("COMPONENTS", () => {
  it("selects the Routers and Redis pods by different components than any of their clients", () => {
    const clients = Object.entries(COMPONENTS).filter(([k]) => k !== "router" && k !== "redis");
    for (const [, c] of clients) expect([COMPONENTS.router, COMPONENTS.redis]).not.toContain(c);
  });
});
