/**
 * Workload credentials: in prod no pod carries a long-lived AWS key (kubernetes.awsAccess podIdentity or irsa), and no
 * pod mounts the Kubernetes API token, which none of gamedb's programs uses.
 */
import { Rule } from "./model";
import { at, isObj, list, obj } from "./values";
import { WORKLOADS, containerName, containers, namespaceOf, podSpec } from "./kubernetes";

const KEY_ENV = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

export const identityRules: Rule[] = [
  {
    id: "GDB-IAM-001",
    title: "In prod, pods get AWS credentials from workload identity, not long-lived access keys",
    checkov: [],
    fsbp: [],
    severity: "high",
    appliesTo: WORKLOADS,
    check: (r, ctx) => {
      // dev may use kubernetes.awsAccess: accessKeys (a cluster outside EKS); prod may not.
      if (ctx.plan.environment !== "prod") return [];
      return containers(podSpec(r)).flatMap(({ kind, c }) => [
        ...list(c.env)
          .filter(isObj)
          .filter((e) => KEY_ENV.includes(String(e.name)))
          .map((e) => `${containerName(kind, c)} reads ${String(e.name)}: an IAM user's access key`),
        // A whole Secret as env can carry the key pair under any name the rule cannot see.
        ...list(c.envFrom)
          .filter(isObj)
          .filter((e) => isObj(e.secretRef))
          .map((e) => `${containerName(kind, c)} takes its env from Secret ${String(obj(e.secretRef).name)}`),
      ]);
    },
  },
  {
    id: "GDB-IAM-002",
    title: "Pods do not mount the Kubernetes API token",
    checkov: ["CKV_K8S_38"],
    fsbp: [],
    severity: "medium",
    appliesTo: WORKLOADS,
    check: (r, ctx) => {
      const spec = podSpec(r);
      // The API token by hand: a projected token for the API server (no audience of its own, such as sts).
      const projected = list(spec.volumes)
        .filter(isObj)
        .flatMap((v) =>
          list(obj(v.projected).sources)
            .filter(isObj)
            .map((src) => ({ v, src })),
        )
        .filter(({ src }) => isObj(src.serviceAccountToken) && obj(src.serviceAccountToken).audience === undefined)
        .map(({ v }) => `volume ${String(v.name)} projects the API token`);
      if (projected.length > 0) return projected;
      if (spec.automountServiceAccountToken === false) return [];
      if (spec.automountServiceAccountToken === true) return ["automountServiceAccountToken is true"];
      // Unset on the pod: the ServiceAccount's setting applies (the default one mounts).
      const name = String(spec.serviceAccountName ?? "default");
      const account = ctx
        .ofType([SERVICE_ACCOUNT])
        .find((a) => at(a.inputs, "metadata.name") === name && namespaceOf(a) === namespaceOf(r));
      return obj(account?.inputs).automountServiceAccountToken === false
        ? []
        : [`automountServiceAccountToken is not false on the pod or its ServiceAccount ${name}`];
    },
  },
];
