/**
 * The start of a move: preflight on both shards (refusing with every reason), the control rows, the target's range
 * `importing`, and the position the forward stream starts from with the copy's cursors. Each statement is
 * idempotent, so a start interrupted anywhere is simply run again (the move stays `preflight` until the last one).
 */
import type { MoveSpec } from "../../../infra/contracts/slotMoves";
import { initControl, saveCheckpoint, setState } from "./control";
import { markImporting } from "./fenceOps";
import { movedTables } from "./movedTables";
import { currentPosition, formatPosition } from "./position";
import { epochProblems, preflight, shardProblems } from "./preflight";
import type { Sides } from "./sides";

export async function startMove(sides: Sides, spec: MoveSpec): Promise<void> {
  const { source, target } = sides;
  const problems = [
    ...(await preflight(source.ctrl, sides.flavour, { label: `source shard ${spec.source.shard}` })),
    ...(await preflight(target.ctrl, sides.flavour, { label: `target shard ${spec.target.shard}` })),
    ...(await shardProblems(source.ctrl, spec.database, "source", spec.slots, spec.id)),
    ...(await shardProblems(target.ctrl, spec.database, "target", spec.slots, spec.id)),
    // Epochs only grow per slot, across moves too: clients ignore an owner announced at a lower one.
    ...(await epochProblems(source.ctrl, spec.slots, spec.id, `source shard ${spec.source.shard}`)),
    ...(await epochProblems(target.ctrl, spec.slots, spec.id, `target shard ${spec.target.shard}`)),
  ];
  if (problems.length > 0) throw new Error(`preflight refused move ${spec.id}: ${problems.join("; ")}`);
  const tables = await movedTables(source.ctrl, target.ctrl, spec.database);
  const base = { moveId: spec.id, state: "preflight" as const, slots: spec.slots };
  const shards = { sourceShard: spec.source.shard, targetShard: spec.target.shard };
  await initControl(target.ctrl, { ...base, ...shards, role: "target" });
  await initControl(source.ctrl, { ...base, ...shards, role: "source" });
  await markImporting(target.ctrl, spec.slots, spec.source.shard);
  const start = await currentPosition(source.ctrl, sides.flavour);
  const cursors = tables.map((t) => ({ table: t.def.name, done: false, after: null }));
  await saveCheckpoint(target.ctrl, spec.id, formatPosition(start), cursors);
  await setState(target.ctrl, spec.id, "copying");
  await setState(source.ctrl, spec.id, "copying");
}
