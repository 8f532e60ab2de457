/**
 * The routing table: every slot's owning shard and the epoch of that ownership, and every shard's Router
 * endpoints. Built from the endpoints documents (pure); a MOVED from a shard's fence updates one slot in place when
 * its epoch is not older than what the table holds.
 */
import { ClientEndpoints } from "../../infra/contracts/endpoints";
import { SLOT_COUNT } from "../../infra/contracts/slots";

export interface ShardEndpoint {
  shard: number;
  host: string;
  /** MySQL Router's read-write port (the primary). */
  rw: number;
  /** MySQL Router's read-only port (the secondaries, round robin). */
  ro: number;
}

/** A slot ownership learned from a shard's fence. */
export interface LearnedOwner {
  shard: number;
  epoch: number;
}

export class Topology {
  private constructor(
    /** Shard id per slot (-1 while building: unowned). Float64: shards and epochs are INT UNSIGNED in the fence. */
    readonly owner: Float64Array,
    readonly epoch: Float64Array,
    readonly shards: ReadonlyMap<number, ShardEndpoint>,
  ) {}

  /**
   * Checks the documents against each other: every slot owned once, every owning shard with a router that has
   * rw and ro ports. Returns every problem, or the table.
   */
  static build(doc: ClientEndpoints): Topology | string[] {
    const problems: string[] = [];
    const shards = new Map<number, ShardEndpoint>();
    for (const [key, router] of Object.entries(doc.routers)) {
      const shard = Number(key.slice("shard".length));
      if (key !== `shard${shard}`) {
        // "shard07" and "shard7" would both be shard 7, and the slot map names routers as shard<number>.
        problems.push(`routers.${key}: must be written shard${shard} (no leading zeros)`);
        continue;
      }
      const { rw, ro } = router.ports;
      if (rw === undefined || ro === undefined) {
        problems.push(`routers.${key}.ports: needs rw and ro (has ${Object.keys(router.ports).join(", ") || "none"})`);
        continue;
      }
      shards.set(shard, { shard, host: router.host, rw, ro });
    }
    const owner = new Float64Array(SLOT_COUNT).fill(-1);
    const epoch = new Float64Array(SLOT_COUNT);
    doc.slotMap.forEach((run, i) => {
      if (run.from > run.to) {
        problems.push(`slotMap.${i}: from ${run.from} is above to ${run.to}`);
        return;
      }
      if (doc.routers[`shard${run.shard}`] === undefined) {
        problems.push(`slotMap.${i}: shard ${run.shard} owns slots ${run.slots} but routers has no shard${run.shard}`);
      }
      let overlap = false;
      for (let s = run.from; s <= run.to; s++) {
        if (owner[s] !== -1) {
          // Once per run; the run's other slots are still taken, so no gap is reported behind an overlap.
          if (!overlap) problems.push(`slotMap.${i}: slot ${s} is already owned by shard ${owner[s]}`);
          overlap = true;
          continue;
        }
        owner[s] = run.shard;
        epoch[s] = run.epoch ?? 0;
      }
    });
    for (let s = owner.indexOf(-1); s !== -1;) {
      let e = s;
      while (e + 1 < SLOT_COUNT && owner[e + 1] === -1) e++;
      const what = s === e ? `slot ${s} is` : `slots ${s}-${e} are`;
      problems.push(`slotMap: ${what} owned by no shard; every slot 0-16383 needs one`);
      s = owner.indexOf(-1, e + 1);
    }
    return problems.length > 0 ? problems : new Topology(owner, epoch, shards);
  }

  shardOfSlot(slot: number): number {
    return this.owner[slot]!;
  }

  endpoint(shard: number): ShardEndpoint | undefined {
    return this.shards.get(shard);
  }

  /** Applies a MOVED: true when the table changed. An older epoch never overrides a newer one. */
  learn(slot: number, moved: LearnedOwner): boolean {
    if (moved.epoch < this.epoch[slot]! || (moved.epoch === this.epoch[slot] && moved.shard === this.owner[slot])) {
      return false;
    }
    this.owner[slot] = moved.shard;
    this.epoch[slot] = moved.epoch;
    return true;
  }

  /** Keeps what was learned at a newer epoch than this table's own entry (after a reload of the documents). */
  keepNewer(learned: ReadonlyMap<number, LearnedOwner>): void {
    for (const [slot, moved] of learned) if (moved.epoch > this.epoch[slot]!) this.learn(slot, moved);
  }

  /** The slot ranges each shard owns, for status(). */
  rangesByShard(): Map<number, { from: number; to: number }[]> {
    const out = new Map<number, { from: number; to: number }[]>();
    for (let s = 0; s < SLOT_COUNT; s++) {
      const shard = this.owner[s]!;
      const ranges = out.get(shard) ?? [];
      const last = ranges[ranges.length - 1];
      if (last && last.to === s - 1) last.to = s;
      else ranges.push({ from: s, to: s });
      out.set(shard, ranges);
    }
    return out;
  }
}
