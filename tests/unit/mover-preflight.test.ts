// The mover's preflight decisions (scripts/lib/mover/preflight.ts binlogProblems, shardTables.ts
// compareShardTables): MySQL 8.4's binlog rules and MariaDB 10.11's, each problem naming the variable, its value and
// the fix. The reads run for real in tests/integration/mover-preflight.test.ts.
import type { TableDefinition } from "../../infra/contracts/shardedTable";
import { BINLOG_VARIABLES, binlogProblems, binlogRules, preflight } from "../../scripts/lib/mover/preflight";
import { compareShardTables } from "../../scripts/lib/mover/shardTables";

/** SHOW GLOBAL VARIABLES of a MySQL 8.4 server gamedb configures, plus what the mover needs. */
const MYSQL_OK: Record<string, string> = {
  log_bin: "ON",
  binlog_format: "ROW",
  binlog_row_image: "FULL",
  binlog_row_metadata: "FULL",
  binlog_transaction_compression: "OFF",
  binlog_row_value_options: "",
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

  it("reports every rule broken at once, in rule order", () => {
    const broken = {
      log_bin: "OFF",
      binlog_format: "MIXED",
      binlog_row_image: "MINIMAL",
      binlog_row_metadata: "MINIMAL",
      binlog_transaction_compression: "ON",
      binlog_row_value_options: "PARTIAL_JSON",
      enforce_gtid_consistency: "WARN",
      gtid_mode: "OFF_PERMISSIVE",
    };
    const problems = binlogProblems(broken, "mysql");
    expect(problems.map((p) => p.split(" ")[0])).toEqual(Object.keys(broken));
    expect(problems[0]).toMatch(/log_bin is OFF.*read-only at runtime.*restart/);
    expect(problems[7]).toMatch(/gtid_mode is OFF_PERMISSIVE.*one step at a time.*SET PERSIST gtid_mode/);
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
