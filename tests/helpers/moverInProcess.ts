/**
 * The mover run in the test's process (as tests/integration/mover-switch.test.ts does), with its log kept for the
 * failure messages, and a wait that names what it waited for and shows the mover's status and log on a timeout.
 */
import type { MoveSpec } from "../../infra/contracts/slotMoves";
import { Mover } from "../../scripts/lib/mover/mover";
import type { MoveFleet } from "./moveFleet";

export interface RunningMover {
  mover: Mover;
  log: string[];
  /** The status and the end of the log, for a failure message. */
  describe(): string;
  stop(): Promise<void>;
}

export function runMover(
  fleet: MoveFleet,
  spec: MoveSpec,
  options: { verifyEveryMs?: number; retryMs?: number } = {},
): RunningMover {
  const log: string[] = [];
  const mover = new Mover({
    spec,
    secrets: fleet.secrets,
    log: (l) => log.push(`${new Date().toISOString()} ${l}`),
    retryMs: options.retryMs ?? 200,
    verifyEveryMs: options.verifyEveryMs ?? 100,
  });
  const running = mover.run();
  return {
    mover,
    log,
    describe: () => `status ${JSON.stringify(mover.status)}\nlog:\n${log.slice(-30).join("\n")}`,
    async stop() {
      mover.stop();
      await running;
    },
  };
}

/** Waits for `ok`; on a timeout fails naming `what`, with `detail()` (a mover's describe()). */
export async function until(
  what: string,
  ok: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
  detail: () => string = () => "",
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Registers, for the calling test file, what each test leaves running (movers, loads, watchers, lock holders), stopped
 * after the test even when it failed, last registered first: a failed test must not leave writers and movers running
 * (jest would not exit). Call at the top level of the file.
 */
export function stopAfterEach(): (...stops: (() => Promise<unknown>)[]) => void {
  const open: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const stop of open.splice(0).reverse()) await stop().catch(() => undefined);
  });
  return (...stops) => void open.push(...stops);
}
