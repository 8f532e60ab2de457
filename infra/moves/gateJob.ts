/**
 * The slot map gate (issue 16 item 1, at deploy): a Job that runs the mover image's `gate` before the endpoints
 * ConfigMap publishes a slot map. It waits for the moves this deploy switches or reverses to reach that state, then
 * checks that every shard's fence agrees with the map about to be published; exit 1 fails `pulumi up` with the
 * reason, and the endpoints ConfigMap (which depends on this Job) keeps the map it had.
 *
 * As the migration Job: the name carries a digest of what it checks (gatePlan, namespace, image), so a new map or a
 * new switch runs a new Job and an unchanged one is left alone; `gateTimeoutMinutes` bounds the wait
 * (customTimeouts) and the Job (activeDeadlineSeconds). Unlike it, a failed gate is replaced on the next `pulumi up`
 * (the provider's pulumi.com/replaceUnready annotation, @pulumi/kubernetes 4.34.2 batch/v1/job.js): a gate that
 * refused because a move had not switched yet checks again once the operator reruns, instead of Pulumi waiting
 * again on the failed Job.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { labels } from "../kubernetes/labels";
import { gatePodSpec } from "./pods";
import { moverSecretsText } from "./specs";

export const GATE_NAME = "gamedb-slotmap-gate";

export interface SlotMapGateArgs {
  /** The Kubernetes namespace of the Job, its ConfigMap and Secret. */
  readonly namespace: pulumi.Input<string>;
  /** The mover image (gamedb:slotMoves.image). */
  readonly image: string;
  /** gate.json (gateSpecSchema), as written. */
  readonly specJson: pulumi.Output<string>;
  /** gateDigest: the Job's name carries its first 10 characters. */
  readonly digest: string;
  /** gateTimeoutMinutes: how long `pulumi up` waits for the Job, and the Job's own deadline. */
  readonly timeoutMinutes: number;
  /** The mover account's password of every shard the gate reads, by shard id (secrets). */
  readonly passwords: Readonly<Record<number, pulumi.Output<string>>>;
  /** What the gate runs after: the migration Job (every fence installed) and every mover's Deployment. */
  readonly dependsOn: pulumi.Resource[];
}

export class SlotMapGate extends pulumi.ComponentResource {
  /** The Job: the endpoints ConfigMap depends on it. */
  readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: SlotMapGateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:moves:SlotMapGate", name, {}, opts);
    const meta = (suffix: string) => ({
      name: `${GATE_NAME}${suffix}`,
      namespace: args.namespace,
      labels: labels(GATE_NAME, "slotmap-gate"),
    });
    const configMap = new k8s.core.v1.ConfigMap(
      name,
      { metadata: meta(""), data: { "gate.json": args.specJson } },
      { parent: this },
    );
    const passwords = pulumi.secret(pulumi.all(args.passwords).apply((p) => moverSecretsText(p)));
    const secret = new k8s.core.v1.Secret(
      name,
      { metadata: meta(""), type: "Opaque", stringData: { "passwords.json": passwords } },
      { parent: this, additionalSecretOutputs: ["stringData"] },
    );
    const digest = args.digest.slice(0, 10);
    this.job = new k8s.batch.v1.Job(
      `${name}-${digest}`,
      {
        metadata: {
          ...meta(`-${digest}`),
          annotations: { "gamedb.io/gate-sha256": args.digest, "pulumi.com/replaceUnready": "true" },
        },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: args.timeoutMinutes * 60,
          template: {
            metadata: { labels: labels(GATE_NAME, "slotmap-gate") },
            spec: gatePodSpec(args.image, { configMap: GATE_NAME, secret: GATE_NAME }),
          },
        },
      },
      {
        parent: this,
        dependsOn: [configMap, secret, ...args.dependsOn],
        customTimeouts: { create: `${args.timeoutMinutes}m`, update: `${args.timeoutMinutes}m` },
      },
    );
    this.registerOutputs({});
  }
}
