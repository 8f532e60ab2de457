/**
 * The slot mover: one long-running process per move (scripts/apps/mover), driven by the phase in its spec and the
 * state in its control rows (steps.ts). Each step opens its connections, runs until the state changes or the mover
 * stops, and a failure is reported in the status and retried after a pause: every step resumes from the control
 * rows, so a crash or restart at any point goes on where the last commit left off.
 */
import {
  MoveSpec,
  MoveState,
  MoveStatus,
  MoverSecrets,
  reverseEpoch,
  switchEpoch,
  switchRefusal,
} from "../../../infra/contracts/slotMoves";
import { ControlRow, ensureControlTables, readControl, saveCheckpoint, saveStatus, setState } from "./control";
import { copyRange } from "./copier";
import { deleteRange } from "./deleteRange";
import { abandon } from "./fenceOps";
import { movedTables } from "./movedTables";
import { currentPosition, formatPosition } from "./position";
import { startMove } from "./start";
import { Follow, openFollow } from "./follow";
import { Side, Sides, openSides } from "./sides";
import { Step, nextStep } from "./steps";
import { SwitchAborted, finishSwitch, switchRange } from "./switch";
import { throttleOn } from "./throttle";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MoverOptions {
  spec: MoveSpec;
  secrets: MoverSecrets;
  log?: (line: string) => void;
  /** Pause after a failed step before trying again. @default 5000 */
  retryMs?: number;
  /** Pause between verification rounds while following. @default 1000 */
  verifyEveryMs?: number;
}

export class Mover {
  status: MoveStatus;
  private stopping = false;
  private follow: Follow | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly options: MoverOptions) {
    const { spec } = options;
    this.log = options.log ?? ((l) => console.log(l));
    this.status = {
      id: spec.id,
      phase: spec.phase,
      state: "preflight",
      slots: spec.slots,
      source: spec.source.shard,
      target: spec.target.shard,
      rowsCopied: 0,
      copyDone: false,
      rowsStreamed: 0,
      lagSeconds: null,
      verifiedSlots: 0,
      dirtySlots: 0,
      verifyPasses: 0,
      pauseMs: null,
      lastError: null,
      updatedAt: new Date().toISOString(),
    };
  }

  stop(): void {
    this.stopping = true;
  }

  /** Runs steps until stop(); resolves once stopped. */
  async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let sides: Sides | undefined;
      let ticker: NodeJS.Timeout | undefined;
      try {
        sides = await openSides(this.options.spec, this.options.secrets);
        // The status (rows, lag, verification) is published every second whatever the step is busy with.
        const opened = sides;
        ticker = setInterval(() => void this.publish(opened).catch(() => undefined), 1000);
        const idle = await this.step(sides);
        failures = 0;
        if (idle) await this.idle(sides);
      } catch (e) {
        failures++;
        this.status.lastError = (e as Error).message;
        this.log(`move ${this.options.spec.id}: ${(e as Error).message}`);
        if (sides) await this.publish(sides).catch(() => undefined);
        await this.pause(Math.min((this.options.retryMs ?? 5000) * failures, 60_000));
      } finally {
        clearInterval(ticker);
        await this.follow?.stop().catch(() => undefined);
        this.follow = undefined;
        await sides?.close();
      }
    }
  }

  private async pause(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.stopping && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
  }

  /** Nothing left to do in this phase: publish the status now and then until stopped. */
  private async idle(sides: Sides): Promise<void> {
    while (!this.stopping) {
      await this.publish(sides);
      await this.pause(5000);
    }
  }

  /** One step; returns true when the move has nothing to do in its phase. */
  private async step(sides: Sides): Promise<boolean> {
    const { spec } = this.options;
    await ensureControlTables(sides.source.ctrl);
    await ensureControlTables(sides.target.ctrl);
    const row = await readControl(sides.target.ctrl, spec.id);
    if (row) this.status.state = row.state;
    // Figures of earlier processes carry over (the status document in the control row is the mover's own).
    if (row?.status) {
      this.status.rowsCopied = Math.max(this.status.rowsCopied, row.status.rowsCopied);
      this.status.pauseMs = this.status.pauseMs ?? row.status.pauseMs;
    }
    const step: Step = nextStep(spec.id, spec.phase, row?.state);
    this.log(`move ${spec.id}: phase ${spec.phase}, state ${row?.state ?? "none"}: ${step.kind}`);
    switch (step.kind) {
      case "start":
        await startMove(sides, spec);
        this.status.state = "copying";
        return false;
      case "follow":
        await this.followForward(sides, row!, step.switchWhenReady);
        return false;
      case "recover":
        await this.recover(sides, step.direction);
        return false;
      case "followReverse":
        await this.followReverse(sides, step.reverseWhenReady);
        return false;
      case "cleanup":
        await this.cleanup(sides);
        return false;
      case "cancel":
        await this.cancel(sides);
        return false;
      case "idle":
        this.status.lastError = null;
        this.log(step.note);
        return true;
      case "refuse":
        throw new Error(step.reason);
    }
  }

  private async setBoth(sides: Sides, state: MoveState): Promise<void> {
    await setState(sides.target.ctrl, this.options.spec.id, state);
    await setState(sides.source.ctrl, this.options.spec.id, state);
    this.status.state = state;
  }

  private refresh(f: Follow): void {
    const counts = f.verifier.counts();
    Object.assign(this.status, {
      rowsStreamed: f.applier.rowsStreamed,
      lagSeconds: f.lagSeconds(),
      verifiedSlots: counts.verified,
      dirtySlots: counts.dirty,
      verifyPasses: f.verifier.passes,
    });
  }

  private async publish(sides: Sides): Promise<void> {
    if (this.follow) this.refresh(this.follow);
    this.status.updatedAt = new Date().toISOString();
    this.status.phase = this.options.spec.phase;
    await saveStatus(sides.status, this.status).catch(() => undefined);
  }

  private check(f: Follow): void {
    const e = f.failure();
    if (e) throw e;
  }

  /** Copy (what is left), then follow and verify; switch when asked and ready. Returns once switched. */
  private async followForward(sides: Sides, row: ControlRow, switchWhenReady: boolean): Promise<void> {
    const { spec } = this.options;
    const definitionsAt = await currentPosition(sides.source.ctrl, sides.flavour);
    const tables = await movedTables(sides.source.ctrl, sides.target.ctrl, spec.database);
    const f = await openFollow(spec, sides.flavour, sides.source, sides.target, row, tables, "forward", definitionsAt);
    this.follow = f;
    const copiedBefore = row.status?.rowsCopied ?? 0;
    const throttle = throttleOn(sides.source.ctrl, sides.flavour, spec.throttle);
    // A table without a finished cursor is copied, also one a migration created after the copy ended.
    const cursors = row.copyCursor ?? [];
    if (tables.some((t) => !cursors.find((c) => c.table === t.def.name)?.done)) {
      this.status.copyDone = false;
      let copyError: Error | undefined;
      const copying = copyRange(sides.source.data, f.applier, tables, {
        moveId: spec.id,
        range: spec.slots,
        chunkRows: spec.throttle.chunkRows,
        stopped: () => this.stopping || f.failure() !== undefined,
        throttle: async () => {
          for (;;) {
            const d = await throttle();
            if (!d.wait) return;
            this.status.lastError = `copy paused: ${d.reason}`;
            await sleep(500);
          }
        },
      }).catch((e: Error) => {
        copyError = e;
      });
      while (!copyError && !(await Promise.race([copying.then(() => true), sleep(1000).then(() => false)]))) {
        this.check(f);
        await sides.assertLock();
        this.status.rowsCopied = copiedBefore + f.applier.rowsCopied;
        await this.publish(sides);
      }
      if (copyError) throw copyError;
      this.check(f);
      if (this.stopping) return;
      this.status.rowsCopied = copiedBefore + f.applier.rowsCopied;
      if (row.state === "copying") await this.setBoth(sides, "streaming");
    }
    this.status.copyDone = true;
    this.status.lastError = null;
    await this.verifyLoop(sides, f, switchWhenReady ? () => this.trySwitch(sides, f, "forward") : undefined);
  }

  /** Verifies (a full pass, then the dirty slots) until stopped, or until `attempt` reports a completed switch. */
  private async verifyLoop(sides: Sides, f: Follow, attempt?: () => Promise<boolean>): Promise<void> {
    const every = this.options.verifyEveryMs ?? 1000;
    while (!this.stopping) {
      this.check(f);
      await sides.assertLock();
      if (f.verifier.passes === 0) await f.verifier.check();
      else {
        const dirty = f.verifier.dirty();
        if (dirty.length > 0) await f.verifier.checkSlots(dirty);
      }
      this.refresh(f);
      if (attempt && (await attempt())) return;
      await this.publish(sides);
      await this.pause(every);
    }
  }

  /** One switch attempt (forward, or a reverse); true when done. A refusal or abort is reported, not thrown. */
  private async trySwitch(sides: Sides, f: Follow, direction: "forward" | "reverse"): Promise<boolean> {
    const { spec } = this.options;
    // A reverse needs the same readiness of its own stream (target -> source); switchRefusal reads a switched
    // move as done, so it is asked as of a streaming one.
    const readiness = direction === "forward" ? this.status : { ...this.status, state: "streaming" as const };
    const refusal = switchRefusal(readiness, spec.switch);
    if (refusal) {
      this.status.lastError = `${direction === "forward" ? "switch" : "reverse"} waits: ${refusal}`;
      return false;
    }
    const forward = direction === "forward";
    const owner = forward ? sides.source : sides.target;
    const heir = forward ? sides.target : sides.source;
    await setState(sides.target.ctrl, spec.id, forward ? "switching" : "reversing");
    try {
      const pauseMs = await switchRange({
        moveId: spec.id,
        range: spec.slots,
        owner: { shard: owner.shard, conn: owner.ctrl },
        heir: { shard: heir.shard, conn: heir.ctrl },
        flavour: sides.flavour,
        epoch: forward ? switchEpoch(spec.id) : reverseEpoch(spec.id),
        done: forward ? "switched" : "reversed",
        limits: spec.switch,
        applied: () => f.applier.committed,
        verifier: f.verifier,
        // The reverse stream starts where the target stands just before it takes the range.
        beforeClaim: forward ? async (p) => saveCheckpoint(sides.source.ctrl, spec.id, formatPosition(p)) : undefined,
      });
      this.status.pauseMs = pauseMs;
      this.status.state = forward ? "switched" : "reversed";
      this.status.lastError = null;
      this.log(`move ${spec.id}: ${forward ? "switched" : "reversed"}, write pause ${pauseMs.toFixed(1)} ms`);
      await this.publish(sides);
      return true;
    } catch (e) {
      if (!(e instanceof SwitchAborted)) throw e;
      await setState(sides.target.ctrl, spec.id, forward ? "streaming" : "switched");
      this.status.lastError = e.message;
      this.log(e.message);
      return false;
    }
  }

  private async recover(sides: Sides, direction: "forward" | "reverse"): Promise<void> {
    const { spec } = this.options;
    const forward = direction === "forward";
    const done = await finishSwitch({
      moveId: spec.id,
      range: spec.slots,
      owner: forward
        ? { shard: sides.source.shard, conn: sides.source.ctrl }
        : { shard: sides.target.shard, conn: sides.target.ctrl },
      heir: forward
        ? { shard: sides.target.shard, conn: sides.target.ctrl }
        : { shard: sides.source.shard, conn: sides.source.ctrl },
      epoch: forward ? switchEpoch(spec.id) : reverseEpoch(spec.id),
      done: forward ? "switched" : "reversed",
    });
    if (!done) await setState(sides.target.ctrl, spec.id, forward ? "streaming" : "switched");
  }

  /** After the switch: the target's changes of the range flow back into the source, for a reverse. */
  private async followReverse(sides: Sides, reverseWhenReady: boolean): Promise<void> {
    const { spec } = this.options;
    // A switch that crashed between the claim and the release is finished first (idempotent).
    await this.recover(sides, "forward");
    const row = await readControl(sides.source.ctrl, spec.id);
    if (!row) throw new Error(`move ${spec.id}: the source has no control row`);
    const definitionsAt = await currentPosition(sides.target.ctrl, sides.flavour);
    const tables = await movedTables(sides.target.ctrl, sides.source.ctrl, spec.database);
    const f = await openFollow(spec, sides.flavour, sides.target, sides.source, row, tables, "reverse", definitionsAt);
    this.follow = f;
    this.status.copyDone = true;
    this.status.state = "switched";
    await this.verifyLoop(sides, f, reverseWhenReady ? () => this.trySwitch(sides, f, "reverse") : undefined);
  }

  /** After a soak: the source's rows of the range are deleted; the reverse stream is gone. */
  private async cleanup(sides: Sides): Promise<void> {
    // A switch that crashed between the claim and the release leaves the source frozen: finish it first, or the
    // delete (which refuses a frozen range) could never run.
    await this.recover(sides, "forward");
    await this.deleteFrom(sides, sides.source, "cleaning", "cleaned");
  }

  /** Before a switch (or after a reverse): the target's copies are deleted and its fence rows go back to moved. */
  private async cancel(sides: Sides): Promise<void> {
    const { spec } = this.options;
    await this.deleteFrom(sides, sides.target, "cancelling", "cancelled", async () => {
      await abandon(sides.target.ctrl, spec.slots, spec.source.shard);
    });
  }

  private async deleteFrom(
    sides: Sides,
    side: Side,
    during: MoveState,
    after: MoveState,
    before?: () => Promise<void>,
  ): Promise<void> {
    const { spec } = this.options;
    await this.setBoth(sides, during);
    await before?.();
    const throttle = throttleOn(side.ctrl, sides.flavour, spec.throttle);
    let last = Date.now();
    await deleteRange(side.data, {
      database: spec.database,
      range: spec.slots,
      chunkRows: spec.throttle.chunkRows,
      throttle,
      onProgress: (p) => {
        if (Date.now() - last > 1000) {
          last = Date.now();
          this.log(`move ${spec.id}: deleted ${p.totalDeleted} rows from shard ${side.shard}`);
        }
      },
    });
    await this.setBoth(sides, after);
    this.status.lastError = null;
    await this.publish(sides);
  }
}
