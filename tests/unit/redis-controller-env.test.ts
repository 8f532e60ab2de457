/**
 * The Redis controller's inputs (infra/contracts/redisController.ts): what the Jobs get (the writer) is what the
 * controller reads (the reader), and every bad value is refused with a message naming its variable and the
 * allowed values, all problems at once.
 */
import { ControllerInputError, controllerEnv, parseControllerEnv } from "../../infra/contracts/redisController";

const K8S = {
  masters: 3,
  replicasPerMaster: 1,
  hostTemplate: "gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local",
  portBase: 6379,
  portStep: 0,
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseControllerEnv(env);
  } catch (e) {
    if (e instanceof ControllerInputError) return e.problems;
    throw e;
  }
  throw new Error("accepted");
}

describe("the controller's environment", () => {
  it("round-trips: what the Job gets parses to the same topology, with the defaults filled in", () => {
    const env = controllerEnv(K8S);
    expect(env).toEqual({
      REDIS_MASTERS: "3",
      REDIS_REPLICAS_PER_MASTER: "1",
      REDIS_HOST_TEMPLATE: "gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local",
      REDIS_PORT_BASE: "6379",
      REDIS_PORT_STEP: "0",
    });
    expect(parseControllerEnv(env)).toEqual({ ...K8S, probe: 64, waitSeconds: 300 });
    expect(parseControllerEnv({ ...env, REDIS_MAX_ORDINAL_PROBE: "", REDIS_WAIT_SECONDS: "20" })).toEqual({
      ...K8S,
      probe: 64,
      waitSeconds: 20,
    });
    expect(controllerEnv({ ...K8S, probe: 4, waitSeconds: 60 })).toMatchObject({
      REDIS_MAX_ORDINAL_PROBE: "4",
      REDIS_WAIT_SECONDS: "60",
    });
  });

  it("names each bad variable and what it allows, every problem at once", () => {
    expect(problems({})).toEqual([
      "REDIS_MASTERS must be an integer from 3 to 1000 (a Redis Cluster needs at least 3 masters), got ''",
      "REDIS_REPLICAS_PER_MASTER must be an integer from 0 to 5, got ''",
      "REDIS_HOST_TEMPLATE must be a host name (letters, digits, '-' and '.') with {i} for the pod ordinal, e.g. gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local, got ''",
      "REDIS_PORT_BASE must be a port number from 1 to 65535, got ''",
      "REDIS_PORT_STEP must be an integer from 0 to 1000 (0: every pod listens on REDIS_PORT_BASE), got ''",
    ]);
    const env = controllerEnv(K8S);
    expect(problems({ ...env, REDIS_MASTERS: "-3", REDIS_MAX_ORDINAL_PROBE: "0", REDIS_WAIT_SECONDS: "1e3" })).toEqual([
      "REDIS_MASTERS must be an integer from 3 to 1000 (a Redis Cluster needs at least 3 masters), got '-3'",
      "REDIS_MAX_ORDINAL_PROBE must be an integer from 1 to 1000, got '0'",
      "REDIS_WAIT_SECONDS must be an integer from 1 to 86400, got '1e3'",
    ]);
    expect(problems({ ...env, REDIS_HOST_TEMPLATE: "127.0.0.1" })).toEqual([
      "REDIS_HOST_TEMPLATE must contain {i} when REDIS_PORT_STEP is 0 (every pod listens on the same port), got '127.0.0.1'",
    ]);
    expect(problems({ ...env, REDIS_PORT_BASE: "65000", REDIS_PORT_STEP: "1000", REDIS_MASTERS: "3" })).toEqual([
      "REDIS_PORT_BASE + (N - 1) x REDIS_PORT_STEP exceeds 65535 (N = 6 nodes)",
    ]);
  });

  it("the writer refuses what the reader would, before any Job is declared", () => {
    expect(() => controllerEnv({ ...K8S, masters: 2 })).toThrow(
      "REDIS_MASTERS must be an integer from 3 to 1000 (a Redis Cluster needs at least 3 masters), got '2'",
    );
    expect(() => controllerEnv({ ...K8S, hostTemplate: "gamedb redis/{i}" })).toThrow(
      "REDIS_HOST_TEMPLATE must be a host name (letters, digits, '-' and '.') with {i} for the pod ordinal",
    );
    expect(() => controllerEnv({ ...K8S, replicasPerMaster: 1.5 })).toThrow(
      "REDIS_REPLICAS_PER_MASTER must be an integer from 0 to 5, got '1.5'",
    );
  });
});
