/**
 * A batched data migration (`-- gamedb:batch`): the UPDATE or DELETE runs as `... LIMIT n`, each chunk its own
 * autocommitted transaction, until a chunk affects fewer than n rows. Before each chunk the shard's load is read
 * (SHOW GLOBAL STATUS Threads_running): above pauseThreadsRunning the batch waits and reads again, above
 * stopThreadsRunning (or after maxPauseMs of waiting) it stops, and the migration is left failed and resumable at
 * this statement (a batched statement's WHERE excludes the rows already done, so it starts over safely).
 */
import type { Connection, ResultSetHeader, RowDataPacket } from "mysql2/promise";

export interface BatchSettings {
  rows: number;
  pauseThreadsRunning: number;
  stopThreadsRunning: number;
  /** Wait between two load readings while paused. */
  pauseMs: number;
  /** Longest total wait before the batch gives up. */
  maxPauseMs: number;
}

export interface BatchHooks {
  /** The shard's current Threads_running (a test can fake it). */
  threadsRunning: () => Promise<number>;
  sleep: (ms: number) => Promise<void>;
  onChunk?: (chunk: { chunk: number; affected: number; changed: number; threadsRunning: number }) => void;
  onPause?: (threadsRunning: number) => void;
}

/** The batch stopped for load: the migration fails, resumable. */
export class BatchStopped extends Error {
  override name = "BatchStopped";
}

/** Threads_running as the server reports it. */
export async function readThreadsRunning(conn: Pick<Connection, "query">): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Threads_running'");
  const value = Number(rows[0]?.Value);
  if (!Number.isFinite(value)) throw new Error("SHOW GLOBAL STATUS LIKE 'Threads_running' returned no number");
  return value;
}

/** Waits until the load allows a chunk; the reading it allowed at. Throws BatchStopped. */
async function gate(s: BatchSettings, hooks: BatchHooks): Promise<number> {
  let waited = 0;
  for (;;) {
    const threads = await hooks.threadsRunning();
    if (threads > s.stopThreadsRunning) {
      throw new BatchStopped(
        `Threads_running is ${threads}, above stopThreadsRunning ${s.stopThreadsRunning}: the batch stopped ` +
          "(resumable: run the migration again when the shard is quieter)",
      );
    }
    if (threads <= s.pauseThreadsRunning) return threads;
    if (waited >= s.maxPauseMs) {
      throw new BatchStopped(
        `Threads_running stayed above pauseThreadsRunning ${s.pauseThreadsRunning} for ${waited} ms: the batch ` +
          "stopped (resumable)",
      );
    }
    hooks.onPause?.(threads);
    await hooks.sleep(s.pauseMs);
    waited += s.pauseMs;
  }
}

/**
 * Runs `statement` (a single-table UPDATE or DELETE without LIMIT, checked when the file was read) in chunks.
 * Returns the chunks run and the rows they affected.
 */
export async function runBatched(
  conn: Pick<Connection, "query">,
  statement: string,
  s: BatchSettings,
  hooks: BatchHooks,
): Promise<{ chunks: number; rows: number }> {
  let rows = 0;
  for (let chunk = 1; ; chunk++) {
    const threadsRunning = await gate(s, hooks);
    const [result] = await conn.query<ResultSetHeader>(`${statement} LIMIT ${s.rows}`);
    // mysql2 connects with CLIENT_FOUND_ROWS, so an UPDATE's affectedRows counts the rows it matched.
    const affected = result.affectedRows;
    // Only an UPDATE's OK packet says "Changed: n"; for a DELETE mysql2 leaves changedRows 0, so every row it
    // matched counts as changed (node_modules/mysql2/lib/packets/resultset_header.js).
    const changed = /\bchanged:\s*\d+/i.test(result.info ?? "") ? result.changedRows : affected;
    rows += affected;
    hooks.onChunk?.({ chunk, affected, changed, threadsRunning });
    if (affected < s.rows) return { chunks: chunk, rows };
    if (changed === 0) {
      throw new Error(
        `chunk ${chunk} matched ${affected} rows and changed none: the WHERE keeps matching rows already ` +
          "updated, so the chunks would never end; make the WHERE exclude updated rows",
      );
    }
  }
}
