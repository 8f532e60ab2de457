/**
 * Cross-key rules of gamedb:slotMoves (infra/contracts/slotMoves.ts): each move names two distinct shards of
 * gamedb:shards, a range that parses, is owned by the right shard for its phase in shards[].slots (the source until
 * cleanup, the target at cleanup) and overlaps no other move's. Pure.
 */
import { Problem, problem } from "../../config/errors";
import type { StackConfig } from "../../config/schema";
import type { Check } from "./rule";
import { SlotRange, formatRange, ownerTable, parseSlotRange, runs } from "../slots";

const at = (i: number, key: string) => ["slotMoves", "moves", i, key];

/** The config's owner of every slot, from the active shards' ranges that parse (the slots rule reports the rest). */
function configOwners(t: StackConfig): Int32Array {
  const owned = new Map<number, SlotRange[]>();
  for (const s of t.shards) {
    if (s.state !== "active") continue;
    const ranges = s.slots.map(parseSlotRange).filter((r): r is SlotRange => typeof r !== "string");
    owned.set(s.id, [...(owned.get(s.id) ?? []), ...ranges]);
  }
  return ownerTable(owned).owner;
}

/** "shard 1 owns 0-8191; shard 2 owns 8192-16383": who owns what within a range. */
function ownersWithin(owner: Int32Array, r: SlotRange): string {
  return runs(owner.slice(r.from, r.to + 1))
    .map((x) => ({ ...x, from: x.from + r.from, to: x.to + r.from }))
    .map((x) => `${x.shard === -1 ? "no active shard owns" : `shard ${x.shard} owns`} ${formatRange(x)}`)
    .join("; ");
}

function ownedBy(owner: Int32Array, r: SlotRange, shard: number): boolean {
  for (let s = r.from; s <= r.to; s++) if (owner[s] !== shard) return false;
  return true;
}

function shardEnds(t: StackConfig, i: number, { from, to, phase }: { from: number; to: number; phase: string }) {
  const out: Problem[] = [];
  const byId = new Map(t.shards.map((s) => [s.id, s]));
  const list = (states: readonly string[]) =>
    t.shards
      .filter((s) => states.includes(s.state))
      .map((s) => s.id)
      .join(", ") || "none";
  const source = byId.get(from);
  const active = list(["active"]);
  // At cleanup a source that gave its last range away is retired (an active shard owns slots); its hosts stay.
  const retiredOk = phase === "cleanup" && source?.state === "retired";
  if (!source)
    out.push(problem(at(i, "from"), `${from} is not a shard id in gamedb:shards; use an active shard: ${active}`));
  else if (source.state !== "active" && !retiredOk)
    out.push(
      problem(
        at(i, "from"),
        `shard ${from} is ${source.state}; the source must be an active shard (${active}), or retired at cleanup`,
      ),
    );
  const target = byId.get(to);
  const targets = list(["active", "provisioning"]);
  if (to === from)
    out.push(problem(at(i, "to"), `${to} is the move's source too; the target must be another shard: ${targets}`));
  else if (!target)
    out.push(
      problem(at(i, "to"), `${to} is not a shard id in gamedb:shards; use an active or provisioning shard: ${targets}`),
    );
  else if (target.state === "retired")
    out.push(
      problem(at(i, "to"), `shard ${to} is retired; the target must be an active or provisioning shard: ${targets}`),
    );
  return out;
}

/** Who must own the range in shards[].slots at the move's phase, and what to do when the config says otherwise. */
function ownership(owner: Int32Array, i: number, m: { phase: string; from: number; to: number }, r: SlotRange) {
  const range = formatRange(r);
  if (m.phase === "cleanup") {
    if (ownedBy(owner, r, m.to)) return [];
    return [
      problem(
        at(i, "slots"),
        `${range} must be owned by the target, shard ${m.to}, in gamedb:shards[].slots at phase cleanup (${ownersWithin(owner, r)}); ` +
          `give the range to shard ${m.to} in the same edit that sets cleanup`,
      ),
    ];
  }
  if (ownedBy(owner, r, m.from)) return [];
  return [
    problem(
      at(i, "slots"),
      `${range} must be owned by the source, shard ${m.from}, in gamedb:shards[].slots at phase ${m.phase} (${ownersWithin(owner, r)}); ` +
        `shards[].slots keeps the ownership before the move until cleanup`,
    ),
  ];
}

export const slotMoves: Check = (t) => {
  const config = t.slotMoves;
  if (!config) return [];
  const out: Problem[] = [];
  const owner = configOwners(t);
  const ids = new Map<number, number>();
  const ranges: { i: number; id: number; r: SlotRange }[] = [];
  config.moves.forEach((m, i) => {
    const first = ids.get(m.id);
    if (first !== undefined)
      out.push(
        problem(
          at(i, "id"),
          `${m.id} is already the id of gamedb:slotMoves.moves[${first}]; move ids are unique and never reused`,
        ),
      );
    else ids.set(m.id, i);
    const ends = shardEnds(t, i, m);
    out.push(...ends);
    const r = parseSlotRange(m.slots);
    if (typeof r === "string") {
      out.push(problem(at(i, "slots"), r));
      return;
    }
    for (const o of ranges) {
      if (o.r.from <= r.to && r.from <= o.r.to)
        out.push(
          problem(
            at(i, "slots"),
            `${formatRange(r)} overlaps ${formatRange(o.r)} of move ${o.id} (gamedb:slotMoves.moves[${o.i}]); ` +
              `a slot is in at most one move at a time`,
          ),
        );
    }
    ranges.push({ i, id: m.id, r });
    // With a shard that is not there, the ownership message would only repeat the problem above.
    if (ends.length === 0) out.push(...ownership(owner, i, m, r));
  });
  return out;
};

/** The fence that freezes a moving range lives in the game schema's shards (gamedb_meta, beside the game database). */
export const slotMovesNeedSchema: Check = (t) =>
  t.slotMoves && !t.schema
    ? [
        problem(
          ["slotMoves"],
          "needs gamedb:schema: a move copies the game database's sharded tables and freezes its range with the " +
            "slot fence that gamedb:schema's migration Job installs on every shard; set gamedb:schema, or remove gamedb:slotMoves",
        ),
      ]
    : [];
