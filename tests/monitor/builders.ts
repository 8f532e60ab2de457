/** Builders for the monitor's unit tests: members, views and observations as a Group Replication member reports them. */
import type { GroupMemberRow, MemberObservation, MemberState } from "../../scripts/apps/monitor/mysqlCheck";
import type { MemberInput } from "../../scripts/apps/monitor/verdict";

export interface Node {
  node: string;
  host: string;
  port: number;
  uuid: string;
}

/** n configured members: node0..node{n-1} at 10.0.0.{i+1}:3306. */
export function nodes(n: number): Node[] {
  return Array.from({ length: n }, (_, i) => ({
    node: `node${i}`,
    host: `10.0.0.${i + 1}`,
    port: 3306,
    uuid: `00000000-0000-0000-0000-${String(i).padStart(12, "0")}`,
  }));
}

/** A view: one entry per member in it, `[index, state, role?]`. */
export function view(ns: Node[], rows: [number, MemberState, string?][]): GroupMemberRow[] {
  return rows.map(([i, state, role]) => ({
    memberId: ns[i]!.uuid,
    host: ns[i]!.host,
    port: ns[i]!.port,
    state,
    role: role ?? (state === "ONLINE" ? "SECONDARY" : ""),
    version: "8.4.3",
  }));
}

export function observation(
  self: Node,
  v: GroupMemberRow[],
  overrides: Partial<MemberObservation> = {},
): MemberObservation {
  const own = v.find((r) => r.memberId === self.uuid);
  return {
    serverUuid: self.uuid,
    view: v,
    selfState: own?.state ?? "OFFLINE",
    threadsRunning: 2,
    threadsConnected: 10,
    activeConnections: 1,
    bufferPoolDataBytes: 500,
    bufferPoolSizeBytes: 1000,
    transactionsInQueue: 0,
    applierQueue: 0,
    conflictsDetected: 0,
    transactionsChecked: 0,
    lagSeconds: 0,
    ...overrides,
  };
}

/** Verdict input: `views[i]` is member i's view, null when its check failed. */
export function inputs(ns: Node[], views: (GroupMemberRow[] | null)[]): MemberInput[] {
  return ns.map((n, i) => {
    const v = views[i];
    return { node: n.node, host: n.host, port: n.port, observation: v == null ? null : observation(n, v) };
  });
}
