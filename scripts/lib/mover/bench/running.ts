/**
 * A Mover (scripts/lib/mover/mover.ts) run in this process for a measurement, with the moment each of its status
 * fields first took a value. The mover has no hook that reports its phases' times, so its public `status` object is
 * wrapped in a Proxy that timestamps the writes the mover makes to it (state changes, lag); nothing else changes.
 */
import type { MoveSpec, MoveState, MoverSecrets, MoveStatus } from "../../../../infra/contracts/slotMoves";
import { Mover } from "../mover";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This process's CPU time so far (user + system, µs). */
export function cpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

export interface RunningMover {
  readonly mover: Mover;
  /** performance.now() when the mover first set each state. */
  readonly stateAt: ReadonlyMap<MoveState, number>;
  /** This process's CPU time (user + system, µs) at the same moments: the mover's work, run in this process. */
  readonly stateCpuUs: ReadonlyMap<MoveState, number>;
  /** performance.now() when the mover first reported a lag of 0, or undefined. */
  lagZeroAt(): number | undefined;
  /** Waits until `done()` holds; throws naming `what`, the mover's last error and log lines after `timeoutMs`. */
  until(what: string, done: () => boolean, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export function runMover(spec: MoveSpec, secrets: MoverSecrets, log: (line: string) => void): RunningMover {
  const tail: string[] = [];
  const mover = new Mover({
    spec,
    secrets,
    retryMs: 200,
    verifyEveryMs: 100,
    log: (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      log(line);
    },
  });
  const stateAt = new Map<MoveState, number>();
  const stateCpuUs = new Map<MoveState, number>();
  let lagZero: number | undefined;
  mover.status = new Proxy(mover.status, {
    set(target: MoveStatus, field: string | symbol, value: unknown) {
      const now = performance.now();
      if (field === "state" && !stateAt.has(value as MoveState)) {
        stateAt.set(value as MoveState, now);
        stateCpuUs.set(value as MoveState, cpuUs());
      }
      if (field === "lagSeconds" && value === 0 && lagZero === undefined) lagZero = now;
      return Reflect.set(target, field, value);
    },
  });
  let failure: Error | undefined;
  const running = mover.run().catch((e: Error) => {
    failure = e;
  });
  return {
    mover,
    stateAt,
    stateCpuUs,
    lagZeroAt: () => lagZero,
    async until(what, done, timeoutMs) {
      const end = performance.now() + timeoutMs;
      while (!done()) {
        if (failure) throw failure;
        if (performance.now() > end) {
          throw new Error(
            `move ${spec.id}: no ${what} within ${timeoutMs / 1000} s (state ${mover.status.state}, last error ` +
              `${mover.status.lastError ?? "none"}); the mover's last lines:\n  ${tail.join("\n  ")}`,
          );
        }
        await sleep(5);
      }
    },
    async stop() {
      mover.stop();
      await running;
    },
  };
}
