/**
 * Shapes the gamedb AdminAPI helpers (common.js, cluster.js, grants.js, restart.js) pass between themselves and the
 * scripts, for type-checking (./tsconfig.json). The helpers' functions need no declaration: the checker reads the
 * helpers and the scripts as one global scope, as the concatenated script is.
 */

/** A JSON object read from the params or secrets file (loadArgs). */
type JsonObject = { [key: string]: unknown };

/** The cluster admin's login. */
interface Creds {
  user: string;
  password: string;
}

/** tryOpen: a session, or why none could be opened. */
interface OpenAttempt {
  session?: ClassicSession;
  error?: string;
  code?: number;
}

/** probe: what dba.getCluster says through one instance (cluster.js). */
type Probe =
  | { address: string; kind: "cluster"; cluster: Cluster }
  | { address: string; kind: "standalone" }
  | { address: string; kind: "stopped" }
  | { address: string; kind: "unreachable"; error: string; code?: number }
  | {
      address: string;
      kind: "error";
      error: string;
      code?: number;
      /** kind "error" from the instance's own Group Replication state (not ONLINE or RECOVERING). */
      state?: string;
    };

/** locateCluster: the first cluster found and through which address (or none), and every probe made. */
type Located = Found | { cluster: null; via: null; probes: Probes };

/** A cluster found through `via`. */
interface Found {
  cluster: Cluster;
  via: string;
  probes: Probes;
}

/** Probes by address. */
type Probes = { [address: string]: Probe };

/** parseGrants: object ("*.*", "db.*") -> privilege -> held. */
type GrantMap = { [object: string]: { [privilege: string]: boolean } };

/** What converge-cluster knows of its run (converge-cluster.js; restart.js reads it). */
interface ConvergeCtx {
  name: string;
  seed: string;
  members: string[];
  creds: Creds;
  recoveryMethod: "clone" | "incremental";
  createOptions: JsonObject;
  allowCreate: boolean;
  /** member address -> { variable: value its my.cnf carries } */
  restartVariables: { [address: string]: { [variable: string]: unknown } };
  /** The seed first, then the other members. */
  desired: string[];
}

/** setup-accounts: the game database and its three accounts (params.schemaDatabase and what comes with it). */
interface GameAccounts {
  database: string;
  /** gamedb_meta: the slot fence, the migration history and the slot moves' control rows. */
  meta: string;
  schemaUser: string;
  appUser: string;
  moverUser: string;
  schemaPassword: string;
  appPassword: string;
  moverPassword: string;
}
