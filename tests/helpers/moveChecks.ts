/** Seeding and the after-the-fact checks of the slot-move tests (tests/helpers/moveFleet.ts). */
import type * as mysql from "mysql2/promise";
import { describeTable } from "../../client/src/tableDefinition";
import { keySlot } from "../../infra/contracts/slots";
import { checksumSlots } from "../../scripts/lib/mover/checksum";
import type { PlayerState } from "./moveLoad";
import type { MoveFleet } from "./moveFleet";

/** Players (and two inventory rows each, with DECIMAL, binary and JSON values) on `shard`, 2000 per statement. */
export async function seedPlayers(fleet: MoveFleet, shard: number, ids: bigint[]): Promise<void> {
  const conn = await fleet.admin(shard);
  try {
    for (let i = 0; i < ids.length; i += 2000) {
      const part = ids.slice(i, i + 2000);
      await conn.query("INSERT INTO players (player_id, gamedb_slot, name, level) VALUES ?", [
        part.map((id) => [id, keySlot(id), `seed-${id}`, 1]),
      ]);
      const items = part.flatMap((id) =>
        [1, 2].map((item) => [
          id,
          item,
          keySlot(id),
          item * 3,
          `${id % 1000n}.${item}5`,
          Buffer.from([item, 0, 255]),
          `{"k":${item},"s":"é"}`,
        ]),
      );
      await conn.query("INSERT INTO inventory (player_id, item_id, gamedb_slot, qty, price, tag, attrs) VALUES ?", [
        items,
      ]);
    }
  } finally {
    await conn.end();
  }
}

/** Per table, the range's per-slot checksums on `shard` as one comparable string. */
export async function rangeChecksums(
  fleet: MoveFleet,
  shard: number,
  range: { from: number; to: number },
): Promise<Record<string, string>> {
  const conn = await fleet.admin(shard);
  try {
    const out: Record<string, string> = {};
    for (const t of ["players", "inventory"]) {
      const sums = await checksumSlots(conn, await describeTable(conn, "game", t), range);
      out[t] = [...sums].map(([s, c]) => `${s}:${c.rows}:${c.digest}`).join(",");
    }
    return out;
  } finally {
    await conn.end();
  }
}

/** Every acknowledged write is what its key's owner holds now: present once with its values, or deleted. */
export async function expectAcknowledgedWrites(
  fleet: MoveFleet,
  expected: ReadonlyMap<string, PlayerState | null>,
  ownerOf: (id: string) => number,
): Promise<void> {
  const conns = new Map<number, mysql.Connection>();
  try {
    const wrong: string[] = [];
    for (const [id, want] of expected) {
      const shard = ownerOf(id);
      let c = conns.get(shard);
      if (!c) conns.set(shard, (c = await fleet.admin(shard)));
      const [rows] = await c.query<mysql.RowDataPacket[]>("SELECT name, level FROM players WHERE player_id = ?", [id]);
      const got = rows[0] ? { name: String(rows[0].name), level: Number(rows[0].level) } : null;
      if (JSON.stringify(got) !== JSON.stringify(want) || rows.length > 1) {
        wrong.push(`${id}: want ${JSON.stringify(want)}, shard ${shard} has ${JSON.stringify(got)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(expected.size).toBeGreaterThan(0);
  } finally {
    for (const c of conns.values()) await c.end();
  }
}
