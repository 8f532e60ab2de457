/**
 * A MODEL of the MySQL Shell AdminAPI over a simulated fleet of MySQL instances, for testing the gamedb AdminAPI
 * scripts (infra/mysql/adminapi) without mysqlsh or MySQL. It is not MySQL.
 */
export { Fleet, userKey } from "./fleet";
export type { InstanceState, GroupState, ClusterMetadata } from "./fleet";
export { ModelApi, MUTATING_APIS, ROUTER_GRANTS } from "./api";
export type { ApiCall } from "./api";
export { ModelShellError, SHERR, ER, MODEL_SHELL_VERSIONS, asThrown } from "./errors";
export type { ModelShellVersion } from "./errors";
export { runAdminApi, mutatingCalls, mutations, modelShellVersion } from "./run";
export type { RunResult } from "./run";
