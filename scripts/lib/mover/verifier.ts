/**
 * Online verification of a move: per-slot checksums (checksum.ts) of the range on the shard the stream reads from
 * (origin) and the one it writes to (copy). A slot is verified when both sides matched and the stream has not
 * touched it since the check began; a slot touched later, or found different, is dirty and is checked again (on
 * the next pass, and under the switch's freeze, when neither side changes). Checks read each side at a different
 * moment, so under writes a slot may look different and be re-checked; it can never look equal without being so at
 * the moment the origin was read, and every later change reaches it through the stream, which marks it dirty.
 */
import type { Connection } from "mysql2/promise";
import { checksumSlotList, checksumSlots, compareSlots } from "./checksum";
import { slotChunks } from "./checksumSql";
import type { MovedTable } from "./rowSql";

export interface TouchSource {
  /** Change counter when the stream last touched each slot. */
  readonly touched: ReadonlyMap<number, number>;
  readonly counter: number;
}

export class RangeVerifier {
  /** Slots found equal, with the stream's counter when their check began. */
  private readonly verifiedAt = new Map<number, number>();
  passes = 0;

  constructor(
    private readonly origin: Pick<Connection, "query">,
    private readonly copy: Pick<Connection, "query">,
    private readonly tables: MovedTable[],
    private readonly range: { from: number; to: number },
    private readonly stream: TouchSource,
    private readonly chunkSlots = 256,
  ) {}

  private isVerified(slot: number): boolean {
    const at = this.verifiedAt.get(slot);
    return at !== undefined && (this.stream.touched.get(slot) ?? 0) <= at;
  }

  /** Slots not verified now: never checked, found different, or touched since their check. */
  dirty(): number[] {
    const out: number[] = [];
    for (let s = this.range.from; s <= this.range.to; s++) if (!this.isVerified(s)) out.push(s);
    return out;
  }

  counts(): { verified: number; dirty: number } {
    const size = this.range.to - this.range.from + 1;
    let verified = 0;
    for (let s = this.range.from; s <= this.range.to; s++) if (this.isVerified(s)) verified++;
    return { verified, dirty: this.passes > 0 ? size - verified : 0 };
  }

  /** Checks the whole range, chunk by chunk; returns the slots that differed. */
  async check(): Promise<number[]> {
    const differing: number[] = [];
    for (const chunk of slotChunks(this.range, this.chunkSlots)) {
      const start = this.stream.counter;
      const bad = new Set<number>();
      for (const t of this.tables) {
        const a = await checksumSlots(this.origin, t.def, chunk, { chunkSlots: this.chunkSlots });
        const b = await checksumSlots(this.copy, t.def, chunk, { chunkSlots: this.chunkSlots });
        for (const d of compareSlots(a, b)) bad.add(d.slot);
      }
      const slots = Array.from({ length: chunk.to - chunk.from + 1 }, (_, i) => chunk.from + i);
      differing.push(...this.record(slots, bad, start));
    }
    this.passes++;
    return differing;
  }

  /** Checks scattered slots (the dirty ones), one statement per table and side. */
  async checkSlots(slots: readonly number[]): Promise<number[]> {
    if (slots.length === 0) return [];
    const start = this.stream.counter;
    const bad = new Set<number>();
    for (const t of this.tables) {
      const a = await checksumSlotList(this.origin, t.def, slots);
      const b = await checksumSlotList(this.copy, t.def, slots);
      for (const d of compareSlots(a, b)) bad.add(d.slot);
    }
    return this.record(slots, bad, start);
  }

  private record(slots: readonly number[], bad: ReadonlySet<number>, start: number): number[] {
    for (const s of slots) {
      if (bad.has(s)) this.verifiedAt.delete(s);
      else this.verifiedAt.set(s, start);
    }
    return [...bad].sort((x, y) => x - y);
  }
}
