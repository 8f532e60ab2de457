/**
 * gamedb:slotMoves on the platform: a mover per move (SlotMover) and the slot map gate (SlotMapGate) that the
 * endpoints ConfigMap waits for. Only with gamedb:slotMoves (which validation allows only beside gamedb:schema):
 * without it nothing here exists and the slot map is published as before, so stacks that never declared slot moves
 * keep their resources and their order. The gate image is gamedb:slotMoves.image, never the migrate image.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { RoutersDocument } from "../contracts/endpoints";
import { moveName } from "../contracts/slotMoves";
import { SlotMapGate, SlotMover, documentText, gateDigest, gateSpec } from "../moves";
import type { GateInputs } from "../moves";
import type { SchemaMigrations } from "../schema";
import { shardKey } from "../plan/nodes";
import type { KubernetesContext, PlatformContext, ShardResources } from "./context";

/** Whether this stack runs slot moves and gates its slot map: gamedb:slotMoves beside gamedb:schema. */
export function slotMovesEnabled(ctx: PlatformContext): boolean {
  return ctx.args.slotMoves !== undefined && ctx.plan.schema !== undefined;
}

export function declareSlotMoves(
  ctx: PlatformContext,
  kube: KubernetesContext,
  deps: {
    shards: Record<string, ShardResources>;
    routers: pulumi.Output<RoutersDocument>;
    migrations: SchemaMigrations;
  },
): { movers: SlotMover[]; gate: k8s.batch.v1.Job } {
  const settings = ctx.args.slotMoves;
  const schema = ctx.plan.schema;
  if (!settings || !schema) throw new Error("declareSlotMoves needs gamedb:slotMoves and gamedb:schema");
  const opts = { parent: ctx.parent, providers: { kubernetes: kube.provider } };
  const cluster = (id: number) => {
    const s = deps.shards[shardKey(id)];
    if (!s) throw new Error(`gamedb:slotMoves names shard ${id}, which is not in gamedb:shards`);
    return s.cluster;
  };
  const moverPassword = (id: number) => {
    const password = cluster(id).passwords.mover;
    if (!password) throw new Error(`shard ${id}: no gamedb_mover password (its cluster has no game database)`);
    return password;
  };

  const movers = ctx.plan.moves.map(
    (move) =>
      new SlotMover(
        moveName(move.id),
        {
          namespace: kube.namespace,
          image: settings.image,
          move,
          database: schema.config.database,
          routers: deps.routers,
          caPem: ctx.certificateAuthority().certPem,
          passwords: { [move.from]: moverPassword(move.from), [move.to]: moverPassword(move.to) },
          passwordRotation: ctx.plan.mysql.passwordRotation,
          dependsOn: [cluster(move.from), cluster(move.to), deps.migrations],
        },
        opts,
      ),
  );

  // The fences the gate reads: every shard a client may be sent to (the migration Job's shards).
  const shards = ctx.plan.shards.filter((s) => s.state === "active" || s.state === "provisioning").map((s) => s.id);
  const inputs: GateInputs = {
    database: schema.config.database,
    shards,
    slotMap: ctx.plan.publishedSlotMap,
    moves: ctx.plan.moves,
    gateTimeoutMinutes: settings.gateTimeoutMinutes,
  };
  const gate = new SlotMapGate(
    `${ctx.name}-slotmap-gate`,
    {
      namespace: kube.namespace,
      image: settings.image,
      specJson: deps.routers.apply((r) => documentText(gateSpec(inputs, r))),
      digest: gateDigest(inputs, kube.namespaceName, settings.image),
      timeoutMinutes: settings.gateTimeoutMinutes,
      passwords: Object.fromEntries(shards.map((id) => [id, moverPassword(id)])),
      dependsOn: [deps.migrations, ...movers.map((m) => m.deployment)],
    },
    opts,
  );
  return { movers, gate: gate.job };
}
