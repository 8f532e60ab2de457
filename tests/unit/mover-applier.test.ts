// scripts/lib/mover/applier.ts RangeApplier against a FAKE binlog stream (the poll/next/stop it uses of BinlogStream)
// and a FAKE destination connection recording what it is sent. The DBLog rule (arXiv 2010.12597): a chunk read
// between its low and high watermark loses every key the stream changed between the two, and the rest is written at
// the high watermark, in one transaction with the checkpoint. The real stream and servers run in
// tests/integration/mover-switch.test.ts.
import type { Connection } from "mysql2/promise";
import { FENCE_SCHEMA } from "../../infra/contracts/slotFence";
import { WATERMARK_TABLE } from "../../infra/contracts/slotMoves";
import type { TableDefinition } from "../../infra/contracts/shardedTable";
import { PendingChunk, RangeApplier } from "../../scripts/lib/mover/applier";
import type { TableCursor } from "../../scripts/lib/mover/control";
import { formatPosition, parsePosition } from "../../scripts/lib/mover/position";
import { movedTable } from "../../scripts/lib/mover/rowSql";
import type { BinlogStream, Row, RowImage, StreamEvent } from "../../scripts/lib/mover/stream";

const MOVE = 7;
const PLAYERS: TableDefinition = {
  schema: "game",
  name: "players",
  columns: [
    { name: "gamedb_slot", columnType: "smallint unsigned", nullable: false },
    { name: "id", columnType: "bigint", nullable: false },
    { name: "v", columnType: "varchar(10)", nullable: true },
  ],
  indexes: [{ name: "PRIMARY", columns: ["gamedb_slot", "id"], unique: true }],
};
const players = movedTable(PLAYERS);
const REPLACE = "INSERT INTO `game`.`players` (`gamedb_slot`, `id`, `v`) VALUES";
const ON_DUP = " ON DUPLICATE KEY UPDATE `v` = VALUES(`v`)";
const IN_RANGE = " AND `gamedb_slot` BETWEEN ? AND ?";
const DELETE = "DELETE FROM `game`.`players` WHERE (`gamedb_slot`, `id`) IN";
const CHECKPOINT = "UPDATE `gamedb_meta`.`slot_moves` SET stream_position = ?";

/** The parts of BinlogStream the applier calls, over a queue the test fills. */
class FakeStream {
  private readonly queue: StreamEvent[] = [];
  private waiter: { resolve: (e: StreamEvent) => void; reject: (e: Error) => void } | undefined;
  private onIdle: (() => void) | undefined;
  stopped = false;

  push(...events: StreamEvent[]): void {
    for (const e of events) {
      const w = this.waiter;
      this.waiter = undefined;
      if (w) w.resolve(e);
      else this.queue.push(e);
    }
  }
  poll(): StreamEvent | undefined {
    return this.queue.shift();
  }
  next(): Promise<StreamEvent> {
    const e = this.queue.shift();
    if (e) return Promise.resolve(e);
    this.onIdle?.();
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }
  stop(): void {
    this.stopped = true;
    this.fail(new Error("stream stopped"));
  }
  /** What BinlogStream.next does once the binlog connection fails. */
  fail(e: Error): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(e);
  }
  /** Resolves once the consumer waits for an event with none queued (everything before it is handled). */
  idle(): Promise<void> {
    return new Promise((resolve) => (this.onIdle = resolve));
  }
}

/** A destination connection: records statements, fails the ones `failOn` matches. */
class FakeDest {
  readonly log: string[] = [];
  readonly calls: { sql: string; values: unknown[] }[] = [];
  constructor(private readonly failOn?: RegExp) {}
  async beginTransaction() {
    this.log.push("BEGIN");
  }
  async commit() {
    this.log.push("COMMIT");
  }
  async rollback() {
    this.log.push("ROLLBACK");
  }
  async query(sql: string, values: unknown[] = []) {
    this.calls.push({ sql, values });
    this.log.push(
      sql.startsWith(CHECKPOINT) ? "CHECKPOINT" : sql.startsWith("INSERT INTO") ? "REPLACE" : sql.split(" ")[0]!,
    );
    if (this.failOn?.test(sql)) throw Object.assign(new Error("Deadlock found"), { errno: 1213 });
    return [{ affectedRows: 1 }, []];
  }
}

const row = (id: number, v: string, slot = 5): Row => ({ gamedb_slot: slot, id: String(id), v });
const rows = (op: "insert" | "update" | "delete", images: RowImage[], table = "players", schema = "game") =>
  ({ kind: "rows", schema, table, op, rows: images }) as StreamEvent;
const insert = (r: Row) => rows("insert", [{ after: r }]);
const update = (before: Row, after: Row) => rows("update", [{ before, after }]);
const del = (r: Row) => rows("delete", [{ before: r }]);
let seq = 0;
const commit = (): StreamEvent => ({ kind: "commit", gtid: `0-1-${++seq}`, timestampMs: 0 });
/** The watermark row a copier writes (BIGINT values read as text). */
const watermark = (moveId: number, mark: number): StreamEvent =>
  rows(
    "update",
    [{ before: { move_id: moveId, seq: String(mark - 1) }, after: { move_id: moveId, seq: String(mark) } }],
    WATERMARK_TABLE,
    FENCE_SCHEMA,
  );

function chunk(low: number, chunkRows: Row[]) {
  const outcome: { applied?: number; failed?: Error } = {};
  const c: PendingChunk = {
    table: "players",
    low,
    high: low + 1,
    rows: chunkRows,
    cursor: { table: "players", done: false, after: { slot: 5, key: ["5", "3"] } },
    applied: (n) => (outcome.applied = n),
    failed: (e) => (outcome.failed = e),
  };
  return { c, outcome };
}

interface SetupOptions {
  failOn?: RegExp;
  batchRows?: number;
  range?: { from: number; to: number };
  cursors?: TableCursor[];
  definitionsAt?: ReturnType<typeof parsePosition>;
}

function setup(options: SetupOptions = {}) {
  const stream = new FakeStream();
  const dest = new FakeDest(options.failOn);
  const applier = new RangeApplier(dest as unknown as Connection, stream as unknown as BinlogStream, {
    moveId: MOVE,
    flavour: "mariadb",
    range: options.range ?? { from: 0, to: 10 },
    tables: new Map([["players", players]]),
    from: parsePosition("mariadb", "0-1-0"),
    cursors: options.cursors ?? [{ table: "players", done: false, after: null }],
    batchRows: options.batchRows,
    definitionsAt: options.definitionsAt,
  });
  let running: Promise<void> | undefined;
  /** Starts the applier (once), feeds it `events` and waits until it has handled them. */
  const feed = async (...events: StreamEvent[]) => {
    const idle = stream.idle();
    stream.push(...events);
    running ??= applier.run();
    // A rejected run is the caller's to check (run()); here it only ends the wait.
    await Promise.race([idle, running.catch(() => undefined)]);
  };
  const finish = async () => {
    applier.stop();
    stream.stop();
    await running;
  };
  return { stream, dest, applier, feed, finish, run: () => running };
}

beforeEach(() => {
  seq = 0;
  // No flush is "due" by time: what a transaction commits depends on the events only.
  jest.spyOn(Date, "now").mockReturnValue(1_700_000_000_000);
});
afterEach(() => jest.restoreAllMocks());

describe("RangeApplier: DBLog watermarks", () => {
  it("drops from a chunk the keys the stream changed between its watermarks, writes the rest at the high mark", async () => {
    const { dest, applier, feed, finish } = setup();
    const { c, outcome } = chunk(1, [row(1, "a"), row(2, "b"), row(3, "c")]);
    applier.expect(c);
    await feed(
      watermark(MOVE, 1),
      commit(),
      update(row(2, "b"), row(2, "B")),
      commit(),
      del(row(3, "c")),
      commit(),
      watermark(MOVE, 2),
      commit(),
    );
    await finish();
    expect(dest.log).toEqual(["BEGIN", "REPLACE", "DELETE", "REPLACE", "CHECKPOINT", "COMMIT"]);
    expect(dest.calls[0]!.values).toEqual([5, "2", "B"]);
    expect(dest.calls[1]!.values).toEqual([5, "3", 0, 10]);
    // Only key 1 of the chunk: 2 and 3 were changed by the stream inside the window.
    expect(dest.calls[2]!.values).toEqual([5, "1", "a"]);
    expect(outcome).toEqual({ applied: 1 });
    expect(applier.rowsCopied).toBe(1);
    expect(applier.rowsStreamed).toBe(2);
  });

  it("writes the chunk in the transaction that saves the checkpoint at the high mark, with the chunk's cursor", async () => {
    const { dest, applier, feed, finish } = setup();
    const { c } = chunk(1, [row(1, "a")]);
    applier.expect(c);
    await feed(watermark(MOVE, 1), commit(), watermark(MOVE, 2), commit());
    await finish();
    const checkpoint = dest.calls.find((q) => q.sql.startsWith(CHECKPOINT))!;
    expect(checkpoint.sql).toBe(
      "UPDATE `gamedb_meta`.`slot_moves` SET stream_position = ?, copy_cursor = ? WHERE move_id = ?",
    );
    expect(checkpoint.values).toEqual([
      "0-1-2",
      JSON.stringify([{ table: "players", done: false, after: { slot: 5, key: ["5", "3"] } }]),
      MOVE,
    ]);
    expect(formatPosition(applier.committed)).toBe("0-1-2");
    expect(applier.cursorsNow()).toEqual([c.cursor]);
  });

  it("adds the cursor of a table the checkpoint had none for, and keeps the others", async () => {
    const other: TableCursor = { table: "guilds", done: true, after: null };
    const { applier, feed, finish } = setup({ cursors: [other] });
    const { c } = chunk(1, [row(1, "a")]);
    applier.expect(c);
    await feed(watermark(MOVE, 1), commit(), watermark(MOVE, 2), commit());
    await finish();
    expect(applier.cursorsNow()).toEqual([other, c.cursor]);
  });

  it("resolves a chunk at the commit after its high mark, while the stream's next transaction is still open", async () => {
    const { dest, applier, feed, finish } = setup();
    const { c, outcome } = chunk(1, [row(1, "a")]);
    applier.expect(c);
    await feed(watermark(MOVE, 1), commit(), watermark(MOVE, 2), commit(), insert(row(2, "open")));
    expect(outcome).toEqual({ applied: 1 });
    expect(dest.log).toEqual(["BEGIN", "REPLACE", "CHECKPOINT", "COMMIT"]);
    expect(dest.calls[0]!.values).toEqual([5, "1", "a"]);
    await finish();
  });

  it("keeps a change made before the low mark or after the high mark: only the window's keys are dropped", async () => {
    const { dest, applier, feed, finish } = setup();
    const { c, outcome } = chunk(1, [row(1, "a1"), row(2, "b")]);
    applier.expect(c);
    await feed(
      update(row(1, "a0"), row(1, "a1")),
      commit(),
      watermark(MOVE, 1),
      commit(),
      watermark(MOVE, 2),
      update(row(1, "a1"), row(1, "a2")),
      commit(),
    );
    await finish();
    // The stream's update before the window, the chunk's two rows at the high mark, then the later update: in order.
    const replaced = dest.calls.filter((q) => q.sql.startsWith(REPLACE)).flatMap((q) => q.values);
    expect(replaced).toEqual([5, "1", "a1", 5, "1", "a1", 5, "2", "b", 5, "1", "a2"]);
    expect(outcome).toEqual({ applied: 2 });
  });

  it("drops the OLD key of an update that changes a chunk row's primary key inside the window", async () => {
    // The chunk was read before the update: it holds key 1, which the stream deletes (moving the row to key 9).
    // Writing key 1 at the high mark would bring back a row the source no longer has.
    const { dest, applier, feed, finish } = setup();
    const { c } = chunk(1, [row(1, "a")]);
    applier.expect(c);
    await feed(watermark(MOVE, 1), commit(), update(row(1, "a"), row(9, "a")), commit(), watermark(MOVE, 2), commit());
    await finish();
    const writes = dest.calls.filter((q) => !q.sql.startsWith(CHECKPOINT));
    expect(writes).toEqual([
      { sql: `${DELETE} ((?, ?))${IN_RANGE}`, values: [5, "1", 0, 10] },
      { sql: `${REPLACE} (?, ?, ?)${ON_DUP}`, values: [5, "9", "a"] },
    ]);
  });

  it("ignores other moves' watermarks, even with the same sequence numbers", async () => {
    const { dest, applier, feed, finish } = setup();
    const { c, outcome } = chunk(1, [row(1, "a"), row(2, "b")]);
    applier.expect(c);
    await feed(watermark(8, 1), commit(), update(row(2, "b"), row(2, "X")), watermark(8, 2), commit());
    expect(outcome).toEqual({});
    await feed(watermark(MOVE, 1), commit(), update(row(2, "X"), row(2, "Y")), watermark(MOVE, 2), commit());
    await finish();
    expect(outcome).toEqual({ applied: 1 });
    const replaced = dest.calls.filter((q) => q.sql.startsWith(REPLACE)).flatMap((q) => q.values);
    expect(replaced).toEqual([5, "2", "X", 5, "2", "Y", 5, "1", "a"]);
  });

  it("fails a chunk whose high mark comes without its low mark", async () => {
    const { dest, applier, feed, finish } = setup();
    const { c, outcome } = chunk(1, [row(1, "a")]);
    applier.expect(c);
    await feed(watermark(MOVE, 2), commit());
    await finish();
    expect(outcome.failed?.message).toBe("copy chunk of players reached its high watermark without rows or low mark");
    expect(dest.calls.some((q) => q.sql.startsWith(REPLACE))).toBe(false);
  });
});

describe("RangeApplier: the stream's changes", () => {
  it("ignores rows outside the range, of other tables and of the same table name in another schema", async () => {
    const { dest, applier, feed, finish } = setup({ range: { from: 0, to: 10 } });
    await feed(
      insert(row(1, "in", 10)),
      insert(row(2, "out", 11)),
      rows("insert", [{ after: row(3, "other table", 5) }], "guilds"),
      rows("insert", [{ after: row(4, "other schema", 5) }], "players", "game2"),
      commit(),
    );
    await finish();
    const writes = dest.calls.filter((q) => !q.sql.startsWith(CHECKPOINT));
    expect(writes).toEqual([{ sql: `${REPLACE} (?, ?, ?)${ON_DUP}`, values: [10, "1", "in"] }]);
    expect(applier.rowsStreamed).toBe(1);
    expect([...applier.touched.keys()]).toEqual([10]);
  });

  it("deletes the old key of an update that changes the primary key, then writes the new row", async () => {
    const { dest, feed, finish } = setup();
    await feed(update(row(1, "a"), row(2, "a")), commit());
    await finish();
    expect(dest.calls.filter((q) => !q.sql.startsWith(CHECKPOINT))).toEqual([
      { sql: `${DELETE} ((?, ?))${IN_RANGE}`, values: [5, "1", 0, 10] },
      { sql: `${REPLACE} (?, ?, ?)${ON_DUP}`, values: [5, "2", "a"] },
    ]);
  });

  it("an update that keeps its key is one REPLACE; a delete is a DELETE by key", async () => {
    const { dest, feed, finish } = setup();
    await feed(update(row(1, "a"), row(1, "b")), del(row(2, "x")), commit());
    await finish();
    expect(dest.calls.filter((q) => !q.sql.startsWith(CHECKPOINT))).toEqual([
      { sql: `${REPLACE} (?, ?, ?)${ON_DUP}`, values: [5, "1", "b"] },
      { sql: `${DELETE} ((?, ?))${IN_RANGE}`, values: [5, "2", 0, 10] },
    ]);
  });

  it("commits only at a transaction boundary, with the position of the last whole transaction", async () => {
    const { dest, applier, feed, finish } = setup({ batchRows: 2 });
    await feed(insert(row(1, "a")), insert(row(2, "b")), insert(row(3, "c")));
    // The transaction has not ended: nothing is written, however many rows wait.
    expect(dest.log).toEqual([]);
    await feed(commit());
    expect(dest.log).toEqual(["BEGIN", "REPLACE", "CHECKPOINT", "COMMIT"]);
    expect(dest.calls[0]!.values).toHaveLength(9);
    expect(dest.calls[1]!.values[0]).toBe("0-1-1");
    expect(formatPosition(applier.committed)).toBe("0-1-1");
    await finish();
  });

  it("a failed write rolls back, fails the waiting chunk and rejects the run; nothing counts as committed", async () => {
    const { dest, applier, feed, run } = setup({ failOn: /^INSERT INTO/ });
    const { c, outcome } = chunk(1, [row(1, "a")]);
    applier.expect(c);
    await feed(watermark(MOVE, 1), commit(), watermark(MOVE, 2), commit());
    await expect(run()).rejects.toThrow("Deadlock found");
    expect(dest.log).toEqual(["BEGIN", "REPLACE", "ROLLBACK"]);
    expect(outcome.failed?.message).toBe("Deadlock found");
    expect(outcome.applied).toBeUndefined();
    expect(applier.rowsCopied).toBe(0);
    expect(formatPosition(applier.committed)).toBe("0-1-0");
  });

  it("a stream failure rejects the run", async () => {
    const { stream, feed, run } = setup();
    await feed(insert(row(1, "a")));
    const failing = run();
    stream.fail(new Error("binlog lost"));
    await expect(failing).rejects.toThrow("binlog lost");
  });
});

describe("RangeApplier and DDL", () => {
  it("stops at a DDL the table definitions were read before, without committing the batch; ignores one they include", async () => {
    const late = setup({ definitionsAt: parsePosition("mariadb", "0-1-1") });
    await late.feed(insert(row(1, "a")), { kind: "commit", gtid: "0-1-2", timestampMs: 0, ddl: true });
    await expect(late.run()).rejects.toThrow(
      "a DDL statement (transaction 0-1-2) changed the schema after the mover read the tables; restarting",
    );
    expect(late.dest.log).not.toContain("COMMIT");
    const known = setup({ definitionsAt: parsePosition("mariadb", "0-1-9") });
    await known.feed({ kind: "commit", gtid: "0-1-3", timestampMs: 0, ddl: true });
    await known.finish();
    expect(formatPosition(known.applier.committed)).toBe("0-1-3");
  });

  it("writes images from before and after an ADD COLUMN in separate statements, each with its own columns", async () => {
    const { dest, feed, finish } = setup();
    await feed(insert({ gamedb_slot: 5, id: "1" }), insert(row(2, "b")), commit());
    await finish();
    const writes = dest.calls.filter((q) => q.sql.startsWith("INSERT INTO"));
    expect(writes.map((w) => w.values)).toEqual([
      [5, "1"],
      [5, "2", "b"],
    ]);
  });
});
