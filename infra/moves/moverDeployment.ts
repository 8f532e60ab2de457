/**
 * One slot move's mover on Kubernetes (issue 16): a ConfigMap with `move.json`, a Secret with the mover account's
 * passwords on the source and the target, a Deployment of one pod running the mover image's `run`, and its
 * PodDisruptionBudget.
 *
 * `pulumi up` starts it and waits for its rollout only (the pod serves /status), never for the copy, which may take
 * hours: the operator advances the phase in config, the new move.json rolls the pod (the annotation of its digest),
 * and the mover resumes from its control rows. One replica with the Recreate strategy: two movers of one move would
 * follow one binlog under one server id and write the same rows (Recreate stops the old pod before the new starts).
 * Every name comes from the move's id (moveName), never from its position in the list, so adding or removing a move
 * leaves the others alone.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { labels, selectorLabels } from "../kubernetes/labels";
import type { RoutersDocument } from "../contracts/endpoints";
import { moveName } from "../contracts/slotMoves";
import type { MovePlan } from "../plan/moves";
import { documentText, moveSpec, moverSecretsText, sha256 } from "./specs";
import { moverPodSpec } from "./pods";

export const MOVER_COMPONENT = "mover";

export interface SlotMoverArgs {
  /** The Kubernetes namespace of the Deployment, its ConfigMap and Secret. */
  readonly namespace: pulumi.Input<string>;
  /** The mover image (gamedb:slotMoves.image, Dockerfile target mover). */
  readonly image: string;
  /** The move, from the plan (plan.moves). */
  readonly move: MovePlan;
  /** The game database (gamedb:schema.database). */
  readonly database: string;
  /** routers.json of the endpoints: the source's and the target's Router read-write Service. */
  readonly routers: pulumi.Output<RoutersDocument>;
  /** The stack CA's certificate: move.json carries it, and the mover verifies the Routers and members with it. */
  readonly caPem: pulumi.Output<string>;
  /** The mover account's password on the source and on the target, by shard id (secrets). */
  readonly passwords: Readonly<Record<number, pulumi.Output<string>>>;
  /** mysql.passwordRotation: a rotation rolls the pod, which reads its passwords when it starts. */
  readonly passwordRotation: number;
  /** What the pod waits for: both shards' clusters (the mover account) and the migration Job (tables, fence). */
  readonly dependsOn: pulumi.Resource[];
}

export class SlotMover extends pulumi.ComponentResource {
  /** The Deployment: the gate waits for its rollout. */
  readonly deployment: k8s.apps.v1.Deployment;

  constructor(name: string, args: SlotMoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gamedb:moves:SlotMover", name, {}, opts);
    const k8sName = moveName(args.move.id);
    const meta = {
      name: k8sName,
      namespace: args.namespace,
      labels: labels(k8sName, MOVER_COMPONENT, { "gamedb/move": String(args.move.id) }),
    };
    const spec = pulumi
      .all([args.routers, args.caPem])
      .apply(([r, ca]) => documentText(moveSpec(args.move, args.database, r, ca)));
    const configMap = new k8s.core.v1.ConfigMap(
      name,
      { metadata: meta, data: { "move.json": spec } },
      { parent: this },
    );
    const passwords = pulumi.secret(pulumi.all(args.passwords).apply((p) => moverSecretsText(p)));
    const secret = new k8s.core.v1.Secret(
      name,
      { metadata: meta, type: "Opaque", stringData: { "passwords.json": passwords } },
      { parent: this, additionalSecretOutputs: ["stringData"] },
    );
    const selector = selectorLabels(k8sName, MOVER_COMPONENT);
    this.deployment = new k8s.apps.v1.Deployment(
      name,
      {
        metadata: meta,
        spec: {
          replicas: 1,
          selector: { matchLabels: selector },
          strategy: { type: "Recreate" },
          template: {
            metadata: {
              labels: meta.labels,
              annotations: {
                // A new phase or setting (a new move.json) rolls the pod; the mover reads its spec at start.
                "gamedb.io/move-sha256": spec.apply(sha256),
                "gamedb.io/password-rotation": String(args.passwordRotation),
              },
            },
            spec: moverPodSpec(args.image, { configMap: k8sName, secret: k8sName }),
          },
        },
      },
      { parent: this, dependsOn: [configMap, secret, ...args.dependsOn] },
    );
    // A node drain may evict the mover (it resumes from its control rows elsewhere); one that could not would hold
    // the node for as long as a copy takes.
    new k8s.policy.v1.PodDisruptionBudget(
      name,
      { metadata: meta, spec: { maxUnavailable: 1, selector: { matchLabels: selector } } },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
