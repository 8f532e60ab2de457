/**
 * Epochs across moves. A move's switch writes switchEpoch(id) on the fence rows of its range and a reverse
 * reverseEpoch(id) (infra/contracts/slotMoves.ts); clients ignore an owner announced at a lower epoch than the one
 * they hold for the slot, and keep what they learned only while it is above the published map's
 * (client/src/topology.ts learn and keepNewer), so epochs must rise strictly from move to move. Move ids are unique
 * only within the current config, so a later move of the same slots may carry a smaller id than one that already
 * switched them: its switch would write a LOWER epoch, and clients that learned the higher one would never follow
 * the new owner. Preflight refuses such a move on either shard (mover.ts start()), naming the epoch on the fence and
 * the smallest id that would do.
 */
import type { Connection } from "mysql2/promise";
import { MAX_MOVE_ID, switchEpoch } from "../../../infra/contracts/slotMoves";
import type { SlotRange } from "./checksumSql";
import { describeStates, rangeStates, type StateCount } from "./fenceOps";
import { rangeText } from "./fenceRows";

type Queryable = Pick<Connection, "query">;

/** The smallest move id whose switch epoch (2 id + 1) is above `epoch`. */
export function smallestIdAbove(epoch: number): number {
  return Math.max(1, Math.ceil(epoch / 2));
}

/**
 * Pure: why move `moveId` may not switch `range`, given the range's fence rows on one shard (rangeStates), or
 * undefined when its switch epoch is above every epoch there. `where` names the shard, e.g. "source shard 1".
 */
export function epochRefusal(
  states: readonly StateCount[],
  range: SlotRange,
  moveId: number,
  where: string,
): string | undefined {
  if (states.length === 0) return undefined;
  const highest = Math.max(...states.map((s) => s.epoch));
  const epoch = switchEpoch(moveId);
  if (epoch > highest) return undefined;
  const id = smallestIdAbove(highest);
  const fix =
    id <= MAX_MOVE_ID
      ? `give this move an id of at least ${id} (its switch writes epoch ${switchEpoch(id)})`
      : `no move id up to ${MAX_MOVE_ID} has a switch epoch above it: check the fence`;
  return (
    `the fence of ${rangeText(range)} on ${where} already carries epoch ${highest} ` +
    `(${describeStates(states.filter((s) => s.epoch === highest))}); move ${moveId}'s switch would write epoch ` +
    `${epoch}, ${
      epoch === highest
        ? "the same, and clients could not tell its owner from the one that epoch already names"
        : `lower, and clients that learned epoch ${highest} would ignore the new owner`
    }: move ids are unique only within the current config, so ${fix}`
  );
}

/** The epoch problem of move `moveId` on the shard behind `conn`, if any; a failed read is a problem too. */
export async function epochProblems(
  conn: Queryable,
  range: SlotRange,
  moveId: number,
  where = "this shard",
): Promise<string[]> {
  try {
    const refusal = epochRefusal(await rangeStates(conn, range), range, moveId, where);
    return refusal ? [refusal] : [];
  } catch (e) {
    return [`cannot read the fence epochs of ${rangeText(range)} on ${where}: ${(e as Error).message}`];
  }
}
