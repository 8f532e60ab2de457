/**
 * A concurrent writer load for slot-move tests, written as a game server's data layer would: each writer owns a
 * disjoint set of player ids (so the last acknowledged write of a key is its expected state), sends each write to
 * the shard it believes owns the key, and follows the fence: GAMEDB_MOVED changes its owner (never back to an older
 * epoch), GAMEDB_TRYAGAIN waits and retries. Every acknowledged write is recorded; the tests compare them with
 * the shards afterwards.
 */
import type * as mysql from "mysql2/promise";
import { parseFenceSignal } from "../../infra/contracts/slotFence";
import { keySlot } from "../../infra/contracts/slots";

export interface PlayerState {
  name: string;
  level: number;
}

export interface LoadResult {
  /** Acknowledged writes. */
  acked: number;
  /** Per player id (as text): the state after the last acknowledged write, or null when it was a delete. */
  expected: Map<string, PlayerState | null>;
  /** Longest time a write waited on TRYAGAIN (ms) and how many waited. */
  longestPauseMs: number;
  paused: number;
  /** Writes acknowledged by each shard for slots in `watch`, with their time. */
  ackedIn: { shard: number; at: number }[];
}

export interface LoadOptions {
  ids: bigint[];
  writers: number;
  /** The shard each slot starts on. */
  owner: (slot: number) => number;
  connect: (shard: number) => Promise<mysql.Connection>;
  /** Slots whose acknowledgements are recorded with their shard and time. */
  watch?: { from: number; to: number };
}

export function startLoad(options: LoadOptions): { stop(): Promise<LoadResult> } {
  let running = true;
  const expected = new Map<string, PlayerState | null>();
  const learned = new Map<number, { shard: number; epoch: number }>();
  const result: LoadResult = { acked: 0, expected, longestPauseMs: 0, paused: 0, ackedIn: [] };
  const ownerOf = (slot: number) => learned.get(slot)?.shard ?? options.owner(slot);
  const writer = async (w: number) => {
    const conns = new Map<number, mysql.Connection>();
    const conn = async (shard: number) => {
      let c = conns.get(shard);
      if (!c) conns.set(shard, (c = await options.connect(shard)));
      return c;
    };
    const mine = options.ids.filter((_, i) => i % options.writers === w);
    let n = 0;
    while (running) {
      const id = mine[n++ % mine.length]!;
      const slot = keySlot(id);
      const del = n % 7 === 0;
      const state = { name: `p${id}-${w}-${n}`, level: n };
      let pausedSince: number | undefined;
      for (;;) {
        const shard = ownerOf(slot);
        try {
          const c = await conn(shard);
          if (del) await c.query("DELETE FROM players WHERE player_id = ?", [id]);
          else
            await c.query(
              "INSERT INTO players (player_id, gamedb_slot, name, level) VALUES (?, ?, ?, ?) " +
                "ON DUPLICATE KEY UPDATE name = ?, level = ?",
              [id, slot, state.name, state.level, state.name, state.level],
            );
          expected.set(String(id), del ? null : state);
          result.acked++;
          if (options.watch && slot >= options.watch.from && slot <= options.watch.to) {
            result.ackedIn.push({ shard, at: Date.now() });
          }
          if (pausedSince !== undefined) {
            result.paused++;
            result.longestPauseMs = Math.max(result.longestPauseMs, Date.now() - pausedSince);
          }
          break;
        } catch (e) {
          const signal = parseFenceSignal((e as { sqlMessage?: string }).sqlMessage ?? "");
          if (signal?.kind === "moved") {
            const prior = learned.get(slot);
            if (!prior || prior.epoch < signal.epoch) learned.set(slot, { shard: signal.shard, epoch: signal.epoch });
            else if (prior.shard === shard) throw e;
            continue;
          }
          if (signal?.kind === "tryagain") {
            pausedSince ??= Date.now();
            await new Promise((r) => setTimeout(r, 5));
            continue;
          }
          throw e;
        }
      }
    }
    for (const c of conns.values()) await c.end();
  };
  const done = Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w)));
  return {
    async stop() {
      running = false;
      await done;
      return result;
    },
  };
}
