/**
 * A MODEL of the MySQL Shell AdminAPI over a simulated fleet of MySQL instances, for testing the gamedb AdminAPI
 * scripts (infra/mysql/adminapi) without mysqlsh or MySQL. It is not MySQL. Each model function names the upstream
 * code it imitates (mysql-shell 8.4.3; the AdminAPI files are the same in 8.4.8, whose difference is the JavaScript
 * engine: ./errors.ts asThrown).
 *
 * Known differences from upstream (none changes what the scripts do today; a script relying on one would pass here
 * and fail on a host):
 * - error messages lack most of the "<Class>.<function>: " prefix Shell adds (mysqlshdk/scripting/types_cpp.cc
 *   Cpp_object_bridge::call_function); an error without a code has none here, where Shell sets code -1
 *   (mysqlshdk/scripting/types.cc Exception::runtime_error); addInstance of a member already listed is 51301 here, a
 *   RuntimeError without a code upstream; a target running another group is refused with 51315 (model assumption);
 * - session.runSql understands only the scripts' SQL; rows are arrays (no fetchOneObject); a placeholder count
 *   mismatch is MySQL 1064 here, an ArgumentError upstream (base_session.cc sub_query_placeholders);
 * - GTIDs are counters (./gtids.ts): addInstance's "auto" is decided on them, and a rejoin with "auto" never selects
 *   clone silently as Shell does when the donors purged what the member needs (common/gtid_validations.cc
 *   validate_instance_recovery); the scripts always pass an explicit recoveryMethod;
 * - a Cluster stays bound to the instance dba.getCluster was called through (Shell moves to the primary, and status()
 *   reads from there); changes go through the primary either way;
 * - status() has no extended output, no clusterErrors/instanceErrors, and no OFFLINE/UNREACHABLE overall status (Shell
 *   gives those when Group Replication is not running on the instance it reads from: cluster/status.cc
 *   collect_replicaset_status);
 * - setupRouterAccount gives a subset of the router grants and does not check that the session's account may manage
 *   the cluster (common/setup_account.cc Setup_account::prepare);
 * - configureInstance and checkInstanceConfiguration refuse any group member (Shell accepts an InnoDB Cluster member
 *   and refuses only configureInstance's clusterAdmin there: dba/configure_instance.cc prepare); the check reports
 *   gtid_mode only;
 * - rebootClusterFromCompleteOutage picks the member with the most transactions itself, does not refuse a reachable
 *   member that is now standalone (Shell does without force: reboot_cluster_from_complete_outage.cc
 *   retrieve_instances);
 * - dryRun is accepted where Shell 8.4 has it (rejoinInstance, removeInstance, setupRouterAccount, reboot) but the
 *   change is made anyway; the scripts never pass it;
 * - a failed connection fails at once (Shell waits up to connect-timeout, 10 s by default); root logs in only over
 *   the local socket (auth_socket, a MySQL Server rule).
 */
export { Fleet, userKey } from "./fleet";
export type { InstanceState, GroupState, ClusterMetadata } from "./fleet";
export { ModelApi, MUTATING_APIS, ROUTER_GRANTS } from "./api";
export type { ApiCall } from "./api";
export { ModelShellError, SHERR, ER, MODEL_SHELL_VERSIONS, asThrown } from "./errors";
export type { ModelShellVersion } from "./errors";
export { runAdminApi, mutatingCalls, mutations, modelShellVersion } from "./run";
export type { RunResult } from "./run";
