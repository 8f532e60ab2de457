/**
 * The writer load of the switch benchmark, written as a game server's data layer would (the same rules as the
 * mover's tests, tests/helpers/moveLoad.ts): each writer upserts its own keys on the shard it believes owns them,
 * GAMEDB_MOVED teaches it the new owner (never an older epoch), GAMEDB_TRYAGAIN makes it wait 5 ms and retry.
 *
 * What it measures is the client's view of the write pause: for each write that met TRYAGAIN, the time from its
 * first attempt (which may have queued behind the freeze's lock before it was refused) to its acknowledgement.
 */
import type * as mysql from "mysql2/promise";
import { parseFenceSignal } from "../../../../infra/contracts/slotFence";
import { keySlot } from "../../../../infra/contracts/slots";

export interface WriterResult {
  /** Acknowledged writes. */
  acked: number;
  /** Writes that met TRYAGAIN at least once. */
  paused: number;
  /** The longest of those writes, first attempt to acknowledgement (ms); 0 when none paused. */
  longestPauseMs: number;
  /** The slowest acknowledged write of all (ms), paused or not. */
  slowestWriteMs: number;
  /** Writes acknowledged by each shard. */
  ackedBy: Record<number, number>;
}

export interface WriterOptions {
  ids: readonly bigint[];
  writers: number;
  /** The shard every key starts on. */
  owner: number;
  connect: (shard: number) => Promise<mysql.Connection>;
  /** Shards each writer connects to before its first write (a game server's pools are open already). */
  preconnect?: readonly number[];
  /** Wait after a TRYAGAIN (ms). @default 5 */
  retryMs?: number;
}

const UPSERT =
  "INSERT INTO players (player_id, gamedb_slot, name, level) VALUES (?, ?, ?, ?) " +
  "ON DUPLICATE KEY UPDATE name = VALUES(name), level = VALUES(level)";

export function startWriters(options: WriterOptions): { stop(): Promise<WriterResult> } {
  let running = true;
  const learned = new Map<number, { shard: number; epoch: number }>();
  const result: WriterResult = { acked: 0, paused: 0, longestPauseMs: 0, slowestWriteMs: 0, ackedBy: {} };
  const retryMs = options.retryMs ?? 5;
  const writer = async (w: number) => {
    const conns = new Map<number, mysql.Connection>();
    const conn = async (shard: number) => {
      let c = conns.get(shard);
      if (!c) conns.set(shard, (c = await options.connect(shard)));
      return c;
    };
    const mine = options.ids.filter((_, i) => i % options.writers === w);
    try {
      for (const shard of options.preconnect ?? []) await conn(shard);
      for (let n = 0; running && mine.length > 0; n++) {
        const id = mine[n % mine.length]!;
        const slot = keySlot(id);
        const started = performance.now();
        let paused = false;
        for (;;) {
          const shard = learned.get(slot)?.shard ?? options.owner;
          try {
            await (await conn(shard)).query(UPSERT, [id, slot, `p${id}-${w}-${n}`, (n % 60) + 1]);
            const took = performance.now() - started;
            result.acked++;
            result.ackedBy[shard] = (result.ackedBy[shard] ?? 0) + 1;
            result.slowestWriteMs = Math.max(result.slowestWriteMs, took);
            if (paused) {
              result.paused++;
              result.longestPauseMs = Math.max(result.longestPauseMs, took);
            }
            break;
          } catch (e) {
            const signal = parseFenceSignal((e as { sqlMessage?: string }).sqlMessage ?? "");
            if (signal?.kind === "moved") {
              const prior = learned.get(slot);
              if (prior && prior.epoch >= signal.epoch && prior.shard === shard) throw e;
              if (!prior || prior.epoch < signal.epoch) learned.set(slot, { shard: signal.shard, epoch: signal.epoch });
              continue;
            }
            if (signal?.kind === "tryagain") {
              paused = true;
              await new Promise((r) => setTimeout(r, retryMs));
              continue;
            }
            throw e;
          }
        }
      }
    } finally {
      for (const c of conns.values()) await c.end().catch(() => c.destroy());
    }
  };
  const done = Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w)));
  // A failed writer is reported by stop(); until then the rejection must not go unhandled.
  done.catch(() => undefined);
  return {
    async stop() {
      running = false;
      await done;
      return result;
    },
  };
}
