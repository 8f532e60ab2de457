/** The MODEL's cluster.status() result (mysqlsh modules/adminapi/cluster/status.cc). Not MySQL Shell. */
import type { ClusterMetadata, Fleet, GroupState } from "./fleet";
import type { Options } from "./options";

/** status() as seen through `via`, an active member of `group`, whose metadata is `md`. */
export function clusterStatus(
  fleet: Fleet,
  name: string,
  via: string,
  group: GroupState,
  md: ClusterMetadata,
): unknown {
  const topology: Record<string, Options> = {};
  let online = 0;
  for (const a of md.members) {
    const inst = fleet.has(a) ? fleet.get(a) : undefined;
    if (group.view.includes(a)) {
      const st = fleet.memberState(group, a);
      const role = inst?.gr?.role ?? "SECONDARY";
      if (st === "ONLINE") online++;
      topology[a] = {
        address: a,
        memberRole: role,
        mode: st === "ONLINE" ? (role === "PRIMARY" ? "R/W" : "R/O") : "n/a",
        role: "HA",
        status: st,
      };
    } else {
      const up = inst ? fleet.isUp(inst) : false;
      topology[a] = {
        address: a,
        memberRole: "SECONDARY",
        mode: "n/a",
        role: "HA",
        status: "(MISSING)",
        ...(up
          ? { memberState: "OFFLINE" }
          : {
              shellConnectError: `MySQL Error 2003: Could not open connection to '${a}': Can't connect to MySQL server on '${a}' (113)`,
            }),
      };
    }
  }
  const partial = md.members.some((a) => topology[a]!.status !== "ONLINE");
  const tolerated = Math.floor((online - 1) / 2);
  let status: string;
  let statusText: string;
  if (!fleet.hasQuorum(group)) {
    status = "NO_QUORUM";
    statusText = "Cluster has no quorum as visible from this member and cannot process write transactions.";
  } else if (tolerated >= 1) {
    status = partial ? "OK_PARTIAL" : "OK";
    statusText = `Cluster is ONLINE and can tolerate up to ${tolerated} failure(s).`;
  } else {
    status = partial ? "OK_NO_TOLERANCE_PARTIAL" : "OK_NO_TOLERANCE";
    statusText = "Cluster is NOT tolerant to any failures.";
  }
  return {
    clusterName: name,
    defaultReplicaSet: {
      name: "default",
      // cluster/status.cc collect_replicaset_status: "?" when no PRIMARY is found.
      primary: fleet.primaryOf(group) ?? "?",
      ssl: "REQUIRED",
      status,
      statusText,
      topology,
      topologyMode: "Single-Primary",
    },
    groupInformationSourceMember: via,
  };
}
