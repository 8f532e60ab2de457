/**
 * What `npm run bench:move` measures and where, from its options: each copy gets a range of its own (the first one
 * also serves the catch-up and the verification), each measured switch a small range after them, with move ids that
 * are never reused. Pure: the options' checks and the slot layout can be read and tested on their own.
 */
import { SLOT_COUNT } from "../../../../infra/contracts/slots";

export interface SlotSpan {
  from: number;
  to: number;
}

export interface BenchOptions {
  /** Players rows in each copied range. */
  rows: number;
  /** Copy chunk sizes (rows per chunk), one copy each. */
  chunks: number[];
  /** Single-row updates written while the mover is stopped (0: no catch-up figure). */
  catchupChanges: number;
  /** Updates per transaction of the catch-up's writes. */
  catchupTxnRows: number;
  /** Measured switches (0: none). */
  switches: number;
  /** Slots per switched range. */
  switchSlots: number;
  /** Players rows seeded per switched range (the writers' keys). */
  switchRows: number;
  /** Concurrent writers on the switched range. */
  writers: number;
  /** Full verification passes over the first copied range. */
  verifyPasses: number;
  /** Interleaved rounds of the fence-trigger cost (0: none). */
  fenceRounds: number;
  /** Single-row INSERTs per variant per round. */
  fenceSingle: number;
  /** Batched INSERTs per variant per round. */
  fenceBatches: number;
  /** Rows per batched INSERT. */
  fenceBatchRows: number;
  /** InnoDB buffer pool of each stand-in (MB). */
  bufferPoolMb: number;
}

export const DEFAULTS: BenchOptions = {
  rows: 200_000,
  chunks: [1000, 5000],
  catchupChanges: 100_000,
  catchupTxnRows: 100,
  switches: 20,
  switchSlots: 64,
  switchRows: 1000,
  writers: 8,
  verifyPasses: 2,
  fenceRounds: 20,
  fenceSingle: 1000,
  fenceBatches: 100,
  fenceBatchRows: 100,
  bufferPoolMb: 256,
};

/** Slots per copied range: a quarter of the slot space, as a new shard of four takes. */
export const COPY_SLOTS = 4096;
/** Move ids: copies 1.., switches from here on (ids are never reused: epochs derive from them). */
export const FIRST_SWITCH_ID = 101;
/** The mover copies in chunks of 10 to 100,000 rows (infra/contracts/slotMoves.ts throttleSchema). */
const CHUNK_LIMITS = { min: 10, max: 100_000 };

export interface Move {
  id: number;
  slots: SlotSpan;
}

export interface Layout {
  copies: (Move & { chunkRows: number })[];
  switches: Move[];
}

/** The slot ranges and move ids of a run; throws naming the option when they do not fit. */
export function layout(o: BenchOptions): Layout {
  const maxCopies = Math.floor(SLOT_COUNT / COPY_SLOTS) - 1;
  if (o.chunks.length < 1 || o.chunks.length > maxCopies) {
    throw new Error(`--chunks: give 1 to ${maxCopies} chunk sizes (each copy takes ${COPY_SLOTS} slots of its own)`);
  }
  for (const c of o.chunks) {
    if (c < CHUNK_LIMITS.min || c > CHUNK_LIMITS.max) {
      throw new Error(`--chunks: each chunk size must be from ${CHUNK_LIMITS.min} to ${CHUNK_LIMITS.max}, got ${c}`);
    }
  }
  const copies = o.chunks.map((chunkRows, i) => ({
    id: i + 1,
    slots: { from: i * COPY_SLOTS, to: (i + 1) * COPY_SLOTS - 1 },
    chunkRows,
  }));
  const first = o.chunks.length * COPY_SLOTS;
  const room = SLOT_COUNT - first;
  if (o.switches * o.switchSlots > room) {
    throw new Error(
      `--switches ${o.switches} x --switch-slots ${o.switchSlots} needs ${o.switches * o.switchSlots} slots; ` +
        `${room} are left after the copies' ranges`,
    );
  }
  const switches = Array.from({ length: o.switches }, (_, k) => ({
    id: FIRST_SWITCH_ID + k,
    slots: { from: first + k * o.switchSlots, to: first + (k + 1) * o.switchSlots - 1 },
  }));
  return { copies, switches };
}
