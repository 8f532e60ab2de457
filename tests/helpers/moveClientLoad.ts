/**
 * A writer load THROUGH THE REAL CLIENT (@gamedb/client, client/src) for slot-move tests, and the endpoints it
 * reads (the gamedb-endpoints ConfigMap as the kubelet mounts it: tests/helpers/shardFleet.ts writeEndpoints).
 *
 * Each writer owns a disjoint set of player ids, so a key's last acknowledged write is its expected state (as in
 * moveLoad.ts). Half the writers use `client.transaction`, which names the shard that committed (tx.shard) and,
 * inside the same transaction, reads the slot's fence row with a shared lock: the trigger already holds that lock
 * until the commit, so what is read is the ownership the server accepted the write under. The other half use
 * `client.write`, the common path, whose acknowledging shard the client does not expose. A refusal the client
 * gives up on (SlotFrozenError, SlotMovedError) changed nothing and is retried; any other error is recorded and
 * stops that writer (its key's state is then unknown), and the tests require none.
 */
import type { ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { GameDbClient, SlotFrozenError, SlotMovedError } from "../../client/src";
import type { ClientEvent } from "../../client/src";
import type { MoveFleet } from "./moveFleet";
import type { PlayerState } from "./moveLoad";
import { DATABASE } from "./shardFleet";

export interface SlotRunWithEpoch {
  from: number;
  to: number;
  shard: number;
  epoch?: number;
}

/** Publishes the slot map (runs must cover 0-16383) with a Router for every shard of the fleet, as a deploy does. */
export function publishSlotMap(fleet: MoveFleet, runs: SlotRunWithEpoch[]): void {
  const routers = Object.fromEntries(
    fleet.shards.shards.map((s) => {
      const port = fleet.shards.server(s).port;
      return [`shard${s}`, { host: "127.0.0.1", ports: { rw: port, ro: port } }];
    }),
  );
  const slotMap = runs.map((r) => ({ slots: `${r.from}-${r.to}`, ...r }));
  fleet.shards.writeEndpoints({ routers: JSON.stringify(routers), slotMap: JSON.stringify(slotMap) });
}

export interface FenceSeen {
  state: string;
  owner: number;
  epoch: number;
}

export interface ClientAck {
  id: string;
  slot: number;
  /** The shard whose transaction committed the write, or null for a `client.write` (not exposed). */
  shard: number | null;
  /** The slot's fence row as the committing transaction saw it (transaction writers only). */
  fence: FenceSeen | null;
  /** Rows changed: 0 for a delete of a row the shard does not have, which no trigger checks. */
  changed: number;
  /** When the attempt that was acknowledged began (Date.now()), and when it was acknowledged. */
  startedAt: number;
  at: number;
}

export interface ClientLoadResult {
  acked: number;
  /** Per player id (as text): the state after the last acknowledged write, or null when it was a delete. */
  expected: Map<string, PlayerState | null>;
  acks: ClientAck[];
  /** SlotFrozenError or SlotMovedError, retried. */
  refusals: number;
  /** Any other error: the writer stopped. */
  errors: string[];
  learned: Extract<ClientEvent, { type: "slotLearned" }>[];
}

export interface ClientLoad {
  client: GameDbClient;
  /** Live: every acknowledged write so far. */
  readonly acks: readonly ClientAck[];
  readonly errors: readonly string[];
  /** Live: every slot owner the client learned from a MOVED so far. */
  readonly learned: readonly ClientLoadResult["learned"][number][];
  /** Re-reads the endpoints now (the client also polls them). */
  reload(): void;
  stop(): Promise<ClientLoadResult>;
}

const UPSERT =
  "INSERT INTO players (player_id, gamedb_slot, name, level) VALUES (?, ?, ?, ?) " +
  "ON DUPLICATE KEY UPDATE name = ?, level = ?";
const DELETE = "DELETE FROM players WHERE player_id = ?";
const FENCE_ROW = "SELECT state, owner_shard, epoch FROM gamedb_meta.slot_fence WHERE slot = ? LOCK IN SHARE MODE";

export function startClientLoad(
  fleet: MoveFleet,
  options: { ids: bigint[]; writers: number; tryAgainMaxWaitMs?: number },
): ClientLoad {
  let running = true;
  const learned: ClientLoadResult["learned"] = [];
  const client = new GameDbClient({
    endpoints: fleet.shards.endpointsDir,
    user: "root",
    database: DATABASE,
    reloadPollMs: 200,
    tryAgain: { maxWaitMs: options.tryAgainMaxWaitMs ?? 3000 },
    onEvent: (e) => {
      if (e.type === "slotLearned") learned.push(e);
    },
  });
  const expected = new Map<string, PlayerState | null>();
  const acks: ClientAck[] = [];
  const errors: string[] = [];
  let refusals = 0;

  const writer = async (w: number) => {
    const mine = options.ids.filter((_, i) => i % options.writers === w);
    const viaTransaction = w % 2 === 0;
    let n = 0;
    while (running) {
      const i = n % mine.length;
      const id = mine[i]!;
      // Each key is deleted one round in seven and written again the next, so a delete finds its row.
      const del = (Math.floor(n / mine.length) + i) % 7 === 0;
      const state = { name: `c${id}-${w}-${n}`, level: n + 1 };
      const slot = client.slotOf(id);
      const sql = del ? DELETE : UPSERT;
      const params = del ? [id] : [id, slot, state.name, state.level, state.name, state.level];
      let startedAt = 0;
      try {
        let ack: Pick<ClientAck, "shard" | "fence" | "changed">;
        if (viaTransaction) {
          ack = await client.transaction(id, async (tx) => {
            startedAt = Date.now();
            const res = await tx.query<ResultSetHeader>(sql, params);
            const [f] = await tx.query<RowDataPacket[]>(FENCE_ROW, [slot]);
            const fence = f ? { state: String(f.state), owner: Number(f.owner_shard), epoch: Number(f.epoch) } : null;
            return { shard: tx.shard, fence, changed: res.affectedRows };
          });
        } else {
          startedAt = Date.now();
          const res = await client.write<ResultSetHeader>(id, sql, params);
          ack = { shard: null, fence: null, changed: res.affectedRows };
        }
        expected.set(String(id), del ? null : state);
        acks.push({ id: String(id), slot, ...ack, startedAt, at: Date.now() });
        n++;
      } catch (e) {
        if (e instanceof SlotFrozenError || e instanceof SlotMovedError) {
          refusals++;
          continue; // nothing was written: the same write again
        }
        errors.push(`writer ${w}, player ${id}: ${(e as Error).message}`);
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w)));
  return {
    client,
    acks,
    errors,
    learned,
    reload: () => void client.reload(),
    async stop() {
      running = false;
      await done;
      await client.close();
      return { acked: acks.length, expected, acks, refusals, errors, learned };
    },
  };
}
