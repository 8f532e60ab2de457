/**
 * Redis TLS (redis.tls) for real: a 3+3 Redis Cluster of redis-server processes speaking only TLS (port 0,
 * tls-port, tls-cluster, tls-replication, tls-auth-clients no: as infra/redis/tls.ts configures the pods), every
 * node announcing the host name `localhost`, which the test certificate (from a test CA made with openssl) names.
 * Every client of Redis connects and verifies: the controller creates the cluster (its Connections, and the
 * replicas' links prove tls-replication), the monitoring worker's checks read it, the game-server client's options
 * drive an ioredis Cluster across MOVED redirects. A client with another CA, or one dialling a name the certificate
 * does not hold, or plain TCP, is refused.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import Redis, { Cluster } from "ioredis";
import { controllerEnv, TLS_CA_FILE_ENV } from "../../infra/contracts/redisController";
import { parseDocument, redisSchema } from "../../infra/contracts/endpoints";
import { main } from "../../scripts/apps/redis-controller/main";
import { RedisChecker } from "../../scripts/apps/monitor/redisCheck";
import { readRedisEndpoints, redisClusterConnection } from "../../client/src/redis";
import { createRedisFleet, type RedisFleet } from "../helpers/redisFleet";
import { createServerCert, createTestCa, type TestCa } from "../helpers/testCertificates";

const password = `pw-${randomBytes(12).toString("hex")}`;
let fleet: RedisFleet | undefined;
let ca: TestCa;
let wrongCa: TestCa;

function theFleet(): RedisFleet {
  if (fleet === undefined) throw new Error("the fleet did not start");
  return fleet;
}

/** One controller run; a refused one gives up after `waitSeconds` (the nodes never answer it). */
async function controller(caFile: string | undefined, host = "localhost", waitSeconds = 20) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    REDISCLI_AUTH: password,
    ...controllerEnv({
      masters: 3,
      replicasPerMaster: 1,
      hostTemplate: host,
      portBase: theFleet().portBase,
      portStep: 1,
      probe: 2,
      waitSeconds,
    }),
    ...(caFile ? { [TLS_CA_FILE_ENV]: caFile } : {}),
  };
  let out = "";
  const code = await main(["reconcile"], { env, out: (l) => (out += `${l}\n`), err: (l) => (out += `${l}\n`) });
  expect(out).not.toContain(password);
  return { code, out };
}

beforeAll(async () => {
  ca = createTestCa("gamedb-test-ca");
  wrongCa = createTestCa("someone-elses-ca");
  const server = createServerCert(ca, "redis", ["localhost"]);
  fleet = await createRedisFleet({ capacity: 8, password, tls: { ...server, caFile: ca.caFile } });
  await Promise.all([0, 1, 2, 3, 4, 5].map((i) => theFleet().start(i)));
}, 60_000);

afterAll(async () => {
  await fleet?.stopAll();
  for (const c of [ca, wrongCa]) if (c) fs.rmSync(c.dir, { recursive: true, force: true });
});

describe("Redis Cluster over TLS, verified against the stack's CA", () => {
  it("the controller refuses to go on with another CA, a name the certificate lacks, or plain TCP", async () => {
    const other = await controller(wrongCa.caFile, "localhost", 2);
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/self[- ]signed certificate in certificate chain|unable to verify|certificate/i);
    const byIp = await controller(ca.caFile, "127.0.0.1", 2);
    expect(byIp.code).toBe(1);
    expect(byIp.out).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list|does not match certificate's altnames/);
    const plain = await controller(undefined, "localhost", 2);
    expect(plain.code).toBe(1);
    // Nothing was changed by any of them: no node knows another yet.
    expect(await theFleet().cli(0, ["CLUSTER", "INFO"])).toMatch(/cluster_known_nodes:1\b/);
  }, 120_000);

  it("the controller creates the cluster over TLS; replicas' links are up (tls-replication)", async () => {
    const run = await controller(ca.caFile);
    expect(run.out).toContain("redis-controller:");
    expect(run.code).toBe(0);
    const info = await theFleet().cli(0, ["CLUSTER", "INFO"]);
    expect(info).toMatch(/cluster_state:ok/);
    expect(info).toMatch(/cluster_known_nodes:6\b/);
    // Every node is announced by the name the certificate holds.
    const nodes = await theFleet().cli(0, ["CLUSTER", "NODES"]);
    expect(
      nodes
        .trim()
        .split("\n")
        .every((l) => l.split(" ")[1]!.endsWith(",localhost")),
    ).toBe(true);
    const again = await controller(ca.caFile);
    expect(again.code).toBe(0);
  }, 120_000);

  it("the monitoring worker's checks verify with the CA from redis.json, and are refused with another", async () => {
    const seeds = [{ host: "localhost", port: theFleet().port(0) }];
    const checker = new RedisChecker({ password, tls: false, timeoutMs: 3000 });
    try {
      checker.trust({ ca: ca.caPem });
      const found = await checker.discover(seeds);
      if (!found.ok) throw new Error(found.error);
      expect(found.value).toHaveLength(6);
      expect(new Set(found.value.map((n) => n.host))).toEqual(new Set(["localhost"]));
      for (const node of found.value) {
        const seen = await checker.check(node);
        if (!seen.ok) throw new Error(seen.error);
        expect(seen.value.cluster.state).toBe("ok");
        if (seen.value.replication.role === "slave") expect(seen.value.replication.masterLinkStatus).toBe("up");
      }
      // A rotation to a CA that did not sign the certificates: the kept connections are dropped and refused.
      checker.trust({ ca: wrongCa.caPem });
      const refused = await checker.discover(seeds);
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.error).toMatch(/certificate/i);
      // redis.json without TLS: plain TCP on a TLS-only port fails too.
      checker.trust(undefined);
      expect((await checker.discover(seeds)).ok).toBe(false);
    } finally {
      checker.close();
    }
  }, 60_000);

  it("the game-server client's options connect a cluster client through redirects; another CA is refused", async () => {
    const dir = fs.mkdtempSync(path.join(ca.dir, "endpoints-"));
    const doc = { engine: "kubernetes", seeds: [`localhost:${theFleet().port(0)}`], tls: { ca: ca.caPem } };
    fs.writeFileSync(
      path.join(dir, "redis.json"),
      JSON.stringify(parseDocument(redisSchema, "redis.json", JSON.stringify(doc))),
    );
    const good = redisClusterConnection(readRedisEndpoints(dir), password);
    // No periodic slot refresh: a refresh in flight at disconnect re-arms its timer (ioredis 6.0.0
    // built/cluster/index.js resetNodesRefreshInterval) and keeps the test process alive.
    const cluster = new Cluster(good.startupNodes, {
      ...good.options,
      clusterRetryStrategy: () => null,
      slotsRefreshInterval: 0,
    });
    try {
      for (let i = 0; i < 200; i++) await cluster.set(`player:${i}`, String(i));
      for (let i = 0; i < 200; i += 37) expect(await cluster.get(`player:${i}`)).toBe(String(i));
      // The keys landed on all three masters: the client followed MOVED to the announced names, over TLS.
      const masters = cluster.nodes("master");
      expect(masters).toHaveLength(3);
      const sizes = await Promise.all(masters.map((m) => m.dbsize()));
      expect(sizes.every((n) => n > 0)).toBe(true);
    } finally {
      await cluster.quit();
    }

    const bad = redisClusterConnection({ ...readRedisEndpoints(dir), tls: { ca: wrongCa.caPem } }, password);
    const refused = new Cluster(bad.startupNodes, {
      ...bad.options,
      clusterRetryStrategy: () => null,
      lazyConnect: true,
    });
    refused.on("error", () => undefined);
    try {
      await expect(refused.connect()).rejects.toThrow();
    } finally {
      refused.disconnect();
    }
    // Why (the cluster client says only that the connection closed): the same options on one node.
    const seed = bad.startupNodes[0]!;
    const one = new Redis({ ...seed, ...bad.options.redisOptions, lazyConnect: true, retryStrategy: () => null });
    let why = "";
    one.on("error", (e: Error) => (why ||= e.message));
    try {
      await expect(one.connect()).rejects.toThrow();
      expect(why).toMatch(/self[- ]signed certificate in certificate chain/);
    } finally {
      one.disconnect();
    }
  }, 60_000);
});
