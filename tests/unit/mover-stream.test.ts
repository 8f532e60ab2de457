/**
 * The binlog stream's reading of zongji's events (scripts/lib/mover/stream.ts), with a fake ZongJi, for the event
 * orders of both servers: this is where MySQL 8.4 and the MariaDB stand-ins differ on the wire.
 *
 * - MySQL 8.4: a row transaction is Gtid_log_event, Query_log_event "BEGIN", Table_map, *_rows, Xid_log_event; an
 *   atomic DDL is Gtid_log_event then one Query_log_event carrying the statement (its xid in the status variables,
 *   no Xid event), as SHOW BINLOG EVENTS lists them (MySQL 8.4 manual 15.7.7.3; the types are Log_event_type in
 *   mysql-server libs/mysql/binlog/event/binlog_event.h); zongji names them Gtid, Query, Xid. Not run against MySQL
 *   here: there is none.
 * - MariaDB 10.11: GTID_EVENT replaces the BEGIN query (MariaDB KB "GTID_EVENT": "used to start a new transaction
 *   event group, instead of the old BEGIN query event, and also to mark stand-alone (ddl)"); zongji's MariadbGtid.
 */
import { EventEmitter } from "node:events";
import { BinlogStream, StreamEvent, ZongJiEvent, ZongJiLike } from "../../scripts/lib/mover/stream";
import { parsePosition } from "../../scripts/lib/mover/position";

class FakeZongJi extends EventEmitter implements ZongJiLike {
  static last: FakeZongJi | undefined;
  started: Record<string, unknown> | undefined;
  paused = 0;
  resumed = 0;
  connection = { pause: () => void this.paused++, resume: () => void this.resumed++ };
  constructor(readonly dsn: Record<string, unknown>) {
    super();
    FakeZongJi.last = this;
  }
  start(options: Record<string, unknown>): void {
    this.started = options;
    setImmediate(() => this.emit("ready"));
  }
  stop(): void {}
  send(type: string, fields: Partial<ZongJiEvent> = {}): void {
    this.emit("binlog", { getTypeName: () => type, timestamp: 1_700_000_000_000, ...fields });
  }
}

const TABLES = { 9: { parentSchema: "game", tableName: "players" } };
const login = { shard: 1, host: "127.0.0.1", port: 3306, user: "gamedb_mover", password: "x" };

async function open(flavour: "mysql" | "mariadb", from: string, highWater?: number) {
  const stream = await BinlogStream.start(
    login,
    flavour,
    { serverId: 4_000_000_014, from: parsePosition(flavour, from), include: { game: ["players"] }, highWater },
    async () => FakeZongJi,
  );
  return { stream, zj: FakeZongJi.last! };
}

function drain(stream: BinlogStream): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (let e = stream.poll(); e; e = stream.poll()) out.push(e);
  return out;
}

const UUID = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

describe("BinlogStream", () => {
  it("asks zongji for the resume position, the server id, the tables and the events it reads", async () => {
    const { zj } = await open("mysql", `${UUID}:1-41`);
    expect(zj.started).toEqual({
      serverId: 4_000_000_014,
      gtidSet: `${UUID}:1-41`,
      includeEvents: ["tablemap", "writerows", "updaterows", "deleterows", "gtid", "xid", "query"],
      includeSchema: { game: ["players"] },
    });
    expect(zj.dsn).toMatchObject({ dateStrings: true, bigNumberStrings: true, jsonStrings: true, timezone: "Z" });
  });

  it("reads MySQL 8.4's order: GTID, BEGIN, rows, XID; and a DDL that ends at its own Query event", async () => {
    const { stream, zj } = await open("mysql", `${UUID}:1-41`);
    zj.send("Gtid", { gtid: `${UUID}:42` });
    zj.send("Query", { query: "BEGIN", gtid: `${UUID}:42` });
    zj.send("TableMap", { gtid: `${UUID}:42` });
    zj.send("WriteRows", {
      tableId: 9,
      tableMap: TABLES,
      rows: [{ player_id: "7", gamedb_slot: 5 }],
      gtid: `${UUID}:42`,
    });
    zj.send("UpdateRows", {
      tableId: 9,
      tableMap: TABLES,
      rows: [{ before: { player_id: "7" }, after: { player_id: "8" } }],
      gtid: `${UUID}:42`,
    });
    zj.send("Xid", { gtid: `${UUID}:42` });
    zj.send("Gtid", { gtid: `${UUID}:43` });
    zj.send("Query", { query: "ALTER TABLE players ADD COLUMN x INT", gtid: `${UUID}:43` });
    expect(drain(stream)).toEqual([
      {
        kind: "rows",
        schema: "game",
        table: "players",
        op: "insert",
        rows: [{ after: { player_id: "7", gamedb_slot: 5 } }],
      },
      {
        kind: "rows",
        schema: "game",
        table: "players",
        op: "update",
        rows: [{ before: { player_id: "7" }, after: { player_id: "8" } }],
      },
      { kind: "commit", gtid: `${UUID}:42`, timestampMs: 1_700_000_000_000 },
      { kind: "commit", gtid: `${UUID}:43`, timestampMs: 1_700_000_000_000, ddl: true },
    ]);
  });

  it("reads MariaDB's order: a GTID event instead of BEGIN, rows, XID; a stand-alone DDL", async () => {
    const { stream, zj } = await open("mariadb", "0-1-41");
    zj.send("MariadbGtid", { gtid: "0-1-42" });
    zj.send("DeleteRows", { tableId: 9, tableMap: TABLES, rows: [{ player_id: "7" }], gtid: "0-1-42" });
    zj.send("Xid", { gtid: "0-1-42" });
    zj.send("MariadbGtid", { gtid: "0-1-43" });
    zj.send("Query", { query: "CREATE TABLE t (a INT)", gtid: "0-1-43" });
    expect(drain(stream)).toEqual([
      { kind: "rows", schema: "game", table: "players", op: "delete", rows: [{ before: { player_id: "7" } }] },
      { kind: "commit", gtid: "0-1-42", timestampMs: 1_700_000_000_000 },
      { kind: "commit", gtid: "0-1-43", timestampMs: 1_700_000_000_000, ddl: true },
    ]);
  });

  it("does not end a transaction at a SAVEPOINT, ROLLBACK TO or XA statement inside it", async () => {
    const { stream, zj } = await open("mariadb", "0-1-5");
    zj.send("MariadbGtid", { gtid: "0-1-6" });
    zj.send("WriteRows", { tableId: 9, tableMap: TABLES, rows: [{ player_id: "1" }], gtid: "0-1-6" });
    for (const q of ["SAVEPOINT `a`", "ROLLBACK TO `a`", "RELEASE SAVEPOINT a", "XA END 'x'", "XA PREPARE 'x'"]) {
      zj.send("Query", { query: q, gtid: "0-1-6" });
    }
    zj.send("WriteRows", { tableId: 9, tableMap: TABLES, rows: [{ player_id: "2" }], gtid: "0-1-6" });
    zj.send("Xid", { gtid: "0-1-6" });
    expect(drain(stream).map((e) => e.kind)).toEqual(["rows", "rows", "commit"]);
  });

  it("fails on a transaction without a GTID, and on a row event without its table map", async () => {
    const a = await open("mysql", `${UUID}:1-41`);
    a.zj.send("Query", { query: "BEGIN" });
    a.zj.send("Xid", {});
    expect(() => a.stream.poll()).toThrow(/without a GTID: the mover needs GTIDs on/);
    const b = await open("mariadb", "0-1-1");
    b.zj.send("WriteRows", { tableId: 3, tableMap: TABLES, rows: [] });
    await expect(b.stream.next()).rejects.toThrow(/without its table map/);
  });

  it("pauses the binlog socket at the high-water mark and resumes below half of it", async () => {
    const { stream, zj } = await open("mariadb", "0-1-1", 4);
    for (let i = 2; i < 6; i++) {
      zj.send("MariadbGtid", { gtid: `0-1-${i}` });
      zj.send("Xid", { gtid: `0-1-${i}` });
    }
    expect(zj.paused).toBe(1);
    expect(stream.backlog).toBe(4);
    stream.poll();
    expect(zj.resumed).toBe(0);
    stream.poll();
    stream.poll();
    expect(zj.resumed).toBe(1);
  });

  it("delivers an event to a waiting reader at once", async () => {
    const { stream, zj } = await open("mariadb", "0-1-1");
    const next = stream.next();
    zj.send("MariadbGtid", { gtid: "0-1-2" });
    zj.send("Xid", { gtid: "0-1-2" });
    await expect(next).resolves.toEqual({ kind: "commit", gtid: "0-1-2", timestampMs: 1_700_000_000_000 });
  });
});
