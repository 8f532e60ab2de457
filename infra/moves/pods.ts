/**
 * The pods of the slot mover (one per move, `run`) and of the slot map gate (`gate`): the image's non-root user, no
 * service account token (neither talks to Kubernetes), the spec and the passwords in one read-only projected volume.
 * Pure, so tests see exactly what runs.
 */
import { restrictedContainer } from "../kubernetes/labels";
import { GATE_SPEC_PATH, MOVE_DIR, MOVER_STATUS_PORT, MOVE_SPEC_PATH, SECRETS_PATH } from "./specs";

/** The mover image's non-root user (Dockerfile, target mover), as the migrate image's. */
export const MOVER_UID = 10001;

/** A ConfigMap's document and a Secret's passwords.json, under MOVE_DIR, as one volume (no mount inside a mount). */
function filesVolume(configMap: string, specFile: string, secret: string) {
  return {
    name: "files",
    projected: {
      sources: [
        { configMap: { name: configMap, items: [{ key: specFile, path: specFile }] } },
        // Owner-and-group read: the group is fsGroup (the image's user), which kubelet gives the files.
        {
          secret: {
            name: secret,
            items: [{ key: "passwords.json", path: SECRETS_PATH.slice(MOVE_DIR.length + 1), mode: 0o440 }],
          },
        },
      ],
    },
  };
}

const podBase = {
  automountServiceAccountToken: false,
  securityContext: { runAsNonRoot: true, fsGroup: MOVER_UID },
};

const mounts = [
  { name: "files", mountPath: MOVE_DIR, readOnly: true },
  { name: "tmp", mountPath: "/tmp" },
];
const tmpVolume = { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } };

/**
 * One move's mover: `run` until its phase is done, serving /status (moveStatusSchema) and /metrics on the named port
 * `status`. Ready once it serves /status, whatever the move's state: Pulumi waits for the rollout only, never for
 * the copy (the status document says how far it is).
 */
export function moverPodSpec(image: string, names: { configMap: string; secret: string }) {
  return {
    ...podBase,
    containers: [
      {
        name: "mover",
        image,
        args: ["run", "--spec", MOVE_SPEC_PATH, "--secrets", SECRETS_PATH],
        ports: [{ name: "status", containerPort: MOVER_STATUS_PORT }],
        readinessProbe: { httpGet: { path: "/status", port: "status" }, periodSeconds: 10, failureThreshold: 3 },
        // Its last error (a refused preflight or switch) is what the pod reports when it stops.
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } },
        securityContext: restrictedContainer(MOVER_UID),
        volumeMounts: mounts,
      },
    ],
    volumes: [filesVolume(names.configMap, "move.json", names.secret), tmpVolume],
  };
}

/** The gate: `gate` once; exit 0 lets the slot map be published, 1 stops the update with the reason. */
export function gatePodSpec(image: string, names: { configMap: string; secret: string }) {
  return {
    ...podBase,
    restartPolicy: "Never",
    containers: [
      {
        name: "gate",
        image,
        args: ["gate", "--spec", GATE_SPEC_PATH, "--secrets", SECRETS_PATH],
        // The reason of a refusal is what the Job's pod reports, and what `pulumi up` shows.
        terminationMessagePolicy: "FallbackToLogsOnError",
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } },
        securityContext: restrictedContainer(MOVER_UID),
        volumeMounts: mounts,
      },
    ],
    volumes: [filesVolume(names.configMap, "gate.json", names.secret), tmpVolume],
  };
}
