/**
 * GDB-REDIS-001 (prod: Redis on Kubernetes speaks only TLS) and GDB-REDIS-002 (ElastiCache encrypts in transit;
 * checkov CKV_AWS_30, FSBP ElastiCache.5): the redis.conf reader, the shipped stacks, dev allowed off, ElastiCache.
 */
import { RULES } from "../../policy/rules";
import { redisDirectives, redisTlsProblems } from "../../policy/rules/redis";
import { checkPlanDocument } from "../../scripts/lib/policyPlan";
import { redisConf } from "../../infra/redis/cluster";
import { copyOf, res, resource, shippedPlan } from "./fixtures";

const IDS = ["GDB-REDIS-001", "GDB-REDIS-002"];
const violationsOf = (doc: Parameters<typeof checkPlanDocument>[0]) =>
  checkPlanDocument(doc).violations.filter((v) => IDS.includes(v.ruleId));

describe("Redis rules", () => {
  it("are registered with their checkov and FSBP ids (none covers Redis on Kubernetes)", () => {
    expect(RULES.filter((r) => IDS.includes(r.id)).map((r) => [r.id, r.checkov, r.fsbp])).toEqual([
      ["GDB-REDIS-001", [], []],
      ["GDB-REDIS-002", ["CKV_AWS_30"], ["ElastiCache.5"]],
    ]);
  });

  it("read redis.conf as Redis does: comments skipped, the last line of a directive wins", () => {
    expect(redisDirectives("# port 1\nport 6379\n  tls-port 6380 \nport 0\n")).toEqual(
      new Map([
        ["port", "0"],
        ["tls-port", "6380"],
      ]),
    );
  });

  it("accept the redis.conf gamedb writes with TLS, and say everything the plain one lacks", () => {
    expect(redisTlsProblems(redisConf(5000, true))).toEqual([]);
    expect(redisTlsProblems(redisConf(5000, false))).toEqual([
      "plain port 6379 listens: set port 0",
      "no tls-port",
      "tls-cluster is not yes: nodes talk to each other in plain text",
      "tls-replication is not yes: nodes talk to each other in plain text",
      "tls-cert-file is not set",
      "tls-key-file is not set",
      "tls-ca-cert-file is not set",
    ]);
    // No port line at all: Redis listens on 6379 in plain text.
    expect(redisTlsProblems("tls-port 6379\n")[0]).toBe("plain port 6379 (the default) listens: set port 0");
  });

  it.each(["dev", "prod"] as const)("pass on the shipped %s stack", async (stack) => {
    expect(violationsOf(await shippedPlan(stack))).toEqual([]);
  });

  it("allow dev without TLS (its default), and fail the same plan as prod", async () => {
    const dev = copyOf(await shippedPlan("dev"));
    const conf = res(dev, "kubernetes:core/v1:ConfigMap", "gamedb-redis-config");
    expect((conf.inputs.data as Record<string, string>)["redis.conf"]).toContain("port 6379\n");
    expect(violationsOf(dev)).toEqual([]);
    dev.topology.environment = "prod";
    const found = violationsOf(dev);
    expect(found.map((v) => [v.ruleId, v.urn])).toEqual(Array(7).fill(["GDB-REDIS-001", conf.urn]));
    expect(found[0]!.reason).toBe("redis.conf: plain port 6379 listens: set port 0 (set gamedb:redis tls: true)");
  });

  it("ElastiCache: encrypted in transit passes, in every environment; off or unset fails", async () => {
    const doc = copyOf(await shippedPlan("dev"));
    const on = resource(doc, "aws:elasticache/replicationGroup:ReplicationGroup", "on", {
      transitEncryptionEnabled: true,
    });
    const unset = resource(doc, "aws:elasticache/replicationGroup:ReplicationGroup", "unset", {});
    const found = violationsOf(doc);
    expect(found.filter((v) => v.urn === on.urn)).toEqual([]);
    expect(found.filter((v) => v.urn === unset.urn).map((v) => v.reason)).toEqual([
      "transitEncryptionEnabled is not true",
    ]);
  });
});
