/**
 * The write pause of the switch under load: many separate moves of small ranges (new ids, each range seeded on the
 * source), each with its own writers on the range and a mover asked for `switch` from the start (copy, follow,
 * verify, then switch as soon as it may). Two views of each pause: the mover's (status.pauseMs, from the freeze
 * to the release) and the writers' (the longest write that met TRYAGAIN, first attempt to acknowledgement), the
 * writers running in a process of their own (writerProcess.ts).
 */
import { DATABASE, MoveBenchFleet, SOURCE, TARGET } from "./fleet";
import type { Move } from "./plan";
import { runMover } from "./running";
import type { SwitchSample } from "./stats";
import type { WriterProcess } from "./writerProcess";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writers run this long before the mover starts and after it switched: the load surrounds the switch. */
const SURROUND_MS = 300;

export async function measureSwitch(
  fleet: MoveBenchFleet,
  move: Move,
  ids: readonly bigint[],
  writers: number,
  load: WriterProcess,
  log: (line: string) => void,
): Promise<SwitchSample> {
  const ports = { [SOURCE]: fleet.port(SOURCE), [TARGET]: fleet.port(TARGET) };
  await load.start({ ids: [...ids], writers, owner: SOURCE, ports, database: DATABASE });
  let stopped = false;
  const stopLoad = async () => {
    stopped = true;
    return load.stop();
  };
  try {
    await sleep(SURROUND_MS);
    const started = performance.now();
    const run = runMover(fleet.spec(move.id, move.slots, "switch"), fleet.secrets, log);
    try {
      await run.until("switch", () => run.stateAt.has("switched"), 120_000);
      const switchedAt = run.stateAt.get("switched")!;
      await sleep(SURROUND_MS);
      const writes = await stopLoad();
      const pauseMs = run.mover.status.pauseMs;
      if (pauseMs === null) throw new Error(`move ${move.id} switched without reporting its pause`);
      if (!writes.ackedBy[TARGET]) throw new Error(`move ${move.id}: no write reached shard ${TARGET} after it`);
      return {
        moveId: move.id,
        slots: move.slots,
        pauseMs,
        clientPauseMs: writes.longestPauseMs,
        pausedWrites: writes.paused,
        acked: writes.acked,
        slowestWriteMs: writes.slowestWriteMs,
        secondsToSwitch: (switchedAt - started) / 1000,
      };
    } finally {
      await run.stop();
    }
  } finally {
    if (!stopped) await load.stop().catch(() => undefined);
  }
}
