// The mover's HTTP server (scripts/lib/mover/statusServer.ts) over real TCP on a free loopback port: /status,
// /healthz and /metrics (Prometheus text from its own prom-client registry), following the status getter.
import { MOVE_STATES, type MoveStatus } from "../../infra/contracts/slotMoves";
import { StatusServer, startStatusServer } from "../../scripts/lib/mover/statusServer";

const STATUS: MoveStatus = {
  id: 7,
  phase: "copy",
  state: "copying",
  slots: { from: 0, to: 4095 },
  source: 1,
  target: 2,
  rowsCopied: 123456,
  copyDone: false,
  rowsStreamed: 789,
  lagSeconds: null,
  verifiedSlots: 0,
  dirtySlots: 3,
  verifyPasses: 0,
  pauseMs: null,
  lastError: null,
  updatedAt: "2026-12-05T12:00:00.000Z",
};

let current: MoveStatus | undefined;
let server: StatusServer;
const servers: StatusServer[] = [];

beforeAll(async () => {
  server = await startStatusServer({ port: 0, host: "127.0.0.1", getStatus: () => current });
  servers.push(server);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const get = async (path: string, init?: RequestInit) => {
  const res = await fetch(`http://127.0.0.1:${server.port}${path}`, init);
  return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
};

/** The samples of the exposition text: `name{labels} value` lines, comments left out. */
const samples = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describe("status server", () => {
  it("answers 503 on /status and no samples before the mover has a status; /healthz is ok", async () => {
    current = undefined;
    expect(await get("/status")).toMatchObject({ status: 503, body: '{"error":"no status yet"}\n' });
    expect(await get("/healthz")).toEqual({ status: 200, type: "text/plain", body: "ok\n" });
    const metrics = await get("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(samples(metrics.body)).toEqual([]);
    expect(metrics.body).toMatch(/^# HELP gamedb_move_rows_copied Rows the copy has written to the target$/m);
    expect(metrics.body).toMatch(/^# TYPE gamedb_move_state gauge$/m);
  });

  it("serves the current status document, and metrics labelled with the move id (null figures left out)", async () => {
    current = STATUS;
    const status = await get("/status");
    expect(status.status).toBe(200);
    expect(status.type).toBe("application/json");
    expect(JSON.parse(status.body)).toEqual(STATUS);
    const lines = samples((await get("/metrics")).body);
    expect(lines.filter((l) => !l.startsWith("gamedb_move_state"))).toEqual([
      'gamedb_move_rows_copied{move="7"} 123456',
      'gamedb_move_rows_streamed{move="7"} 789',
      'gamedb_move_verified_slots{move="7"} 0',
      'gamedb_move_dirty_slots{move="7"} 3',
    ]);
    const states = lines.filter((l) => l.startsWith("gamedb_move_state"));
    expect(states).toHaveLength(MOVE_STATES.length);
    expect(states.filter((l) => l.endsWith(" 1"))).toEqual(['gamedb_move_state{move="7",state="copying"} 1']);
  });

  it("follows the getter: a later state, lag and pause appear on the next scrape", async () => {
    current = { ...STATUS, state: "switched", lagSeconds: 0.25, pauseMs: 412.5, copyDone: true };
    const lines = samples((await get("/metrics")).body);
    expect(lines).toEqual(
      expect.arrayContaining([
        'gamedb_move_lag_seconds{move="7"} 0.25',
        'gamedb_move_pause_ms{move="7"} 412.5',
        'gamedb_move_state{move="7",state="switched"} 1',
        'gamedb_move_state{move="7",state="copying"} 0',
      ]),
    );
    expect(JSON.parse((await get("/status")).body).state).toBe("switched");
  });

  it("refuses other paths and methods", async () => {
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/status", { method: "POST" })).status).toBe(405);
  });

  it("keeps two servers' registries apart (two movers in one process)", async () => {
    const other = await startStatusServer({
      port: 0,
      host: "127.0.0.1",
      getStatus: () => ({ ...STATUS, id: 8, rowsCopied: 1 }),
    });
    servers.push(other);
    current = STATUS;
    const mine = samples((await get("/metrics")).body);
    const theirs = samples(await (await fetch(`http://127.0.0.1:${other.port}/metrics`)).text());
    expect(mine.every((l) => l.includes('move="7"'))).toBe(true);
    expect(theirs).toContain('gamedb_move_rows_copied{move="8"} 1');
    expect(theirs.every((l) => l.includes('move="8"'))).toBe(true);
  });
});
