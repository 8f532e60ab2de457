/**
 * The NetworkPolicies of gamedb's namespace (issue 18): the Routers and the Redis pods admit only the game
 * namespaces the config names (kubernetes.gameNamespaces) and the gamedb programs that connect to them; everything
 * else in the namespace is under a default deny of ingress. Egress stays open: limiting where gamedb's pods connect
 * to (shard hosts, AWS APIs, DNS) is not part of this.
 *
 * Policies are additive and a pod selected by any ingress policy admits only what some policy allows
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/). Traffic from the pod's own node is
 * always allowed, so the kubelet's probes (the Routers' REST API on 8443, the tcpSocket checks) need no rule, and
 * `kubectl port-forward` connects from inside the pod (localhost), which no policy blocks.
 *
 * Pure spec builders, and the component that declares them. Every name comes from a fixed key, never from a list
 * position or the namespaces listed: adding a game namespace updates two policies in place and nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { labels } from "./labels";
import { ROUTER_PORTS } from "../mysql/router";
import { REDIS_BUS_PORT, REDIS_PORT } from "../redis/cluster";
import { MONITOR_PORT } from "../monitoring/worker";
import { MOVER_COMPONENT } from "../moves/moverDeployment";

/** The pod label every gamedb workload is selected by (selectorLabels in ./labels: the component). */
export const COMPONENT_LABEL = "app.kubernetes.io/name";
/** Set by the API server on every namespace (Kubernetes 1.22+) and equal to its name: a label nobody can forge. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The component (COMPONENT_LABEL) of each gamedb workload whose pods a policy selects or admits. */
export const COMPONENTS = {
  router: "mysql-router",
  redis: "redis",
  /** Both Redis Cluster controller Jobs, drain and reconcile. */
  redisController: "redis-reconcile",
  monitor: "monitor",
  migrate: "migrate",
  partitions: "partitions",
  mover: MOVER_COMPONENT,
  gate: "slotmap-gate",
} as const;

/**
 * gamedb's own programs that connect to the Routers: the migration Job and partition CronJob (through each
 * shard's Router, scripts/apps/migrate/main.ts), the movers and the slot map gate (the Router's rw port,
 * infra/moves/specs.ts routerEndpoint). The monitoring worker is not one: it checks each member directly
 * (members.json) and ignores routers.json (scripts/apps/monitor/targets.ts); restore verification uses a MySQL of
 * its own, on a socket in its pod.
 */
export const ROUTER_CLIENTS = [COMPONENTS.migrate, COMPONENTS.partitions, COMPONENTS.mover, COMPONENTS.gate];
/** gamedb's own programs that connect to Redis: the monitoring worker (every node) and the controller Jobs. */
export const REDIS_CLIENTS = [COMPONENTS.monitor, COMPONENTS.redisController];

/** The Routers' client ports; the REST API (8443) serves only the readiness probe, from the node. */
export const ROUTER_CLIENT_PORTS = [
  ROUTER_PORTS.rw,
  ROUTER_PORTS.ro,
  ROUTER_PORTS.xRw,
  ROUTER_PORTS.xRo,
  ROUTER_PORTS.rwSplit,
];

export interface NetworkPolicyInputs {
  /** kubernetes.gameNamespaces: every pod in these namespaces reaches the Routers and Redis. */
  readonly gameNamespaces: readonly string[];
  /** redis.engine is kubernetes: Redis pods run in the namespace. ElastiCache has its own security group. */
  readonly redisOnKubernetes: boolean;
  /** monitoring.prometheusOperator: Prometheus, from a namespace of its own, scrapes the worker's metrics. */
  readonly prometheusOperator: boolean;
}

type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In"; values: string[] }[];
};
type Peer = { podSelector?: LabelSelector; namespaceSelector?: LabelSelector };
export interface IngressRule {
  from: Peer[];
  ports: { protocol: "TCP"; port: number }[];
}
export interface NetworkPolicySpec {
  /** The stable part of both names: the Pulumi name's suffix and the Kubernetes name's middle. */
  readonly key: "routers" | "redis" | "monitor-metrics" | "default-deny";
  /** The Kubernetes object's name. */
  readonly name: string;
  readonly spec: { podSelector: LabelSelector; policyTypes: ["Ingress"]; ingress?: IngressRule[] };
}

/** The pods of one gamedb component (part-of keeps the selector off anything else carrying the same name). */
function componentSelector(component: string): LabelSelector {
  return { matchLabels: { [COMPONENT_LABEL]: component, "app.kubernetes.io/part-of": "gamedb" } };
}

/** gamedb's own pods of these components, in the policy's namespace (a peer without a namespaceSelector). */
function ownPrograms(components: readonly string[]): Peer {
  return {
    podSelector: {
      matchLabels: { "app.kubernetes.io/part-of": "gamedb" },
      matchExpressions: [{ key: COMPONENT_LABEL, operator: "In", values: [...components].sort() }],
    },
  };
}

/** Every pod of each game namespace, by the name label; sorted and once each, so the order in config is moot. */
export function gameNamespacePeers(namespaces: readonly string[]): Peer[] {
  return [...new Set(namespaces)]
    .sort()
    .map((ns) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } }));
}

const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: "TCP" as const, port }));

/**
 * The policies, allows first and the default deny last (the order they are declared in, see NetworkPolicies).
 * Every ingress rule names its sources: a rule without `from` would admit every pod and address.
 */
export function networkPolicySpecs(inputs: NetworkPolicyInputs): NetworkPolicySpec[] {
  const games = gameNamespacePeers(inputs.gameNamespaces);
  const specs: NetworkPolicySpec[] = [
    {
      key: "routers",
      name: "gamedb-routers-ingress",
      spec: {
        podSelector: componentSelector(COMPONENTS.router),
        policyTypes: ["Ingress"],
        ingress: [{ from: [...games, ownPrograms(ROUTER_CLIENTS)], ports: tcp(ROUTER_CLIENT_PORTS) }],
      },
    },
  ];
  if (inputs.redisOnKubernetes)
    specs.push({
      key: "redis",
      name: "gamedb-redis-ingress",
      spec: {
        podSelector: componentSelector(COMPONENTS.redis),
        policyTypes: ["Ingress"],
        ingress: [
          { from: [...games, ownPrograms(REDIS_CLIENTS)], ports: tcp([REDIS_PORT]) },
          // Replicas replicate from their master's client port; every node gossips and fails over on the bus.
          { from: [{ podSelector: componentSelector(COMPONENTS.redis) }], ports: tcp([REDIS_PORT, REDIS_BUS_PORT]) },
        ],
      },
    });
  if (inputs.prometheusOperator)
    specs.push({
      key: "monitor-metrics",
      name: "gamedb-monitor-metrics-ingress",
      spec: {
        podSelector: componentSelector(COMPONENTS.monitor),
        policyTypes: ["Ingress"],
        // The ServiceMonitor's Prometheus runs in a namespace the config does not name: any namespace's pods may
        // read /metrics, /healthz and /status (no secrets), on that port only.
        ingress: [{ from: [{ namespaceSelector: {} }], ports: tcp([MONITOR_PORT]) }],
      },
    });
  // Everything else in the namespace (the movers' status port, the worker without the operator, pods added later)
  // admits nothing from other pods: `ingress` absent with policyTypes Ingress.
  specs.push({
    key: "default-deny",
    name: "gamedb-default-deny-ingress",
    spec: { podSelector: {}, policyTypes: ["Ingress"] },
  });
  return specs;
}

export interface NetworkPoliciesArgs extends NetworkPolicyInputs {
  /** The namespace of gamedb's workloads: the policies go there and the default deny covers all of it. */
  readonly namespace: pulumi.Input<string>;
}

export class NetworkPolicies extends pulumi.ComponentResource {
  /** By key (NetworkPolicySpec.key). */
  readonly policies: Record<string, k8s.networking.v1.NetworkPolicy>;

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:kubernetes:NetworkPolicies", name, {}, opts);
    const policies: Record<string, k8s.networking.v1.NetworkPolicy> = {};
    for (const p of networkPolicySpecs(args)) {
      policies[p.key] = new k8s.networking.v1.NetworkPolicy(
        `${name}-${p.key}`,
        {
          metadata: { name: p.name, namespace: args.namespace, labels: labels(p.name, "network-policy") },
          spec: p.spec,
        },
        // The deny after the allows: created first, it would cut the game servers off the Routers and Redis until
        // the allows exist (on the deploy that adds them to a running stack). Deleted first, too.
        { parent: this, dependsOn: p.key === "default-deny" ? Object.values(policies) : [] },
      );
    }
    this.policies = policies;
    this.registerOutputs({ policies });
  }
}
