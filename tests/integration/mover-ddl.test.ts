/**
 * Migrations while a move follows the binlog (MariaDB 10.11 stand-ins): a column added to a moved table and a new
 * sharded table created on both shards. The mover stops at the DDL, reads the tables again, replays from its
 * checkpoint (images from before the ALTER without the column, after it with), copies the new table, and verifies
 * with the new definitions: the range ends equal on both shards, the new column's values included.
 */
import { describeTable } from "../../client/src/tableDefinition";
import { fenceTriggersSql } from "../../infra/contracts/slotFence";
import { keySlot } from "../../infra/contracts/slots";
import { checksumSlots } from "../../scripts/lib/mover/checksum";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";
import { seedPlayers } from "../helpers/moveChecks";
import { MoveFleet, playerIn, startMoveFleet } from "../helpers/moveFleet";
import { runMover, stopAfterEach, until } from "../helpers/moverInProcess";

jest.setTimeout(180_000);
const RANGE = { from: 0, to: 4095 };
const running = { push: stopAfterEach() };

async function checksums(fleet: MoveFleet, shard: number, tables: string[]): Promise<Record<string, string>> {
  const conn = await fleet.admin(shard);
  try {
    const out: Record<string, string> = {};
    for (const t of tables) {
      const sums = await checksumSlots(conn, await describeTable(conn, "game", t), RANGE);
      out[t] = [...sums].map(([s, c]) => `${s}:${c.rows}:${c.digest}`).join(",");
    }
    return out;
  } finally {
    await conn.end();
  }
}

describe("a slot move across migrations", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("restarts at a DDL, takes an added column and a new sharded table along, and verifies equal", async () => {
    const ids: bigint[] = [];
    let next = 1n;
    for (let i = 0; i < 600; i++) next = ids[ids.push(playerIn(RANGE, true, next)) - 1]! + 1n;
    await seedPlayers(fleet, 1, ids);
    const copy = runMover(fleet, fleet.spec("copy"));
    running.push(() => copy.stop());
    const ready = () => copy.mover.status.state === "streaming" && copy.mover.status.verifyPasses >= 1;
    await until("the copy", ready, 60_000, copy.describe);

    // The migration, as the migrate Job runs it: every shard, one after the other.
    const [one, two] = [await fleet.admin(1), await fleet.admin(2)];
    running.push(
      async () => one.end(),
      async () => two.end(),
    );
    for (const c of [one, two]) {
      await c.query("ALTER TABLE players ADD COLUMN title VARCHAR(20) NULL");
      await c.query(
        "CREATE TABLE guild_members (player_id BIGINT UNSIGNED NOT NULL, gamedb_slot SMALLINT UNSIGNED NOT NULL, " +
          "guild VARCHAR(20) NOT NULL, PRIMARY KEY (player_id), KEY gamedb_slot (gamedb_slot, player_id))",
      );
      for (const sql of fenceTriggersSql("game", "guild_members")) await c.query(sql);
    }
    await one.query("UPDATE players SET title = CONCAT('t', player_id) WHERE gamedb_slot BETWEEN ? AND ?", [
      RANGE.from,
      RANGE.to,
    ]);
    await one.query("INSERT INTO guild_members (player_id, gamedb_slot, guild) VALUES ?", [
      ids.slice(0, 200).map((id) => [id, keySlot(id), `g${id % 7n}`]),
    ]);

    await until("the restart at the DDL", () => copy.log.some((l) => /a DDL statement/.test(l)), 30_000, copy.describe);
    await until(
      "the mover to catch up and verify again with the new definitions",
      () => {
        const s = copy.mover.status;
        return s.copyDone && s.lagSeconds === 0 && s.verifyPasses >= 1 && s.dirtySlots === 0 && s.lastError === null;
      },
      90_000,
      copy.describe,
    );
    const tables = ["players", "inventory", "guild_members"];
    expect(await checksums(fleet, 2, tables)).toEqual(await checksums(fleet, 1, tables));
    const [[titled]] = (await two.query("SELECT COUNT(*) AS n FROM players WHERE title IS NOT NULL")) as unknown as [
      [{ n: number }],
    ];
    expect(Number(titled!.n)).toBe(600);
    const [[members]] = (await two.query("SELECT COUNT(*) AS n FROM guild_members")) as unknown as [[{ n: number }]];
    expect(Number(members!.n)).toBe(200);
  });
});
