/** Endpoints documents for the client's unit tests, shaped as the program writes them (infra/contracts/endpoints.ts). */
import type { ClientEndpoints, RoutersDocument, SlotMapDocument } from "../../infra/contracts/endpoints";
import { evenSlotRanges, formatRange } from "../../infra/plan/slots";

export const RW = 6446;
export const RO = 6447;

export const routerHost = (shard: number): string => `gamedb-router-shard${shard}.gamedb.svc.cluster.local`;

export function routersFor(shards: readonly number[]): RoutersDocument {
  return Object.fromEntries(
    shards.map((s) => [`shard${s}`, { host: routerHost(s), ports: { rw: RW, ro: RO, "x-rw": 6448 } }]),
  );
}

/** `count` shards (ids 0..count-1 unless given) owning even runs of the slot space, each run at `epoch`. */
export function evenDoc(count: number, options: { ids?: readonly number[]; epoch?: number } = {}): ClientEndpoints {
  const ids = options.ids ?? Array.from({ length: count }, (_, i) => i);
  const slotMap: SlotMapDocument = evenSlotRanges(count).map((r, i) => ({
    slots: formatRange(r),
    from: r.from,
    to: r.to,
    shard: ids[i]!,
    ...(options.epoch === undefined ? {} : { epoch: options.epoch }),
  }));
  return { routers: routersFor(ids), slotMap };
}

/** A slot-map run with its `slots` text. */
export const run = (from: number, to: number, shard: number, epoch?: number): SlotMapDocument[number] => ({
  slots: formatRange({ from, to }),
  from,
  to,
  shard,
  ...(epoch === undefined ? {} : { epoch }),
});
