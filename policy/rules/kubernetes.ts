/** Kubernetes rules over workloads' pod specs, and PodDisruptionBudgets. */
import { PolicyResource, Rule } from "./model";
import { Obj, at, isObj, list, obj } from "./values";
import { looksSecret } from "./secrets";

const POD_TEMPLATE_OWNERS = [
  "kubernetes:apps/v1:Deployment",
  "kubernetes:apps/v1:StatefulSet",
  "kubernetes:apps/v1:DaemonSet",
  "kubernetes:apps/v1:ReplicaSet",
  "kubernetes:batch/v1:Job",
];
const CRONJOBS = ["kubernetes:batch/v1:CronJob"];
const PODS = ["kubernetes:core/v1:Pod"];
export const WORKLOADS = [...POD_TEMPLATE_OWNERS, ...CRONJOBS, ...PODS];
const NEEDS_PDB = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];
const PDBS = ["kubernetes:policy/v1:PodDisruptionBudget", "kubernetes:policy/v1beta1:PodDisruptionBudget"];

export function podSpec(r: PolicyResource): Obj {
  if (CRONJOBS.includes(r.type)) return obj(at(r.inputs, "spec.jobTemplate.spec.template.spec"));
  if (PODS.includes(r.type)) return obj(r.inputs.spec);
  return obj(at(r.inputs, "spec.template.spec"));
}

export function containers(spec: Obj): { kind: string; c: Obj }[] {
  return ["initContainers", "containers", "ephemeralContainers"].flatMap((kind) =>
    list(spec[kind])
      .filter(isObj)
      .map((c) => ({ kind, c })),
  );
}

export const containerName = (kind: string, c: Obj) =>
  `${kind === "containers" ? "container" : kind.slice(0, -1)} ${String(c.name)}`;

export const namespaceOf = (r: PolicyResource) => String(at(r.inputs, "metadata.namespace") ?? "default");

/** Label-selector semantics: every matchLabels pair and every matchExpressions requirement holds. */
export function selects(selector: Obj, labels: Obj): boolean {
  const matchLabels = obj(selector.matchLabels);
  if (!Object.entries(matchLabels).every(([k, v]) => labels[k] === v)) return false;
  return list(selector.matchExpressions)
    .filter(isObj)
    .every((e) => {
      const key = String(e.key);
      const values = list(e.values);
      switch (e.operator) {
        case "In":
          return key in labels && values.includes(labels[key]);
        case "NotIn":
          return !(key in labels) || !values.includes(labels[key]);
        case "Exists":
          return key in labels;
        case "DoesNotExist":
          return !(key in labels);
      }
      return false;
    });
}

export const k8sRules: Rule[] = [
  {
    id: "GDB-K8S-001",
    title: "Kubernetes pods run as non-root",
    checkov: ["CKV_K8S_23"],
    fsbp: [],
    severity: "high",
    appliesTo: WORKLOADS,
    check: (r) => {
      const spec = podSpec(r);
      const pod = obj(spec.securityContext);
      return containers(spec).flatMap(({ kind, c }) => {
        const sc = obj(c.securityContext);
        const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
        const user = sc.runAsUser ?? pod.runAsUser;
        if (user === 0) return [`${containerName(kind, c)} runs as user 0`];
        return nonRoot === true ? [] : [`${containerName(kind, c)} does not set runAsNonRoot (nor does its pod)`];
      });
    },
  },
  {
    id: "GDB-K8S-002",
    title: "Kubernetes containers set CPU and memory limits",
    checkov: ["CKV_K8S_11", "CKV_K8S_13"],
    fsbp: [],
    severity: "medium",
    appliesTo: WORKLOADS,
    check: (r) =>
      containers(podSpec(r)).flatMap(({ kind, c }) => {
        const limits = obj(at(c, "resources.limits"));
        const missing = ["cpu", "memory"].filter((k) => limits[k] === undefined || limits[k] === null);
        return missing.length ? [`${containerName(kind, c)} has no resources.limits.${missing.join(" or ")}`] : [];
      }),
  },
  {
    id: "GDB-K8S-003",
    title: "Every Deployment and StatefulSet has a PodDisruptionBudget selecting its pods",
    checkov: [],
    fsbp: [],
    severity: "medium",
    appliesTo: NEEDS_PDB,
    check: (r, ctx) => {
      const labels = obj(at(r.inputs, "spec.template.metadata.labels"));
      const covered = ctx
        .ofType(PDBS)
        .some((p) => namespaceOf(p) === namespaceOf(r) && selects(obj(at(p.inputs, "spec.selector")), labels));
      return covered ? [] : [`no PodDisruptionBudget in namespace ${namespaceOf(r)} selects its pod labels`];
    },
  },
  {
    id: "GDB-K8S-004",
    title: "Secret-named environment variables come from a Secret, not a literal value",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: WORKLOADS,
    check: (r) =>
      containers(podSpec(r)).flatMap(({ kind, c }) =>
        list(c.env)
          .filter(isObj)
          .filter((e) => typeof e.name === "string" && looksSecret(e.name) && e.value !== undefined && e.value !== "")
          // A literal lands in the workload object, readable by anyone who can read Deployments; valueFrom does not.
          .map(
            (e) => `${containerName(kind, c)} sets ${String(e.name)} as a literal value; use valueFrom.secretKeyRef`,
          ),
      ),
  },
];
