/**
 * `gamedb:slotMoves`: slot ranges moving between shards with their data (infra/contracts/slotMoves.ts). The operator
 * adds a move with phase copy, then advances it: switch, then cleanup (with the range given to the target in
 * `shards[].slots` in the same edit); cancel before a switch, reverse after one. Absent: no moves.
 */
import { z } from "zod";
import { MAX_MOVE_ID, MOVE_PHASES, switchLimitsSchema, throttleSchema } from "../contracts/slotMoves";
import { MAX_SHARD_ID, image, slotRange, strict } from "./fields";

const move = strict({
  /** Permanent id, never reused: the mover's names, its binlog client id and the fence epochs derive from it. */
  id: z.int().min(1).max(MAX_MOVE_ID),
  /** The one slot range that moves ("12288-16383", or "42"). */
  slots: slotRange,
  /** Source shard id: owns the range in `shards[].slots` until cleanup. */
  from: z.int().min(0).max(MAX_SHARD_ID),
  /** Target shard id: an active or provisioning shard. */
  to: z.int().min(0).max(MAX_SHARD_ID),
  /** What the operator asks for: copy, switch, cleanup; cancel before a switch; reverse after it. */
  phase: z.enum(MOVE_PHASES, { error: `must be one of ${MOVE_PHASES.join(", ")}` }),
  /** Copy and delete pacing. @default chunkRows 1000, maxThreadsRunning 25, maxApplierQueue 1000 */
  throttle: strict(throttleSchema.shape).optional(),
  /** Limits of the switch. @default maxLagSeconds 1, freezeTimeoutSeconds 2, drainTimeoutMs 2000, maxDirtySlots 256 */
  switch: strict(switchLimitsSchema.shape).optional(),
});

export const slotMovesSection = strict({
  /** The image with the slot mover (Dockerfile target mover). Required. */
  image,
  /** How long `pulumi up` waits for the gate (the switches it asks for, and the fences agreeing with the map). @default 10 */
  gateTimeoutMinutes: z.int().min(1).max(60).default(10),
  /** The moves, by id. @default [] */
  moves: z.array(move).max(64).default([]),
});
export type SlotMovesConfig = z.infer<typeof slotMovesSection>;
export type SlotMoveConfig = SlotMovesConfig["moves"][number];
