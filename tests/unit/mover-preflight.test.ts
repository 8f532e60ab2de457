// The mover's preflight decisions (scripts/lib/mover/preflight.ts binlogProblems, groupReplicationRules.ts,
// foreignKeys.ts, moveEpochs.ts, shardTables.ts compareShardTables): MySQL 8.4's binlog and Group Replication rules
// and MariaDB 10.11's, each problem naming the variable, its value and the fix; foreign keys; epochs across moves.
// The reads run for real in tests/integration/mover-preflight.test.ts.
import type { TableDefinition } from "../../infra/contracts/shardedTable";
import { MAX_MOVE_ID, switchEpoch } from "../../infra/contracts/slotMoves";
import type { StateCount } from "../../scripts/lib/mover/fenceOps";
import { type ForeignKey, foreignKeyProblems, readForeignKeys } from "../../scripts/lib/mover/foreignKeys";
import {
  FAILOVER_SAFE_CONSISTENCY,
  GROUP_REPLICATION_VARIABLES,
  groupReplicationProblems,
} from "../../scripts/lib/mover/groupReplicationRules";
import { epochRefusal, smallestIdAbove } from "../../scripts/lib/mover/moveEpochs";
import {
  BINLOG_VARIABLES,
  binlogProblems,
  binlogRules,
  epochProblems,
  preflight,
  readBinlogVariables,
} from "../../scripts/lib/mover/preflight";
import { compareShardTables } from "../../scripts/lib/mover/shardTables";

/** SHOW GLOBAL VARIABLES of a MySQL 8.4 server gamedb configures, plus what the mover needs. */
const MYSQL_OK: Record<string, string> = {
  log_bin: "ON",
  binlog_format: "ROW",
  binlog_row_image: "FULL",
  binlog_row_metadata: "FULL",
  binlog_transaction_compression: "OFF",
  binlog_row_value_options: "",
  binlog_order_commits: "ON",
  enforce_gtid_consistency: "ON",
  gtid_mode: "ON",
};
/** MariaDB 10.11 has none of the GTID or compression variables of MySQL. */
const MARIADB_OK: Record<string, string> = {
  log_bin: "ON",
  binlog_format: "ROW",
  binlog_row_image: "FULL",
  binlog_row_metadata: "FULL",
};

describe("binlogProblems: MySQL 8.4", () => {
  it("passes a server with every rule met, in any letter case", () => {
    expect(binlogProblems(MYSQL_OK, "mysql")).toEqual([]);
    expect(binlogProblems({ ...MYSQL_OK, binlog_format: "row", gtid_mode: "on" }, "mysql")).toEqual([]);
  });

  it("names the variable, its value, what is needed and the SET PERSIST fix", () => {
    expect(binlogProblems({ ...MYSQL_OK, binlog_row_metadata: "MINIMAL" }, "mysql")).toEqual([
      "binlog_row_metadata is MINIMAL; the mover needs FULL (the stream decodes rows with the column metadata of " +
        "the binlog itself): SET PERSIST binlog_row_metadata = 'FULL'",
    ]);
    const [compressed] = binlogProblems({ ...MYSQL_OK, binlog_transaction_compression: "ON" }, "mysql");
    expect(compressed).toMatch(/^binlog_transaction_compression is ON; the mover needs OFF \(zongji cannot decode/);
    expect(compressed).toMatch(/SET PERSIST binlog_transaction_compression = OFF; client sessions opened before/);
    const [partial] = binlogProblems({ ...MYSQL_OK, binlog_row_value_options: "PARTIAL_JSON" }, "mysql");
    expect(partial).toMatch(/^binlog_row_value_options is PARTIAL_JSON; the mover needs '' \(empty\)/);
    expect(partial).toMatch(/SET PERSIST binlog_row_value_options = ''/);
  });

  it("refuses binlog_order_commits OFF: the copy's watermarks need commits visible in binlog order", () => {
    expect(binlogProblems({ ...MYSQL_OK, binlog_order_commits: "OFF" }, "mysql")).toEqual([
      "binlog_order_commits is OFF; the mover needs ON (the copy's watermarks need commits visible in binlog order): " +
        "SET PERSIST binlog_order_commits = ON",
    ]);
    expect(binlogProblems({ ...MYSQL_OK, binlog_order_commits: "0" }, "mysql")).toHaveLength(1);
  });

  it("reports every rule broken at once, in rule order", () => {
    const broken = {
      log_bin: "OFF",
      binlog_format: "MIXED",
      binlog_row_image: "MINIMAL",
      binlog_row_metadata: "MINIMAL",
      binlog_transaction_compression: "ON",
      binlog_row_value_options: "PARTIAL_JSON",
      binlog_order_commits: "OFF",
      enforce_gtid_consistency: "WARN",
      gtid_mode: "OFF_PERMISSIVE",
    };
    const problems = binlogProblems(broken, "mysql");
    expect(problems.map((p) => p.split(" ")[0])).toEqual(Object.keys(broken));
    expect(problems[0]).toMatch(/log_bin is OFF.*read-only at runtime.*restart/);
    expect(problems[8]).toMatch(/gtid_mode is OFF_PERMISSIVE.*one step at a time.*SET PERSIST gtid_mode/);
  });

  it("reads log_bin 1/0 as ON/OFF and refuses a variable the server lacks", () => {
    expect(binlogProblems({ ...MYSQL_OK, log_bin: "1" }, "mysql")).toEqual([]);
    const noGtid = Object.fromEntries(Object.entries(MYSQL_OK).filter(([k]) => k !== "gtid_mode"));
    expect(binlogProblems(noGtid, "mysql")).toEqual([
      "gtid_mode is not a variable of this server; the mover needs ON (the stream checkpoints and resumes by " +
        "GTID): is this MySQL 8.4?",
    ]);
  });
});

describe("binlogProblems: MariaDB 10.11", () => {
  it("needs no gtid_mode or compression variables (GTIDs are always on; log_bin_compress is decoded)", () => {
    expect(binlogProblems(MARIADB_OK, "mariadb")).toEqual([]);
    expect(binlogProblems({ ...MARIADB_OK, log_bin_compress: "ON" }, "mariadb")).toEqual([]);
    expect(binlogRules("mariadb").map((r) => r.variable)).toEqual([
      "log_bin",
      "binlog_format",
      "binlog_row_image",
      "binlog_row_metadata",
    ]);
  });

  it("gives MariaDB's fix: SET GLOBAL and the option file, no SET PERSIST", () => {
    const problems = binlogProblems(
      { ...MARIADB_OK, binlog_format: "MIXED", binlog_row_metadata: "NO_LOG" },
      "mariadb",
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^binlog_format is MIXED; the mover needs ROW .*SET GLOBAL binlog_format = 'ROW', and binlog_format = ROW under \[mariadbd\]/,
      ),
      expect.stringMatching(/^binlog_row_metadata is NO_LOG; .*SET GLOBAL binlog_row_metadata = 'FULL'/),
    ]);
    expect(problems.join("\n")).not.toMatch(/SET PERSIST [a-z]/);
  });

  it("asks for every variable either flavour's rules read", () => {
    expect([...BINLOG_VARIABLES].sort()).toEqual(Object.keys(MYSQL_OK).sort());
  });
});

describe("preflight", () => {
  it("prefixes the label and turns a failed read into a problem, never a throw", async () => {
    const rows = Object.entries({ ...MYSQL_OK, binlog_row_image: "NOBLOB" }).map(([k, v]) => ({
      Variable_name: k,
      Value: v,
    }));
    const ok = { query: async () => [rows, []] } as never;
    expect(await preflight(ok, "mysql", { label: "source shard 1" })).toEqual([
      expect.stringMatching(/^source shard 1: binlog_row_image is NOBLOB; the mover needs FULL/),
    ]);
    const failing = {
      query: async () => {
        throw new Error("connection lost");
      },
    } as never;
    expect(await preflight(failing, "mariadb", { label: "target shard 2" })).toEqual([
      "target shard 2: cannot read the binlog variables: connection lost",
    ]);
  });
});

describe("groupReplicationProblems: MySQL 8.4 in a group", () => {
  const GR_OK = {
    group_replication_single_primary_mode: "ON",
    group_replication_consistency: "BEFORE_ON_PRIMARY_FAILOVER",
  };

  it("applies only where the variables exist: no plugin, or MariaDB (no Group Replication), has no rule", () => {
    expect(groupReplicationProblems(MYSQL_OK, "mysql")).toEqual([]);
    const multi = { group_replication_single_primary_mode: "OFF", group_replication_consistency: "EVENTUAL" };
    expect(groupReplicationProblems({ ...MARIADB_OK, ...multi }, "mariadb")).toEqual([]);
    expect(groupReplicationProblems({ ...MYSQL_OK, ...GR_OK }, "mysql")).toEqual([]);
  });

  it("refuses multi-primary mode, naming the variable, the manual and the switch", () => {
    expect(groupReplicationProblems({ ...GR_OK, group_replication_single_primary_mode: "OFF" }, "mysql")).toEqual([
      "group_replication_single_primary_mode is OFF; the mover needs ON (the fence's row locks hold writers on one " +
        "primary only, manual 20.1.3 'Multi-Primary and Single-Primary Modes'): switch the group to single-primary " +
        "mode with MySQL Shell's cluster.switchToSinglePrimaryMode() or SELECT " +
        "group_replication_switch_to_single_primary_mode() (manual 20.5.1.2 'Changing the Group Mode')",
    ]);
    expect(groupReplicationProblems({ ...GR_OK, group_replication_single_primary_mode: "1" }, "mysql")).toEqual([]);
  });

  it("refuses EVENTUAL consistency (or a value it does not know), accepting every level that holds a failover", () => {
    const [eventual] = groupReplicationProblems({ ...GR_OK, group_replication_consistency: "EVENTUAL" }, "mysql");
    expect(eventual).toBe(
      "group_replication_consistency is EVENTUAL; the mover needs BEFORE_ON_PRIMARY_FAILOVER, BEFORE, AFTER, " +
        "BEFORE_AND_AFTER (a new primary must not accept writes before it has applied the old primary's backlog, " +
        "manual 20.5.3.2 'Configuring Transaction Consistency Guarantees'): cluster.setOption('consistency', " +
        "'BEFORE_ON_PRIMARY_FAILOVER') in MySQL Shell (every member, persisted); client sessions opened before, or " +
        "that set their own value, keep theirs",
    );
    expect(groupReplicationProblems({ ...GR_OK, group_replication_consistency: "SOMETIMES" }, "mysql")).toEqual([
      expect.stringMatching(/^group_replication_consistency is SOMETIMES; the mover needs BEFORE_ON_PRIMARY_FAILOVER/),
    ]);
    for (const level of [...FAILOVER_SAFE_CONSISTENCY, "before_and_after"]) {
      expect(groupReplicationProblems({ ...GR_OK, group_replication_consistency: level }, "mysql")).toEqual([]);
    }
  });

  it("is part of preflight, which reads the binlog and the Group Replication variables in one query", async () => {
    const asked: unknown[] = [];
    const vars = { ...MYSQL_OK, ...GR_OK, group_replication_consistency: "EVENTUAL" };
    const conn = {
      query: async (_sql: string, params: unknown[]) => {
        asked.push(...params);
        return [Object.entries(vars).map(([k, v]) => ({ Variable_name: k, Value: v })), []];
      },
    } as never;
    expect(await preflight(conn, "mysql", { label: "source shard 1" })).toEqual([
      expect.stringMatching(/^source shard 1: group_replication_consistency is EVENTUAL/),
    ]);
    expect(asked).toEqual([...BINLOG_VARIABLES, ...GROUP_REPLICATION_VARIABLES]);
    asked.length = 0;
    expect(await readBinlogVariables(conn, ["log_bin"])).toMatchObject({ log_bin: "ON" });
    expect(asked).toEqual(["log_bin"]);
  });
});

const fk = (over: Partial<ForeignKey> = {}): ForeignKey => ({
  schema: "game",
  name: "items_owner",
  table: "items",
  columns: ["gamedb_slot", "owner_id"],
  parentSchema: "game",
  parentTable: "players",
  parentColumns: ["gamedb_slot", "player_id"],
  onUpdate: "RESTRICT",
  onDelete: "CASCADE",
  ...over,
});

describe("foreign keys", () => {
  it("names a cascading key, its tables and rules, why the stream would miss its changes, and the fix", () => {
    expect(foreignKeyProblems([fk()])).toEqual([
      "game.items has foreign key items_owner (gamedb_slot, owner_id) REFERENCES game.players (gamedb_slot, " +
        "player_id) ON DELETE CASCADE ON UPDATE RESTRICT: a slot move cannot carry tables tied by a foreign key " +
        "(InnoDB writes no binlog row for the child rows a cascade changes (MySQL 8.4 manual 17.19 'InnoDB and " +
        "MySQL Replication', 'Replication and CASCADE'), so the mover's stream would miss them); drop it (ALTER " +
        "TABLE game.items DROP FOREIGN KEY items_owner) and keep the relation in the application",
    ]);
    expect(foreignKeyProblems([fk({ onDelete: "RESTRICT", onUpdate: "set null" })])[0]).toMatch(/cascade changes/);
  });

  it("refuses a key without cascades too: the copy and the deletes go table by table", () => {
    const [problem] = foreignKeyProblems([fk({ onDelete: "NO ACTION", onUpdate: "RESTRICT" })]);
    expect(problem).toMatch(/ON DELETE NO ACTION ON UPDATE RESTRICT: .*go table by table, so a checked constraint/);
    expect(problem).not.toMatch(/cascade/);
    expect(foreignKeyProblems([])).toEqual([]);
  });

  it("reads both directions once, gathering a key's columns in order", async () => {
    const calls: { sql: string; params: unknown[] }[] = [];
    const row = (name: string, child: string, col: string, pcol: string) => ({
      cs: "game",
      name,
      child,
      col,
      ps: "game",
      parent: "players",
      pcol,
      upd: "RESTRICT",
      del: "CASCADE",
    });
    const conn = {
      query: async (sql: string, params: unknown[]) => {
        calls.push({ sql, params });
        return [
          [
            row("audit_player", "audit", "player_id", "player_id"),
            row("items_owner", "items", "gamedb_slot", "gamedb_slot"),
            row("items_owner", "items", "owner_id", "player_id"),
          ],
          [],
        ];
      },
    } as never;
    expect(await readForeignKeys(conn, "game", ["items", "players"])).toEqual([
      fk({ name: "audit_player", table: "audit", columns: ["player_id"], parentColumns: ["player_id"] }),
      fk(),
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.params).toEqual(["game", "items", "players", "game", "items", "players"]);
    expect(calls[0]!.sql).toMatch(/k\.TABLE_SCHEMA = \? AND k\.TABLE_NAME IN \(\?, \?\)\) OR/);
    expect(calls[0]!.sql).toMatch(/k\.REFERENCED_TABLE_SCHEMA = \? AND k\.REFERENCED_TABLE_NAME IN \(\?, \?\)/);
    expect(await readForeignKeys(conn, "game", [])).toEqual([]);
    expect(calls).toHaveLength(1);
  });
});

describe("epochs across moves", () => {
  const RANGE = { from: 1000, to: 1999 };
  const state = (epoch: number, slots: number, over: Partial<StateCount> = {}): StateCount => ({
    state: "owned",
    owner: 1,
    epoch,
    slots,
    ...over,
  });

  it("smallestIdAbove is the least id whose switch epoch is above the epoch", () => {
    for (let epoch = 0; epoch <= 40; epoch++) {
      const id = smallestIdAbove(epoch);
      expect(switchEpoch(id)).toBeGreaterThan(epoch);
      if (id > 1) expect(switchEpoch(id - 1)).toBeLessThanOrEqual(epoch);
    }
  });

  it("passes a move whose switch epoch is above every epoch of the range, and an empty read", () => {
    expect(epochRefusal([state(0, 1000)], RANGE, 1, "source shard 1")).toBeUndefined();
    expect(epochRefusal([state(14, 400), state(0, 600)], RANGE, 7, "source shard 1")).toBeUndefined();
    expect(epochRefusal([], RANGE, 7, "source shard 1")).toBeUndefined();
  });

  it("refuses a smaller id than a move that already switched the range, naming the epoch and the least id", () => {
    const states = [state(0, 700), state(21, 300, { state: "moved", owner: 2 })];
    expect(epochRefusal(states, RANGE, 7, "source shard 1")).toBe(
      "the fence of slots 1000-1999 on source shard 1 already carries epoch 21 (300 moved (owner 2, epoch 21)); " +
        "move 7's switch would write epoch 15, lower, and clients that learned epoch 21 would ignore the new owner: " +
        "move ids are unique only within the current config, so give this move an id of at least 11 (its switch " +
        "writes epoch 23)",
    );
    expect(epochRefusal(states, RANGE, 9, "x")).toMatch(/write epoch 19, lower.*at least 11/);
    expect(epochRefusal(states, RANGE, 10, "x")).toMatch(/write epoch 21, the same.*at least 11/);
    expect(epochRefusal(states, RANGE, 11, "x")).toBeUndefined();
  });

  it("refuses an equal epoch (two owners at one epoch), and says when no id can do", () => {
    expect(epochRefusal([state(15, 1000)], RANGE, 7, "target shard 2")).toMatch(
      /carries epoch 15 \(1000 owned \(owner 1, epoch 15\)\); move 7's switch would write epoch 15, the same, and clients could not tell/,
    );
    const huge = switchEpoch(MAX_MOVE_ID);
    expect(epochRefusal([state(huge, 1000)], RANGE, 7, "x")).toMatch(
      new RegExp(`no move id up to ${MAX_MOVE_ID} has a switch epoch above it: check the fence$`),
    );
  });

  it("epochProblems reads the range's fence rows, and turns a failed read into a problem", async () => {
    const calls: unknown[][] = [];
    const conn = {
      query: async (_sql: string, params: unknown[]) => {
        calls.push(params);
        return [[{ state: "moved", owner: 2, epoch: 22, n: 1000 }], []];
      },
    } as never;
    expect(await epochProblems(conn, RANGE, 3, "target shard 2")).toEqual([
      expect.stringMatching(/^the fence of slots 1000-1999 on target shard 2 already carries epoch 22 .*at least 11/),
    ]);
    expect(calls).toEqual([[1000, 1999]]);
    expect(await epochProblems(conn, RANGE, 11)).toEqual([]);
    const failing = {
      query: async () => {
        throw new Error("connection lost");
      },
    } as never;
    expect(await epochProblems(failing, RANGE, 3, "source shard 1")).toEqual([
      "cannot read the fence epochs of slots 1000-1999 on source shard 1: connection lost",
    ]);
  });
});

const players = (over: Partial<TableDefinition> = {}): TableDefinition => ({
  schema: "game",
  name: "players",
  columns: [
    { name: "gamedb_slot", columnType: "smallint(5) unsigned", nullable: false },
    { name: "player_id", columnType: "bigint(20) unsigned", nullable: false },
    { name: "name", columnType: "varchar(64)", nullable: true },
  ],
  indexes: [{ name: "PRIMARY", columns: ["gamedb_slot", "player_id"], unique: true }],
  triggers: [],
  ...over,
});

describe("compareShardTables", () => {
  const side = (label: string, tables: TableDefinition[]) => ({ label, tables });

  it("finds nothing between equal sets, whatever their order, indexes beyond the primary key or triggers", () => {
    const guilds = players({ name: "guilds" });
    const a = [players(), guilds];
    const b = [
      { ...guilds, triggers: ["x"] },
      { ...players(), indexes: [...players().indexes, { name: "by_name", columns: ["name"], unique: false }] },
    ];
    expect(compareShardTables(side("source shard 1", a), side("target shard 2", b))).toEqual([]);
  });

  it("names a table on one side only, each way", () => {
    const guilds = players({ name: "guilds" });
    const items = players({ name: "items" });
    expect(
      compareShardTables(side("source shard 1", [players(), guilds]), side("target shard 2", [players(), items])),
    ).toEqual([
      "game.guilds is on source shard 1 but not on target shard 2: create it there first",
      "game.items is on target shard 2 but not on source shard 1: create it there first",
    ]);
  });

  it("names a column that differs in type, nullability, name or order, and a different primary key", () => {
    const cols = players().columns;
    const wider = players({ columns: [cols[0]!, cols[1]!, { ...cols[2]!, columnType: "varchar(128)" }] });
    const [problem] = compareShardTables(side("source shard 1", [players()]), side("target shard 2", [wider]));
    expect(problem).toBe(
      "game.players has other columns on source shard 1 (gamedb_slot smallint(5) unsigned NOT NULL, player_id " +
        "bigint(20) unsigned NOT NULL, name varchar(64) NULL) than on target shard 2 (gamedb_slot smallint(5) " +
        "unsigned NOT NULL, player_id bigint(20) unsigned NOT NULL, name varchar(128) NULL): migrate both shards to " +
        "the same schema before the move",
    );
    for (const other of [
      players({ columns: [cols[0]!, cols[1]!, { ...cols[2]!, nullable: false }] }),
      players({ columns: [cols[0]!, cols[2]!, cols[1]!] }),
      players({ columns: [cols[0]!, cols[1]!, { ...cols[2]!, name: "nick" }] }),
    ]) {
      expect(compareShardTables(side("a", [players()]), side("b", [other]))).toHaveLength(1);
    }
    const keyed = players({ indexes: [{ name: "PRIMARY", columns: ["player_id"], unique: true }] });
    expect(compareShardTables(side("a", [players()]), side("b", [keyed]))).toEqual([
      "game.players has primary key (gamedb_slot, player_id) on a but (player_id) on b: the copy writes by primary " +
        "key, so both need the same one",
    ]);
    expect(compareShardTables(side("a", [players({ indexes: [] })]), side("b", [players()]))).toEqual([
      expect.stringMatching(/primary key none on a but \(gamedb_slot, player_id\) on b/),
    ]);
  });
});
