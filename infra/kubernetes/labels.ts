/** Kubernetes names, labels and the checksum that rolls pods when what they bootstrap from changes. Pure. */
import { createHash } from "node:crypto";

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "gamedb", "app.kubernetes.io/part-of": "gamedb" };

/** Labels that select one workload's pods (never changed after creation: a Deployment's selector is immutable). */
export function selectorLabels(name: string, component: string): Record<string, string> {
  return { "app.kubernetes.io/name": component, "app.kubernetes.io/instance": name };
}

export function labels(name: string, component: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...selectorLabels(name, component), ...MANAGED_BY, ...extra };
}

/** A stable digest of plain data (keys sorted), for pod template annotations. */
export function checksum(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v as Record<string, unknown>)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash("sha256")
    .update(JSON.stringify(canonical(value)))
    .digest("hex");
}

/** Spread pods over zones (soft) and hosts (soft), so one zone or node loss takes at most part of a workload. */
export function spread(selector: Record<string, string>) {
  return {
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: selector },
      },
    ],
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } },
          },
        ],
      },
    },
  };
}

/** The container security context every gamedb pod uses: non-root, no privilege escalation, no capabilities. */
export function restrictedContainer(uid: number, readOnlyRootFilesystem = true) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
