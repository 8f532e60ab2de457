/**
 * Moving slots between two masters, with their keys, one slot at a time, in the order redis-cli's resharding uses
 * (redis/redis 7.2.6:src/redis-cli.c clusterManagerMoveSlot and clusterManagerMigrateKeysInSlot): the target
 * IMPORTING, the source MIGRATING, MIGRATE the keys in batches until none is left, then SETSLOT NODE on the target
 * first (a source told first and the target crashing would leave the slot without an owner), the source, and every
 * other master. The slot is owned at every moment: by the source until the target takes it.
 *
 * Done here rather than by `redis-cli --cluster rebalance`: the planner decides which slots move where (and its
 * property tests check that plan), while rebalance picks its own slots and its own threshold.
 */
import { promises as dns } from "node:dns";
import { isFailing, isMaster, parseClusterNodes, type SlotRange } from "../../lib/redis/clusterNodes";
import { Connections, NodeCommandError, type Address } from "./client";
import { podAddress, podLabel, type Layout } from "./observe";
import { slotsOf } from "./slots";

/** Keys per MIGRATE. */
const BATCH = 100;
/** Slots whose commands are pipelined together. */
const GROUP = 64;
/** MIGRATE's own timeout (ms), below the connection's command timeout. */
const MIGRATE_TIMEOUT_MS = 10_000;
const PROGRESS_EVERY_MS = 5_000;

export interface MoveContext {
  readonly conn: Connections;
  readonly layout: Layout;
  readonly password?: string;
  readonly log: (line: string) => void;
}

interface Node extends Address {
  readonly name: string;
}

/** Reply errors a step may meet and that mean it is done already. */
function ignoring(pattern: RegExp): (e: unknown) => void {
  return (e) => {
    if (!(e instanceof NodeCommandError) || e.reply === undefined || !pattern.test(e.reply)) throw e;
  };
}

export async function moveSlots(ctx: MoveContext, fromPod: number, toPod: number, slots: readonly SlotRange[]) {
  const { conn } = ctx;
  const src: Node = { ...podAddress(ctx.layout, fromPod), name: podLabel(ctx.layout, fromPod) };
  const dst: Node = { ...podAddress(ctx.layout, toPod), name: podLabel(ctx.layout, toPod) };
  const run = (n: Node, args: (string | number)[]) => conn.call(n, n.name, args);
  const srcId = (await conn.text(src, src.name, ["CLUSTER", "MYID"])).trim();
  const dstId = (await conn.text(dst, dst.name, ["CLUSTER", "MYID"])).trim();
  // MIGRATE connects from the source: give it the target's address, resolved here as CLUSTER MEET needs.
  const { address: dstIp } = await dns.lookup(dst.host);
  const others: Node[] = parseClusterNodes(await conn.text(dst, dst.name, ["CLUSTER", "NODES"]))
    .filter((n) => isMaster(n) && !isFailing(n) && n.id !== srcId && n.id !== dstId)
    .map((n) => ({
      host: n.hostname || n.ip,
      port: n.port,
      name: `master ${n.id.slice(0, 8)} (${n.hostname || n.ip}:${n.port})`,
    }));
  const auth = ctx.password ? ["AUTH", ctx.password] : [];
  const all = [...slotsOf(slots)];
  let keys = 0;
  let lastLog = Date.now();
  // Slots go in groups whose commands are pipelined: each step of the protocol is sent for every slot of the group
  // before the next step starts, so every slot still sees the steps in order, and a node saves its cluster config
  // once per group instead of once per slot.
  for (let at = 0; at < all.length; at += GROUP) {
    const group = all.slice(at, at + GROUP);
    const each = (n: Node, args: (slot: number) => (string | number)[]) =>
      Promise.all(group.map((s) => run(n, args(s))));
    await each(dst, (s) => ["CLUSTER", "SETSLOT", s, "IMPORTING", srcId]);
    await each(src, (s) => ["CLUSTER", "SETSLOT", s, "MIGRATING", dstId]);
    for (const slot of group) {
      for (;;) {
        const batch = (await run(src, ["CLUSTER", "GETKEYSINSLOT", slot, BATCH])) as string[];
        if (batch.length === 0) break;
        await run(src, ["MIGRATE", dstIp, dst.port, "", 0, MIGRATE_TIMEOUT_MS, ...auth, "KEYS", ...batch]);
        keys += batch.length;
      }
    }
    await each(dst, (s) => ["CLUSTER", "SETSLOT", s, "NODE", dstId]);
    // A source that just lost its last slot may already follow the target (redis 7.2.6 redis-cli.c, issue #9223).
    await Promise.all(
      group.map((s) =>
        run(src, ["CLUSTER", "SETSLOT", s, "NODE", dstId]).catch(ignoring(/^ERR Please use SETSLOT only with masters/)),
      ),
    );
    await Promise.all(others.map((o) => each(o, (s) => ["CLUSTER", "SETSLOT", s, "NODE", dstId])));
    if (Date.now() - lastLog >= PROGRESS_EVERY_MS) {
      ctx.log(`  moved ${at + group.length} of ${all.length} slots (${keys} keys) from pod ${fromPod} to pod ${toPod}`);
      lastLog = Date.now();
    }
  }
  ctx.log(`  moved ${all.length} slots (${keys} keys) from pod ${fromPod} to pod ${toPod}`);
}
