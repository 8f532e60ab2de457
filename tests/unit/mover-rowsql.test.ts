// scripts/lib/mover/rowSql.ts: the SQL the mover writes and reads rows with, exactly, and the key a row is known by
// in the applier (the same for a binlog image and a SELECT row of the same values).
import fc from "fast-check";
import type { TableDefinition } from "../../infra/contracts/shardedTable";
import {
  chunkSelectSql,
  cursorAfter,
  deleteSql,
  keyOf,
  movedTable,
  upsertSql,
  slotOf,
} from "../../scripts/lib/mover/rowSql";

const PLAYERS: TableDefinition = {
  schema: "game",
  name: "players",
  columns: [
    { name: "gamedb_slot", columnType: "smallint(5) unsigned", nullable: false },
    { name: "player_id", columnType: "bigint unsigned", nullable: false },
    { name: "name", columnType: "varchar(64)", nullable: true },
  ],
  indexes: [
    { name: "PRIMARY", columns: ["player_id"], unique: true },
    { name: "by_slot", columns: ["gamedb_slot", "player_id"], unique: true },
  ],
};

/** A composite key of an integer and a text column, in a table whose names need escaping. */
const ITEMS: TableDefinition = {
  schema: "ga`me",
  name: "inv`items",
  columns: [
    { name: "gamedb_slot", columnType: "smallint unsigned", nullable: false },
    { name: "owner", columnType: "bigint", nullable: false },
    { name: "item`code", columnType: "varchar(32)", nullable: false },
    { name: "qty", columnType: "int", nullable: false },
  ],
  indexes: [{ name: "PRIMARY", columns: ["gamedb_slot", "owner", "item`code"], unique: true }],
};

/** A binary primary key (BINARY(16), e.g. a UUID). */
const TOKENS: TableDefinition = {
  schema: "game",
  name: "tokens",
  columns: [
    { name: "gamedb_slot", columnType: "smallint unsigned", nullable: false },
    { name: "token", columnType: "binary(16)", nullable: false },
  ],
  indexes: [{ name: "PRIMARY", columns: ["gamedb_slot", "token"], unique: true }],
};

const players = movedTable(PLAYERS);
const items = movedTable(ITEMS);
const tokens = movedTable(TOKENS);

describe("movedTable", () => {
  it("takes the columns in table order, the primary key's columns, which of them are integers, the quoted name", () => {
    expect(players).toMatchObject({
      columns: ["gamedb_slot", "player_id", "name"],
      key: ["player_id"],
      integerKey: [true],
      qualified: "`game`.`players`",
    });
    expect(items).toMatchObject({
      key: ["gamedb_slot", "owner", "item`code"],
      integerKey: [true, true, false],
      qualified: "`ga``me`.`inv``items`",
    });
    expect(tokens.integerKey).toEqual([true, false]);
    // Integer types by name, not any type containing "int" (an ENUM value, POINT, INTERVAL-like names).
    const kinds = movedTable({
      ...TOKENS,
      columns: [
        ...TOKENS.columns,
        { name: "kind", columnType: "enum('print','mint')", nullable: false },
        { name: "n", columnType: "mediumint(8) unsigned", nullable: false },
      ],
      indexes: [{ name: "PRIMARY", columns: ["kind", "n"], unique: true }],
    });
    expect(kinds.integerKey).toEqual([false, true]);
  });

  it("refuses a table without a PRIMARY KEY, naming it and why", () => {
    const keyless = { ...PLAYERS, indexes: [{ name: "by_slot", columns: ["gamedb_slot", "player_id"], unique: true }] };
    expect(() => movedTable(keyless)).toThrow(
      "game.players has no PRIMARY KEY: the mover applies changes by primary key",
    );
  });
});

describe("upsertSql and deleteSql", () => {
  it("INSERT ... ON DUPLICATE KEY UPDATE: every column in table order, the non-key columns updated (MariaDB: VALUES())", () => {
    const rows = [
      { gamedb_slot: 5, player_id: "9007199254740993", name: "ann" },
      { name: null, player_id: "2", gamedb_slot: 6 },
    ];
    expect(upsertSql(players, rows, "mariadb")).toEqual({
      sql:
        "INSERT INTO `game`.`players` (`gamedb_slot`, `player_id`, `name`) VALUES (?, ?, ?), (?, ?, ?) " +
        "ON DUPLICATE KEY UPDATE `gamedb_slot` = VALUES(`gamedb_slot`), `name` = VALUES(`name`)",
      values: [5, "9007199254740993", "ann", 6, "2", null],
    });
  });

  it("on MySQL 8.4 the new row is a row alias (VALUES() is deprecated there)", () => {
    expect(upsertSql(players, [{ gamedb_slot: 5, player_id: "1", name: "a" }], "mysql").sql).toBe(
      "INSERT INTO `game`.`players` (`gamedb_slot`, `player_id`, `name`) VALUES (?, ?, ?) AS gamedb_new " +
        "ON DUPLICATE KEY UPDATE `gamedb_slot` = gamedb_new.`gamedb_slot`, `name` = gamedb_new.`name`",
    );
  });

  it("escapes backticks in every identifier, updates a key-only table to itself, refuses a row image missing a column", () => {
    const row = { gamedb_slot: 1, owner: "7", "item`code": "sword", qty: 2 };
    expect(upsertSql(items, [row], "mariadb")).toEqual({
      sql:
        "INSERT INTO `ga``me`.`inv``items` (`gamedb_slot`, `owner`, `item``code`, `qty`) VALUES (?, ?, ?, ?) " +
        "ON DUPLICATE KEY UPDATE `qty` = VALUES(`qty`)",
      values: [1, "7", "sword", 2],
    });
    expect(upsertSql(tokens, [{ gamedb_slot: 1, token: Buffer.from([1]) }], "mariadb").sql).toMatch(
      / ON DUPLICATE KEY UPDATE `gamedb_slot` = VALUES\(`gamedb_slot`\)$/,
    );
    expect(() => upsertSql(items, [{ gamedb_slot: 1, owner: "7", qty: 2 }], "mariadb")).toThrow(
      "`ga``me`.`inv``items`: a row image has no column item`code",
    );
  });

  it("DELETE by a single key, only inside the range's slots", () => {
    expect(
      deleteSql(players, [{ player_id: "1", gamedb_slot: 5, name: "a" }, { player_id: "2" }], { from: 0, to: 99 }),
    ).toEqual({
      sql: "DELETE FROM `game`.`players` WHERE `player_id` IN (?, ?) AND `gamedb_slot` BETWEEN ? AND ?",
      values: ["1", "2", 0, 99],
    });
  });

  it("DELETE by a composite key: a row constructor IN a list of tuples, then the range", () => {
    const rows = [
      { gamedb_slot: 1, owner: "7", "item`code": "sword", qty: 2 },
      { gamedb_slot: 2, owner: "8", "item`code": "shield", qty: 1 },
    ];
    expect(deleteSql(items, rows, { from: 1, to: 2 })).toEqual({
      sql:
        "DELETE FROM `ga``me`.`inv``items` WHERE (`gamedb_slot`, `owner`, `item``code`) IN ((?, ?, ?), (?, ?, ?)) " +
        "AND `gamedb_slot` BETWEEN ? AND ?",
      values: [1, "7", "sword", 2, "8", "shield", 1, 2],
    });
  });
});

describe("chunkSelectSql", () => {
  it("the first chunk: the range, in (gamedb_slot, key) order, with the limit", () => {
    expect(chunkSelectSql(players, { from: 10, to: 20 }, null, 1000)).toEqual({
      sql:
        "SELECT `gamedb_slot`, `player_id`, `name` FROM `game`.`players` WHERE `gamedb_slot` BETWEEN ? AND ? " +
        "ORDER BY `gamedb_slot`, `player_id` LIMIT ?",
      values: [10, 20, 1000],
    });
  });

  it("after a cursor: the row comparison spelled out, integer key values as exact BigInt above 2^53", () => {
    const after = { slot: 12, key: ["9007199254740993"] };
    const { sql, values } = chunkSelectSql(players, { from: 10, to: 20 }, after, 500);
    expect(sql).toBe(
      "SELECT `gamedb_slot`, `player_id`, `name` FROM `game`.`players` WHERE `gamedb_slot` BETWEEN ? AND ? " +
        "AND ((`gamedb_slot` > ?) OR (`gamedb_slot` = ? AND `player_id` > ?)) " +
        "ORDER BY `gamedb_slot`, `player_id` LIMIT ?",
    );
    expect(values).toEqual([10, 20, 12, 12, 9007199254740993n, 500]);
    expect(typeof values[4]).toBe("bigint");
  });

  it("a composite key: one term per key prefix; text key values stay text, negative integers are BigInt", () => {
    const after = { slot: 3, key: ["3", "-42", "123"] };
    const { sql, values } = chunkSelectSql(items, { from: 0, to: 99 }, after, 10);
    expect(sql).toBe(
      "SELECT `gamedb_slot`, `owner`, `item``code`, `qty` FROM `ga``me`.`inv``items` " +
        "WHERE `gamedb_slot` BETWEEN ? AND ? AND (" +
        "(`gamedb_slot` > ?) OR " +
        "(`gamedb_slot` = ? AND `gamedb_slot` > ?) OR " +
        "(`gamedb_slot` = ? AND `gamedb_slot` = ? AND `owner` > ?) OR " +
        "(`gamedb_slot` = ? AND `gamedb_slot` = ? AND `owner` = ? AND `item``code` > ?)) " +
        "ORDER BY `gamedb_slot`, `gamedb_slot`, `owner`, `item``code` LIMIT ?",
    );
    expect(values).toEqual([0, 99, 3, 3, 3n, 3, 3n, -42n, 3, 3n, -42n, "123", 10]);
  });

  it("orders and compares every key column once per term, for any key length (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.nat(16383), (n, slot) => {
        const names = Array.from({ length: n }, (_, i) => `k${i}`);
        const def: TableDefinition = {
          schema: "g",
          name: "t",
          columns: [
            { name: "gamedb_slot", columnType: "smallint unsigned", nullable: false },
            ...names.map((name) => ({ name, columnType: "bigint", nullable: false })),
          ],
          indexes: [{ name: "PRIMARY", columns: names, unique: true }],
        };
        const key = names.map((_, i) => String(i + 1));
        const { sql, values } = chunkSelectSql(movedTable(def), { from: 0, to: 16383 }, { slot, key }, 7);
        const terms = ((n + 1) * (n + 2)) / 2; // placeholders of the OR terms: 1 + 2 + ... + (n + 1)
        expect(values.length).toBe(2 + terms + 1);
        expect(sql.split("?").length - 1).toBe(values.length);
        expect(sql.match(/ OR /g)?.length ?? 0).toBe(n);
        expect(values[values.length - 1]).toBe(7);
      }),
    );
  });
});

describe("keyOf, slotOf and cursorAfter", () => {
  it("a binlog image and a SELECT row with the same values have the same key: numbers or numeric text, Buffers", () => {
    // zongji decodes INT as a number; mysql2 with bigNumberStrings reads BIGINT as text (connect.ts EXACT_VALUES).
    expect(keyOf(players, { player_id: 42 })).toBe(keyOf(players, { player_id: "42" }));
    expect(keyOf(items, { gamedb_slot: 3, owner: "7", "item`code": "a" })).toBe(
      keyOf(items, { gamedb_slot: "3", owner: 7, "item`code": "a", qty: 1 }),
    );
    const bytes = Buffer.from("00112233445566778899aabbccddeeff", "hex");
    expect(keyOf(tokens, { gamedb_slot: 1, token: bytes })).toBe(
      keyOf(tokens, { gamedb_slot: "1", token: Buffer.from(bytes) }),
    );
  });

  it("keeps different keys apart: other values, a Buffer and the text of its hex, NULL and empty text", () => {
    expect(keyOf(players, { player_id: 42 })).not.toBe(keyOf(players, { player_id: 43 }));
    const hex = "00112233445566778899aabbccddeeff";
    expect(keyOf(tokens, { gamedb_slot: 1, token: Buffer.from(hex, "hex") })).not.toBe(
      keyOf(tokens, { gamedb_slot: 1, token: hex }),
    );
    expect(keyOf(players, { player_id: null })).not.toBe(keyOf(players, { player_id: "" }));
  });

  it("different composite keys never share a key string: the separator inside a text value", () => {
    // ("x\u0001s", "") and ("x", "\u0001s") both read "sx\u0001s\u0001s" when parts are joined by \u0001 unescaped;
    // the applier would then drop a chunk row whose key the stream never changed.
    const t = movedTable({ ...ITEMS, indexes: [{ name: "PRIMARY", columns: ["owner", "item`code"], unique: true }] });
    expect(keyOf(t, { owner: "x\u0001s", "item`code": "" })).not.toBe(keyOf(t, { owner: "x", "item`code": "\u0001s" }));
  });

  it("different composite keys never share a key string, whatever text they hold (property)", () => {
    const text = fc.string({ unit: fc.constantFrom("s", "x", "\u0001"), maxLength: 3 });
    fc.assert(
      fc.property(fc.tuple(text, text), fc.tuple(text, text), ([a1, a2], [b1, b2]) => {
        fc.pre(a1 !== b1 || a2 !== b2);
        const def = { ...ITEMS, indexes: [{ name: "PRIMARY", columns: ["owner", "item`code"], unique: true }] };
        const t = movedTable(def);
        expect(keyOf(t, { owner: a1, "item`code": a2 })).not.toBe(keyOf(t, { owner: b1, "item`code": b2 }));
      }),
      { numRuns: 5000 },
    );
  });

  it("slotOf reads the slot from a number or text", () => {
    expect(slotOf({ gamedb_slot: 16383 })).toBe(16383);
    expect(slotOf({ gamedb_slot: "7" })).toBe(7);
  });

  it("cursorAfter keeps the slot and the key as text, and refuses a binary key (chunks compare text)", () => {
    expect(cursorAfter(items, { gamedb_slot: "3", owner: 7, "item`code": "z", qty: 1 })).toEqual({
      slot: 3,
      key: ["3", "7", "z"],
    });
    expect(() => cursorAfter(tokens, { gamedb_slot: 1, token: Buffer.from("ab", "hex") })).toThrow(
      "`game`.`tokens`: primary key column token must be a number or text to copy in chunks",
    );
  });
});
