/**
 * Preflight: what the mover checks on both shards before it copies a row, returned as problems (text naming the
 * variable or table, what it is, and the fix), never thrown, so the mover can publish them as its lastError and stop.
 * Both shards are checked alike: the source's binlog feeds the forward stream and, after a switch, the target's feeds
 * the reverse one. ../shared/design/SLOT-MOVES.md, "Following the binlog from Node.js".
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { checkShardedTable } from "../../../infra/contracts/shardedTable";
import { FENCE_SCHEMA, FENCE_TABLE } from "../../../infra/contracts/slotFence";
import { SLOT_COUNT } from "../../../infra/contracts/slots";
import { quoteIdentifier, type SlotRange } from "./checksumSql";
import { type Flavour, serverFlavour } from "./connect";
import { readControl } from "./control";
import { FENCE, describeRun, fenceRuns, readFenceRows } from "./fenceRows";
import { foreignKeyProblems, readForeignKeys } from "./foreignKeys";
import { GROUP_REPLICATION_VARIABLES, groupReplicationProblems } from "./groupReplicationRules";
import { shardedTables } from "./shardTables";

interface BinlogRule {
  variable: string;
  /** The value needed, as SHOW GLOBAL VARIABLES prints it (compared without case; "" for empty). */
  want: string;
  why: string;
  fix: Record<Flavour, string>;
}

/** Open sessions keep their session value of a GLOBAL+SESSION variable until they reconnect. */
const RECONNECT = "; client sessions opened before keep their old value until they reconnect";
const mariaSet = (variable: string, value: string) =>
  `SET GLOBAL ${variable} = ${value}, and ${variable} = ${value.replace(/'/g, "")} under [mariadbd] in the ` +
  "option file (MariaDB has no SET PERSIST)";

/**
 * MySQL 8.4 Reference Manual pages: 19.1.6.4 "Binary Logging Options and Variables" (replication-options-binary-log
 * .html) for log_bin, binlog_format, binlog_row_image, binlog_row_metadata, binlog_row_value_options and
 * binlog_order_commits; 19.1.6.5 "Global Transaction ID System Variables" (replication-options-gtids.html) for
 * gtid_mode and enforce_gtid_consistency; 19.1.4 "Changing GTID Mode on Online Servers" for the steps to gtid_mode
 * ON; 7.4.4.5 "Binary Log Transaction Compression" (Transaction_payload_event); 19.5.1.17 "Replication of JSON
 * Documents" (PARTIAL_JSON). zongji: node_modules/@vlasky/zongji/README.md (0.9.0), lines cited per rule.
 */
const MYSQL_RULES: BinlogRule[] = [
  {
    variable: "log_bin",
    want: "ON",
    // zongji README 75-86: "Enable the binlog in my.cnf".
    why: "the mover follows the binary log",
    fix: {
      mysql:
        "log_bin is read-only at runtime: start mysqld with the binary log (on by default in 8.4; remove " +
        "skip-log-bin / disable-log-bin; gamedb's my.cnf sets log_bin, infra/mysql/mycnf.ts) and restart it",
      mariadb: "start mariadbd with --log-bin (log_bin = <basename> under [mariadbd]) and restart it",
    },
  },
  {
    variable: "binlog_format",
    want: "ROW",
    // zongji README 77, 82-83: "Row format required for ZongJi"; MariaDB defaults to MIXED.
    why: "only row events carry the rows the stream applies",
    fix: {
      mysql: `SET PERSIST binlog_format = 'ROW'${RECONNECT}`,
      mariadb: `${mariaSet("binlog_format", "'ROW'")}${RECONNECT}`,
    },
  },
  {
    variable: "binlog_row_image",
    want: "FULL",
    // With MINIMAL the after image lacks unchanged columns, and the applier REPLACEs whole rows.
    why: "the stream replays whole row images",
    fix: {
      mysql: `SET PERSIST binlog_row_image = 'FULL'${RECONNECT}`,
      mariadb: `${mariaSet("binlog_row_image", "'FULL'")}${RECONNECT}`,
    },
  },
  {
    variable: "binlog_row_metadata",
    want: "FULL",
    // zongji README 122-131: with FULL, rows decode from the TableMap event itself; otherwise from
    // INFORMATION_SCHEMA at first sight, misread "if the table is altered between the binlog write and the fetch".
    why: "the stream decodes rows with the column metadata of the binlog itself",
    fix: { mysql: "SET PERSIST binlog_row_metadata = 'FULL'", mariadb: mariaSet("binlog_row_metadata", "'FULL'") },
  },
  {
    variable: "binlog_transaction_compression",
    want: "OFF",
    // zongji README 197: a Transaction_payload_event's rows are not decoded (an error, the rows lost to the stream).
    why: "zongji cannot decode compressed transactions",
    fix: { mysql: `SET PERSIST binlog_transaction_compression = OFF${RECONNECT}`, mariadb: "" },
  },
  {
    variable: "binlog_row_value_options",
    want: "",
    // zongji README 198: PARTIAL_UPDATE_ROWS_EVENT (a JSON diff) is not decoded.
    why: "zongji cannot decode partial JSON updates",
    fix: { mysql: `SET PERSIST binlog_row_value_options = ''${RECONNECT}`, mariadb: "" },
  },
  {
    variable: "binlog_order_commits",
    want: "ON",
    // The copy's DBLog watermarks: a row the chunk SELECT sees must be committed before the high watermark in the
    // binlog too. OFF lets InnoDB make a transaction visible in another order than the binlog lists it (manual
    // 19.1.6.4, binlog_order_commits; the server's own description: "Issue internal commit calls in the same order
    // as transactions are written to the binary log", mysql-server sql/sys_vars.cc Sys_binlog_order_commits).
    // MariaDB has no such variable: its engines commit in binlog order through the commit_ordered() handler call
    // (MariaDB KB "Enhancements for START TRANSACTION WITH CONSISTENT SNAPSHOT").
    why: "the copy's watermarks need commits visible in binlog order",
    fix: { mysql: "SET PERSIST binlog_order_commits = ON", mariadb: "" },
  },
  {
    variable: "enforce_gtid_consistency",
    want: "ON",
    why: "gtid_mode ON needs it",
    fix: { mysql: "SET PERSIST enforce_gtid_consistency = ON", mariadb: "" },
  },
  {
    variable: "gtid_mode",
    want: "ON",
    // zongji README 160: resuming from a GTID set "Requires gtid_mode=ON on MySQL; always available on MariaDB".
    why: "the stream checkpoints and resumes by GTID",
    fix: {
      mysql:
        "with enforce_gtid_consistency ON, raise it one step at a time (OFF, OFF_PERMISSIVE, ON_PERMISSIVE, ON) with " +
        "SET PERSIST gtid_mode = <next>, as the manual's 'Changing GTID Mode on Online Servers' describes",
      mariadb: "",
    },
  },
];

const MYSQL_ONLY = new Set([
  "binlog_transaction_compression",
  "binlog_row_value_options",
  "binlog_order_commits",
  "enforce_gtid_consistency",
  "gtid_mode",
]);

/**
 * The rules of a flavour. MariaDB 10.11 (the test stand-ins) has GTIDs always on and no gtid_mode,
 * enforce_gtid_consistency, binlog_transaction_compression, binlog_row_value_options or binlog_order_commits. Its own
 * binlog compression, log_bin_compress, is NOT refused: zongji decodes MariaDB's compressed query and row events
 * (README 197, lib/binlog_event.js QUERY_COMPRESSED_EVENT and the *_ROWS_COMPRESSED_EVENT codes of
 * lib/code_map.js), checked on a stand-in by tests/integration/mover-preflight.test.ts. The rule is about what the
 * stream can decode, not about compression as such, so the two flavours differ here on purpose.
 */
export function binlogRules(flavour: Flavour): readonly BinlogRule[] {
  return flavour === "mysql" ? MYSQL_RULES : MYSQL_RULES.filter((r) => !MYSQL_ONLY.has(r.variable));
}

/** Every binlog variable either flavour's rules read. */
export const BINLOG_VARIABLES: readonly string[] = MYSQL_RULES.map((r) => r.variable);

const normalise = (v: string): string => {
  const t = v.trim().toUpperCase();
  return t === "1" ? "ON" : t === "0" ? "OFF" : t;
};

/** Pure: the problems of a server's GLOBAL variables (`vars` by lower-case name) for a stream of this flavour. */
export function binlogProblems(vars: Record<string, string>, flavour: Flavour): string[] {
  const problems: string[] = [];
  for (const rule of binlogRules(flavour)) {
    const raw = vars[rule.variable];
    const wanted = rule.want === "" ? "'' (empty)" : rule.want;
    if (raw === undefined) {
      problems.push(
        `${rule.variable} is not a variable of this server; the mover needs ${wanted} (${rule.why}): ` +
          `is this ${flavour === "mysql" ? "MySQL 8.4" : "MariaDB 10.11 or later"}?`,
      );
      continue;
    }
    if (normalise(raw) === rule.want) continue;
    problems.push(
      `${rule.variable} is ${raw === "" ? "'' (empty)" : raw}; the mover needs ${wanted} (${rule.why}): ` +
        rule.fix[flavour],
    );
  }
  return problems;
}

type Queryable = Pick<Connection, "query">;

/** The GLOBAL values of `names` (default: the binlog rules' and the Group Replication rules'), by lower-case name. */
export async function readBinlogVariables(
  conn: Queryable,
  names: readonly string[] = [...BINLOG_VARIABLES, ...GROUP_REPLICATION_VARIABLES],
): Promise<Record<string, string>> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map(() => "?").join(", ")})`,
    [...names],
  );
  return Object.fromEntries(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value ?? "")]));
}

export interface PreflightOptions {
  /** Prefixed to every problem, e.g. "source shard 1". */
  label?: string;
}

/**
 * The binlog and Group Replication problems of the server behind `conn` (groupReplicationRules.ts); a failed read is
 * a problem too.
 */
export async function preflight(conn: Queryable, flavour: Flavour, opts: PreflightOptions = {}): Promise<string[]> {
  const prefix = opts.label ? `${opts.label}: ` : "";
  try {
    const vars = await readBinlogVariables(conn);
    return [...binlogProblems(vars, flavour), ...groupReplicationProblems(vars, flavour)].map((p) => prefix + p);
  } catch (e) {
    return [`${prefix}cannot read the binlog variables: ${(e as Error).message}`];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The shard's tables, fence and range

const ER_NO_SUCH_TABLE = 1146;

async function fenceProblems(conn: Queryable): Promise<string[]> {
  let rows: RowDataPacket[];
  try {
    [rows] = await conn.query<RowDataPacket[]>(`SELECT COUNT(*) AS n, MIN(slot) AS lo, MAX(slot) AS hi FROM ${FENCE}`);
  } catch (e) {
    if ((e as { errno?: number }).errno !== ER_NO_SUCH_TABLE) throw e;
    return [`${FENCE_SCHEMA}.${FENCE_TABLE} does not exist: install the fence (infra/contracts/slotFence.ts)`];
  }
  const [n, lo, hi] = [Number(rows[0]?.n), Number(rows[0]?.lo), Number(rows[0]?.hi)];
  if (n === SLOT_COUNT && lo === 0 && hi === SLOT_COUNT - 1) return [];
  return [
    `${FENCE_SCHEMA}.${FENCE_TABLE} has ${n} rows (slots ${n ? `${lo}-${hi}` : "none"}); it needs one per slot, ` +
      `${SLOT_COUNT}: install its rows with fenceRowsSql (infra/contracts/slotFence.ts)`,
  ];
}

/** "none" for an empty range of a table, else the count up to a cap ("1000+"). */
async function rowsInRange(conn: Queryable, schema: string, table: string, range: SlotRange): Promise<string> {
  const cap = 1000;
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${quoteIdentifier("schema", schema)}.` +
      `${quoteIdentifier("table", table)} ` +
      `WHERE gamedb_slot BETWEEN ? AND ? LIMIT ${cap + 1}) AS x`,
    [range.from, range.to],
  );
  const n = Number(rows[0]?.n);
  return n === 0 ? "none" : n > cap ? `${cap}+` : String(n);
}

const TRIGGER_HINT =
  " (no trigger of it is visible to this account: on MySQL 8.4 INFORMATION_SCHEMA.TRIGGERS shows a table's " +
  "triggers only with the TRIGGER privilege on it, manual 28.3.44)";

/**
 * The problems of one side of move `moveId` over `range`, as the mover account sees them: every sharded table of
 * `database` passes checkShardedTable (with its triggers) and has no foreign key, in either direction
 * (foreignKeys.ts), the fence has its 16384 rows, and
 * - source: owns the whole range (every fence row 'owned');
 * - target: owns none of it ('owned' or 'frozen' would make two owners), and holds no row of it unless this move's
 *   control row is there (a restart resumes over its own copies).
 * For a move before its switch: a mover resuming after its switch does not run it. Compare the two sides' tables
 * with compareShardTables (shardTables.ts).
 */
export async function shardProblems(
  conn: Connection,
  database: string,
  role: "source" | "target",
  range: SlotRange,
  moveId: number,
): Promise<string[]> {
  const problems: string[] = [];
  try {
    const tables = await shardedTables(conn, database);
    const mysql = (await serverFlavour(conn)) === "mysql";
    if (tables.length === 0) {
      problems.push(`${database} has no table with a gamedb_slot column: nothing to move (is the database right?)`);
    }
    for (const def of tables) {
      const hint = mysql && def.triggers?.length === 0 ? TRIGGER_HINT : "";
      problems.push(...checkShardedTable(def).map((p) => (/fence trigger/.test(p) ? p + hint : p)));
    }
    const names = tables.map((t) => t.name);
    problems.push(...foreignKeyProblems(await readForeignKeys(conn, database, names)));
    const fence = await fenceProblems(conn);
    problems.push(...fence);
    if (fence.length === 0) {
      const runs = fenceRuns(await readFenceRows(conn, range), range);
      if (role === "source") {
        const bad = runs.filter((r) => r.state !== "owned");
        if (bad.length > 0) {
          problems.push(
            `the source must own every slot of ${range.from}-${range.to}, but its fence says ` +
              `${bad.map(describeRun).join("; ")}: move only a range the source owns`,
          );
        }
      } else {
        const owned = runs.filter((r) => r.state === "owned" || r.state === "frozen");
        if (owned.length > 0) {
          problems.push(
            `the target's fence already says ${owned.map(describeRun).join("; ")}: a slot may be owned by one ` +
              "shard only; check gamedb:slotMoves and the shards' fences",
          );
        }
      }
    }
    if (role === "target") problems.push(...(await targetRangeProblems(conn, tables, range, moveId)));
  } catch (e) {
    problems.push(`cannot check the ${role} shard: ${(e as Error).message}`);
  }
  return problems;
}

async function targetRangeProblems(
  conn: Connection,
  tables: Awaited<ReturnType<typeof shardedTables>>,
  range: SlotRange,
  moveId: number,
): Promise<string[]> {
  const control = await readControl(conn, moveId);
  if (control) {
    const same = control.slots.from === range.from && control.slots.to === range.to;
    return same
      ? []
      : [
          `the target's control row of move ${moveId} is for slots ${control.slots.from}-${control.slots.to}, not ` +
            `${range.from}-${range.to}: move ids are never reused; give this move a new id`,
        ];
  }
  const problems: string[] = [];
  for (const def of tables) {
    const n = await rowsInRange(conn, def.schema, def.name, range);
    if (n !== "none") {
      problems.push(
        `the target holds ${n} rows of ${def.schema}.${def.name} in slots ${range.from}-${range.to} and has no ` +
          `control row of move ${moveId}: empty the range first (a cancelled move's leftovers? deleteRange)`,
      );
    }
  }
  return problems;
}

/** Epochs across moves (moveEpochs.ts): called by the mover for both shards, next to shardProblems. */
export { epochProblems } from "./moveEpochs";
