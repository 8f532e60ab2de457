/**
 * A shard's status from its members' checks, as MySQL Shell's Cluster.status() names it (pure).
 *
 * Whose view: Group Replication members can disagree (a partitioned member sees the others UNREACHABLE). Like
 * Cluster.status(), the verdict uses one member's replication_group_members view, chosen explicitly:
 *   1. only members that answered the check and are ONLINE in their own view are candidates;
 *   2. a candidate whose view has quorum beats one whose view has none (the majority partition wins);
 *   3. then the one that is PRIMARY in its own view, then the one seeing the most ONLINE members, then member order.
 * No candidate at all (nothing answered, or nothing answering is ONLINE): OFFLINE.
 *
 * Rules from the chosen view (mysql-shell modules/adminapi/cluster/status.cc, check_group_status; the quorum test
 * is the one of sys.gr_member_in_primary_partition):
 *   quorumSize = ONLINE + RECOVERING members; quorum when quorumSize > half of the members in the view;
 *   failuresTolerated = floor((quorumSize - 1) / 2);
 *   partial when a configured member is missing from the view, or a member in the view is not ONLINE/RECOVERING;
 *   no quorum -> NO_QUORUM; else failuresTolerated 0 -> OK_NO_TOLERANCE(_PARTIAL); else OK(_PARTIAL).
 * So a 3-member group with one member UNREACHABLE (or expelled) is OK_NO_TOLERANCE_PARTIAL: it keeps quorum but
 * one more failure loses it. OK_PARTIAL needs 5 or more members.
 *
 * Primaries: members of the view that are ONLINE with role PRIMARY; 0 means writes are impossible.
 *
 * The best a group can do depends on its size: 1 or 2 members never tolerate a failure (floor((2 - 1) / 2) = 0), so
 * their best is OK_NO_TOLERANCE; 3 or more reach OK. bestStatus() gives it, statusBelowBest() says whether a status
 * is worse than what the shard's configured member count can reach (the status warning of rules.ts).
 */
import type { GroupMemberRow, MemberObservation, MemberState } from "./mysqlCheck";

/** From best to worst (statusWorseThan() relies on this order). */
export const SHARD_STATUSES = [
  "OK",
  "OK_PARTIAL",
  "OK_NO_TOLERANCE",
  "OK_NO_TOLERANCE_PARTIAL",
  "NO_QUORUM",
  "OFFLINE",
] as const;
export type ShardStatus = (typeof SHARD_STATUSES)[number];

/** The best status a group of `configuredMembers` members can reach: OK_NO_TOLERANCE for 1 or 2, OK for 3 or more. */
export function bestStatus(configuredMembers: number): ShardStatus {
  return configuredMembers >= 3 ? "OK" : "OK_NO_TOLERANCE";
}

/** `status` is worse than `than`, in the order of SHARD_STATUSES. */
export function statusWorseThan(status: ShardStatus, than: ShardStatus): boolean {
  return SHARD_STATUSES.indexOf(status) > SHARD_STATUSES.indexOf(than);
}

/** The shard's status is worse than the best its configured member count can reach. */
export function statusBelowBest(status: ShardStatus, configuredMembers: number): boolean {
  return statusWorseThan(status, bestStatus(configuredMembers));
}

/** A member's state in the verdict: its row in the chosen view, MISSING from it, or UNKNOWN (no view, no answer). */
export const VERDICT_MEMBER_STATES = ["ONLINE", "RECOVERING", "UNREACHABLE", "OFFLINE", "ERROR", "MISSING", "UNKNOWN"];
export type VerdictMemberState = MemberState | "MISSING" | "UNKNOWN";

export interface MemberInput {
  node: string;
  host: string;
  port: number;
  /** null: the check failed (unreachable, timeout, error). */
  observation: MemberObservation | null;
}

export interface MemberVerdict {
  node: string;
  reachable: boolean;
  state: VerdictMemberState;
  /** PRIMARY / SECONDARY in the chosen view, "" otherwise. */
  role: string;
}

export interface ShardVerdict {
  status: ShardStatus;
  statusText: string;
  quorum: boolean;
  primaryCount: number;
  /** Nodes that are ONLINE primaries in the chosen view. */
  primaries: string[];
  /** The member whose view decided; null when OFFLINE. */
  viewFrom: string | null;
  /** Members in the chosen view. */
  groupSize: number;
  onlineCount: number;
  failuresTolerated: number;
  /** Configured members absent from the chosen view. */
  missing: string[];
  /** One per configured member, in the order given. */
  members: MemberVerdict[];
}

const sameAddress = (row: GroupMemberRow, m: MemberInput) =>
  row.port === m.port && row.host.toLowerCase() === m.host.toLowerCase();

/** The quorum rule of sys.gr_member_in_primary_partition: ONLINE + RECOVERING is more than half the view. */
export function viewHasQuorum(view: readonly GroupMemberRow[]): boolean {
  const quorumSize = view.filter((r) => r.state === "ONLINE" || r.state === "RECOVERING").length;
  return quorumSize * 2 > view.length;
}

function ownRole(obs: MemberObservation): string {
  return obs.view.find((r) => r.memberId === obs.serverUuid)?.role ?? "";
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

export function shardVerdict(members: readonly MemberInput[]): ShardVerdict {
  const candidates = members
    .map((m, index) => ({ m, index, obs: m.observation }))
    .filter((c): c is { m: MemberInput; index: number; obs: MemberObservation } => c.obs?.selfState === "ONLINE");
  const rank = (c: (typeof candidates)[number]) => [
    viewHasQuorum(c.obs.view) ? 1 : 0,
    ownRole(c.obs) === "PRIMARY" ? 1 : 0,
    c.obs.view.filter((r) => r.state === "ONLINE").length,
    -c.index,
  ];
  const chosen = candidates.reduce<(typeof candidates)[number] | undefined>((best, c) => {
    if (best === undefined) return c;
    const [a, b] = [rank(c), rank(best)];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]! ? c : best;
    return best;
  }, undefined);

  if (chosen === undefined) {
    const answered = members.filter((m) => m.observation !== null);
    const notOnline = answered.map((m) => `${m.node} ${m.observation!.selfState}`).join(", ");
    return {
      status: "OFFLINE",
      statusText:
        answered.length === 0 ? "No member answered the check." : `No member that answered is ONLINE (${notOnline}).`,
      quorum: false,
      primaryCount: 0,
      primaries: [],
      viewFrom: null,
      groupSize: 0,
      onlineCount: 0,
      failuresTolerated: 0,
      missing: [],
      members: members.map((m) => ({
        node: m.node,
        reachable: m.observation !== null,
        state: m.observation?.selfState ?? "UNKNOWN",
        role: "",
      })),
    };
  }

  const view = chosen.obs.view;
  const nodeOf = (row: GroupMemberRow) => members.find((m) => sameAddress(row, m))?.node ?? `${row.host}:${row.port}`;
  const quorumSize = view.filter((r) => r.state === "ONLINE" || r.state === "RECOVERING").length;
  const onlineCount = view.filter((r) => r.state === "ONLINE").length;
  const quorum = viewHasQuorum(view);
  const failuresTolerated = quorumSize > 0 ? Math.floor((quorumSize - 1) / 2) : 0;
  const missing = members.filter((m) => !view.some((r) => sameAddress(r, m))).map((m) => m.node);
  const partial = missing.length > 0 || view.length !== quorumSize;
  const primaries = view.filter((r) => r.state === "ONLINE" && r.role === "PRIMARY").map(nodeOf);

  let status: ShardStatus;
  let statusText: string;
  if (!quorum) {
    status = "NO_QUORUM";
    statusText = `Cluster has no quorum as visible from '${chosen.m.node}' and cannot process write transactions.`;
  } else if (failuresTolerated === 0) {
    status = partial ? "OK_NO_TOLERANCE_PARTIAL" : "OK_NO_TOLERANCE";
    statusText = "Cluster is NOT tolerant to any failures.";
  } else {
    status = partial ? "OK_PARTIAL" : "OK";
    statusText = `Cluster is ONLINE and can tolerate up to ${failuresTolerated === 1 ? "ONE failure" : `${failuresTolerated} failures`}.`;
  }
  const inactive = members.length - onlineCount;
  if (inactive > 0) statusText += ` ${inactive} ${plural(inactive, "member is", "members are")} not active.`;

  return {
    status,
    statusText,
    quorum,
    primaryCount: primaries.length,
    primaries,
    viewFrom: chosen.m.node,
    groupSize: view.length,
    onlineCount,
    failuresTolerated,
    missing,
    members: members.map((m) => {
      const row = view.find((r) => sameAddress(r, m));
      return {
        node: m.node,
        reachable: m.observation !== null,
        state: row?.state ?? "MISSING",
        role: row?.state === "ONLINE" ? row.role : "",
      };
    }),
  };
}
