/**
 * The switch of a range from the shard that owns it to the one that has followed it, under a write pause: freeze the
 * range on the owner (the fence waits out in-flight writers), drain the stream to the freeze point, re-check every
 * dirty slot while nothing changes, then the heir claims the range and the owner lets it go, at a higher epoch. Used
 * forward (source -> target) and for a reverse (target -> source).
 *
 * Until the heir's claim commits, any failure or timeout unfreezes the owner and reports: never a half switch. The
 * claim and the heir's control state commit together; a crash after it is finished by finishSwitch on restart.
 */
import type { Connection } from "mysql2/promise";
import type { MoveState, SwitchLimits } from "../../../infra/contracts/slotMoves";
import { setState } from "./control";
import { Range, allIn, claim, expectFrozen, freezeUpdate, rangeStates, release, unfreeze } from "./fenceOps";
import { Position, currentPosition, reached } from "./position";
import type { Flavour } from "./connect";
import type { RangeVerifier } from "./verifier";
import { failpoint } from "./failpoints";

export interface SwitchPlan {
  moveId: number;
  range: Range;
  /** The shard giving the range up (frozen, then moved) and the one taking it (claim). */
  owner: { shard: number; conn: Connection };
  heir: { shard: number; conn: Connection };
  flavour: Flavour;
  epoch: number;
  /** The state both control rows take: switched (forward) or reversed. */
  done: MoveState;
  limits: SwitchLimits;
  /** What the stream into the heir has committed. */
  applied: () => Position;
  verifier: RangeVerifier;
  /** Runs after the re-check and before the claim, with the heir's position (the next stream starts there). */
  beforeClaim?: (heirPosition: Position) => Promise<void>;
}

export class SwitchAborted extends Error {}
/** The claim's COMMIT failed without a known outcome: the owner stays frozen until finishSwitch decides. */
export class ClaimUncertain extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Performs the switch; resolves with the write pause in ms, or rejects with SwitchAborted (range unfrozen). */
export async function switchRange(plan: SwitchPlan): Promise<number> {
  const { owner, heir, range, limits } = plan;
  const started = performance.now();
  const deadline = started + limits.freezeTimeoutSeconds * 1000 + limits.drainTimeoutMs;
  const abort = async (why: string): Promise<never> => {
    await unfreeze(owner.conn, range);
    throw new SwitchAborted(
      `${plan.done === "switched" ? "switch" : "reverse"} of slots ${range.from}-${range.to} aborted, range ` +
        `unfrozen: ${why}`,
    );
  };
  const word = plan.done === "switched" ? "switch" : "reverse";
  try {
    await freezeUpdate(owner.conn, range, limits.freezeTimeoutSeconds);
  } catch (e) {
    // The UPDATE is one autocommit statement: when it fails (a writer held a row past the lock wait) it froze
    // nothing, and an unfreeze here would only queue behind the same writer.
    throw new SwitchAborted(
      `${word} of slots ${range.from}-${range.to} aborted, nothing frozen: the freeze did not get the range within ` +
        `${limits.freezeTimeoutSeconds} s (${(e as Error).message})`,
    );
  }
  try {
    await expectFrozen(owner.conn, range);
  } catch (e) {
    return abort((e as Error).message);
  }
  failpoint("switch-frozen");
  let committing = false;
  try {
    const freezePoint = await currentPosition(owner.conn, plan.flavour);
    while (!reached(plan.applied(), freezePoint)) {
      if (performance.now() > deadline)
        return await abort(`the stream did not drain within ${limits.drainTimeoutMs} ms`);
      await sleep(2);
    }
    const dirty = plan.verifier.dirty();
    if (dirty.length > limits.maxDirtySlots) {
      return await abort(`${dirty.length} dirty slots, more than switch.maxDirtySlots ${limits.maxDirtySlots}`);
    }
    const differing = await plan.verifier.checkSlots(dirty);
    if (differing.length > 0) {
      return await abort(`slots ${differing.slice(0, 20).join(", ")} differ between the shards after the drain`);
    }
    if (performance.now() > deadline) return await abort("the re-check took longer than the drain allows");
    await plan.beforeClaim?.(await currentPosition(heir.conn, plan.flavour));
    await heir.conn.beginTransaction();
    try {
      await claim(heir.conn, range, heir.shard, plan.epoch);
      await setState(heir.conn, plan.moveId, plan.done);
    } catch (e) {
      await heir.conn.rollback().catch(() => undefined);
      throw e;
    }
    committing = true;
    await heir.conn.commit();
  } catch (e) {
    if (e instanceof SwitchAborted) throw e;
    // A COMMIT whose outcome is unknown (the connection lost while it ran) may have given the heir the range:
    // unfreezing the owner then would make two owners. Leave the owner frozen; the next step reads the heir's
    // fence on a new connection (finishSwitch) and goes forward or unfreezes.
    if (committing)
      throw new ClaimUncertain(`the claim's COMMIT on shard ${heir.shard} failed: ${(e as Error).message}`);
    return abort((e as Error).message);
  }
  // Committed: from here on the switch only goes forward (finishSwitch repeats this after a crash).
  failpoint("switch-claimed");
  await release(owner.conn, range, heir.shard, plan.epoch);
  await setState(owner.conn, plan.moveId, plan.done);
  return performance.now() - started;
}

/**
 * After a crash during a switch: if the heir's claim committed, finish releasing the owner; otherwise unfreeze the
 * owner. Returns true when the switch had committed.
 */
export async function finishSwitch(
  plan: Omit<SwitchPlan, "applied" | "verifier" | "limits" | "flavour">,
): Promise<boolean> {
  const heirStates = await rangeStates(plan.heir.conn, plan.range);
  if (allIn(heirStates, plan.range, { state: "owned", owner: plan.heir.shard, epoch: plan.epoch })) {
    const ownerStates = await rangeStates(plan.owner.conn, plan.range);
    if (!allIn(ownerStates, plan.range, { state: "moved", owner: plan.heir.shard, epoch: plan.epoch })) {
      await release(plan.owner.conn, plan.range, plan.heir.shard, plan.epoch);
    }
    await setState(plan.owner.conn, plan.moveId, plan.done);
    await setState(plan.heir.conn, plan.moveId, plan.done);
    return true;
  }
  await unfreeze(plan.owner.conn, plan.range);
  return false;
}
