/**
 * redis.tls's pure parts and bad inputs: redis.conf's listener lines and the certificate's names, redis.json's tls
 * (schema, the worker's reader, the client's options), the controller's REDIS_TLS_CA_FILE, and the worker's
 * trust switch. The real TLS cluster is tests/integration/redis-tls.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listenerConf, redisCertificateNames } from "../../infra/redis/tls";
import { parseDocument, redisSchema } from "../../infra/contracts/endpoints";
import { controllerEnv } from "../../infra/contracts/redisController";
import { parseRedis } from "../../scripts/apps/monitor/targets";
import { RedisChecker } from "../../scripts/apps/monitor/redisCheck";
import { main } from "../../scripts/apps/redis-controller/main";
import { readRedisEndpoints, redisClusterConnection } from "../../client/src/redis";
import { EndpointsError } from "../../client/src/errors";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const SEEDS = ["gamedb-redis-0.gamedb-redis-headless.gamedb.svc.cluster.local:6379"];

describe("redis.conf and the certificate (infra/redis/tls.ts)", () => {
  it("keeps the plain listener as it was when off; TLS only, on the same port, when on", () => {
    expect(listenerConf(6379, false)).toEqual(["port 6379"]);
    expect(listenerConf(6379, true).slice(0, 2)).toEqual(["port 0", "tls-port 6379"]);
  });

  it("names every pod by its announced name (one label wildcard) and the headless Service", () => {
    expect(redisCertificateNames("gamedb-redis-headless", "games")).toEqual({
      commonName: "gamedb-redis-headless.games.svc.cluster.local",
      dnsNames: ["*.gamedb-redis-headless.games.svc.cluster.local", "gamedb-redis-headless.games.svc.cluster.local"],
    });
  });
});

describe("redis.json's tls", () => {
  it("accepts a PEM CA and refuses anything else, naming the field", () => {
    const text = (tls: unknown) => JSON.stringify({ engine: "kubernetes", seeds: SEEDS, tls });
    expect(parseDocument(redisSchema, "redis.json", text({ ca: PEM })).tls).toEqual({ ca: PEM });
    expect(() => parseDocument(redisSchema, "redis.json", text({ ca: "not a certificate" }))).toThrow(
      "redis.json: tls.ca: must be a PEM certificate",
    );
    expect(() => parseDocument(redisSchema, "redis.json", text({}))).toThrow("redis.json: tls.ca:");
  });

  it("reaches the worker's target as it is, and is absent without TLS", () => {
    const target = parseRedis(JSON.stringify({ engine: "kubernetes", seeds: SEEDS, tls: { ca: PEM } }));
    expect(target.tls).toEqual({ ca: PEM });
    expect(parseRedis(JSON.stringify({ engine: "kubernetes", seeds: SEEDS }))).not.toHaveProperty("tls");
  });

  it("gives the client's cluster options: the CA with TLS, TLS without one on ElastiCache, none otherwise", () => {
    const withTls = redisClusterConnection({ engine: "kubernetes", seeds: SEEDS, tls: { ca: PEM } }, "pw");
    expect(withTls.startupNodes).toEqual([
      { host: "gamedb-redis-0.gamedb-redis-headless.gamedb.svc.cluster.local", port: 6379 },
    ]);
    expect(withTls.options.redisOptions).toEqual({ password: "pw", tls: { ca: PEM } });
    // The seeds keep their names: the certificate names them, not their addresses.
    const looked: string[] = [];
    withTls.options.dnsLookup("gamedb-redis-0.x", (err, address) => looked.push(`${err}:${address}`));
    expect(looked).toEqual(["null:gamedb-redis-0.x"]);
    const elasticache = redisClusterConnection({ engine: "elasticache", seeds: ["c.cache.amazonaws.com:6379"] });
    expect(elasticache.options.redisOptions).toEqual({ tls: {} });
    expect(redisClusterConnection({ engine: "kubernetes", seeds: SEEDS }).options.redisOptions).toEqual({});
  });

  it("the client reads redis.json from the mounted directory; a bad one is an EndpointsError naming the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-redis-json-"));
    try {
      fs.writeFileSync(path.join(dir, "redis.json"), JSON.stringify({ engine: "kubernetes", seeds: SEEDS }));
      expect(readRedisEndpoints(dir)).toEqual({ engine: "kubernetes", seeds: SEEDS });
      fs.writeFileSync(path.join(dir, "redis.json"), JSON.stringify({ engine: "kubernetes", seeds: [] }));
      expect(() => readRedisEndpoints(dir)).toThrow(EndpointsError);
      expect(() => readRedisEndpoints(dir)).toThrow(`endpoints: ${path.join(dir, "redis.json")}: seeds:`);
      expect(() => readRedisEndpoints(path.join(dir, "absent.json"))).toThrow(/endpoints: cannot read .*absent\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the controller's REDIS_TLS_CA_FILE", () => {
  const env = (caFile: string) => ({
    ...controllerEnv({ masters: 3, replicasPerMaster: 0, hostTemplate: "h{i}", portBase: 6379, portStep: 0 }),
    REDIS_TLS_CA_FILE: caFile,
  });
  async function run(caFile: string) {
    const lines: string[] = [];
    const code = await main(["reconcile"], { env: env(caFile), out: (l) => lines.push(l), err: (l) => lines.push(l) });
    return { code, lines };
  }

  it("refuses a file it cannot read or that holds no certificate (exit 2, before touching a node)", async () => {
    const missing = await run("/nonexistent/ca.crt");
    expect(missing.code).toBe(2);
    expect(missing.lines).toEqual([expect.stringMatching(/^redis-controller: ERROR: REDIS_TLS_CA_FILE: cannot read/)]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gamedb-ca-"));
    try {
      fs.writeFileSync(path.join(dir, "ca.crt"), "hello");
      const notPem = await run(path.join(dir, "ca.crt"));
      expect(notPem.code).toBe(2);
      expect(notPem.lines).toEqual([
        `redis-controller: ERROR: REDIS_TLS_CA_FILE: ${dir}/ca.crt holds no PEM certificate`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the worker's trust in redis.json's CA", () => {
  it("drops its connections only when the CA changes", () => {
    const checker = new RedisChecker({ tls: false, timeoutMs: 1000 });
    const close = jest.spyOn(checker, "close");
    checker.trust(undefined);
    expect(close).not.toHaveBeenCalled();
    checker.trust({ ca: PEM });
    checker.trust({ ca: PEM });
    expect(close).toHaveBeenCalledTimes(1);
    checker.trust(undefined);
    expect(close).toHaveBeenCalledTimes(2);
  });
});
