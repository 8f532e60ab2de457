/**
 * Reads what the planners decide from: each pod's CLUSTER MYID, CLUSTER NODES, CLUSTER INFO, DBSIZE, ROLE and
 * INFO replication, and whether the cluster's other members still answer at their address.
 */
import { promises as dns } from "node:dns";
import type { ControllerInput } from "../../../infra/contracts/redisController";
import { parseClusterNodes, parseInfoLines } from "../../lib/redis/clusterNodes";
import { Connections, NodeCommandError, type Address } from "./client";
import { desiredCount, electEntry, type ClusterObservation, type NodeState, type PodView } from "./observation";

export type Layout = Required<ControllerInput>;

/** Where pod `i` listens: the template's `{i}` replaced, port base + i x step. */
export function podAddress(layout: Layout, i: number): Address {
  return { host: layout.hostTemplate.split("{i}").join(String(i)), port: layout.portBase + i * layout.portStep };
}

export const podLabel = (layout: Layout, i: number): string => {
  const a = podAddress(layout, i);
  return `pod ${i} (${a.host}:${a.port})`;
};

/** The ordinals a mode looks at: the desired pods, and for a drain the going ones beyond them. */
export function ordinals(layout: Layout, mode: "drain" | "reconcile"): number[] {
  const n = desiredCount(layout);
  const out = Array.from({ length: n }, (_, i) => i);
  if (mode === "drain") {
    for (let i = n; i < n + layout.probe && podAddress(layout, i).port <= 65535; i++) out.push(i);
  }
  return out;
}

/** A host name that does not resolve is a pod that does not exist; anything else may be a pod that is down. */
async function resolves(host: string): Promise<boolean> {
  try {
    await dns.lookup(host);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ENOTFOUND";
  }
}

/** The node's state, as its own commands report it. Throws NodeCommandError naming the pod. */
export async function nodeState(conn: Connections, at: Address, name: string): Promise<NodeState> {
  const id = (await conn.text(at, name, ["CLUSTER", "MYID"])).trim();
  const nodes = parseClusterNodes(await conn.text(at, name, ["CLUSTER", "NODES"]));
  const info = parseInfoLines(await conn.text(at, name, ["CLUSTER", "INFO"]));
  const keys = Number(await conn.call(at, name, ["DBSIZE"]));
  const role = String(((await conn.call(at, name, ["ROLE"])) as unknown[])[0]);
  const replication = parseInfoLines(await conn.text(at, name, ["INFO", "replication"]));
  return {
    id,
    nodes,
    slotsAssigned: Number(info.get("cluster_slots_assigned") ?? 0),
    knownNodes: Number(info.get("cluster_known_nodes") ?? 1),
    stateOk: info.get("cluster_state") === "ok",
    keys,
    role,
    linkUp: replication.get("master_link_status") === "up",
  };
}

export async function viewPod(conn: Connections, layout: Layout, i: number): Promise<PodView> {
  const at = podAddress(layout, i);
  try {
    return { ordinal: i, ...at, exists: true, node: await nodeState(conn, at, podLabel(layout, i)) };
  } catch (e) {
    if (!(e instanceof NodeCommandError)) throw e;
    // Pods that share a port differ by host name: one whose name resolves exists, even when it does not answer.
    const exists = layout.portStep === 0 && (await resolves(at.host));
    return { ordinal: i, ...at, exists, error: e.message };
  }
}

/** Every pod the mode looks at, and whether the entry cluster's other members answer at their address. */
export async function observe(
  conn: Connections,
  layout: Layout,
  mode: "drain" | "reconcile",
): Promise<ClusterObservation> {
  const pods = await Promise.all(ordinals(layout, mode).map((i) => viewPod(conn, layout, i)));
  const alive: Record<string, boolean> = {};
  const entry = electEntry(pods.filter((p) => p.ordinal < desiredCount(layout)));
  const seen = new Set(pods.flatMap((p) => (p.node ? [p.node.id] : [])));
  // Only reconcile asks (a drain matches going nodes by address instead).
  for (const n of mode === "reconcile" ? (entry?.node.nodes ?? []) : []) {
    if (seen.has(n.id) || n.port === 0 || (n.hostname || n.ip) === "") continue;
    const at = { host: n.hostname || n.ip, port: n.port };
    // A pod IP may have been reused by another pod: alive means that address answers with this node's id.
    alive[n.id] = await conn
      .text(at, `node ${n.id.slice(0, 8)} (${at.host}:${at.port})`, ["CLUSTER", "MYID"])
      .then((id) => id.trim() === n.id)
      .catch(() => false);
  }
  return {
    masters: layout.masters,
    replicasPerMaster: layout.replicasPerMaster,
    pods,
    alive,
    waitSeconds: layout.waitSeconds,
  };
}
