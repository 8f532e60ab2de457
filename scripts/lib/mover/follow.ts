/**
 * A running stream of a move: one shard's binlog (origin) applied to the other (dest) for the range, with the
 * verifier comparing the two and the lag tracker. Forward (source -> target) it also carries the copy's cursors.
 */
import type { MoveSpec } from "../../../infra/contracts/slotMoves";
import { moverServerId } from "../../../infra/contracts/slotMoves";
import { FENCE_SCHEMA } from "../../../infra/contracts/slotFence";
import { WATERMARK_TABLE } from "../../../infra/contracts/slotMoves";
import { RangeApplier } from "./applier";
import { binlogLogin } from "./binlogSource";
import type { Flavour } from "./connect";
import type { ControlRow } from "./control";
import { LagTracker } from "./lag";
import { Position, currentPosition, parsePosition, reached } from "./position";
import type { MovedTable } from "./rowSql";
import type { Side } from "./sides";
import { BinlogStream } from "./stream";
import { RangeVerifier } from "./verifier";

export interface Follow {
  applier: RangeApplier;
  stream: BinlogStream;
  verifier: RangeVerifier;
  lag: LagTracker;
  /**
   * Seconds behind the origin, or null until the stream has applied everything the origin had when it started: the
   * samples begin at the start, so a backlog from before it would otherwise look as young as the process.
   */
  lagSeconds(): number | null;
  /** The stream's or the lag sampler's failure, once there is one. */
  failure: () => Error | undefined;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts following from the position recorded in `row` (the control row of `dest`). */
export async function openFollow(
  spec: MoveSpec,
  flavour: Flavour,
  origin: Side,
  dest: Side,
  row: ControlRow,
  tables: MovedTable[],
  direction: "forward" | "reverse",
  /** The origin's position when `tables` were read: a DDL after it stops the stream so the step reads them again. */
  definitionsAt: Position,
): Promise<Follow> {
  if (!row.streamPosition) throw new Error(`move ${spec.id}: no stream position recorded on shard ${dest.shard}`);
  const from = parsePosition(flavour, row.streamPosition);
  const include = { [spec.database]: tables.map((t) => t.def.name), [FENCE_SCHEMA]: [WATERMARK_TABLE] };
  const stream = await BinlogStream.start(await binlogLogin(origin.ctrl, origin.login), flavour, {
    serverId: moverServerId(spec.id, direction),
    from,
    include,
  });
  const applier = new RangeApplier(dest.data, stream, {
    moveId: spec.id,
    range: spec.slots,
    flavour,
    definitionsAt,
    tables: new Map(tables.map((t) => [t.def.name, t])),
    from,
    cursors: direction === "forward" ? (row.copyCursor ?? []) : undefined,
  });
  let failure: Error | undefined;
  const running = applier.run().catch((e: Error) => {
    failure = e;
  });
  const verifier = new RangeVerifier(origin.verify, dest.verify, tables, spec.slots, applier);
  const lag = new LagTracker();
  const startedAt = await currentPosition(origin.ctrl, flavour);
  lag.record(startedAt);
  let caughtUp = false;
  let sampling = true;
  const sampler = (async () => {
    while (sampling && !failure) {
      lag.record(await currentPosition(origin.ctrl, flavour));
      await sleep(250);
    }
  })().catch((e: Error) => {
    failure = failure ?? e;
  });
  return {
    applier,
    stream,
    verifier,
    lag,
    lagSeconds: () => {
      caughtUp ||= reached(applier.committed, startedAt);
      return caughtUp ? lag.lagSeconds(applier.committed) : null;
    },
    failure: () => failure,
    stop: async () => {
      sampling = false;
      applier.stop();
      stream.stop();
      await running;
      await sampler;
    },
  };
}
