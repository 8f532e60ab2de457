/** What the MODEL records of each call a script makes (api.ts ModelApi.record), and which calls change state. */
export interface ApiCall {
  seq: number;
  /** e.g. "dba.createCluster", "cluster.addInstance", "session.runSql", "os.sleep". */
  api: string;
  /** The instance the call acts on, when there is one ("host:port"). */
  target?: string;
  args: unknown[];
  /** The call changes state: an AdminAPI change, or SQL that writes (SET, RESTART, CREATE, ALTER, GRANT, ...). */
  mutating: boolean;
  /** session.runSql: the SQL text as the script wrote it (placeholders, not values). */
  sql?: string;
  /** The error the call raised, if any. */
  error?: string;
}

/** AdminAPI functions that change the cluster or an instance. */
export const MUTATING_APIS = new Set([
  "dba.createCluster",
  "dba.configureInstance",
  "dba.rebootClusterFromCompleteOutage",
  "cluster.addInstance",
  "cluster.rejoinInstance",
  "cluster.removeInstance",
  "cluster.setPrimaryInstance",
  "cluster.setupRouterAccount",
]);
