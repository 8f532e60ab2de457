/**
 * The Redis Cluster topology script (scripts/reconcile.sh) and its inputs. Two Kubernetes Jobs run the one script
 * with the redis:7 image: `reconcile.sh drain` before the StatefulSet is resized (moves slots off the pods that go,
 * then removes them from the cluster) and `reconcile.sh reconcile` after (creates the cluster or adds the new nodes,
 * rebalances, checks). The password is not an input here: the Job passes it as `REDISCLI_AUTH` from a Secret, and
 * redis-cli reads it from the environment.
 *
 * tests/integration/redis-reconcile.test.ts runs this same file against real redis-server processes.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const RECONCILE_SCRIPT_FILE = path.join(__dirname, "scripts", "reconcile.sh");
/** reconcile.sh, byte for byte. */
export const RECONCILE_SCRIPT = fs.readFileSync(RECONCILE_SCRIPT_FILE, "utf8");

export interface ReconcileInput {
  /** Masters (M), at least 3. */
  masters: number;
  /** Replicas per master (R), 0..5. */
  replicasPerMaster: number;
  /**
   * Host of pod i, with `{i}` replaced by the ordinal, e.g.
   * `gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local`.
   */
  hostTemplate: string;
  /** Port of pod 0 (6379). */
  portBase: number;
  /** Pod i listens on portBase + i * portStep: 0 in Kubernetes (every pod on 6379), 1 in tests. */
  portStep: number;
}

/**
 * The script's environment for one topology. Checks what the script checks, so a bad config fails at plan time
 * with the same rules.
 */
export function reconcileEnv(input: ReconcileInput): Record<string, string> {
  const { masters, replicasPerMaster, hostTemplate, portBase, portStep } = input;
  if (!Number.isInteger(masters) || masters < 3 || masters > 1000) {
    throw new Error(
      `REDIS_MASTERS must be an integer from 3 to 1000 (a Redis Cluster needs at least 3 masters), got '${masters}'`,
    );
  }
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0 || replicasPerMaster > 5) {
    throw new Error(`REDIS_REPLICAS_PER_MASTER must be an integer from 0 to 5, got '${replicasPerMaster}'`);
  }
  const label = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
  const hostPattern = new RegExp(`^${label}(?:\\.${label})*$`);
  if (hostTemplate.length > 253 || !hostPattern.test(hostTemplate.split("{i}").join("0"))) {
    throw new Error(
      "REDIS_HOST_TEMPLATE must be a host name (letters, digits, '-' and '.') with {i} for the pod ordinal, " +
        `e.g. gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local, got '${hostTemplate}'`,
    );
  }
  if (!Number.isInteger(portBase) || portBase < 1 || portBase > 65535) {
    throw new Error(`REDIS_PORT_BASE must be a port number from 1 to 65535, got '${portBase}'`);
  }
  if (!Number.isInteger(portStep) || portStep < 0 || portStep > 1000) {
    throw new Error(
      `REDIS_PORT_STEP must be an integer from 0 to 1000 (0: every pod listens on REDIS_PORT_BASE), got '${portStep}'`,
    );
  }
  if (portStep === 0 && !hostTemplate.includes("{i}")) {
    throw new Error(
      "REDIS_HOST_TEMPLATE must contain {i} when REDIS_PORT_STEP is 0 (every pod listens on the same port), " +
        `got '${hostTemplate}'`,
    );
  }
  const nodes = masters * (1 + replicasPerMaster);
  if (portBase + (nodes - 1) * portStep > 65535) {
    throw new Error(`REDIS_PORT_BASE + (N - 1) x REDIS_PORT_STEP exceeds 65535 (N = ${nodes} nodes)`);
  }
  return {
    REDIS_MASTERS: String(masters),
    REDIS_REPLICAS_PER_MASTER: String(replicasPerMaster),
    REDIS_HOST_TEMPLATE: hostTemplate,
    REDIS_PORT_BASE: String(portBase),
    REDIS_PORT_STEP: String(portStep),
  };
}
