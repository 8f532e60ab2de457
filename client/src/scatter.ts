/**
 * A statement on every shard at once (search by name, leaderboards): each shard with its own timeout, the rows
 * merged in order and cut to the limit. A shard that failed is named in the result; with `partial: false` (the
 * default) the call fails instead, so no caller mistakes a partial answer for a whole one.
 *
 * During a slot move a range's rows exist on two shards: statements over sharded tables join the fence
 * (ownedSlotsJoin in infra/contracts/slotFence.ts) so each row is read where its slot is owned.
 */
import { GameDbError, ScatterError } from "./errors";
import { OrderBy, Row, mergeSorted, rowComparator } from "./merge";

export interface ScatterOptions {
  /** Rows returned at most (after the merge); each shard's statement should apply the same LIMIT. */
  limit: number;
  /** The statement's ORDER BY, as columns of its result; without it, shards' rows follow in shard order. */
  orderBy?: readonly OrderBy[];
  /** For string columns of a non-binary collation. */
  collator?: Intl.Collator;
  /** Per shard: waiting for a connection and the statement. @default 2000 */
  timeoutMs?: number;
  /** Accept an answer missing the failed shards (each named in `failed`). @default false */
  partial?: boolean;
  /** "eventual" (default): read-only port; "strong": read-write port. */
  consistency?: "eventual" | "strong";
  /** Adds the answering shard's id to every row under this name (for per-shard figures such as counts). */
  shardColumn?: string;
}

export interface ScatterResult<T> {
  rows: T[];
  /** The shards asked. */
  shards: number[];
  /** Shards that did not answer, with why; empty when every shard answered. */
  failed: { shard: number; error: Error }[];
  /** True when shards returned more rows than `limit` together. */
  truncated: boolean;
}

export const DEFAULT_SCATTER_TIMEOUT_MS = 2000;
/** Node's setTimeout runs a longer delay after 1 ms (Node.js docs, setTimeout): every shard would time out. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

function checkOptions(options: ScatterOptions): void {
  const { limit, timeoutMs, orderBy, shardColumn } = options;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new GameDbError("BAD_OPTION", `scatter limit: must be a whole number of rows from 1, got ${limit}`);
  }
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS)) {
    throw new GameDbError(
      "BAD_OPTION",
      `scatter timeoutMs: must be a whole number of ms from 1 to ${MAX_TIMEOUT_MS}, got ${timeoutMs}`,
    );
  }
  if (shardColumn !== undefined && (typeof shardColumn !== "string" || shardColumn === "")) {
    throw new GameDbError("BAD_OPTION", `scatter shardColumn: must be a column name (a string), got ${shardColumn}`);
  }
  if (orderBy !== undefined && !Array.isArray(orderBy)) {
    throw new GameDbError("BAD_OPTION", 'scatter orderBy: must be a list of {column, direction?: "asc" | "desc"}');
  }
  for (const [i, o] of (orderBy ?? []).entries()) {
    if (
      typeof o !== "object" ||
      o === null ||
      typeof o.column !== "string" ||
      o.column === "" ||
      !["asc", "desc", undefined].includes(o.direction)
    ) {
      throw new GameDbError("BAD_OPTION", `scatter orderBy.${i}: must be {column, direction?: "asc" | "desc"}`);
    }
  }
}

/** An UPDATE's result header is no list of rows: never merge it or pass it on as rows. */
function checkRows(shard: number, rows: unknown): void {
  const kind = (v: unknown) => (v === null ? "null" : typeof v);
  let what: string | undefined;
  if (!Array.isArray(rows)) what = kind(rows);
  else {
    const i = rows.findIndex((r) => typeof r !== "object" || r === null);
    if (i !== -1) what = `row ${i} is ${kind(rows[i])}`;
  }
  if (what !== undefined) {
    throw new GameDbError(
      "BAD_OPTION",
      `scatter: shard ${shard} returned no rows (${what}); scatter runs one SELECT on every shard`,
    );
  }
}

/** The rows of one shard must already be in orderBy order, or the merge would be wrong without saying so. */
function checkSorted<T extends Row>(shard: number, rows: readonly T[], compare: (a: T, b: T) => number): void {
  for (let i = 1; i < rows.length; i++) {
    if (compare(rows[i - 1]!, rows[i]!) > 0) {
      throw new GameDbError(
        "BAD_OPTION",
        `scatter: shard ${shard} returned rows out of orderBy order at row ${i}; ` +
          "the statement needs the same ORDER BY (and a binary or numeric sort key, or a collator)",
      );
    }
  }
}

export async function scatterRows<T extends Row>(
  shards: number[],
  options: ScatterOptions,
  run: (shard: number, timeoutMs: number) => Promise<T[]>,
): Promise<ScatterResult<T>> {
  checkOptions(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_SCATTER_TIMEOUT_MS;
  const answers = await Promise.allSettled(shards.map((shard) => run(shard, timeoutMs)));
  const failed: { shard: number; error: Error }[] = [];
  const answered: { shard: number; rows: T[] }[] = [];
  answers.forEach((a, i) => {
    const shard = shards[i]!;
    const tag = options.shardColumn;
    if (a.status === "fulfilled") {
      checkRows(shard, a.value);
      answered.push({ shard, rows: tag ? a.value.map((r) => ({ ...r, [tag]: shard })) : a.value });
    } else failed.push({ shard, error: a.reason as Error });
  });
  if (failed.length > 0 && options.partial !== true) {
    throw new ScatterError(
      failed,
      `scatter: ${failed.length} of ${shards.length} shards failed (` +
        failed.map((f) => `shard ${f.shard}: ${f.error.message}`).join("; ") +
        "); pass partial: true to accept the others' rows",
    );
  }
  const lists = answered.map((a) => a.rows);
  const total = lists.reduce((n, l) => n + l.length, 0);
  let rows: T[];
  if (options.orderBy && options.orderBy.length > 0) {
    const compare = rowComparator(options.orderBy, options.collator);
    answered.forEach((a) => checkSorted(a.shard, a.rows, compare));
    rows = mergeSorted(lists, compare, options.limit);
  } else {
    rows = lists.flat().slice(0, options.limit);
  }
  return { rows, shards, failed, truncated: total > rows.length };
}
