/**
 * CONTRACT: slot moves (issue 16, ../shared/design/SLOT-MOVES.md). A move carries one slot range's rows from a
 * source shard to a target shard: copy while following the source's binlog, verify, freeze, switch, and keep a
 * reverse stream until cleanup.
 *
 * Written by: operators (`gamedb:moves` in the stack file: the move and the phase they ask for), the program (the
 * mover's spec document, moveSpecSchema, and the gate's, gateSpecSchema), the mover (its control rows in
 * `gamedb_meta.slot_moves` on both shards and the status document, moveStatusSchema).
 * Read by: the mover (scripts/apps/mover), the gate Job that runs before a slot map is published, `npm run move`,
 * the offline plan and the PR comment.
 *
 * Everything here is pure: phases and their order, epochs, binlog client ids, the documents and the control DDL.
 */
import { z } from "zod";
import { FENCE_SCHEMA } from "./slotFence";
import { MAX_SLOT } from "./slots";
import { MYSQL_NAME } from "../catalog/mysql";

// ---------------------------------------------------------------------------------------------------------------
// Phases: what the operator asks for

/**
 * copy: preflight, copy, follow the source's binlog, verify; the source keeps the range.
 * switch: freeze, drain, re-verify, flip ownership to the target, start the reverse stream (target -> source).
 * reverse: after a switch, the same steps back: the source owns the range again (then cancel empties the target).
 * cancel: before a switch (or after a reverse): stop, delete the target's copies, the source untouched.
 * cleanup: after a switch and a soak: stop the reverse stream, delete the source's rows of the range.
 */
export const MOVE_PHASES = ["copy", "switch", "reverse", "cancel", "cleanup"] as const;
export type MovePhase = (typeof MOVE_PHASES)[number];

/**
 * The phases a move may go to from each phase between two deploys ("removed": the entry leaves the config; "new":
 * the move was not in the base). Staying put is always allowed. A move leaves the config only when nothing of it is
 * left running: after cancel or cleanup.
 */
export const PHASE_NEXT: Readonly<Record<MovePhase | "new", readonly (MovePhase | "removed")[]>> = {
  new: ["copy"],
  copy: ["switch", "cancel"],
  switch: ["reverse", "cleanup"],
  reverse: ["cancel"],
  cancel: ["removed"],
  cleanup: ["removed"],
};

export function phaseChangeAllowed(from: MovePhase | "new", to: MovePhase | "removed"): boolean {
  return from === to || PHASE_NEXT[from].includes(to);
}

/** Move ids are permanent and never reused: epochs and binlog client ids derive from them. */
export const MAX_MOVE_ID = 100_000_000;

/** The fence epoch a move's switch writes on both shards' rows of the range; a reverse writes the next one. */
export function switchEpoch(id: number): number {
  return 2 * id + 1;
}
export function reverseEpoch(id: number): number {
  return 2 * id + 2;
}

/**
 * The server_id a mover's binlog client announces (zongji's serverId): unique per stream, and above every member's
 * (shard id * 1000 + node index + 1, infra/plan/nodes.ts), so it never collides with a real replica's.
 */
export function moverServerId(id: number, direction: "forward" | "reverse"): number {
  return 4_000_000_000 + 2 * id + (direction === "reverse" ? 1 : 0);
}

/** Kubernetes names: `gamedb-move-<id>`. */
export function moveName(id: number): string {
  return `gamedb-move-${id}`;
}

// ---------------------------------------------------------------------------------------------------------------
// States: what the mover has done, persisted in the control rows

/**
 * preflight -> copying -> streaming (copy done, following the binlog; verified/dirty in the status) -> switching ->
 * switched (target owns; reverse stream) -> cleaning -> cleaned. From streaming/copying: cancelling -> cancelled.
 * From switched: reversing -> reversed (source owns again) -> cancelling -> cancelled. A failure is not a state: it
 * is the status's lastError, and the mover retries (every step resumes from the control rows).
 */
export const MOVE_STATES = [
  "preflight",
  "copying",
  "streaming",
  "switching",
  "switched",
  "reversing",
  "reversed",
  "cleaning",
  "cleaned",
  "cancelling",
  "cancelled",
] as const;
export type MoveState = (typeof MOVE_STATES)[number];

/** The ownership a move's state implies: which shard the published map may name for the range. */
export function ownerInState(state: MoveState, move: { from: number; to: number }): number {
  return state === "switched" || state === "cleaning" || state === "cleaned" ? move.to : move.from;
}

// ---------------------------------------------------------------------------------------------------------------
// Documents

const slotRange = z
  .object({ from: z.int().min(0).max(MAX_SLOT), to: z.int().min(0).max(MAX_SLOT) })
  .refine((r) => r.from <= r.to, { error: "from must not be above to" });
const endpoint = z.object({
  shard: z.int().min(0),
  host: z.string().min(1),
  port: z.int().min(1).max(65535),
});
export type MoveEndpoint = z.infer<typeof endpoint>;

export const throttleSchema = z.object({
  /** Rows per copy chunk and per delete chunk. */
  chunkRows: z.int().min(10).max(100_000).default(1000),
  /** Pause copying while the source runs more threads than this (pt-online-schema-change pauses at 25). */
  maxThreadsRunning: z.int().min(1).max(10_000).default(25),
  /** Pause copying while a member's applier queue holds more transactions than this (Group Replication). */
  maxApplierQueue: z.int().min(0).max(1_000_000).default(1000),
});
export type Throttle = z.infer<typeof throttleSchema>;

export const switchLimitsSchema = z.object({
  /** The switch starts only with the stream this close to the source (seconds). */
  maxLagSeconds: z.number().min(0).max(60).default(1),
  /** How long the freeze may wait for in-flight writers (innodb_lock_wait_timeout is whole seconds). */
  freezeTimeoutSeconds: z.int().min(1).max(30).default(2),
  /** How long the frozen range may wait for the stream to drain and the dirty slots to re-verify. */
  drainTimeoutMs: z.int().min(100).max(30_000).default(2000),
  /** At most this many slots may be dirty when the freeze starts (each is re-checked under the freeze). */
  maxDirtySlots: z.int().min(0).max(16384).default(256),
});
export type SwitchLimits = z.infer<typeof switchLimitsSchema>;

/** The mover's spec, `move.json` in its ConfigMap. Passwords come from a separate Secret file (moverSecretsSchema). */
export const moveSpecSchema = z.object({
  id: z.int().min(1).max(MAX_MOVE_ID),
  slots: slotRange,
  phase: z.enum(MOVE_PHASES),
  /** The game database (gamedb:schema.database): every table in it with a gamedb_slot column moves. */
  database: z.string().regex(MYSQL_NAME),
  source: endpoint,
  target: endpoint,
  throttle: throttleSchema.prefault({}),
  switch: switchLimitsSchema.prefault({}),
  /** Port of the mover's HTTP server: /status (moveStatusSchema) and /metrics (Prometheus). */
  statusPort: z.int().min(1024).max(65535).default(9480),
  /**
   * The stack CA's certificate (public): the mover connects with TLS verified against it, to the Routers and to the
   * source's primary, whose binlog it reads directly (every member requires TLS). Absent: plain (the stand-ins).
   */
  tls: z
    .object({
      ca: z.string().regex(/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/, {
        error: "must be a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)",
      }),
    })
    .optional(),
});
export type MoveSpec = z.infer<typeof moveSpecSchema>;

/** `passwords.json`: the gamedb_mover account's password on each shard, by shard id. */
export const moverSecretsSchema = z.record(z.string().regex(/^\d+$/), z.string().min(1));
export type MoverSecrets = z.infer<typeof moverSecretsSchema>;

/** The gate's spec: the slot map about to be published and where to read each shard's fence. */
export const gateSpecSchema = z.object({
  database: z.string().regex(MYSQL_NAME),
  shards: z.array(endpoint).min(1),
  slotMap: z.array(z.object({ from: z.int().min(0).max(MAX_SLOT), to: z.int().min(0).max(MAX_SLOT), shard: z.int() })),
  /** Moves whose switch or reverse this deploy asks for: the gate waits for their state before checking. */
  moves: z.array(z.object({ id: z.int().min(1), phase: z.enum(MOVE_PHASES), from: z.int(), to: z.int() })),
  timeoutSeconds: z.int().min(1).max(3600).default(600),
});
export type GateSpec = z.infer<typeof gateSpecSchema>;

/** What the mover publishes (GET /status, the control row's status column, `npm run move -- status`). */
export const moveStatusSchema = z.object({
  id: z.int().min(1),
  phase: z.enum(MOVE_PHASES),
  state: z.enum(MOVE_STATES),
  slots: slotRange,
  source: z.int(),
  target: z.int(),
  rowsCopied: z.int().min(0),
  copyDone: z.boolean(),
  /** Rows applied from the stream (inserts, updates and deletes of the range). */
  rowsStreamed: z.int().min(0),
  /** Seconds the stream is behind its source (0 when caught up), null before it starts. */
  lagSeconds: z.number().min(0).nullable(),
  /** Slots whose checksums matched and that the stream has not touched since. */
  verifiedSlots: z.int().min(0),
  /** Slots touched since their verification, or found different (re-checked on the next pass and under freeze). */
  dirtySlots: z.int().min(0),
  /** Completed verification passes over the whole range. */
  verifyPasses: z.int().min(0),
  /** The write pause of the switch or reverse, once done. */
  pauseMs: z.number().min(0).nullable(),
  /** Why the mover cannot go on (preflight refusal, a refused switch, a stream error), or null. */
  lastError: z.string().nullable(),
  updatedAt: z.string(),
});
export type MoveStatus = z.infer<typeof moveStatusSchema>;

/**
 * Why a switch cannot start now, or undefined when it can: caught up (lag under the limit), copy done, every slot
 * verified, and few enough dirty slots to re-check under the freeze.
 */
export function switchRefusal(status: MoveStatus, limits: SwitchLimits): string | undefined {
  const size = status.slots.to - status.slots.from + 1;
  if (status.state === "switched" || status.state === "cleaning" || status.state === "cleaned") return undefined;
  if (status.state !== "streaming" && status.state !== "switching")
    return `move ${status.id} is ${status.state}; a switch needs it streaming (copy done, following the binlog)`;
  if (!status.copyDone) return `move ${status.id} has not finished copying (${status.rowsCopied} rows so far)`;
  if (status.lagSeconds === null)
    return `move ${status.id} has not caught up with its source since the mover started; a switch needs it under ${limits.maxLagSeconds} s behind`;
  if (status.lagSeconds > limits.maxLagSeconds)
    return `move ${status.id} lags ${status.lagSeconds} s behind its source; a switch needs under ${limits.maxLagSeconds} s`;
  if (status.verifiedSlots + status.dirtySlots < size || status.verifyPasses < 1)
    return `move ${status.id} has verified ${status.verifiedSlots} of ${size} slots; wait for a full verification pass`;
  if (status.dirtySlots > limits.maxDirtySlots)
    return `move ${status.id} has ${status.dirtySlots} dirty slots; a switch re-checks at most ${limits.maxDirtySlots} under the freeze`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Control tables, in gamedb_meta on both shards

export const MOVES_TABLE = "slot_moves";
export const WATERMARK_TABLE = "move_watermarks";

/**
 * slot_moves: one row per move and shard. `stream_position` is the checkpoint of the stream that applies INTO this
 * shard (forward on the target, reverse on the source), written in the same transaction as the rows it applied, so
 * a restart resumes exactly there. move_watermarks: the DBLog low/high watermarks the copy writes on the source.
 */
export function moveControlSql(): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS \`${FENCE_SCHEMA}\``,
    `CREATE TABLE IF NOT EXISTS \`${FENCE_SCHEMA}\`.\`${MOVES_TABLE}\` (` +
      "move_id INT UNSIGNED NOT NULL PRIMARY KEY, " +
      "role ENUM('source','target') NOT NULL, " +
      "state VARCHAR(16) NOT NULL, " +
      "slot_from SMALLINT UNSIGNED NOT NULL, slot_to SMALLINT UNSIGNED NOT NULL, " +
      "source_shard INT UNSIGNED NOT NULL, target_shard INT UNSIGNED NOT NULL, " +
      "stream_position TEXT NULL, copy_cursor TEXT NULL, status TEXT NULL, " +
      "updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)" +
      ") ENGINE=InnoDB",
    `CREATE TABLE IF NOT EXISTS \`${FENCE_SCHEMA}\`.\`${WATERMARK_TABLE}\` (` +
      "move_id INT UNSIGNED NOT NULL PRIMARY KEY, seq BIGINT UNSIGNED NOT NULL" +
      ") ENGINE=InnoDB",
  ];
}
