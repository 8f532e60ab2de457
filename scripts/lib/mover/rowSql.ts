/**
 * The SQL the mover writes rows with, from a table's definition: REPLACE for inserts and updates (the row image is
 * the full row: binlog_row_image=FULL, so replaying it is idempotent, as row-based replication's idempotent mode
 * does), DELETE by primary key, and the copy's chunk SELECT in (gamedb_slot, primary key) order. Pure.
 */
import { SLOT_COLUMN } from "../../../infra/contracts/slotFence";
import type { TableDefinition } from "../../../infra/contracts/shardedTable";
import { quoteIdentifier } from "./checksumSql";
import type { Row } from "./stream";
import type { Flavour } from "./connect";

export interface MovedTable {
  def: TableDefinition;
  /** The columns written, in table order. */
  columns: string[];
  /** The primary key's columns. */
  key: string[];
  /** Key columns holding integers: cursor values are sent as BigInt (exact above 2^53). */
  integerKey: boolean[];
  qualified: string;
}

/** A table the mover can move, or the reason it cannot (no primary key). */
export function movedTable(def: TableDefinition): MovedTable {
  const pk = def.indexes.find((i) => i.name === "PRIMARY");
  if (!pk) throw new Error(`${def.schema}.${def.name} has no PRIMARY KEY: the mover applies changes by primary key`);
  const type = new Map(def.columns.map((c) => [c.name, c.columnType]));
  return {
    def,
    columns: def.columns.map((c) => c.name),
    key: pk.columns,
    integerKey: pk.columns.map((c) => /^(tiny|small|medium|big)?int\b/i.test(type.get(c) ?? "")),
    qualified: `${quoteIdentifier("schema", def.schema)}.${quoteIdentifier("table", def.name)}`,
  };
}

/** A row's primary key as one string, the same for a binlog image and a SELECT row (both read as exact text). */
export function keyOf(t: MovedTable, row: Row): string {
  // JSON of the typed parts: a separator inside a text key cannot make two keys one.
  return JSON.stringify(
    t.key.map((c) => {
      const v = row[c];
      if (v === null || v === undefined) return null;
      return Buffer.isBuffer(v) ? ["x", v.toString("hex")] : String(v);
    }),
  );
}

export function slotOf(row: Row): number {
  return Number(row[SLOT_COLUMN]);
}

/**
 * Inserts or updates rows from full row images: INSERT ... ON DUPLICATE KEY UPDATE of every column that is not in
 * the primary key. Not REPLACE: a REPLACE deletes the row it conflicts with (firing ON DELETE CASCADE on the child
 * tables, which the binlog does not carry) and would silently move a row of ANOTHER slot that shares a surrogate key;
 * an update of such a row instead changes its gamedb_slot, which the fence triggers refuse for every account, so
 * the move stops with the error rather than corrupting the shard. MySQL 8.4 spells the new row with a row alias
 * (VALUES() is deprecated there, manual 15.2.7.2 "INSERT ... ON DUPLICATE KEY UPDATE"); MariaDB only knows VALUES().
 */
export function upsertSql(t: MovedTable, rows: readonly Row[], flavour: Flavour): { sql: string; values: unknown[] } {
  // The first image's columns: an image from before an ADD COLUMN lacks it (the column takes its default, as it
  // did on the origin); a column the table does not have means the target lacks a migration the origin has.
  const first = rows[0] ?? {};
  const columns = t.columns.filter((c) => c in first);
  for (const c of Object.keys(first)) {
    if (!t.columns.includes(c)) {
      throw new Error(`${t.qualified}: a row image has column ${c}, which this shard's table lacks (a migration?)`);
    }
  }
  for (const c of t.key) if (!(c in first)) throw new Error(`${t.qualified}: a row image has no column ${c}`);
  const cols = columns.map((c) => quoteIdentifier("column", c)).join(", ");
  const one = `(${columns.map(() => "?").join(", ")})`;
  const values: unknown[] = [];
  for (const r of rows) {
    for (const c of columns) {
      if (!(c in r)) throw new Error(`${t.qualified}: a row image has no column ${c}`);
      values.push(r[c]);
    }
  }
  const rest = columns.filter((c) => !t.key.includes(c));
  const set = (rest.length > 0 ? rest : [t.key[0]!]).map((c) => {
    const q = quoteIdentifier("column", c);
    return `${q} = ${flavour === "mysql" ? `gamedb_new.${q}` : `VALUES(${q})`}`;
  });
  const alias = flavour === "mysql" ? " AS gamedb_new" : "";
  return {
    sql: `INSERT INTO ${t.qualified} (${cols}) VALUES ${rows.map(() => one).join(", ")}${alias} ON DUPLICATE KEY UPDATE ${set.join(", ")}`,
    values,
  };
}

/** Deletes rows by key, and only within the range's slots: a surrogate key shared with another slot is left alone. */
export function deleteSql(
  t: MovedTable,
  rows: readonly Row[],
  range: { from: number; to: number },
): { sql: string; values: unknown[] } {
  const cols = t.key.map((c) => quoteIdentifier("column", c));
  const tuple = `(${cols.map(() => "?").join(", ")})`;
  const values = rows.flatMap((r) => t.key.map((c) => r[c]));
  const where =
    t.key.length === 1
      ? `${cols[0]} IN (${rows.map(() => "?").join(", ")})`
      : `(${cols.join(", ")}) IN (${rows.map(() => tuple).join(", ")})`;
  const slot = quoteIdentifier("column", SLOT_COLUMN);
  return {
    sql: `DELETE FROM ${t.qualified} WHERE ${where} AND ${slot} BETWEEN ? AND ?`,
    values: [...values, range.from, range.to],
  };
}

/** A cursor value as a parameter: integer key columns as BigInt (mysql2 sends it as an exact literal). */
function cursorValue(t: MovedTable, i: number, v: string): unknown {
  return t.integerKey[i] && /^-?\d+$/.test(v) ? BigInt(v) : v;
}

/**
 * The next chunk of a slot range after (slot, key) in (gamedb_slot, key) order, through the index that begins with
 * gamedb_slot. The row comparison is spelled out (a > x OR a = x AND b > y ...), which both servers turn into index
 * ranges.
 */
export function chunkSelectSql(
  t: MovedTable,
  range: { from: number; to: number },
  after: { slot: number; key: string[] } | null,
  limit: number,
): { sql: string; values: unknown[] } {
  const slot = quoteIdentifier("column", SLOT_COLUMN);
  const cols = t.columns.map((c) => quoteIdentifier("column", c)).join(", ");
  const order = [slot, ...t.key.map((c) => quoteIdentifier("column", c))];
  const values: unknown[] = [range.from, range.to];
  let where = `${slot} BETWEEN ? AND ?`;
  if (after) {
    const terms: string[] = [];
    const parts = [after.slot as unknown, ...after.key.map((v, i) => cursorValue(t, i, v))];
    for (let i = 0; i < order.length; i++) {
      const eq = order.slice(0, i).map((c) => `${c} = ?`);
      terms.push(`(${[...eq, `${order[i]} > ?`].join(" AND ")})`);
      values.push(...parts.slice(0, i + 1));
    }
    where += ` AND (${terms.join(" OR ")})`;
  }
  values.push(limit);
  return { sql: `SELECT ${cols} FROM ${t.qualified} WHERE ${where} ORDER BY ${order.join(", ")} LIMIT ?`, values };
}

/** The cursor after `row`: its slot and key values as text. */
export function cursorAfter(t: MovedTable, row: Row): { slot: number; key: string[] } {
  return {
    slot: slotOf(row),
    key: t.key.map((c) => {
      const v = row[c];
      if (Buffer.isBuffer(v) || v === null || typeof v === "object") {
        throw new Error(`${t.qualified}: primary key column ${c} must be a number or text to copy in chunks`);
      }
      return String(v);
    }),
  };
}
