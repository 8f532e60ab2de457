/**
 * The copy's DBLog watermarks (scripts/lib/mover/applier.ts, copier.ts) under RELATIVE writes, on MariaDB 10.11
 * stand-ins: thousands of 10-row chunks copied while writers increment levels and quantities, move inventory rows
 * to new keys and delete and re-insert rows, every key many times (tests/helpers/moveIncrementLoad.ts). A write the
 * stream loses or applies twice, or a chunk written over a newer change, leaves a count off by the difference: no
 * later write repairs it, as one would under a load of absolute values. A restarted mover then changes nothing.
 */
import type * as mysql from "mysql2/promise";
import { requireMariaDb } from "../../scripts/lib/standins/mariadb";
import { MoveFleet, startMoveFleet } from "../helpers/moveFleet";
import { rangeChecksums, seedPlayers } from "../helpers/moveChecks";
import { inRange, playersAround, rangeCounts } from "../helpers/moveClientChecks";
import { readControl } from "../../scripts/lib/mover/control";
import { CopyFocus, IncrementModel, PlayerModel, seededModel, startIncrementLoad } from "../helpers/moveIncrementLoad";
import { RunningMover, runMover, stopAfterEach, until } from "../helpers/moverInProcess";

jest.setTimeout(120_000);
const leftRunning = stopAfterEach();
const RANGE = { from: 0, to: 4095 };
const ALL = { from: 0, to: 16383 };
const SLOTS = RANGE.to - RANGE.from + 1;
/** The spec's own throttle: 10-row chunks (its minimum), never paused by Threads_running. */
const THROTTLE = { chunkRows: 10, maxThreadsRunning: 10_000, maxApplierQueue: 1000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RangeRows {
  players: Map<string, PlayerModel>;
  /** "player:item" -> qty */
  inventory: Map<string, number>;
}

/** The players and inventory rows of `range` on `shard`. */
async function readRows(fleet: MoveFleet, shard: number, range: { from: number; to: number }): Promise<RangeRows> {
  const conn = await fleet.admin(shard);
  try {
    const [players] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT player_id, name, level FROM players WHERE gamedb_slot BETWEEN ? AND ?",
      [range.from, range.to],
    );
    const [items] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT player_id, item_id, qty FROM inventory WHERE gamedb_slot BETWEEN ? AND ?",
      [range.from, range.to],
    );
    return {
      players: new Map(players.map((r) => [String(r.player_id), { name: String(r.name), level: Number(r.level) }])),
      inventory: new Map(items.map((r) => [`${r.player_id}:${r.item_id}`, Number(r.qty)])),
    };
  } finally {
    await conn.end();
  }
}

/** What `range` must hold: every seeded player in it, as seeded or as the writers' model left it. */
function wanted(seeded: readonly bigint[], range: { from: number; to: number }, model: IncrementModel): RangeRows {
  const out: RangeRows = { players: new Map(), inventory: new Map() };
  for (const id of seeded) {
    if (!inRange(range, id)) continue;
    const key = String(id);
    const seed = seededModel(id);
    out.players.set(key, model.players.get(key) ?? seed.player);
    for (const [item, qty] of model.inventory.get(key) ?? seed.items) out.inventory.set(`${key}:${item}`, qty);
  }
  return out;
}

/** Every difference, one line each, naming the acknowledged increments where a level is off. */
function differences(got: RangeRows, want: RangeRows, model: IncrementModel): string[] {
  const out: string[] = [];
  for (const [id, w] of want.players) {
    const g = got.players.get(id);
    if (!g || g.level !== w.level || g.name !== w.name) {
      const incs = model.levelIncrements.get(id) ?? 0;
      out.push(`player ${id}: want ${JSON.stringify(w)} (seed 1 + ${incs} increments), got ${JSON.stringify(g)}`);
    }
  }
  for (const id of got.players.keys()) if (!want.players.has(id)) out.push(`player ${id}: want no row`);
  for (const [key, w] of want.inventory) {
    const g = got.inventory.get(key);
    if (g !== w) out.push(`inventory ${key}: want qty ${w}, got ${g ?? "no row"}`);
  }
  for (const [key, g] of got.inventory) if (!want.inventory.has(key)) out.push(`inventory ${key}: want no row (${g})`);
  return out;
}

/**
 * The copy's cursor as the target commits it with each chunk (its control row), polled every few ms: the table being
 * copied and the slots of the next two chunks or so (10 rows: about 16 slots of players, 8 of inventory rows here).
 */
function followCopy(fleet: MoveFleet, moveId: number) {
  let focus: CopyFocus | undefined;
  let running = true;
  const done = (async () => {
    const conn = await fleet.admin(2);
    try {
      while (running) {
        const cursor = (await readControl(conn, moveId))?.copyCursor?.find((c) => !c.done);
        const table = cursor?.table === "players" || cursor?.table === "inventory" ? cursor.table : undefined;
        const from = cursor?.after?.slot ?? RANGE.from;
        focus = table && { table, from, to: from + (table === "players" ? 32 : 16) };
        await sleep(5);
      }
    } finally {
      await conn.end();
    }
  })();
  return {
    focus: () => focus,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Caught up (lag 0, from a status published after `since`) with every slot verified since its last change. */
async function settled(m: RunningMover, since: number, what: string): Promise<Error | undefined> {
  const ok = () => {
    const s = m.mover.status;
    return Date.parse(s.updatedAt) > since && s.lagSeconds === 0 && s.verifyPasses >= 1 && s.dirtySlots === 0;
  };
  return until(what, ok, 30_000, m.describe).then(
    () => undefined,
    (e: Error) => e,
  );
}

describe("the copy's watermarks under relative writes", () => {
  let fleet: MoveFleet;
  beforeAll(async () => {
    requireMariaDb();
    fleet = await startMoveFleet();
  });
  afterAll(async () => fleet?.stop());

  it("loses and repeats no increment, resurrects no moved key, and a restarted mover changes nothing", async () => {
    const { inside, outside } = playersAround(RANGE, 2500, 300);
    const seeded = [...inside, ...outside];
    await seedPlayers(fleet, 1, seeded);
    // Every twentieth player of the range (spread over its slots, so over the whole copy) and a few outside it, many
    // times each; and players in the chunks the copy reads next.
    const hot = [...inside.filter((_, i) => i % 20 === 0), ...outside.filter((_, i) => i % 20 === 0)];

    const copy = runMover(fleet, fleet.spec("copy", { throttle: THROTTLE }));
    leftRunning(() => copy.stop());
    await until("the copy to start", () => copy.mover.status.state === "copying", 30_000, copy.describe);
    const cursor = followCopy(fleet, 7);
    leftRunning(() => cursor.stop());
    const load = startIncrementLoad({
      ids: seeded,
      hot,
      writers: 4,
      pauseMs: 5,
      connect: () => fleet.admin(1),
      focus: cursor.focus,
    });
    leftRunning(() => load.stop());
    await until("the copy to end", () => copy.mover.status.state === "streaming", 90_000, copy.describe);
    const duringCopy = load.acked();
    await cursor.stop();
    // The first seconds of streaming (the verifier's first pass among them), then no more writes.
    await sleep(2000);
    const model = await load.stop();
    const stoppedAt = Date.now();
    expect(model.errors).toEqual([]);
    expect(duringCopy).toBeGreaterThan(1000);
    expect(load.acked() - duringCopy).toBeGreaterThan(100);
    for (const n of Object.values(model.counts)) expect(n).toBeGreaterThan(50);
    expect(model.focused).toBeGreaterThan(500);
    // Every written key many times: levels of each written player went up at least a few times.
    expect(Math.min(...hot.map((id) => model.levelIncrements.get(String(id))!))).toBeGreaterThanOrEqual(5);

    // A status published a second after the writers stopped (the lag sampler reads the source every 250 ms).
    const unsettled = await settled(copy, stoppedAt + 1000, "lag 0 and no dirty slot after the writers stopped");
    const source = await readRows(fleet, 1, ALL);
    const target = await readRows(fleet, 2, RANGE);
    // The source is the model (the writers' own count) and the target is the source's range, key for key.
    expect(differences(source, wanted(seeded, ALL, model), model)).toEqual([]);
    expect(differences(target, wanted(seeded, RANGE, model), model)).toEqual([]);
    const rekeyed = [...model.rekeyedAway].filter((k) => inRange(RANGE, k.split(":")[0]!));
    expect(rekeyed.length).toBeGreaterThan(20);
    expect(rekeyed.filter((k) => target.inventory.has(k) || source.inventory.has(k))).toEqual([]);
    expect(unsettled?.message).toBeUndefined();
    // 750 chunks of 10 rows, and the writes hit them inside their windows: the rows a chunk drops for a newer
    // change are not counted as copied (7500 rows in the range throughout; 100-200 dropped is usual here).
    expect(copy.mover.status.rowsCopied).toBeGreaterThan(7000);
    expect(copy.mover.status.rowsCopied).toBeLessThan(7475);
    // Every column (names, prices, binary tags, JSON) by per-slot checksums; nothing outside the range copied.
    const sums = await rangeChecksums(fleet, 2, RANGE);
    expect(sums).toEqual(await rangeChecksums(fleet, 1, RANGE));
    expect(await rangeCounts(fleet, 2, ALL)).toEqual(await rangeCounts(fleet, 1, RANGE));
    expect(copy.mover.status.lastError).toBeNull();
    await copy.stop();

    // A new mover of the same move resumes the stream from the checkpoint: nothing to replay, nothing changed.
    const restartedAt = Date.now();
    const again = runMover(fleet, fleet.spec("copy", { throttle: THROTTLE }));
    leftRunning(() => again.stop());
    expect(await settled(again, restartedAt, "the restarted mover to catch up and verify")).toBeUndefined();
    expect(again.log.some((l) => /state streaming: follow/.test(l))).toBe(true);
    expect(again.mover.status.rowsStreamed).toBe(0);
    expect(again.mover.status.verifiedSlots).toBe(SLOTS);
    expect(again.mover.status.lastError).toBeNull();
    await again.stop();
    expect(await rangeChecksums(fleet, 2, RANGE)).toEqual(sums);
    expect(await rangeCounts(fleet, 2, ALL)).toEqual(await rangeCounts(fleet, 1, RANGE));
    expect(differences(await readRows(fleet, 2, ALL), wanted(seeded, RANGE, model), model)).toEqual([]);
  });
});
