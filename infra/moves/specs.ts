/**
 * The documents the program hands to the slot mover (scripts/apps/mover) and to the slot map gate, written from the
 * plan and the Router Services: `move.json` (moveSpecSchema), `gate.json` (gateSpecSchema) and the passwords files
 * (moverSecretsSchema). Each is parsed with its contract schema before it is written, so the program never hands
 * over what the mover would refuse. Pure.
 */
import { createHash } from "node:crypto";
import {
  GateSpec,
  MoveEndpoint,
  MovePhase,
  MoveSpec,
  gateSpecSchema,
  moveSpecSchema,
  moverSecretsSchema,
} from "../contracts/slotMoves";
import { RoutersDocument, parseDocument } from "../contracts/endpoints";
import type { MovePlan, PublishedSlot } from "../plan/moves";
import { shardKey } from "../plan/nodes";

/** The mover's HTTP port (/status, /metrics); the Deployment's named port and probe use it. */
export const MOVER_STATUS_PORT = 9480;
/** Where the mover's and the gate's files are mounted (one projected volume: the spec, and the Secret under it). */
export const MOVE_DIR = "/etc/gamedb-move";
export const MOVE_SPEC_PATH = `${MOVE_DIR}/move.json`;
export const GATE_SPEC_PATH = `${MOVE_DIR}/gate.json`;
export const SECRETS_PATH = `${MOVE_DIR}/secrets/passwords.json`;

/** The moves whose state the gate waits for before it checks: those asking for a switch or a reverse. */
export const GATED_PHASES: readonly MovePhase[] = ["switch", "reverse"];

/** A shard's Router read-write Service, as routers.json of the endpoints has it. Throws naming the shard. */
export function routerEndpoint(routers: RoutersDocument, shard: number): MoveEndpoint {
  const router = routers[shardKey(shard)];
  const port = router?.ports.rw;
  if (!router || port === undefined)
    throw new Error(`shard ${shard} has no Router read-write Service (is it retired?); a move needs one on both ends`);
  return { shard, host: router.host, port };
}

/**
 * The mover's spec for one move: `move.json`, checked against moveSpecSchema (defaults applied). With `caPem` (the
 * stack's CA) the mover connects with TLS verified against it.
 */
export function moveSpec(move: MovePlan, database: string, routers: RoutersDocument, caPem?: string): MoveSpec {
  return parseDocument(
    moveSpecSchema,
    "move.json",
    JSON.stringify({
      id: move.id,
      slots: { from: move.range.from, to: move.range.to },
      phase: move.phase,
      database,
      source: routerEndpoint(routers, move.from),
      target: routerEndpoint(routers, move.to),
      throttle: move.throttle,
      switch: move.switch,
      statusPort: MOVER_STATUS_PORT,
      ...(caPem !== undefined ? { tls: { ca: caPem } } : {}),
    }),
  );
}

/** The text of a document as written into its ConfigMap. */
export function documentText(doc: unknown): string {
  return JSON.stringify(doc, null, 2);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * How long the gate itself waits for the moves it gates, inside the Job's deadline (gateTimeoutMinutes): a minute
 * less, so it exits with its reason before Kubernetes kills it (half a minute at the 1-minute minimum).
 */
export function gateWaitSeconds(gateTimeoutMinutes: number): number {
  return Math.max(30, gateTimeoutMinutes * 60 - 60);
}

export interface GateInputs {
  /** The game database (gamedb:schema.database). */
  readonly database: string;
  /** Every active and provisioning shard's id: the fences the gate reads. */
  readonly shards: readonly number[];
  /** The slot map the endpoints ConfigMap is about to publish (plan.publishedSlotMap). */
  readonly slotMap: readonly PublishedSlot[];
  readonly moves: readonly MovePlan[];
  readonly gateTimeoutMinutes: number;
}

/** The gate's spec without the Router endpoints: every part the plan decides (the shards by id). */
export function gatePlan(inputs: GateInputs) {
  return {
    database: inputs.database,
    shards: [...inputs.shards],
    slotMap: inputs.slotMap.map(({ from, to, shard }) => ({ from, to, shard })),
    moves: inputs.moves
      .filter((m) => GATED_PHASES.includes(m.phase))
      .map((m) => ({ id: m.id, phase: m.phase, from: m.from, to: m.to })),
    timeoutSeconds: gateWaitSeconds(inputs.gateTimeoutMinutes),
  };
}

/** The gate's spec: `gate.json`, each shard's Router read-write Service filled in, checked against gateSpecSchema. */
export function gateSpec(inputs: GateInputs, routers: RoutersDocument): GateSpec {
  const plan = gatePlan(inputs);
  return parseDocument(
    gateSpecSchema,
    "gate.json",
    JSON.stringify({ ...plan, shards: plan.shards.map((id) => routerEndpoint(routers, id)) }),
  );
}

/**
 * What names the gate Job: the spec and the image that checks it. The Job's name must be known before the Router
 * Services are, so the digest covers what the spec is written from: the plan's part and the namespace, which with
 * the shard ids fixes every Router Service's host (gamedb-<shard>-router.<namespace>.svc.cluster.local, and its
 * ports are constants).
 */
export function gateDigest(inputs: GateInputs, namespace: string, image: string): string {
  return sha256(JSON.stringify({ gate: gatePlan(inputs), namespace, image }));
}

/** `passwords.json`: the mover account's password by shard id, checked against moverSecretsSchema. */
export function moverSecretsText(passwords: Readonly<Record<number, string>>): string {
  const doc = Object.fromEntries(Object.entries(passwords).map(([id, pw]) => [String(id), pw]));
  const parsed = moverSecretsSchema.safeParse(doc);
  // Never the parser's message: it may quote a password.
  if (!parsed.success)
    throw new Error(
      `passwords.json: every key must be a shard id and every password non-empty (shards ${Object.keys(doc).join(", ")})`,
    );
  return JSON.stringify(parsed.data);
}
