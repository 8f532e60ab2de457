/**
 * The copy, catch-up and verification figures of `npm run bench:move`, on a range of players rows seeded on the
 * source (shard 1) and moved to shard 2 by the mover itself.
 *
 * - Copy: rowsCopied over the time from the state `copying` to `streaming` (idle source).
 * - Catch-up: with the mover stopped, single-row UPDATEs of the range are written on the source in batched
 *   transactions; then the mover starts again and resumes from its checkpoint. The time runs from its start until
 *   the target's checkpoint (the stream position committed with the applied rows, control.ts) reaches the
 *   source's position after the last update. Read from the target, not from status.lagSeconds: the mover refreshes
 *   its status only after its first verification pass, which runs alongside the catch-up (and slows it).
 * - Verification: RangeVerifier full passes over the range (both sides, one after the other, as the mover runs
 *   them), and each side's checksums alone, scaled to a million rows.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { FENCE_SCHEMA } from "../../../../infra/contracts/slotFence";
import { MOVES_TABLE } from "../../../../infra/contracts/slotMoves";
import { checksumSlots } from "../checksum";
import { connect, moverLogin } from "../connect";
import { movedTables } from "../movedTables";
import { currentPosition, parsePosition, reached } from "../position";
import { RangeVerifier } from "../verifier";
import { DATABASE, MoveBenchFleet, SOURCE } from "./fleet";
import type { Move, SlotSpan } from "./plan";
import { cpuUs, runMover } from "./running";
import { CatchupResult, CopyResult, VerifyResult } from "./stats";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Log = (line: string) => void;

/** A generous bound: the slowest copy seen here ran 20k rows/s. */
const timeoutFor = (rows: number) => 120_000 + rows / 5;

export async function measureCopy(
  fleet: MoveBenchFleet,
  move: Move & { chunkRows: number },
  rows: number,
  log: Log,
): Promise<CopyResult> {
  const run = runMover(fleet.spec(move.id, move.slots, "copy", move.chunkRows), fleet.secrets, log);
  try {
    await run.until("end of the copy", () => run.stateAt.has("streaming"), timeoutFor(rows));
    const seconds = (run.stateAt.get("streaming")! - run.stateAt.get("copying")!) / 1000;
    const cpuSeconds = (run.stateCpuUs.get("streaming")! - run.stateCpuUs.get("copying")!) / 1e6;
    const copied = run.mover.status.rowsCopied;
    if (copied !== rows) throw new Error(`move ${move.id} copied ${copied} rows; ${rows} were seeded in its range`);
    return {
      chunkRows: move.chunkRows,
      slots: move.slots,
      rows: copied,
      seconds,
      rowsPerSec: copied / seconds,
      moverCpuSeconds: cpuSeconds,
    };
  } finally {
    await run.stop();
  }
}

/** `changes` single-row updates of `ids` (cycling), `perTxn` per transaction, on two connections at once. */
async function writeChanges(fleet: MoveBenchFleet, ids: readonly bigint[], changes: number, perTxn: number) {
  const conns = [await fleet.root(SOURCE, { multipleStatements: true })];
  conns.push(await fleet.root(SOURCE, { multipleStatements: true }));
  let next = 0;
  let transactions = 0;
  const worker = async (conn: Connection) => {
    while (next < changes) {
      const start = next;
      next = Math.min(changes, next + perTxn);
      const updates: string[] = [];
      for (let i = start; i < next; i++) {
        // experience + 1 always changes the row: MariaDB logs no row event for an UPDATE that changes nothing.
        updates.push(`UPDATE players SET experience = experience + 1 WHERE player_id = ${ids[i % ids.length]!};`);
      }
      await conn.query(`START TRANSACTION; ${updates.join(" ")} COMMIT;`);
      transactions++;
    }
  };
  const started = performance.now();
  try {
    await Promise.all(conns.map(worker));
    return { seconds: (performance.now() - started) / 1000, transactions };
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

async function targetCheckpoint(conn: Connection, moveId: number): Promise<string | null> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT stream_position AS p FROM \`${FENCE_SCHEMA}\`.\`${MOVES_TABLE}\` WHERE move_id = ?`,
    [moveId],
  );
  return rows[0]?.p == null ? null : String(rows[0].p);
}

/** The move must have copied and be stopped (state streaming). */
export async function measureCatchup(
  fleet: MoveBenchFleet,
  move: Move,
  ids: readonly bigint[],
  o: { changes: number; perTxn: number },
  log: Log,
): Promise<CatchupResult> {
  const written = await writeChanges(fleet, ids, o.changes, o.perTxn);
  const [source, target] = [await fleet.root(SOURCE), await fleet.root(2)];
  try {
    const goal = await currentPosition(source, "mariadb");
    const started = performance.now();
    const cpuAtStart = cpuUs();
    const run = runMover(fleet.spec(move.id, move.slots, "copy"), fleet.secrets, log);
    try {
      const deadline = started + timeoutFor(o.changes);
      for (;;) {
        const text = await targetCheckpoint(target, move.id);
        if (text && reached(parsePosition("mariadb", text), goal)) break;
        if (performance.now() > deadline) throw new Error(`move ${move.id}: the catch-up did not end in time`);
        await sleep(10);
      }
      const seconds = (performance.now() - started) / 1000;
      const moverCpuSeconds = (cpuUs() - cpuAtStart) / 1e6;
      // rowsStreamed is published after the first verification pass, then every 100 ms.
      const status = run.mover.status;
      await run.until(
        "status of the streamed rows",
        () => status.verifyPasses >= 1 && status.rowsStreamed >= o.changes,
        120_000,
      );
      const streamed = run.mover.status.rowsStreamed;
      const lagZero = run.lagZeroAt();
      return {
        changes: o.changes,
        transactions: written.transactions,
        writeSeconds: written.seconds,
        writeRowsPerSec: o.changes / written.seconds,
        rowsStreamed: streamed,
        seconds,
        rowsPerSec: streamed / seconds,
        moverCpuSeconds,
        statusLagZeroSeconds: lagZero === undefined ? null : (lagZero - started) / 1000,
      };
    } finally {
      await run.stop();
    }
  } finally {
    await Promise.all([source.end(), target.end()]);
  }
}

/** Full passes over the range (source and target must hold the same rows: the mover stopped, caught up). */
export async function measureVerify(fleet: MoveBenchFleet, move: Move, passes: number): Promise<VerifyResult> {
  const spec = fleet.spec(move.id, move.slots, "copy");
  const origin = await connect(moverLogin(spec.source, fleet.secrets));
  const copy = await connect(moverLogin(spec.target, fleet.secrets));
  try {
    const tables = await movedTables(origin, copy, DATABASE);
    const [[count]] = (await origin.query(
      "SELECT COUNT(*) AS n FROM `" + DATABASE + "`.players WHERE gamedb_slot BETWEEN ? AND ?",
      [move.slots.from, move.slots.to],
    )) as unknown as [[{ n: string | number }]];
    const rows = Number(count.n);
    const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
      const t0 = performance.now();
      const out = await f();
      return [out, (performance.now() - t0) / 1000];
    };
    const side = (conn: Connection, slots: SlotSpan) => async () => {
      for (const t of tables) await checksumSlots(conn, t.def, slots);
    };
    const out: VerifyResult = { rows, slots: move.slots, passes: [] };
    for (let p = 0; p < passes; p++) {
      // A stream that never touches a slot: every slot found equal stays verified.
      const verifier = new RangeVerifier(origin, copy, tables, move.slots, { touched: new Map(), counter: 0 });
      const [differing, seconds] = await timed(() => verifier.check());
      const [, sourceSeconds] = await timed(side(origin, move.slots));
      const [, targetSeconds] = await timed(side(copy, move.slots));
      out.passes.push({ seconds, sourceSeconds, targetSeconds, differingSlots: differing.length });
    }
    return out;
  } finally {
    await Promise.all([origin.end(), copy.end()]);
  }
}
