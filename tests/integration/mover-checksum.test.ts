// Per-slot checksums (scripts/lib/mover/checksum.ts) for real on two MariaDB 10.11 stand-ins for a move's source
// and target shards: a players-like table (NULLs, empty strings, JSON, a BLOB, BIGINTs above 2^53, utf8mb4 text,
// TIMESTAMP(6)) copied over a slot range through mysql2, then single-row differences pinned to their slot, and the
// time for 250k rows a side over 4096 slots. Not MySQL 8.4: the SQL uses only functions both document (see
// checksumSql.ts's citations); on MariaDB a JSON column is LONGTEXT, so it is hashed as its text.
import * as mysql from "mysql2/promise";
import { describeTable } from "../../client/src/tableDefinition";
import type { TableDefinition } from "../../infra/contracts/shardedTable";
import { SlotChecksums, checksumSlots, compareSlots } from "../../scripts/lib/mover/checksum";
import { MariaDbFleet, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";

const COLUMNS = "gamedb_slot, player_id, name, nickname, profile, avatar, coins, seen_at";
const table = (name: string) =>
  `CREATE TABLE game.${name} (gamedb_slot SMALLINT UNSIGNED NOT NULL, player_id BIGINT UNSIGNED NOT NULL, ` +
  "name VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, " +
  "nickname VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL, profile JSON NULL, avatar BLOB NULL, " +
  "coins BIGINT NOT NULL, seen_at TIMESTAMP(6) NOT NULL, PRIMARY KEY (gamedb_slot, player_id)) ENGINE=InnoDB";

const RANGE = { from: 4096, to: 8191 };
const SLOTS = RANGE.to - RANGE.from + 1;
const ROWS = 50_000;
const OUTSIDE = 1_000;
const BASE_ID = 2n ** 53n + 1n;

/** Row i: slot RANGE.from + i % 4096 (rows i and i + 4096 share a slot); the outside rows go to slots 0-99. */
function player(i: number): unknown[] {
  const slot = i < ROWS ? RANGE.from + (i % SLOTS) : (i - ROWS) % 100;
  const nickname = i % 3 === 0 ? null : i % 3 === 1 ? "" : `nick#${i}`;
  const profile =
    i % 5 === 0 ? null : JSON.stringify({ level: i % 90, tags: ["ä", "#"], id: `${BASE_ID + BigInt(i)}` });
  const avatar = i % 4 === 0 ? null : Buffer.from([0, 255, i & 255, (i >> 8) & 255, 0x23]);
  const seen = `2024-0${1 + (i % 9)}-1${i % 10} 12:34:56.${String(i % 1_000_000).padStart(6, "0")}`;
  return [slot, `${BASE_ID + BigInt(i)}`, `Zoë 🎮 #${i}`, nickname, profile, avatar, `${2n ** 62n + BigInt(i)}`, seen];
}

let fleet: MariaDbFleet;
let source: mysql.Connection;
let target: mysql.Connection;
let def: TableDefinition;

const OPTIONS: mysql.ConnectionOptions = {
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  // MariaDB marks JSON in its extended metadata and mysql2 would parse it: the copy keeps the text as stored.
  jsonStrings: true,
  timezone: "Z",
};

async function insert(conn: mysql.Connection, name: string, rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    await conn.query(`INSERT INTO game.${name} (${COLUMNS}) VALUES ?`, [rows.slice(i, i + 2000)]);
  }
}

/** The mover's copy, simplified: the range's rows read from the source and written to the target in chunks. */
async function copyRange(from: mysql.Connection, to: mysql.Connection, name: string): Promise<number> {
  const [rows] = await from.query<mysql.RowDataPacket[]>({
    sql: `SELECT ${COLUMNS} FROM game.${name} WHERE gamedb_slot BETWEEN ? AND ? ORDER BY gamedb_slot, player_id`,
    values: [RANGE.from, RANGE.to],
    rowsAsArray: true,
  });
  await insert(to, name, rows as unknown as unknown[][]);
  return rows.length;
}

const sums = (conn: mysql.Connection, chunkSlots?: number, range = RANGE): Promise<SlotChecksums> =>
  checksumSlots(conn, def, range, { chunkSlots });

async function differences(): Promise<[number, string][]> {
  const [a, b] = [await sums(source), await sums(target)];
  return compareSlots(a, b).map((d) => [d.slot, d.kind]);
}

beforeAll(async () => {
  fleet = await startMariaDbFleet(2);
  const conns = await Promise.all(fleet.servers.map((s) => s.connect(OPTIONS)));
  source = conns[0]!;
  target = conns[1]!;
  for (const conn of [source, target]) {
    await conn.query("SET time_zone = '+00:00'");
    await conn.query("CREATE DATABASE game");
    await conn.query(table("players"));
  }
  await insert(
    source,
    "players",
    Array.from({ length: ROWS + OUTSIDE }, (_, i) => player(i)),
  );
  expect(await copyRange(source, target, "players")).toBe(ROWS);
  def = await describeTable(source, "game", "players");
}, 180_000);

afterAll(async () => {
  await Promise.all([source, target].map((c) => c?.end()));
  await fleet?.stopAll();
});

describe("slot checksums on two stand-ins", () => {
  it("are equal on both sides of a copied range, for any chunk size, and exact above 2^53", async () => {
    const a = await sums(source);
    expect(a.size).toBe(SLOTS);
    expect([...a.values()].reduce((n, s) => n + s.rows, 0)).toBe(ROWS);
    expect([...a.values()].some((s) => s.digest > 2n ** 53n)).toBe(true);
    expect(compareSlots(a, await sums(target))).toEqual([]);
    expect(await sums(target, 1000)).toEqual(a);
    expect(await sums(target, 4096)).toEqual(a);
  });

  it("do not depend on the session time zone (TIMESTAMP hashed as UNIX_TIMESTAMP)", async () => {
    const zoned = await fleet.servers[1]!.connect({ ...OPTIONS });
    try {
      await zoned.query("SET time_zone = '+05:30'");
      expect(compareSlots(await sums(source), await checksumSlots(zoned, def, RANGE))).toEqual([]);
    } finally {
      await zoned.end();
    }
  });

  it("name the slots outside the copied range as missing on the target", async () => {
    const range = { from: 0, to: RANGE.to };
    const diff = compareSlots(await sums(source, 512, range), await sums(target, 512, range));
    expect(diff.map((d) => d.kind)).toEqual(Array(100).fill("missingInB"));
    expect(diff.map((d) => d.slot)).toEqual(Array.from({ length: 100 }, (_, s) => s));
  });

  it("pin a changed column, a deleted row, an extra row and swapped NULL and '' to exactly their slot", async () => {
    const id = (i: number) => `${BASE_ID + BigInt(i)}`;
    const slotOf = (i: number) => RANGE.from + (i % SLOTS);

    await target.query("UPDATE game.players SET coins = coins + 1 WHERE player_id = ?", [id(777)]);
    expect(await differences()).toEqual([[slotOf(777), "digestDiffers"]]);
    await target.query("UPDATE game.players SET coins = coins - 1 WHERE player_id = ?", [id(777)]);

    await target.query("DELETE FROM game.players WHERE player_id = ?", [id(1234)]);
    expect(await differences()).toEqual([[slotOf(1234), "rowsDiffer"]]);
    await insert(target, "players", [player(1234)]);

    await insert(target, "players", [[slotOf(42), "1", "extra", null, null, null, "0", "2024-01-01 00:00:00"]]);
    expect(await differences()).toEqual([[slotOf(42), "rowsDiffer"]]);
    await target.query("DELETE FROM game.players WHERE player_id = 1");

    // Rows 0 and 4096 share a slot; row 0's nickname is NULL, row 4096's is ''.
    expect([player(0)[3], player(SLOTS)[3]]).toEqual([null, ""]);
    const swap = (a: string | null, b: string | null) =>
      target.query(
        "UPDATE game.players SET nickname = CASE player_id WHEN ? THEN ? ELSE ? END WHERE player_id IN (?, ?)",
        [id(0), a, b, id(0), id(SLOTS)],
      );
    await swap("", null);
    expect(await differences()).toEqual([[slotOf(0), "digestDiffers"]]);
    await swap(null, "");
    expect(await differences()).toEqual([]);
  });

  it("see two rows of a slot swap equal-length values, which BIT_XOR of CRC32 cannot", async () => {
    for (const conn of [source, target]) {
      await conn.query(table("swapped"));
    }
    const row = (id: number, name: string) => [7, `${id}`, name, null, null, null, "0", "2024-01-01 00:00:00"];
    await insert(source, "swapped", [row(1, "alpha"), row(2, "bravo")]);
    await insert(target, "swapped", [row(1, "bravo"), row(2, "alpha")]);
    const crc = async (conn: mysql.Connection) => {
      const sql =
        "SELECT BIT_XOR(CRC32(CONCAT_WS('#', gamedb_slot, player_id, name, nickname, coins, " +
        "CONCAT(ISNULL(nickname))))) AS crc FROM game.swapped";
      const [r] = await conn.query<mysql.RowDataPacket[]>(sql);
      return String(r[0]!.crc);
    };
    expect(await crc(target)).toBe(await crc(source));
    const swappedDef = await describeTable(source, "game", "swapped");
    const range = { from: 7, to: 7 };
    const diff = compareSlots(
      await checksumSlots(source, swappedDef, range),
      await checksumSlots(target, swappedDef, range),
    );
    expect(diff.map((d) => [d.slot, d.kind])).toEqual([[7, "digestDiffers"]]);
  });

  it("measure 250k rows a side over 4096 slots", async () => {
    const n = 250_000;
    // The same rows generated server-side on both sides (MariaDB's Sequence engine), copied at 50k above.
    const fill =
      `INSERT INTO game.bench (${COLUMNS}) SELECT seq % 4096, ${BASE_ID} + seq, CONCAT('Zoë 🎮 #', seq), ` +
      "IF(seq % 3 = 0, NULL, IF(seq % 3 = 1, '', CONCAT('nick#', seq))), " +
      'IF(seq % 5 = 0, NULL, CONCAT(\'{"level": \', seq % 90, \', "tags": ["ä"]}\')), ' +
      "IF(seq % 4 = 0, NULL, UNHEX(SHA2(seq, 256))), 4611686018427387904 + seq, " +
      `FROM_UNIXTIME(1700000000 + seq) FROM game.seq_0_to_${n - 1}`;
    await Promise.all(
      [source, target].map(async (conn) => {
        await conn.query(table("bench"));
        await conn.query(fill);
      }),
    );
    const benchDef = await describeTable(source, "game", "bench");
    const range = { from: 0, to: 4095 };
    const figures: string[] = [];
    let reference: SlotChecksums | undefined;
    for (const chunkSlots of [64, 256, 1024, 4096]) {
      for (const [side, conn] of [
        ["source", source],
        ["target", target],
      ] as const) {
        const start = process.hrtime.bigint();
        const result = await checksumSlots(conn, benchDef, range, { chunkSlots });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        figures.push(`chunkSlots ${chunkSlots} ${side}: ${ms.toFixed(0)} ms`);
        expect([...result.values()].reduce((t, s) => t + s.rows, 0)).toBe(n);
        reference ??= result;
        expect(compareSlots(reference, result)).toEqual([]);
      }
    }
    process.stdout.write(`slot checksum, ${n} rows over 4096 slots, one side at a time:\n  ${figures.join("\n  ")}\n`);
  }, 300_000);
});
