/**
 * The client's typed errors. Every error the client raises itself is a GameDbError with a stable `code`, so game
 * servers can branch on it; errors from the server (a duplicate key, a syntax error) pass through unchanged.
 */
export type GameDbErrorCode =
  | "BAD_OPTION"
  | "BAD_KEY"
  | "ENDPOINTS"
  | "NO_OWNER"
  | "SHARD_UNAVAILABLE"
  | "CROSS_SHARD"
  | "SLOT_MOVED"
  | "SLOT_FROZEN"
  | "SLOT_UNFENCED"
  | "SLOT_MISMATCH"
  | "SCATTER_FAILED"
  | "TIMEOUT"
  | "CLOSED";

export class GameDbError extends Error {
  constructor(
    readonly code: GameDbErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GameDbError";
  }
}

/** Client options that do not fit the schema (the field and the allowed values are named). */
export class OptionsError extends GameDbError {
  constructor(message: string) {
    super("BAD_OPTION", message);
    this.name = "OptionsError";
  }
}

/** An endpoints document that cannot be used; the last good map (if any) stays in force. */
export class EndpointsError extends GameDbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ENDPOINTS", message, options);
    this.name = "EndpointsError";
  }
}

/** The shard's breaker is open: recent connection attempts failed, and a probe has not succeeded since. */
export class ShardUnavailableError extends GameDbError {
  constructor(
    readonly shard: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("SHARD_UNAVAILABLE", message, options);
    this.name = "ShardUnavailableError";
  }
}

/** A transaction reached for a key that another shard owns. */
export class CrossShardError extends GameDbError {
  constructor(message: string) {
    super("CROSS_SHARD", message);
    this.name = "CrossShardError";
  }
}

/** The slot is frozen (a slot move is switching it) for longer than the client waits. */
export class SlotFrozenError extends GameDbError {
  constructor(
    readonly slot: number,
    readonly waitedMs: number,
  ) {
    super("SLOT_FROZEN", `slot ${slot} stayed frozen (a slot move is switching it) for ${waitedMs} ms; try later`);
    this.name = "SlotFrozenError";
  }
}

/** A write was still refused as MOVED after following the redirect once. */
export class SlotMovedError extends GameDbError {
  constructor(
    readonly slot: number,
    readonly shard: number,
    readonly epoch: number,
    message: string,
  ) {
    super("SLOT_MOVED", message);
    this.name = "SlotMovedError";
  }
}

/** Some shards failed during a scatter with `partial: false`; each is named with its error. */
export class ScatterError extends GameDbError {
  constructor(
    readonly failed: readonly { shard: number; error: Error }[],
    message: string,
  ) {
    super("SCATTER_FAILED", message);
    this.name = "ScatterError";
  }
}
