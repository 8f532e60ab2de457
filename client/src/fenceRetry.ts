/**
 * Following the slot fence (infra/contracts/slotFence.ts) on a write, the way a Redis Cluster client follows
 * MOVED and TRYAGAIN:
 * - MOVED: the fence names the owner and the epoch; the map learns it (never to an older epoch) and the write is
 *   retried once on the new owner. A refused statement changed nothing, so the retry is safe.
 * - TRYAGAIN: the slot is frozen while a move switches it (well under a second); retried with doubling waits up
 *   to `maxWaitMs`, then SlotFrozenError.
 * - UNFENCED and SLOT_CHANGE are mistakes to fix, not to retry: typed errors saying what to do.
 */
import { GameDbError, SlotFrozenError, SlotMovedError } from "./errors";
import { fenceSignalOf } from "./failures";

export interface FenceRetryDeps {
  /** The shard that owns the slot now. */
  ownerOf(slot: number): number;
  /** Records a MOVED; true when the map changed. */
  learn(slot: number, shard: number, epoch: number): boolean;
  sleep(ms: number): Promise<void>;
  tryAgain: { maxWaitMs: number; initialDelayMs: number; maxDelayMs: number };
}

/** Runs `attempt` on the slot's owner, following the fence's answers. */
export async function withFence<T>(
  slot: number,
  attempt: (shard: number) => Promise<T>,
  deps: FenceRetryDeps,
): Promise<T> {
  let redirected = false;
  let waited = 0;
  let delay = deps.tryAgain.initialDelayMs;
  for (;;) {
    const shard = deps.ownerOf(slot);
    try {
      return await attempt(shard);
    } catch (e) {
      const signal = fenceSignalOf(e);
      if (!signal) throw e;
      switch (signal.kind) {
        case "moved": {
          deps.learn(signal.slot, signal.shard, signal.epoch);
          if (signal.slot !== slot && deps.ownerOf(slot) === shard) {
            throw new GameDbError(
              "SLOT_MISMATCH",
              `shard ${shard} refused a row of slot ${signal.slot} (owned by shard ${signal.shard}) in a statement ` +
                `routed by a key of slot ${slot}: write gamedb_slot = slotOf(key) for the key the call is routed by`,
              { cause: e },
            );
          }
          if (redirected || deps.ownerOf(slot) === shard) {
            throw new SlotMovedError(
              signal.slot,
              signal.shard,
              signal.epoch,
              `slot ${signal.slot} was refused as moved to shard ${signal.shard} (epoch ${signal.epoch}) ` +
                `${redirected ? "again after following the redirect once" : "by the shard the map already names"}`,
            );
          }
          redirected = true;
          break;
        }
        case "tryagain": {
          if (waited >= deps.tryAgain.maxWaitMs) throw new SlotFrozenError(signal.slot, waited);
          const pause = Math.min(delay, deps.tryAgain.maxDelayMs, deps.tryAgain.maxWaitMs - waited);
          await deps.sleep(pause);
          waited += pause;
          delay *= 2;
          break;
        }
        case "unfenced":
          throw new GameDbError(
            "SLOT_UNFENCED",
            `shard ${shard} has no fence row for slot ${signal.slot}, so it refuses the write: ` +
              "its gamedb_meta.slot_fence is not installed or incomplete (run the schema migration)",
            { cause: e },
          );
        case "slotChange":
          throw new GameDbError(
            "SLOT_MISMATCH",
            `an UPDATE may not change gamedb_slot (from ${signal.from} to ${signal.to}): a row that changes its ` +
              "shard key is deleted and re-inserted through the client",
            { cause: e },
          );
      }
    }
  }
}
