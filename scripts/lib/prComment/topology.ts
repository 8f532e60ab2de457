/** The comment's topology section: shards and nodes added or removed, state changes and slots moved. */
import type { PlanDocument } from "../planDocument";
import { diffPlans } from "../planDiff";
import { formatRange, SLOT_COUNT } from "../../../infra/plan/slots";
import { capped, cell, code, pct, plural } from "./markdown";

function shardLabel(doc: PlanDocument, id: number | null): string {
  if (id === null) return "none";
  const s = doc.topology.shards.find((x) => x.id === id);
  return s ? `${id} (${s.name})` : String(id);
}

/** The "Topology" section: one row per change, then the slot moves with their share of keys. */
export function topologySection(base: PlanDocument, head: PlanDocument, max: number): string[] {
  const t = diffPlans(base, head).topology;
  const rows: [string, string][] = [];
  for (const id of t.shardsAdded) {
    const s = head.topology.shards.find((x) => x.id === id)!;
    rows.push(["shard added", `${id} ${code(s.name)}, ${s.state}, ${plural(s.nodes.length, "node")}`]);
  }
  for (const id of t.shardsRemoved) {
    const s = base.topology.shards.find((x) => x.id === id)!;
    rows.push(["shard removed", `${id} ${code(s.name)}, was ${s.state} with ${plural(s.nodes.length, "node")}`]);
  }
  for (const c of t.shardStateChanges) rows.push(["shard state", `${shardLabel(head, c.shard)}: ${c.from} → ${c.to}`]);
  if (t.nodesAdded.length) rows.push(["nodes added", capped(t.nodesAdded, max, code).join(", ")]);
  if (t.nodesRemoved.length) rows.push(["nodes removed", capped(t.nodesRemoved, max, code).join(", ")]);
  rows.push(["slots moved", `${t.slotsMoved} of ${SLOT_COUNT} (**${pct(t.keyspaceMoved)} of keys** move)`]);
  const lines = [
    "#### Topology",
    "",
    "| change | detail |",
    "| --- | --- |",
    ...rows.map(([a, b]) => `| ${a} | ${cell(b)} |`),
  ];
  if (t.slotMoves.length > 0) {
    lines.push("", "| slots | from shard | to shard | slots | share of keys |", "| --- | --- | --- | ---: | ---: |");
    lines.push(
      ...capped(
        t.slotMoves,
        max,
        (m) =>
          `| ${m.ranges.map(formatRange).join(", ")} | ${shardLabel(base, m.from)} | ${shardLabel(head, m.to)} | ${m.slots} | ${pct(m.slots / SLOT_COUNT)} |`,
      ),
    );
  }
  return lines;
}
