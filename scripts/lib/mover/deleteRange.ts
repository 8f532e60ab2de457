/**
 * Deleting a slot range's rows from one shard, every sharded table of the game database, in throttled chunks: the
 * source's rows at cleanup (after the switch and a soak) and the target's copies at cancel (before a switch). Runs as
 * the mover account, which the fence triggers let through (infra/contracts/slotFence.ts MOVER_ACCOUNT).
 *
 * Never in a range the shard serves: before it starts, and again inside every chunk's transaction for the slots that
 * chunk deletes (their fence rows read with a shared lock, held to the commit, so a flip of those rows to 'owned' or
 * 'frozen' waits for the chunk, and the next chunk sees it), every fence row must say 'moved' or 'importing'.
 *
 * Each chunk selects the next `chunkRows` keys in (gamedb_slot, primary key) order after the last chunk's, then
 * deletes those rows by primary key. Against one `DELETE ... ORDER BY ... LIMIT` per chunk (with the whole range's
 * fence checked) on a MariaDB 10.11 stand-in with the fence triggers, 100k rows in 1,000-row chunks, on a shared
 * 2-core machine: 63k and 67k rows/s against 65k and 60k (tests/integration/mover-delete.test.ts prints them); in an
 * earlier run over 200k rows, 70k-88k against 61k-67k. So no slower, and it never rescans the rows earlier chunks
 * delete-marked (InnoDB purges them later), knows each chunk's slots for the fence check, and needs no ORDER BY ...
 * LIMIT on a DELETE (unsafe for statement-based replicas).
 * Resumable: nothing is remembered between runs; a rerun deletes what is left. Passes repeat from the range's start
 * until one finds nothing, picking up rows written behind the cursor.
 */
import type { Connection, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { SLOT_COLUMN } from "../../../infra/contracts/slotFence";
import type { TableDefinition } from "../../../infra/contracts/shardedTable";
import { SlotRange, checkSlotRange, quoteIdentifier } from "./checksumSql";
import { FENCE, FenceRun, describeRun, fenceRuns, rangeText, readFenceRows } from "./fenceRows";
import { shardedTables } from "./shardTables";
import type { ThrottleDecision } from "./throttle";

export interface DeleteProgress {
  table: string;
  /** Rows this chunk deleted. */
  deleted: number;
  tableDeleted: number;
  totalDeleted: number;
}

export interface DeleteRangeOptions {
  database: string;
  range: SlotRange;
  /** Keys per chunk (infra/contracts/slotMoves.ts throttleSchema.chunkRows). */
  chunkRows: number;
  onProgress?: (p: DeleteProgress) => void;
  /** Asked before every chunk; while it says wait, the delete sleeps `pauseMs` and asks again. */
  throttle?: () => Promise<ThrottleDecision> | ThrottleDecision;
  onPause?: (reason: string) => void;
  /** Default 1000. */
  pauseMs?: number;
  /** Stops between chunks (the error is the signal's reason). */
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}

export interface DeleteResult {
  deleted: number;
  tables: { table: string; deleted: number }[];
}

/** Thrown when the fence says the shard serves (part of) the range. */
export class DeleteRefusedError extends Error {}

/** Pure: why the range's fence forbids deleting its rows here, or undefined. `runs` as fenceRuns gives them. */
export function deleteRefusal(runs: readonly FenceRun[]): string | undefined {
  const bad = runs.filter((r) => r.state === "owned" || r.state === "frozen" || r.state === "missing");
  if (bad.length === 0) return undefined;
  return (
    `refusing to delete: this shard's fence says ${bad.map(describeRun).join("; ")}; rows are deleted only where ` +
    "the fence says moved or importing (never rows the shard serves)"
  );
}

const INTEGER = /^(tinyint|smallint|mediumint|int|integer|bigint)\b/i;

interface Plan {
  def: TableDefinition;
  table: string;
  /** ORDER BY columns: gamedb_slot, then the primary key's other columns. */
  order: string[];
  key: string[];
  /** Per order column: send cursor and key values as BigInt (exact above 2^53 against an integer column). */
  integer: boolean[];
}

function planTable(def: TableDefinition): Plan {
  const table = `${quoteIdentifier("schema", def.schema)}.${quoteIdentifier("table", def.name)}`;
  const pk = def.indexes.find((i) => i.name === "PRIMARY")?.columns;
  if (!pk) throw new Error(`${def.schema}.${def.name} has no primary key: the mover deletes by primary key`);
  const order = [SLOT_COLUMN, ...pk.filter((c) => c.toLowerCase() !== SLOT_COLUMN)];
  const type = new Map(def.columns.map((c) => [c.name.toLowerCase(), c.columnType]));
  return { def, table, order, key: pk, integer: order.map((c) => INTEGER.test(type.get(c.toLowerCase()) ?? "")) };
}

const exact = (plan: Plan, i: number, v: unknown): unknown =>
  plan.integer[i] && typeof v === "string" && /^-?\d+$/.test(v) ? BigInt(v) : v;

/** `(a > ?) OR (a = ? AND b > ?) OR ...`: the row comparison spelled out, which the servers turn into index ranges. */
function afterSql(plan: Plan, after: unknown[]): { sql: string; values: unknown[] } {
  const cols = plan.order.map((c) => quoteIdentifier("column", c));
  const terms: string[] = [];
  const values: unknown[] = [];
  for (let i = 0; i < cols.length; i++) {
    const eq = cols.slice(0, i).map((c) => `${c} = ?`);
    terms.push(`(${[...eq, `${cols[i]} > ?`].join(" AND ")})`);
    for (let j = 0; j <= i; j++) values.push(exact(plan, j, after[j]));
  }
  return { sql: `(${terms.join(" OR ")})`, values };
}

async function nextKeys(conn: Connection, plan: Plan, range: SlotRange, after: unknown[] | null, n: number) {
  const cursor = after ? afterSql(plan, after) : { sql: "", values: [] };
  const [rows] = await conn.query<RowDataPacket[]>({
    sql:
      `SELECT ${plan.order.map((c) => quoteIdentifier("column", c)).join(", ")} FROM ${plan.table} ` +
      `WHERE ${quoteIdentifier("column", SLOT_COLUMN)} BETWEEN ? AND ?${cursor.sql ? ` AND ${cursor.sql}` : ""} ` +
      `ORDER BY ${plan.order.map((c) => quoteIdentifier("column", c)).join(", ")} LIMIT ${n}`,
    values: [range.from, range.to, ...cursor.values],
    rowsAsArray: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
  return rows as unknown as unknown[][];
}

/** One chunk in one transaction: the fence of its slots checked under a shared lock, then its rows by key. */
async function deleteChunk(conn: Connection, plan: Plan, keys: unknown[][]): Promise<number> {
  const span = { from: Number(keys[0]![0]), to: Number(keys[keys.length - 1]![0]) };
  await conn.beginTransaction();
  try {
    const [fence] = await conn.query<RowDataPacket[]>(
      `SELECT slot, state, owner_shard, epoch FROM ${FENCE} WHERE slot BETWEEN ? AND ? ORDER BY slot ` +
        "LOCK IN SHARE MODE",
      [span.from, span.to],
    );
    const runs = fenceRuns(
      fence.map((r) => ({
        slot: Number(r.slot),
        state: r.state,
        owner: Number(r.owner_shard),
        epoch: Number(r.epoch),
      })),
      span,
    );
    const refusal = deleteRefusal(runs);
    if (refusal) throw new DeleteRefusedError(`${plan.def.schema}.${plan.def.name}: ${refusal}`);
    const keyIndex = plan.key.map((c) => (c.toLowerCase() === SLOT_COLUMN ? 0 : plan.order.indexOf(c)));
    const cols = plan.key.map((c) => quoteIdentifier("column", c));
    const tuple = `(${cols.map(() => "?").join(", ")})`;
    const values = keys.flatMap((k) => keyIndex.map((i) => exact(plan, i, k[i])));
    const [result] = await conn.query<ResultSetHeader>(
      `DELETE FROM ${plan.table} WHERE ${quoteIdentifier("column", SLOT_COLUMN)} BETWEEN ? AND ? ` +
        `AND (${cols.join(", ")}) IN (${keys.map(() => tuple).join(", ")})`,
      [span.from, span.to, ...values],
    );
    await conn.commit();
    return result.affectedRows;
  } catch (e) {
    await conn.rollback().catch(() => undefined);
    throw e;
  }
}

/** Passes over a table before giving up on rows that keep appearing (only the mover writes there). */
const MAX_PASSES = 5;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitForThrottle(opts: DeleteRangeOptions): Promise<void> {
  if (!opts.throttle) return;
  for (;;) {
    opts.signal?.throwIfAborted();
    const d = await opts.throttle();
    if (!d.wait) return;
    opts.onPause?.(d.reason);
    await (opts.sleep ?? defaultSleep)(opts.pauseMs ?? 1000);
  }
}

/**
 * Deletes every row of `range` from every sharded table of `database` on the shard behind `conn` (the mover
 * account's connection, autocommit). Throws DeleteRefusedError when the fence says the shard serves any slot of the
 * range (or lacks a row), before deleting anything or at the chunk that meets it.
 */
export async function deleteRange(conn: Connection, opts: DeleteRangeOptions): Promise<DeleteResult> {
  checkSlotRange(opts.range);
  if (!Number.isInteger(opts.chunkRows) || opts.chunkRows < 1) {
    throw new Error(`chunkRows ${JSON.stringify(opts.chunkRows)} is not valid: use a positive integer`);
  }
  const refusal = deleteRefusal(fenceRuns(await readFenceRows(conn, opts.range), opts.range));
  if (refusal) throw new DeleteRefusedError(refusal);
  const plans = (await shardedTables(conn, opts.database)).map(planTable);
  const result: DeleteResult = { deleted: 0, tables: [] };
  for (const plan of plans) {
    let tableDeleted = 0;
    // A pass ends at the range's end; the next starts over, until one finds nothing.
    for (let pass = 1; ; pass++) {
      let after: unknown[] | null = null;
      let found = 0;
      for (;;) {
        opts.signal?.throwIfAborted();
        await waitForThrottle(opts);
        const keys = await nextKeys(conn, plan, opts.range, after, opts.chunkRows);
        if (keys.length === 0) break;
        found += keys.length;
        const deleted = await deleteChunk(conn, plan, keys);
        tableDeleted += deleted;
        result.deleted += deleted;
        opts.onProgress?.({
          table: `${plan.def.schema}.${plan.def.name}`,
          deleted,
          tableDeleted,
          totalDeleted: result.deleted,
        });
        after = keys[keys.length - 1]!;
        if (keys.length < opts.chunkRows) break;
      }
      if (found === 0) break;
      if (pass === MAX_PASSES) {
        throw new Error(
          `rows of ${plan.def.schema}.${plan.def.name} keep appearing in ${rangeText(opts.range)} after ${pass} ` +
            "passes: is a stream still applying into this range? stop it, then run the delete again",
        );
      }
    }
    result.tables.push({ table: `${plan.def.schema}.${plan.def.name}`, deleted: tableDeleted });
  }
  return result;
}
