/**
 * Checks of the slot-move tests under a client load (moveClientLoad.ts): a watcher of a shard's fence from outside,
 * the acknowledged writes against it, and a range's rows against what was seeded and acknowledged.
 */
import type * as mysql from "mysql2/promise";
import type { ClientAck } from "./moveClientLoad";
import type { MoveFleet } from "./moveFleet";
import type { PlayerState } from "./moveLoad";
import { keySlot } from "../../infra/contracts/slots";
import { describeTable } from "../../client/src/tableDefinition";
import { checksumSlots } from "../../scripts/lib/mover/checksum";
import { DATABASE } from "./shardFleet";

export interface FenceObservation {
  state: string;
  owner: number;
  epoch: number;
  /** Date.now() when this state was first read (after the commit that made it). */
  at: number;
}

export interface FenceWatch {
  readonly observations: readonly FenceObservation[];
  stop(): Promise<FenceObservation[]>;
}

/**
 * Polls one slot's fence row on a shard with a plain (committed) read, recording each change with its time. The
 * mover changes a range's rows in one statement, so one slot shows when the range changed.
 */
export function watchFence(fleet: MoveFleet, shard: number, slot: number, everyMs = 10): FenceWatch {
  const observations: FenceObservation[] = [];
  let running = true;
  const done = (async () => {
    const conn = await fleet.admin(shard);
    try {
      while (running) {
        const [rows] = await conn.query<mysql.RowDataPacket[]>(
          "SELECT state, owner_shard, epoch FROM gamedb_meta.slot_fence WHERE slot = ?",
          [slot],
        );
        const r = rows[0]!;
        const seen = { state: String(r.state), owner: Number(r.owner_shard), epoch: Number(r.epoch) };
        const last = observations[observations.length - 1];
        if (!last || last.state !== seen.state || last.owner !== seen.owner || last.epoch !== seen.epoch) {
          observations.push({ ...seen, at: Date.now() });
        }
        await new Promise((res) => setTimeout(res, everyMs));
      }
    } finally {
      await conn.end();
    }
  })();
  return {
    observations,
    async stop() {
      running = false;
      await done;
      return observations;
    },
  };
}

/**
 * When the ownership at `epoch` ended, as seen from outside: the first observation of the freeze that became `moved`
 * at a higher epoch (or of that `moved`, if the freeze was too short to be seen); Infinity if it never ended. An
 * observation comes after the commit it sees, so a statement begun later began after the freeze committed.
 */
export function ownershipEnded(observations: readonly FenceObservation[], epoch: number): number {
  const moved = observations.findIndex((o) => o.state === "moved" && o.epoch > epoch);
  if (moved === -1) return Infinity;
  let i = moved;
  while (i > 0 && observations[i - 1]!.state === "frozen") i--;
  return observations[i]!.at;
}

/**
 * Acknowledged changes of `range` on `shard` whose attempt began after the freeze that ended the ownership they
 * were committed under (`observations`: watchFence of that shard, on a slot of the range): none may exist.
 */
export function lateAcks(
  acks: readonly ClientAck[],
  shard: number,
  range: { from: number; to: number },
  observations: readonly FenceObservation[],
) {
  return acks.filter(
    (a) =>
      a.shard === shard &&
      a.changed > 0 &&
      a.fence &&
      a.slot >= range.from &&
      a.slot <= range.to &&
      a.startedAt > ownershipEnded(observations, a.fence.epoch),
  );
}

/** Acknowledged changes committed under a fence row that did not say `owned` by the committing shard. */
export function unfencedAcks(acks: readonly ClientAck[]) {
  return acks.filter((a) => a.changed > 0 && a.fence && !(a.fence.state === "owned" && a.fence.owner === a.shard));
}

export const inRange = (range: { from: number; to: number }, id: bigint | string) => {
  const s = keySlot(BigInt(id));
  return s >= range.from && s <= range.to;
};

/** The players of `range` on `shard`: name and level by id. */
export async function rangeRows(
  fleet: MoveFleet,
  shard: number,
  range: { from: number; to: number },
): Promise<Map<string, PlayerState>> {
  const conn = await fleet.admin(shard);
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT player_id, name, level FROM players WHERE gamedb_slot BETWEEN ? AND ?",
      [range.from, range.to],
    );
    return new Map(rows.map((r) => [String(r.player_id), { name: String(r.name), level: Number(r.level) }]));
  } finally {
    await conn.end();
  }
}

/** What `range` should hold: every seeded player in it (seedPlayers: `seed-<id>`, level 1), as the load left it. */
export function wantedRows(
  seeded: readonly bigint[],
  range: { from: number; to: number },
  expected: ReadonlyMap<string, PlayerState | null>,
): Map<string, PlayerState> {
  const out = new Map<string, PlayerState>();
  for (const id of seeded) {
    if (!inRange(range, id)) continue;
    const key = String(id);
    const want = expected.has(key) ? expected.get(key)! : { name: `seed-${id}`, level: 1 };
    if (want) out.set(key, want);
  }
  return out;
}

/** Every difference between two sets of rows, one line each (empty when equal). */
export function rowDifferences(got: ReadonlyMap<string, PlayerState>, want: ReadonlyMap<string, PlayerState>) {
  const out: string[] = [];
  for (const [id, w] of want) {
    const g = got.get(id);
    if (!g || g.name !== w.name || g.level !== w.level)
      out.push(`${id}: want ${JSON.stringify(w)}, got ${JSON.stringify(g ?? null)}`);
  }
  for (const [id, g] of got) if (!want.has(id)) out.push(`${id}: want no row, got ${JSON.stringify(g)}`);
  return out;
}

/** Rows of `range` per table on `shard`. */
export async function rangeCounts(fleet: MoveFleet, shard: number, range: { from: number; to: number }) {
  const conn = await fleet.admin(shard);
  try {
    const out: Record<string, number> = {};
    for (const t of ["players", "inventory"]) {
      const [rows] = await conn.query<mysql.RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${t} WHERE gamedb_slot BETWEEN ? AND ?`,
        [range.from, range.to],
      );
      out[t] = Number(rows[0]!.n);
    }
    return out;
  } finally {
    await conn.end();
  }
}

/** Player ids to seed: `inside` with a slot in `range`, `outside` without, ascending from 1. */
export function playersAround(range: { from: number; to: number }, inside: number, outside: number) {
  const ins: bigint[] = [];
  const outs: bigint[] = [];
  for (let id = 1n; ins.length < inside || outs.length < outside; id++) {
    if (inRange(range, id)) {
      if (ins.length < inside) ins.push(id);
    } else if (outs.length < outside) outs.push(id);
  }
  return { inside: ins, outside: outs };
}

/** Per slot of `range` on `shard`, one table's row count and digest (slots without rows are absent). */
export async function slotChecksums(
  fleet: MoveFleet,
  shard: number,
  table: string,
  range: { from: number; to: number },
): Promise<Map<number, string>> {
  const conn = await fleet.admin(shard);
  try {
    const sums = await checksumSlots(conn, await describeTable(conn, DATABASE, table), range);
    return new Map([...sums].map(([s, c]) => [s, `${c.rows}:${c.digest}`]));
  } finally {
    await conn.end();
  }
}
