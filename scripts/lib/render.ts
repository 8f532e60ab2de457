/** Human-readable renderings of a plan and of a plan diff, for the terminal and CI logs. */
import type { PlanDocument, PlannedResource } from "./planDocument";
import type { PlanDiff } from "./planDiff";
import { formatRange, rangeSize, SLOT_COUNT } from "../../infra/plan/slots";
import { renderSchema } from "./renderSchema";
import { renderMoveDiff, renderMoves } from "./renderMoves";
import type { LiveStatus } from "./moveStatus";
import { renderToolkitDiff, renderToolkitPlan } from "./renderToolkit";

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

export function renderTopology(doc: PlanDocument): string[] {
  const t = doc.topology;
  const lines = [`Topology: environment ${t.environment}, region ${t.region}, zones ${t.zones.join(", ")}`];
  const n = t.network;
  lines.push(
    n.mode === "create"
      ? `  network: new VPC ${n.cidr}, NAT gateways: ${n.natGateways}`
      : `  network: adopted ${n.vpcId}`,
  );
  for (const s of t.shards) {
    const slots = s.slots.reduce((sum, r) => sum + rangeSize(r), 0);
    const owned =
      s.slots.length > 0
        ? `slots ${s.slots.map(formatRange).join(", ")} (${pct(slots / SLOT_COUNT)} of keys)`
        : "no slots";
    lines.push(
      `  shard ${s.id} ${s.name} [${s.state}] ${s.nodes.length} node${s.nodes.length === 1 ? "" : "s"}, ${owned}`,
    );
    for (const node of s.nodes)
      lines.push(`    ${node.name}  server_id ${node.serverId}  ${node.az}  ${node.instanceType}`);
  }
  return lines;
}

export function renderResourceTree(resources: readonly PlannedResource[]): string[] {
  const children = new Map<string | null, PlannedResource[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | null, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const flags = [r.options.protect && "protect", r.options.retainOnDelete && "retain"].filter(Boolean);
      const head = parent === null ? "" : last ? "└─ " : "├─ ";
      lines.push(`${prefix}${head}${r.type} ${r.name}${flags.length ? ` (${flags.join(", ")})` : ""}`);
      walk(r.urn, parent === null ? prefix : prefix + (last ? "   " : "│  "));
    });
  };
  walk(null, "  ");
  return lines;
}

export function countsByType(resources: readonly PlannedResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** `live`: the movers' status from --move-status; undefined when it was not given. */
export function renderPlan(doc: PlanDocument, options: { tree?: boolean; live?: LiveStatus } = {}): string {
  const lines = [`gamedb plan of stack ${doc.stack} (project ${doc.project})`, "", ...renderTopology(doc), ""];
  const schema = renderSchema(doc.topology.schema);
  if (schema.length) lines.push(...schema, "");
  const moves = renderMoves(doc.topology.moves, options.live);
  if (moves.length) lines.push(...moves, "");
  const toolkit = renderToolkitPlan(doc.toolkit);
  if (toolkit.length) lines.push(...toolkit, "");
  lines.push(`Resources: ${doc.resources.length}`);
  if (options.tree !== false) lines.push(...renderResourceTree(doc.resources));
  lines.push("", "By type:");
  for (const [type, count] of countsByType(doc.resources)) lines.push(`  ${String(count).padStart(5)}  ${type}`);
  return lines.join("\n");
}

export function renderDiff(diff: PlanDiff, against: string): string {
  const t = diff.topology;
  const lines = [`Against ${against}:`];
  const topo: string[] = [];
  if (t.shardsAdded.length) topo.push(`shards added: ${t.shardsAdded.join(", ")}`);
  if (t.shardsRemoved.length) topo.push(`shards removed: ${t.shardsRemoved.join(", ")}`);
  for (const c of t.shardStateChanges) topo.push(`shard ${c.shard}: ${c.from} -> ${c.to}`);
  if (t.nodesAdded.length) topo.push(`nodes added: ${t.nodesAdded.join(", ")}`);
  if (t.nodesRemoved.length) topo.push(`nodes removed: ${t.nodesRemoved.join(", ")}`);
  topo.push(`slots moved: ${t.slotsMoved} of ${SLOT_COUNT} (${pct(t.keyspaceMoved)} of keys)`);
  for (const m of t.slotMoves) {
    topo.push(`  ${m.ranges.map(formatRange).join(", ")}: ${m.from ?? "none"} -> ${m.to ?? "none"} (${m.slots} slots)`);
  }
  topo.push(...renderMoveDiff(diff.moves, diff.moveViolations));
  lines.push(...topo.map((l) => `  ${l}`));
  lines.push(
    `  resources: ${diff.created.length} to create, ${diff.changed.length} to change, ${diff.deleted.length} to delete`,
  );
  for (const r of diff.created) lines.push(`    + ${r.type} ${r.name}`);
  for (const c of diff.changed) {
    const what = [...c.inputs, ...c.options.map((o) => `options.${o}`)].join(", ");
    lines.push(`    ~ ${c.type} ${c.name} (${what})`);
  }
  for (const r of diff.deleted)
    lines.push(`    - ${r.type} ${r.name}${r.options.protect ? " (PROTECTED: the deletion will fail)" : ""}`);
  if (diff.toolkit) lines.push(...renderToolkitDiff(diff.toolkit).map((l) => `  ${l}`));
  return lines.join("\n");
}
