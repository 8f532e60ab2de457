/**
 * Player ids whose slots fall in given ranges, and their rows seeded on the source: the rows a benchmarked move
 * carries. Values are shaped like a game's (a name, a level, an experience counter, a small JSON location).
 */
import type * as mysql from "mysql2/promise";
import { keySlot } from "../../../../infra/contracts/slots";
import type { SlotSpan } from "./plan";

/** Player ids start here (an online game's ids are large; still below 2^53). */
export const FIRST_ID = 1_000_000_000n;
const ROWS_PER_INSERT = 2000;
export const LOCATION = JSON.stringify({ zone: "z1", x: 1.5, y: -2 });

/**
 * For each range, `count` ids whose slot is in it, taken in id order from `start` (ranges must not overlap). One
 * pass: the ids are spread over the slots as the key-slot function spreads them.
 */
export function idsInRanges(
  ranges: readonly { slots: SlotSpan; count: number }[],
  start: bigint = FIRST_ID,
): { ids: bigint[][]; next: bigint } {
  const bySlot = new Int32Array(16384).fill(-1);
  ranges.forEach((r, i) => {
    for (let s = r.slots.from; s <= r.slots.to; s++) {
      if (bySlot[s] !== -1) throw new Error(`ranges ${bySlot[s]} and ${i} overlap at slot ${s}`);
      bySlot[s] = i;
    }
  });
  const ids = ranges.map(() => [] as bigint[]);
  let open = ranges.filter((r) => r.count > 0).length;
  let id = start;
  for (; open > 0; id++) {
    const i = bySlot[keySlot(id)]!;
    if (i === -1) continue;
    const list = ids[i]!;
    if (list.length < ranges[i]!.count && list.push(id) === ranges[i]!.count) open--;
  }
  return { ids, next: id };
}

/** A player's row for `INSERT INTO players (player_id, gamedb_slot, name, level, experience, location_data)`. */
export function playerRow(id: bigint): (string | number | bigint)[] {
  return [id, keySlot(id), `player-${id}`, Number(id % 60n) + 1, id % 100_000n, LOCATION];
}

export const INSERT_PLAYERS =
  "INSERT INTO players (player_id, gamedb_slot, name, level, experience, location_data) VALUES ?";

/** Inserts the players (through the fence triggers: root is not the mover), then refreshes the statistics. */
export async function seedPlayers(conn: mysql.Connection, ids: readonly bigint[]): Promise<void> {
  for (let i = 0; i < ids.length; i += ROWS_PER_INSERT) {
    await conn.query(INSERT_PLAYERS, [ids.slice(i, i + ROWS_PER_INSERT).map(playerRow)]);
  }
  await conn.query("ANALYZE TABLE players");
}
