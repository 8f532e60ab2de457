import fc from "fast-check";
import { FENCE_ERRNO, FENCE_SQLSTATE, FenceSignal, formatFenceSignal } from "../../infra/contracts/slotFence";
import { GameDbError, SlotFrozenError, SlotMovedError } from "../../client/src/errors";
import { FenceRetryDeps, withFence } from "../../client/src/fenceRetry";
import { Topology } from "../../client/src/topology";
import { evenDoc } from "./fixtures";

/** What mysql2 rejects with when a fence trigger SIGNALs (ER_SIGNAL_EXCEPTION). */
function fenceError(signal: FenceSignal): Error {
  const sqlMessage = formatFenceSignal(signal);
  return Object.assign(new Error(sqlMessage), {
    code: "ER_SIGNAL_EXCEPTION",
    errno: FENCE_ERRNO,
    sqlState: FENCE_SQLSTATE,
    sqlMessage,
  });
}

const SLOT = 100; // shard 0 of two, at epoch 5
const TRY_AGAIN = { maxWaitMs: 3000, initialDelayMs: 10, maxDelayMs: 200 };

/** The real routing table behind the retry, and a sleep that only records. */
function setup(tryAgain = TRY_AGAIN) {
  const topology = Topology.build(evenDoc(3, { epoch: 5 })) as Topology;
  const waits: number[] = [];
  const deps: FenceRetryDeps = {
    ownerOf: (slot) => topology.shardOfSlot(slot),
    learn: (slot, shard, epoch) => topology.learn(slot, { shard, epoch }),
    sleep: async (ms) => void waits.push(ms),
    tryAgain,
  };
  return { topology, waits, deps };
}

/** An attempt that answers per shard, in turn: a value, or an error to throw. */
function attempts(script: (shard: number, n: number) => unknown) {
  const shards: number[] = [];
  const attempt = async (shard: number) => {
    shards.push(shard);
    const out = script(shard, shards.length);
    if (out instanceof Error) throw out;
    return out;
  };
  return { attempt, shards };
}

describe("withFence", () => {
  it("MOVED: learns the owner and retries once on it", async () => {
    const { topology, deps, waits } = setup();
    const { attempt, shards } = attempts((shard) =>
      shard === 0 ? fenceError({ kind: "moved", slot: SLOT, shard: 2, epoch: 6 }) : "ok",
    );
    await expect(withFence(SLOT, attempt, deps)).resolves.toBe("ok");
    expect(shards).toEqual([0, 2]);
    expect([topology.shardOfSlot(SLOT), topology.epoch[SLOT]]).toEqual([2, 6]);
    expect(waits).toEqual([]);
  });

  it("a second MOVED after following one: SlotMovedError (learned, not followed)", async () => {
    const { topology, deps } = setup();
    const { attempt, shards } = attempts((shard) =>
      shard === 0
        ? fenceError({ kind: "moved", slot: SLOT, shard: 1, epoch: 6 })
        : fenceError({ kind: "moved", slot: SLOT, shard: 2, epoch: 7 }),
    );
    const e = await withFence(SLOT, attempt, deps).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SlotMovedError);
    expect(e).toMatchObject({ code: "SLOT_MOVED", slot: SLOT, shard: 2, epoch: 7 });
    expect((e as Error).message).toBe(
      `slot ${SLOT} was refused as moved to shard 2 (epoch 7) again after following the redirect once`,
    );
    expect(shards).toEqual([0, 1]);
    expect(topology.shardOfSlot(SLOT)).toBe(2);
  });

  it("MOVED at an older epoch than the map's: SlotMovedError without a retry, the map unchanged", async () => {
    const { topology, deps } = setup();
    const { attempt, shards } = attempts(() => fenceError({ kind: "moved", slot: SLOT, shard: 1, epoch: 4 }));
    const e = await withFence(SLOT, attempt, deps).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SlotMovedError);
    expect((e as Error).message).toMatch(/by the shard the map already names$/);
    expect(shards).toEqual([0]);
    expect([topology.shardOfSlot(SLOT), topology.epoch[SLOT]]).toEqual([0, 5]);
  });

  it("MOVED naming another slot than the key's: SLOT_MISMATCH (the row's gamedb_slot is wrong), no retry", async () => {
    const { deps } = setup();
    const other = 16000; // shard 2's
    const { attempt, shards } = attempts(() => fenceError({ kind: "moved", slot: other, shard: 2, epoch: 5 }));
    const e = await withFence(SLOT, attempt, deps).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GameDbError);
    expect(e).toMatchObject({ code: "SLOT_MISMATCH" });
    expect((e as Error).message).toMatch(
      new RegExp(`^shard 0 refused a row of slot ${other} \\(owned by shard 2\\) .* routed by a key of slot ${SLOT}`),
    );
    expect((e as Error).cause).toBeInstanceOf(Error);
    expect(shards).toEqual([0]);
  });

  it("TRYAGAIN: waits 10, 20, 40, ... capped at maxDelayMs, in all maxWaitMs, then SlotFrozenError", async () => {
    const { deps, waits } = setup();
    const { attempt, shards } = attempts(() => fenceError({ kind: "tryagain", slot: SLOT }));
    const e = await withFence(SLOT, attempt, deps).catch((x: unknown) => x);
    expect(waits).toEqual([10, 20, 40, 80, 160, ...Array<number>(13).fill(200), 90]);
    expect(e).toBeInstanceOf(SlotFrozenError);
    expect(e).toMatchObject({ code: "SLOT_FROZEN", slot: SLOT, waitedMs: 3000 });
    expect(shards).toHaveLength(waits.length + 1);
    expect(new Set(shards)).toEqual(new Set([0]));
  });

  it("TRYAGAIN's waits for any settings: doubling from initialDelayMs, each <= maxDelayMs, summing to maxWaitMs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 1000 }),
        async (maxWaitMs, initialDelayMs, maxDelayMs) => {
          const { deps, waits } = setup({ maxWaitMs, initialDelayMs, maxDelayMs });
          const { attempt } = attempts(() => fenceError({ kind: "tryagain", slot: SLOT }));
          const e = await withFence(SLOT, attempt, deps).catch((x: unknown) => x);
          let left = maxWaitMs;
          const expected = waits.map((_, i) => {
            const w = Math.min(initialDelayMs * 2 ** i, maxDelayMs, left);
            left -= w;
            return w;
          });
          expect(waits).toEqual(expected);
          expect(left).toBe(0);
          expect((e as SlotFrozenError).waitedMs).toBe(maxWaitMs);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("TRYAGAIN then success: returns the answer after the waits", async () => {
    const { deps, waits } = setup();
    const { attempt, shards } = attempts((_shard, n) => (n <= 2 ? fenceError({ kind: "tryagain", slot: SLOT }) : 42));
    await expect(withFence(SLOT, attempt, deps)).resolves.toBe(42);
    expect(waits).toEqual([10, 20]);
    expect(shards).toEqual([0, 0, 0]);
  });

  it("TRYAGAIN then MOVED (the switch finished): follows the move", async () => {
    const { deps } = setup();
    const { attempt, shards } = attempts((shard, n) =>
      n === 1
        ? fenceError({ kind: "tryagain", slot: SLOT })
        : shard === 0
          ? fenceError({ kind: "moved", slot: SLOT, shard: 1, epoch: 6 })
          : "done",
    );
    await expect(withFence(SLOT, attempt, deps)).resolves.toBe("done");
    expect(shards).toEqual([0, 0, 1]);
  });

  it("UNFENCED: SLOT_UNFENCED saying to install the fence, no retry", async () => {
    const { deps } = setup();
    const cause = fenceError({ kind: "unfenced", slot: SLOT });
    const { attempt, shards } = attempts(() => cause);
    const e = await withFence(SLOT, attempt, deps).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "SLOT_UNFENCED", cause });
    expect((e as Error).message).toMatch(/^shard 0 has no fence row for slot 100.*run the schema migration/);
    expect(shards).toEqual([0]);
  });

  it("SLOT_CHANGE: SLOT_MISMATCH saying a re-key is a delete and an insert, no retry", async () => {
    const { deps } = setup();
    const { attempt, shards } = attempts(() => fenceError({ kind: "slotChange", from: 100, to: 7000 }));
    const e = await withFence(SLOT, attempt, deps).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "SLOT_MISMATCH" });
    expect((e as Error).message).toMatch(
      /^an UPDATE may not change gamedb_slot \(from 100 to 7000\).*deleted and re-inserted/,
    );
    expect(shards).toEqual([0]);
  });

  it("any other error passes through unchanged, without a retry or a wait", async () => {
    const others: unknown[] = [
      Object.assign(new Error("Duplicate entry"), { code: "ER_DUP_ENTRY", errno: 1062, sqlState: "23000" }),
      Object.assign(new Error("other"), { errno: 1644, sqlState: "45000", sqlMessage: "custom trigger refusal" }),
      // A fence-shaped message with another SQLSTATE is not the fence.
      Object.assign(new Error("x"), { sqlState: "HY000", sqlMessage: "GAMEDB_TRYAGAIN slot=100" }),
      Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }),
      "a thrown string",
    ];
    for (const error of others) {
      const { deps, waits } = setup();
      const { attempt, shards } = attempts(() => {
        throw error;
      });
      await expect(withFence(SLOT, attempt, deps)).rejects.toBe(error);
      expect([shards, waits]).toEqual([[0], []]);
    }
  });
});
