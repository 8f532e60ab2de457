/** Cross-key rules about shards: ids, node counts, zone placement, slot coverage, high availability. Pure. */
import { Problem, problem, show } from "../../config/errors";
import type { Check } from "./rule";
import { MAX_SLOT, SlotRange, formatRange, ownerTable, parseSlotRange, runs, toRanges } from "../slots";
import { planNodes } from "../nodes";
import { nodePath, shardView } from "./shardView";
import { zoneHoldingMajority } from "../placement";

export const shardIdentity: Check = (t) => {
  const out: Problem[] = [];
  const ids = new Map<number, number>();
  const names = new Map<string, number>();
  t.shards.forEach((s, i) => {
    const firstId = ids.get(s.id);
    if (firstId !== undefined)
      out.push(
        problem(
          ["shards", i, "id"],
          `${s.id} is already the id of gamedb:shards[${firstId}]; shard ids are unique and never reused`,
        ),
      );
    else ids.set(s.id, i);
    const firstName = names.get(s.name);
    if (firstName !== undefined)
      out.push(
        problem(
          ["shards", i, "name"],
          `${show(s.name)} is already the name of gamedb:shards[${firstName}]; names are unique`,
        ),
      );
    else names.set(s.name, i);
  });
  return out;
};

export const nodeCounts: Check = (t) => {
  const out: Problem[] = [];
  const allowed = t.environment === "prod" ? "an odd count from 3 to 9 (prod)" : "1, or an odd count from 3 to 9";
  t.shards.forEach((s, i) => {
    const v = shardView(s);
    const count = v.count;
    const what = v.listed ? `${count} (nodes listed)` : `${count}`;
    if (count === 1 && t.environment === "prod")
      out.push(problem(["shards", i, "nodes"], `${what}: a single node has no failover; use ${allowed}`));
    else if (count % 2 === 0) out.push(problem(["shards", i, "nodes"], `${what} is even; use ${allowed}`));
    const seen = new Set<number>();
    for (const n of v.nodes) {
      if (seen.has(n.index))
        out.push(
          problem(
            nodePath(i, n, "index"),
            `${n.index} is listed twice in this shard; node indexes are unique and never reused`,
          ),
        );
      seen.add(n.index);
    }
  });
  return out;
};

export const placement: Check = (t) => {
  const out: Problem[] = [];
  const zonesSet = new Set(t.aws.availabilityZones);
  t.shards.forEach((s, i) => {
    let pinnedOk = true;
    for (const n of shardView(s).nodes) {
      if (n.az !== undefined && !zonesSet.has(n.az)) {
        pinnedOk = false;
        out.push(
          problem(
            nodePath(i, n, "az"),
            `${show(n.az)} is not in gamedb:aws.availabilityZones (${[...zonesSet].join(", ")})`,
          ),
        );
      }
    }
    if (!pinnedOk || t.environment !== "prod") return;
    const members = planNodes(s, t.aws.availabilityZones, t.mysql.instanceType).map((n) => n.az);
    const major = zoneHoldingMajority(members);
    if (major) {
      out.push(
        problem(
          ["shards", i, "nodes"],
          `placement puts ${major.members} of ${members.length} members in ${major.zone}, so losing that zone loses quorum; ` +
            `list at least 3 zones in gamedb:aws.availabilityZones or pin nodes[].az`,
        ),
      );
    }
  });
  return out;
};

export const slots: Check = (t) => {
  const out: Problem[] = [];
  const owned = new Map<number, SlotRange[]>();
  t.shards.forEach((s, i) => {
    if (s.state !== "active") {
      if (s.slots.length > 0)
        out.push(
          problem(
            ["shards", i, "slots"],
            `a ${s.state} shard owns no slots; give its ranges to active shards (move them when it becomes active)`,
          ),
        );
      return;
    }
    if (s.slots.length === 0)
      out.push(
        problem(
          ["shards", i, "slots"],
          `an active shard must own at least one slot range; use state "provisioning" for a shard that owns none yet`,
        ),
      );
    const ranges: SlotRange[] = [];
    s.slots.forEach((text, j) => {
      const r = parseSlotRange(text);
      if (typeof r === "string") out.push(problem(["shards", i, "slots", j], r));
      else ranges.push(r);
    });
    // Duplicate shard ids are reported by shardIdentity; merge their ranges so overlaps still show.
    owned.set(s.id, [...(owned.get(s.id) ?? []), ...ranges]);
  });
  const { owner, overlaps } = ownerTable(owned);
  // Sets, added to in place: a range listed three times is thousands of overlapping slots, each of them twice.
  const byPair = new Map<string, Set<number>>();
  for (const o of overlaps) {
    const k = o.shards.join(",");
    const set = byPair.get(k) ?? new Set<number>();
    byPair.set(k, set.add(o.slot));
  }
  for (const [pair, set] of byPair) {
    const [a, b] = pair.split(",").map(Number);
    const where = toRanges([...set].sort((x, y) => x - y))
      .map(formatRange)
      .join(", ");
    const whom = a === b ? `listed twice by shard ${a}` : `owned by both shard ${a} and shard ${b}`;
    out.push(
      problem(
        ["shards"],
        `slots ${where} are ${whom}; every slot 0-${MAX_SLOT} must be owned by exactly one active shard`,
      ),
    );
  }
  const gaps = runs(owner).filter((r) => r.shard === -1);
  if (gaps.length > 0) {
    out.push(
      problem(
        ["shards"],
        `slots ${gaps.map(formatRange).join(", ")} are owned by no active shard; every slot 0-${MAX_SLOT} must be owned by exactly one active shard`,
      ),
    );
  }
  return out;
};

export const highAvailability: Check = (t) => {
  if (t.environment !== "prod") return [];
  const out: Problem[] = [];
  if (t.router.replicas < 2)
    out.push(
      problem(
        ["router", "replicas"],
        `${t.router.replicas}: prod needs at least 2 so a router pod's loss does not cut a shard off`,
      ),
    );
  if (t.redis.replicasPerMaster < 1)
    out.push(
      problem(
        ["redis", "replicasPerMaster"],
        `${t.redis.replicasPerMaster}: prod needs at least 1 so a master's loss fails over`,
      ),
    );
  return out;
};
