/**
 * Kubernetes NetworkPolicy rules: every pod is under an ingress policy of its namespace (a default deny does it),
 * and a pod that serves a database port (MySQL Router, Redis, MySQL) admits it only from sources named by label:
 * pods of its namespace selected by their labels, or namespaces selected by their name.
 * Semantics: https://kubernetes.io/docs/concepts/services-networking/network-policies/ (a rule without `from`
 * admits every source; a rule without `ports` covers every port; policyTypes left out means Ingress).
 */
import { PolicyResource, Rule } from "./model";
import { namespaceOf, selects } from "./kubernetes";
import { Obj, at, isObj, list, obj } from "./values";

const NETWORK_POLICIES = ["kubernetes:networking.k8s.io/v1:NetworkPolicy"];
const TEMPLATE_OWNERS = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:batch/v1:Job",
];
const CRONJOBS = ["kubernetes:batch/v1:CronJob"];
const PODS = ["kubernetes:core/v1:Pod"];
const WORKLOADS = [...TEMPLATE_OWNERS, ...CRONJOBS, ...PODS];

/** MySQL Router's client ports (6446-6450), Redis' client and cluster bus ports, MySQL's classic, X and GR ports. */
export const DATABASE_PORTS = [6446, 6447, 6448, 6449, 6450, 6379, 16379, 3306, 33060, 33061];
/** The namespace label the API server sets to the namespace's name; other namespace labels anyone may edit. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The pod template's metadata, whatever the workload kind. */
function podMeta(r: PolicyResource): Obj {
  if (CRONJOBS.includes(r.type)) return obj(at(r.inputs, "spec.jobTemplate.spec.template.metadata"));
  if (PODS.includes(r.type)) return obj(r.inputs.metadata);
  return obj(at(r.inputs, "spec.template.metadata"));
}

function podSpec(r: PolicyResource): Obj {
  if (CRONJOBS.includes(r.type)) return obj(at(r.inputs, "spec.jobTemplate.spec.template.spec"));
  if (PODS.includes(r.type)) return obj(r.inputs.spec);
  return obj(at(r.inputs, "spec.template.spec"));
}

const isIngress = (p: PolicyResource) => {
  const types = list(at(p.inputs, "spec.policyTypes"));
  return types.length === 0 || types.includes("Ingress");
};

/** The ingress NetworkPolicies of the workload's namespace that select its pods. */
function ingressPoliciesOf(r: PolicyResource, all: PolicyResource[]): PolicyResource[] {
  const labels = obj(podMeta(r).labels);
  return all.filter(
    (p) => namespaceOf(p) === namespaceOf(r) && isIngress(p) && selects(obj(at(p.inputs, "spec.podSelector")), labels),
  );
}

interface ContainerPort {
  port: number;
  name?: string;
  protocol: string;
}

function containerPorts(r: PolicyResource): ContainerPort[] {
  return list(podSpec(r).containers)
    .filter(isObj)
    .flatMap((c) => list(c.ports).filter(isObj))
    .map((p) => ({
      port: Number(p.containerPort),
      name: typeof p.name === "string" ? p.name : undefined,
      protocol: String(p.protocol ?? "TCP"),
    }));
}

/** Whether an ingress rule's `ports` let traffic reach this container port (none listed: every port). */
function covers(rule: Obj, cp: ContainerPort): boolean {
  const ports = list(rule.ports).filter(isObj);
  if (ports.length === 0) return true;
  return ports.some((p) => {
    if (String(p.protocol ?? "TCP") !== cp.protocol) return false;
    if (p.port === undefined || p.port === null) return true;
    if (typeof p.port === "string" && !/^\d+$/.test(p.port)) return p.port === cp.name;
    const from = Number(p.port);
    const to = p.endPort === undefined || p.endPort === null ? from : Number(p.endPort);
    return cp.port >= from && cp.port <= to;
  });
}

const isEmptySelector = (s: Obj) =>
  list(s.matchExpressions).length === 0 && Object.keys(obj(s.matchLabels)).length === 0;

/** Whether a namespace selector picks namespaces by name only (matchLabels or In on the name label). */
function namesNamespaces(s: Obj): boolean {
  if (isEmptySelector(s)) return false;
  const labels = Object.keys(obj(s.matchLabels));
  const exprs = list(s.matchExpressions).filter(isObj);
  return (
    labels.every((k) => k === NAMESPACE_NAME_LABEL) &&
    exprs.every((e) => e.key === NAMESPACE_NAME_LABEL && e.operator === "In" && list(e.values).length > 0)
  );
}

/** Why a `from` peer does not name its sources; undefined when it does. */
function unnamedPeer(peer: Obj): string | undefined {
  if (peer.ipBlock !== undefined) return `admits the addresses ${String(at(peer, "ipBlock.cidr"))} (an ipBlock)`;
  if (isObj(peer.namespaceSelector)) {
    if (isEmptySelector(peer.namespaceSelector)) return "admits pods of every namespace (namespaceSelector {})";
    if (!namesNamespaces(peer.namespaceSelector))
      return `selects namespaces by labels other than ${NAMESPACE_NAME_LABEL}, which their owners may set`;
    return undefined;
  }
  if (!isObj(peer.podSelector) || isEmptySelector(peer.podSelector))
    return "admits every pod of its namespace (podSelector {})";
  return undefined;
}

export const networkPolicyRules: Rule[] = [
  {
    id: "GDB-K8S-005",
    title: "Every pod is selected by an ingress NetworkPolicy of its namespace (a default deny)",
    checkov: ["CKV2_K8S_6"],
    fsbp: [],
    severity: "medium",
    appliesTo: WORKLOADS,
    check: (r, ctx) =>
      ingressPoliciesOf(r, ctx.ofType(NETWORK_POLICIES)).length > 0
        ? []
        : [
            `no ingress NetworkPolicy in namespace ${namespaceOf(r)} selects its pods: every pod in the cluster reaches them`,
          ],
  },
  {
    id: "GDB-K8S-006",
    title: "Database ports on Kubernetes (Router, Redis, MySQL) admit only sources named by label",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: WORKLOADS,
    check: (r, ctx) => {
      const served = containerPorts(r).filter((cp) => DATABASE_PORTS.includes(cp.port));
      if (served.length === 0) return [];
      const policies = ingressPoliciesOf(r, ctx.ofType(NETWORK_POLICIES));
      if (policies.length === 0)
        return [`no ingress NetworkPolicy selects its pods: every pod reaches ${served.map((p) => p.port).join(", ")}`];
      return policies.flatMap((p) =>
        list(at(p.inputs, "spec.ingress"))
          .filter(isObj)
          .flatMap((rule, i) => {
            const ports = served.filter((cp) => covers(rule, cp)).map((cp) => cp.port);
            if (ports.length === 0) return [];
            const where = `NetworkPolicy ${String(at(p.inputs, "metadata.name") ?? p.name)} ingress[${i}] (ports ${ports.join(", ")})`;
            const peers = list(rule.from).filter(isObj);
            if (peers.length === 0) return [`${where} has no from: it admits every pod and address`];
            return peers.flatMap((peer, j) => {
              const why = unnamedPeer(peer);
              return why ? [`${where} from[${j}] ${why}`] : [];
            });
          }),
      );
    },
  },
];
