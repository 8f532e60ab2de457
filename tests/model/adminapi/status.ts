/**
 * The MODEL's cluster.status() result: mysql-shell 8.4.3 (= 8.4.8) modules/adminapi/cluster/status.cc
 * (Status::collect_replicaset_status, check_group_status, get_topology with feed_member_info). Not MySQL Shell.
 */
import type { ClusterMetadata, Fleet, GroupMemberState, GroupState } from "./fleet";
import type { Options } from "./options";

/** The members the group's view holds, as the group sees each (status.cc: mysqlshdk::gr::get_members). */
interface ViewMember {
  address: string;
  state: GroupMemberState;
}

/**
 * status.cc check_group_status: the overall status and its text from the group's view (`members`) and the metadata
 * members (`mdMembers`). Tolerance counts ONLINE and RECOVERING members (quorum_size); PARTIAL when a metadata member
 * is missing from the view or a view member is neither ONLINE nor RECOVERING; ERROR when no member is ONLINE.
 */
export function groupStatus(
  via: string,
  members: ViewMember[],
  mdMembers: string[],
  hasQuorum: boolean,
): { status: string; statusText: string } {
  const inView = new Set(members.map((m) => m.address));
  const missingFromGroup = mdMembers.filter((a) => !inView.has(a)).length;
  const quorumSize = members.filter((m) => m.state === "ONLINE" || m.state === "RECOVERING").length;
  const online = members.filter((m) => m.state === "ONLINE").length;
  const tolerated = quorumSize > 0 ? Math.floor((quorumSize - 1) / 2) : 0;
  const partial = missingFromGroup > 0 || members.length !== quorumSize;
  let status: string;
  let statusText: string;
  if (online === 0) {
    status = "ERROR";
    statusText = hasQuorum
      ? "There are no ONLINE members in the cluster."
      : `Cluster has no quorum as visible from '${via}' and no ONLINE members that can be used to restore it.`;
  } else if (!hasQuorum) {
    status = "NO_QUORUM";
    statusText = `Cluster has no quorum as visible from '${via}' and cannot process write transactions.`;
  } else if (tolerated === 0) {
    status = partial ? "OK_NO_TOLERANCE_PARTIAL" : "OK_NO_TOLERANCE";
    statusText = "Cluster is NOT tolerant to any failures.";
  } else {
    status = partial ? "OK_PARTIAL" : "OK";
    statusText =
      tolerated === 1
        ? "Cluster is ONLINE and can tolerate up to ONE failure."
        : `Cluster is ONLINE and can tolerate up to ${tolerated} failures.`;
  }
  const inactive = mdMembers.length - online;
  if (inactive === 1) statusText += " 1 member is not active.";
  else if (inactive > 1) statusText += ` ${inactive} members are not active.`;
  return { status, statusText };
}

function connectError(a: string): string {
  return `MySQL Error 2003: Could not open connection to '${a}': Can't connect to MySQL server on '${a}' (113)`;
}

/** status() as seen through `via`, a member of `group`, whose metadata is `md`. */
export function clusterStatus(
  fleet: Fleet,
  name: string,
  via: string,
  group: GroupState,
  md: ClusterMetadata,
): unknown {
  const topology: Record<string, Options> = {};
  for (const a of md.members) {
    const inst = fleet.has(a) ? fleet.get(a) : undefined;
    const up = inst ? fleet.isUp(inst) : false;
    // status is the group's view of the member; memberState the member's own, shown when it differs (feed_member_info:
    // "(MISSING)" when it cannot be reached, OFFLINE when its Group Replication is stopped).
    const own = !inst || !up ? "(MISSING)" : (inst.gr?.state ?? "OFFLINE");
    const inGroup = group.view.includes(a);
    const st = inGroup ? fleet.memberState(group, a) : "(MISSING)";
    const role = inGroup ? (inst?.gr?.role ?? "SECONDARY") : "SECONDARY";
    topology[a] = {
      address: a,
      memberRole: role,
      mode: st === "ONLINE" ? (role === "PRIMARY" ? "R/W" : "R/O") : "n/a",
      role: "HA",
      status: st,
      ...(own !== st ? { memberState: own } : {}),
      ...(up ? {} : { shellConnectError: connectError(a) }),
    };
  }
  const members = group.view.map((a) => ({ address: a, state: fleet.memberState(group, a) }));
  const { status, statusText } = groupStatus(via, members, md.members, fleet.hasQuorum(group));
  // get_default_replicaset_status warns when the instance read from is not ONLINE. The model's Cluster reads from a
  // member that is not ONLINE only when it is in ERROR (Shell would read any other through the primary).
  const warning =
    fleet.get(via).gr?.state === "ERROR"
      ? { warning: "The cluster description may be inaccurate as it was generated from an instance in Error state" }
      : {};
  return {
    clusterName: name,
    defaultReplicaSet: {
      name: "default",
      // collect_replicaset_status: "?" when no PRIMARY is found.
      primary: fleet.primaryOf(group) ?? "?",
      ssl: "REQUIRED",
      status,
      statusText,
      topology,
      topologyMode: "Single-Primary",
      ...warning,
    },
    groupInformationSourceMember: via,
  };
}
