/**
 * Applies one slot range's changes from a binlog stream to the other shard, in commit order, and the copy's chunks
 * at their high watermarks (DBLog, arXiv 2010.12597): a chunk is read between a low and a high watermark written to
 * the source; every key the stream changes between the two is dropped from the chunk (the stream's newer image
 * wins), the rest is written when the stream reaches the high watermark. So a chunk never overwrites a newer change,
 * without locks.
 *
 * Changes are batched across source transactions and committed with the stream position they reach (control.ts
 * saveCheckpoint in the same transaction), always at a transaction boundary: a restart resumes after the last
 * commit and replays nothing twice. Replaying a full row image is idempotent anyway (REPLACE, DELETE by key).
 */
import type { Connection } from "mysql2/promise";
import { FENCE_SCHEMA } from "../../../infra/contracts/slotFence";
import { WATERMARK_TABLE } from "../../../infra/contracts/slotMoves";
import { TableCursor, saveCheckpoint } from "./control";
import { Position, advance, formatPosition, parsePosition, reached } from "./position";
import { MovedTable, cursorAfter, deleteSql, keyOf, slotOf, upsertSql } from "./rowSql";
import type { Flavour } from "./connect";
import type { BinlogStream, Row, StreamEvent } from "./stream";

/** A copy chunk waiting for its high watermark. */
export interface PendingChunk {
  table: string;
  low: number;
  high: number;
  /** Filled by the copier after the low watermark and before the high one is written. */
  rows?: Row[];
  /** The table's cursor after this chunk (done when the chunk was short). */
  cursor?: TableCursor;
  applied: (rows: number) => void;
  failed: (e: Error) => void;
}

interface Run {
  table: MovedTable;
  kind: "replace" | "delete";
  rows: Row[];
}

export interface ApplierOptions {
  moveId: number;
  range: { from: number; to: number };
  /** The destination's tables by name (the same tables exist on both sides: preflight). */
  tables: Map<string, MovedTable>;
  /** Position already applied (the checkpoint this stream resumed from). */
  from: Position;
  /** The copy cursors (forward stream only): saved with each checkpoint. */
  cursors?: TableCursor[];
  /** The origin's position when the table definitions were read: a later DDL restarts the step. */
  definitionsAt?: Position;
  /** The destination's server: the upsert's spelling differs (rowSql.ts). */
  flavour: Flavour;
  /** Commit once a batch holds this many rows (at the next transaction end). @default 2000 */
  batchRows?: number;
}

export class RangeApplier {
  /** The position the destination has committed. */
  committed: Position;
  private pending: Position;
  private runs: Run[] = [];
  private batchRows = 0;
  private readonly chunks = new Map<number, PendingChunk>();
  /** Keys the stream changed inside each open chunk window, by low watermark. */
  private readonly windows = new Map<number, { chunk: PendingChunk; keys: Set<string> }>();
  private readonly toResolve: { chunk: PendingChunk; rows: number }[] = [];
  /** Per slot, the change counter value when the stream last touched it (verifier: dirty since). */
  readonly touched = new Map<number, number>();
  /** Bumped for every change applied. */
  counter = 0;
  rowsStreamed = 0;
  rowsCopied = 0;
  private stopped = false;
  private readonly cursors: TableCursor[];
  private txSinceFlush = 0;
  private lastFlush = Date.now();

  constructor(
    private readonly dest: Connection,
    private readonly stream: BinlogStream,
    private readonly options: ApplierOptions,
  ) {
    this.committed = options.from;
    this.pending = options.from;
    this.cursors = options.cursors ?? [];
  }

  /** Registers a chunk before its low watermark is written. */
  expect(chunk: PendingChunk): void {
    this.chunks.set(chunk.low, chunk);
    this.chunks.set(chunk.high, chunk);
  }

  cursorsNow(): TableCursor[] {
    return this.cursors.map((c) => ({ ...c }));
  }

  /** Consumes the stream until stop() or a failure (rethrown). */
  async run(): Promise<void> {
    const max = this.options.batchRows ?? 2000;
    let atBoundary = true;
    while (!this.stopped) {
      let event: StreamEvent | undefined = this.stream.poll();
      if (!event) {
        // Nothing queued: commit what is batched (we are at a transaction boundary) before waiting.
        if (atBoundary && this.hasBatch()) await this.flush();
        if (this.stopped) break;
        try {
          event = await this.stream.next();
        } catch (e) {
          if (this.stopped) break;
          throw e;
        }
      }
      if (event.kind === "rows") {
        atBoundary = false;
        this.onRows(event);
      } else {
        atBoundary = true;
        // A DDL the table definitions were read before: stop (the batch is not committed) so the step restarts,
        // reads them again and replays from the checkpoint. A DDL already in definitionsAt is reflected in them.
        const at = this.options.definitionsAt;
        if (event.ddl && at && !reached(at, parsePosition(at.flavour, event.gtid))) {
          throw new Error(
            `a DDL statement (transaction ${event.gtid}) changed the schema after the mover read the tables; ` +
              "restarting to read them again",
          );
        }
        this.pending = advance(this.pending, event.gtid);
        this.txSinceFlush++;
        // Also under a busy source whose transactions miss the range: the checkpoint keeps up (the switch drains to
        // a position, and a restart should not re-read minutes of binlog).
        const due = this.txSinceFlush >= 1000 || Date.now() - this.lastFlush >= 200;
        if (this.batchRows >= max || this.toResolve.length > 0 || due) await this.flush();
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private hasBatch(): boolean {
    return (
      this.runs.length > 0 ||
      this.toResolve.length > 0 ||
      formatPosition(this.pending) !== formatPosition(this.committed)
    );
  }

  private onRows(e: Extract<StreamEvent, { kind: "rows" }>): void {
    if (e.schema === FENCE_SCHEMA && e.table === WATERMARK_TABLE) return this.onWatermark(e);
    const table = this.options.tables.get(e.table);
    if (!table || e.schema !== table.def.schema) return;
    const { from, to } = this.options.range;
    for (const image of e.rows) {
      const row = image.after ?? image.before!;
      const slot = slotOf(row);
      if (slot < from || slot > to) continue;
      this.counter++;
      this.touched.set(slot, this.counter);
      this.rowsStreamed++;
      // Both images' keys: an update that changes a key removes the old one, which the chunk may still hold.
      for (const w of this.windows.values()) {
        if (w.chunk.table !== e.table) continue;
        if (image.before) w.keys.add(keyOf(table, image.before));
        if (image.after) w.keys.add(keyOf(table, image.after));
      }
      if (image.before && image.after && keyOf(table, image.before) !== keyOf(table, image.after)) {
        this.add(table, "delete", image.before);
      }
      if (image.after) this.add(table, "replace", image.after);
      else this.add(table, "delete", image.before!);
    }
  }

  private onWatermark(e: Extract<StreamEvent, { kind: "rows" }>): void {
    for (const image of e.rows) {
      const row = image.after;
      if (!row || Number(row.move_id) !== this.options.moveId) continue;
      const seq = Number(row.seq);
      const chunk = this.chunks.get(seq);
      if (!chunk) continue;
      if (seq === chunk.low) {
        this.windows.set(seq, { chunk, keys: new Set() });
        continue;
      }
      // High watermark: the chunk minus the keys changed in its window, applied at this point of the stream.
      const window = this.windows.get(chunk.low);
      this.windows.delete(chunk.low);
      this.chunks.delete(chunk.low);
      this.chunks.delete(chunk.high);
      const table = this.options.tables.get(chunk.table)!;
      if (!chunk.rows || !window) {
        chunk.failed(new Error(`copy chunk of ${chunk.table} reached its high watermark without rows or low mark`));
        continue;
      }
      const keep = chunk.rows.filter((r) => !window.keys.has(keyOf(table, r)));
      for (const r of keep) {
        const slot = slotOf(r);
        this.counter++;
        this.touched.set(slot, this.counter);
        this.add(table, "replace", r);
      }
      if (chunk.cursor) {
        const i = this.cursors.findIndex((c) => c.table === chunk.table);
        if (i === -1) this.cursors.push(chunk.cursor);
        else this.cursors[i] = chunk.cursor;
      }
      this.toResolve.push({ chunk, rows: keep.length });
    }
  }

  private add(table: MovedTable, kind: Run["kind"], row: Row): void {
    const last = this.runs[this.runs.length - 1];
    // One statement writes one set of columns: images from before and after an ADD COLUMN go in separate runs.
    const sameColumns = (a: Row, b: Row) => Object.keys(a).join("\u0000") === Object.keys(b).join("\u0000");
    if (last && last.table === table && last.kind === kind && last.rows.length < 500 && sameColumns(last.rows[0]!, row))
      last.rows.push(row);
    else this.runs.push({ table, kind, rows: [row] });
    this.batchRows++;
  }

  /** Writes the batch and the checkpoint in one transaction. */
  private async flush(): Promise<void> {
    const runs = this.runs;
    const resolve = this.toResolve.splice(0);
    const position = this.pending;
    this.runs = [];
    this.batchRows = 0;
    this.txSinceFlush = 0;
    this.lastFlush = Date.now();
    try {
      await this.dest.beginTransaction();
      for (const run of runs) {
        const { sql, values } =
          run.kind === "replace"
            ? upsertSql(run.table, run.rows, this.options.flavour)
            : deleteSql(run.table, run.rows, this.options.range);
        await this.dest.query(sql, values);
      }
      await saveCheckpoint(
        this.dest,
        this.options.moveId,
        formatPosition(position),
        this.options.cursors ? this.cursors : undefined,
      );
      await this.dest.commit();
    } catch (e) {
      await this.dest.rollback().catch(() => undefined);
      for (const r of resolve) r.chunk.failed(e as Error);
      throw e;
    }
    this.committed = position;
    for (const r of resolve) {
      this.rowsCopied += r.rows;
      r.chunk.applied(r.rows);
    }
  }
}

/** The cursor a chunk leaves its table at. */
export function chunkCursor(table: MovedTable, rows: readonly Row[], limit: number, prior: TableCursor): TableCursor {
  const last = rows[rows.length - 1];
  return { table: prior.table, done: rows.length < limit, after: last ? cursorAfter(table, last) : prior.after };
}
