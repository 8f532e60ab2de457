// The slot fence's pure parts (infra/contracts/slotFence.ts) and the sharded-table check
// (infra/contracts/shardedTable.ts). What the SQL does on a server is in tests/integration/slot-fence.test.ts.
import fc from "fast-check";
import {
  FENCE_ROWS_PER_STATEMENT,
  FenceSignal,
  fenceDropSql,
  fenceRowsSql,
  fenceSchemaSql,
  fenceTriggerNames,
  fenceTriggersSql,
  formatFenceSignal,
  ownedSlotsJoin,
  parseFenceSignal,
  slotOwners,
} from "../../infra/contracts/slotFence";
import { TableDefinition, checkShardedTable } from "../../infra/contracts/shardedTable";
import { MAX_SLOT, SLOT_COUNT } from "../../infra/contracts/slots";

const slot = fc.integer({ min: 0, max: MAX_SLOT });
const column = fc.integer({ min: 0, max: 65535 });
const uint = fc.integer({ min: 0, max: 4294967295 });
const signal: fc.Arbitrary<FenceSignal> = fc.oneof(
  fc.record({ kind: fc.constant("moved" as const), slot, shard: uint, epoch: uint }),
  fc.record({ kind: fc.constant("tryagain" as const), slot }),
  fc.record({ kind: fc.constant("unfenced" as const), slot: column }),
  fc.record({ kind: fc.constant("slotChange" as const), from: column, to: column }),
);

describe("fence signals", () => {
  it("have the documented texts", () => {
    expect(formatFenceSignal({ kind: "moved", slot: 1234, shard: 5, epoch: 7 })).toBe(
      "GAMEDB_MOVED slot=1234 shard=5 epoch=7",
    );
    expect(formatFenceSignal({ kind: "tryagain", slot: 1234 })).toBe("GAMEDB_TRYAGAIN slot=1234");
    expect(formatFenceSignal({ kind: "unfenced", slot: 1234 })).toBe("GAMEDB_UNFENCED slot=1234");
    expect(formatFenceSignal({ kind: "slotChange", from: 12, to: 13 })).toBe("GAMEDB_SLOT_CHANGE from=12 to=13");
  });

  it("round-trip through format and parse", () => {
    fc.assert(
      fc.property(signal, (s) => {
        expect(parseFenceSignal(formatFenceSignal(s))).toEqual(s);
      }),
      { numRuns: 500 },
    );
  });

  it("parse nothing but an exact signal", () => {
    const nearMisses = [
      "GAMEDB_MOVED slot=99999 shard=1 epoch=0", // slot out of range
      "GAMEDB_MOVED slot=16384 shard=1 epoch=0",
      "GAMEDB_TRYAGAIN slot=16384",
      "GAMEDB_UNFENCED slot=65536",
      "GAMEDB_MOVED slot=1 shard=4294967296 epoch=0",
      "GAMEDB_MOVED slot=1 shard=1 epoch=99999999999",
      "GAMEDB_MOVED slot=-1 shard=1 epoch=0",
      "GAMEDB_TRYAGAIN slot=-5",
      "GAMEDB_TRYAGAIN slot=05",
      "GAMEDB_TRYAGAIN slot=5.0",
      "GAMEDB_TRYAGAIN slot=1e3",
      "GAMEDB_TRYAGAIN slot=+5",
      "GAMEDB_TRYAGAIN slot=",
      "GAMEDB_TRYAGAIN slot=5 ", // extra text
      " GAMEDB_TRYAGAIN slot=5",
      "GAMEDB_TRYAGAIN slot=5\n",
      "GAMEDB_TRYAGAIN  slot=5",
      "GAMEDB_TRYAGAIN slot=5 shard=2",
      "error: GAMEDB_TRYAGAIN slot=5",
      "gamedb_tryagain slot=5",
      "GAMEDB_MOVED shard=1 slot=1 epoch=0", // field order
      "GAMEDB_MOVED slot=1 shard=1",
      "GAMEDB_SLOT_CHANGE from=1",
      "GAMEDB_SLOT_CHANGE to=1 from=2",
      "GAMEDB_TRYAGAIN slot=٣", // non-ASCII digit
      "Unhandled user-defined exception condition",
      "",
    ];
    for (const m of nearMisses) expect([m, parseFenceSignal(m)]).toEqual([m, undefined]);
    expect(parseFenceSignal(undefined as unknown as string)).toBeUndefined();
    fc.assert(
      fc.property(signal, fc.string({ minLength: 1, maxLength: 3 }), (s, extra) => {
        const text = formatFenceSignal(s);
        // Digits appended make another valid number (slot=1 -> slot=12): those are not near-misses.
        if (!/^[0-9]+$/.test(extra)) expect(parseFenceSignal(text + extra)).toBeUndefined();
        expect(parseFenceSignal(extra + text)).toBeUndefined();
      }),
    );
  });

  it("refuse to format an out-of-range field, naming it", () => {
    expect(() => formatFenceSignal({ kind: "tryagain", slot: 16384 })).toThrow(/tryagain: slot must be.*0 to 16383/);
    expect(() => formatFenceSignal({ kind: "moved", slot: 1, shard: -1, epoch: 0 })).toThrow(/shard must be/);
    expect(() => formatFenceSignal({ kind: "slotChange", from: 1.5, to: 2 })).toThrow(/from must be/);
  });
});

const HALVES = [
  { from: 0, to: 8191, shard: 1 },
  { from: 8192, to: 16383, shard: 2 },
];

/** (slot, state, owner) of every row in fenceRowsSql's statements. */
function rowsOf(statements: string[]): [number, string, number][] {
  return statements.flatMap((sql) =>
    [...sql.matchAll(/\((\d+),'(\w+)',(\d+),0\)/g)].map(
      (m) => [Number(m[1]), m[2]!, Number(m[3])] as [number, string, number],
    ),
  );
}

describe("fence rows", () => {
  it("are one row per slot, the shard's owned, the rest moved to their owner, in 2048-row INSERT IGNOREs", () => {
    const sql = fenceRowsSql(2, [
      { from: 0, to: 99, shard: 1 },
      { from: 100, to: 199, shard: 2 },
      { from: 200, to: 16383, shard: 3 },
    ]);
    expect(sql).toHaveLength(SLOT_COUNT / FENCE_ROWS_PER_STATEMENT);
    for (const s of sql)
      expect(s).toMatch(/^INSERT IGNORE INTO `gamedb_meta`\.`slot_fence` \(slot, state, owner_shard, epoch\) VALUES /);
    const rows = rowsOf(sql);
    expect(rows.map((r) => r[0])).toEqual([...Array(SLOT_COUNT).keys()]);
    expect(rows.filter((r) => r[1] === "owned")).toEqual(Array.from({ length: 100 }, (_, i) => [100 + i, "owned", 2]));
    expect(rows[0]).toEqual([0, "moved", 1]);
    expect(rows[250]).toEqual([250, "moved", 3]);
  });

  it("make a new shard that owns nothing all moved", () => {
    const rows = rowsOf(fenceRowsSql(7, HALVES));
    expect(rows.every(([s, state, owner]) => state === "moved" && owner === (s < 8192 ? 1 : 2))).toBe(true);
  });

  it("refuse a slot map with gaps, overlaps or bad runs, and a bad shard, naming the problem", () => {
    expect(() =>
      fenceRowsSql(1, [
        { from: 0, to: 99, shard: 1 },
        { from: 201, to: 16383, shard: 2 },
      ]),
    ).toThrow("slot map leaves slots 100-200 unowned");
    expect(() => fenceRowsSql(1, [])).toThrow("slot map leaves slots 0-16383 unowned");
    expect(() => fenceRowsSql(1, [...HALVES, { from: 8000, to: 8300, shard: 3 }])).toThrow(
      "slot map gives a slot to two shards: slots 8000-8191 are given to shard 1 and to shard 3; " +
        "slot map gives a slot to two shards: slots 8192-8300 are given to shard 2 and to shard 3",
    );
    expect(() => fenceRowsSql(1, [{ from: 0, to: 16384, shard: 1 }])).toThrow(
      /run 0 .* needs integers 0 <= from <= to <= 16383/,
    );
    expect(() => fenceRowsSql(1, [{ from: 10, to: 5, shard: 1 }])).toThrow(/needs integers 0 <= from <= to/);
    expect(() => fenceRowsSql(1, [{ from: 0, to: 16383, shard: -1 }])).toThrow(/run 0 has shard -1; use an integer/);
    expect(() => fenceRowsSql(-1, HALVES)).toThrow(/shard -1 is not a shard number/);
    expect(() => fenceRowsSql(1.5, HALVES)).toThrow(/shard 1.5 is not a shard number/);
  });

  it("owners follow any partition of the slot space", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: MAX_SLOT }), { maxLength: 20 }), (cuts) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), SLOT_COUNT];
        const map = bounds.slice(0, -1).map((from, i) => ({ from, to: bounds[i + 1]! - 1, shard: i % 3 }));
        const owner = slotOwners(map);
        for (const r of map) expect([owner[r.from], owner[r.to]]).toEqual([r.shard, r.shard]);
      }),
      { numRuns: 50 },
    );
  });
});

describe("fence DDL", () => {
  it("creates the schema and table idempotently", () => {
    const [db, table] = fenceSchemaSql();
    expect(db).toBe("CREATE DATABASE IF NOT EXISTS `gamedb_meta`");
    expect(table).toMatch(
      /^CREATE TABLE IF NOT EXISTS `gamedb_meta`\.`slot_fence` \(slot SMALLINT UNSIGNED NOT NULL PRIMARY KEY, state ENUM\('owned','importing','frozen','moved'\) NOT NULL, owner_shard INT UNSIGNED NOT NULL, epoch INT UNSIGNED NOT NULL DEFAULT 0, updated_at TIMESTAMP\(6\)/,
    );
    expect(table).toMatch(/\) ENGINE=InnoDB$/);
  });

  it("drops and creates three BEFORE triggers, one statement each", () => {
    const sql = fenceTriggersSql("game", "players");
    expect(sql.filter((_, i) => i % 2 === 0)).toEqual([
      "DROP TRIGGER IF EXISTS `game`.`gamedb_fence_bi_players`",
      "DROP TRIGGER IF EXISTS `game`.`gamedb_fence_bu_players`",
      "DROP TRIGGER IF EXISTS `game`.`gamedb_fence_bd_players`",
    ]);
    expect(sql[1]).toMatch(
      /^CREATE TRIGGER `game`\.`gamedb_fence_bi_players` BEFORE INSERT ON `game`\.`players` FOR EACH ROW BEGIN .* END$/,
    );
    expect(sql[1]).toContain("WHERE f.slot = NEW.gamedb_slot LOCK IN SHARE MODE");
    expect(sql[3]).toContain("WHERE f.slot = OLD.gamedb_slot LOCK IN SHARE MODE");
    expect(sql[3]).toContain("IF NEW.gamedb_slot <> OLD.gamedb_slot THEN");
    expect(sql[5]).toMatch(/BEFORE DELETE ON `game`\.`players`.*OLD\.gamedb_slot LOCK IN SHARE MODE/);
    expect(sql[1]).not.toContain("DELIMITER");
    expect(sql[1]).not.toContain("CURRENT_USER");
    expect(fenceDropSql("game", "players")).toEqual(sql.filter((_, i) => i % 2 === 0));
  });

  it("refuses identifiers it would have to escape, naming the field", () => {
    expect(() => fenceTriggersSql("game", "play`ers")).toThrow(/table "play`ers" is not accepted: use 1 to 64 letters/);
    expect(() => fenceTriggersSql("ga me", "players")).toThrow(/schema "ga me" is not accepted/);
    expect(() => fenceTriggersSql("game", "")).toThrow(/table "" is not accepted/);
    expect(() => fenceTriggersSql("game", "x".repeat(65))).toThrow(/table "x{65}" is not accepted/);
    expect(() => fenceDropSql("game", "a-b")).toThrow(/table "a-b"/);
    expect(() => ownedSlotsJoin("p; DROP TABLE x")).toThrow(/alias "p; DROP TABLE x" is not accepted/);
    expect(fenceTriggersSql("g$1", "T_2$")[0]).toBe("DROP TRIGGER IF EXISTS `g$1`.`gamedb_fence_bi_T_2$`");
  });

  it("keeps trigger names within 64 characters with a stable hash, different for tables sharing a start", () => {
    const exact = "t".repeat(48); // 16 + 48 = 64: kept whole
    expect(fenceTriggerNames(exact).insert).toBe(`gamedb_fence_bi_${exact}`);
    const long = "a".repeat(60);
    const names = fenceTriggerNames(long);
    for (const n of Object.values(names)) expect(n).toMatch(/^gamedb_fence_b[iud]_a{39}_[0-9a-f]{8}$/);
    expect(names.insert).toHaveLength(64);
    expect(fenceTriggerNames(long)).toEqual(names);
    expect(fenceTriggerNames(`${long}b`).insert).not.toBe(names.insert);
    expect(fenceTriggersSql("game", long)[1]).toContain(`\`game\`.\`${names.insert}\` BEFORE INSERT`);
  });

  it("joins scatter queries to the slots this shard owns or holds frozen", () => {
    expect(ownedSlotsJoin("p")).toBe(
      "JOIN `gamedb_meta`.`slot_fence` AS gamedb_fence ON gamedb_fence.slot = `p`.gamedb_slot " +
        "AND gamedb_fence.state IN ('owned','frozen')",
    );
  });
});

const GOOD: TableDefinition = {
  schema: "game",
  name: "players",
  columns: [
    { name: "player_id", columnType: "bigint(20) unsigned", nullable: false },
    { name: "gamedb_slot", columnType: "smallint(5) unsigned", nullable: false },
  ],
  indexes: [{ name: "PRIMARY", columns: ["gamedb_slot", "player_id"], unique: true }],
  triggers: ["gamedb_fence_bd_players", "gamedb_fence_bi_players", "gamedb_fence_bu_players"],
};
const withSlot = (columnType: string, nullable = false): TableDefinition => ({
  ...GOOD,
  columns: [GOOD.columns[0]!, { name: "gamedb_slot", columnType, nullable }],
});

describe("checkShardedTable", () => {
  it("accepts a conforming table, with either spelling of the type, and a PRIMARY KEY beginning with gamedb_slot", () => {
    expect(checkShardedTable(GOOD)).toEqual([]);
    expect(checkShardedTable(withSlot("smallint unsigned"))).toEqual([]);
    expect(checkShardedTable(withSlot("SMALLINT(5) UNSIGNED"))).toEqual([]);
    expect(checkShardedTable({ ...GOOD, triggers: undefined })).toEqual([]);
    const secondary = {
      ...GOOD,
      indexes: [
        { name: "PRIMARY", columns: ["player_id"], unique: true },
        { name: "by_slot", columns: ["gamedb_slot"], unique: false },
      ],
    };
    expect(checkShardedTable(secondary)).toEqual([]);
  });

  it("names every problem with the table and the fix", () => {
    expect(checkShardedTable({ ...GOOD, columns: [GOOD.columns[0]!], indexes: [], triggers: [] })).toEqual([
      "game.players has no gamedb_slot column: add gamedb_slot SMALLINT UNSIGNED NOT NULL (the key's slot)",
      expect.stringMatching(
        /^game\.players has no index beginning with gamedb_slot: make the primary key \(gamedb_slot, <id>\)/,
      ),
      expect.stringMatching(
        /^game\.players has no fence trigger gamedb_fence_bi_players \(BEFORE INSERT\): install it/,
      ),
      expect.stringMatching(/^game\.players has no fence trigger gamedb_fence_bu_players \(BEFORE UPDATE\)/),
      expect.stringMatching(/^game\.players has no fence trigger gamedb_fence_bd_players \(BEFORE DELETE\)/),
    ]);
    expect(checkShardedTable(withSlot("int(10) unsigned", true))).toEqual([
      "game.players.gamedb_slot is int(10) unsigned: make it SMALLINT UNSIGNED (slots are 0-16383)",
      "game.players.gamedb_slot allows NULL: make it NOT NULL (a row without a slot cannot be fenced)",
    ]);
    for (const t of ["smallint(5)", "smallint unsigned zerofill", "mediumint unsigned", "tinyint unsigned"]) {
      expect(checkShardedTable(withSlot(t))).toEqual([expect.stringContaining(`is ${t}: make it SMALLINT UNSIGNED`)]);
    }
    const slotSecond = { ...GOOD, indexes: [{ name: "PRIMARY", columns: ["player_id", "gamedb_slot"], unique: true }] };
    expect(checkShardedTable(slotSecond)).toEqual([expect.stringContaining("has no index beginning with gamedb_slot")]);
    const oneMissing = { ...GOOD, triggers: ["gamedb_fence_bi_players", "gamedb_fence_bd_players", "other"] };
    expect(checkShardedTable(oneMissing)).toEqual([expect.stringContaining("gamedb_fence_bu_players (BEFORE UPDATE)")]);
    expect(checkShardedTable({ ...GOOD, name: "bad-name" })).toEqual([
      expect.stringMatching(/^game\.bad-name cannot be fenced: table "bad-name" is not accepted.*; rename the table$/),
    ]);
  });
});
