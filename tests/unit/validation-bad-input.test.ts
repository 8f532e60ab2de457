/**
 * Bad input the property test of tests/plan/bad-stack-files.test.ts is about, each case pinned: a problem names the
 * key the operator wrote however odd it is, and a name a plain object inherits is no special case.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configPath, formatProblem } from "../../infra/config/errors";
import { loadStackConfig } from "../../infra/plan/load";
import { readStackConfig } from "../../scripts/lib/stackFile";
import { validDev, validProd } from "../helpers/configs";
import { configErrorOf, configMap, problemsOf } from "../helpers/validation";

const NAMESPACE_KEYS =
  "environment, aws, network, hosts, mysql, shards, router, redis, backup, monitoring, kubernetes, tls, schema, slotMoves, ssh";

describe("config paths of odd keys", () => {
  it("quotes a key that is empty or holds whitespace, quotes or brackets, escaping what does not print", () => {
    expect(configPath(["mysql", "a\nb"])).toBe('gamedb:mysql["a\\nb"]');
    expect(configPath([""])).toBe('gamedb:[""]');
    expect(configPath(["mysql", "overrides", "a b"])).toBe('gamedb:mysql.overrides["a b"]');
    expect(configPath(["redis", 'x"]'])).toBe('gamedb:redis["x\\"]"]');
    expect(configPath(["ssh", "\u202egp3"])).toBe('gamedb:ssh["\\u202egp3"]');
  });

  it("writes the keys of the namespace, zones, settings and label names as they are", () => {
    expect(configPath(["shards", 3, "nodes", 0, "az"])).toBe("gamedb:shards[3].nodes[0].az");
    expect(configPath(["network", "subnetIds", "eu-west-1a"])).toBe("gamedb:network.subnetIds.eu-west-1a");
    expect(configPath(["mysql", "overrides", "max_connections"])).toBe("gamedb:mysql.overrides.max_connections");
    expect(configPath(["monitoring", "prometheusLabels", "app.kubernetes.io/part-of"])).toBe(
      "gamedb:monitoring.prometheusLabels.app.kubernetes.io/part-of",
    );
  });

  it("names an empty top-level key and a multi-line nested one, each problem on its line", () => {
    const raw = validDev();
    raw.mysql["a\nb"] = 1;
    const error = configErrorOf(() => loadStackConfig({ ...configMap(raw), "gamedb:": "{}" }, "dev"));
    expect(error.problems.map(formatProblem)).toEqual([
      `gamedb:[""]: unknown key; the gamedb namespace has ${NAMESPACE_KEYS}`,
      'gamedb:mysql["a\\nb"]: unknown key; allowed keys here: version, instanceType, dataVolume, overrides, converge, passwordRotation',
    ]);
    expect(error.message.split("\n")).toHaveLength(3);
  });
});

describe("names a plain object inherits", () => {
  it("are settings that cannot be overridden in mysql.overrides, not settings with no allowed value", () => {
    const raw = validDev();
    raw.mysql.overrides = { constructor: 5, toString: "x", max_connections: 500 };
    expect(problemsOf(raw, "dev")).toEqual([
      expect.stringMatching(/^gamedb:mysql\.overrides\.constructor: cannot be overridden; overridable settings: /),
      expect.stringMatching(/^gamedb:mysql\.overrides\.toString: cannot be overridden; overridable settings: /),
    ]);
  });
});

describe("lists whose entries name resources", () => {
  it("report a network or node security group listed twice (two security group rules of one name)", () => {
    const raw = validProd();
    raw.ssh.adminCidrs = ["10.0.0.0/8", "10.0.0.0/8"];
    raw.kubernetes = {
      ...raw.kubernetes,
      nodeCidrs: ["10.1.0.0/16", "10.2.0.0/16", "10.1.0.0/16"],
      nodeSecurityGroupIds: ["sg-0123456789abcdef0", "sg-0123456789abcdef0"],
    };
    expect(problemsOf(raw, "prod")).toEqual([
      'gamedb:ssh.adminCidrs[1]: "10.0.0.0/8" is listed twice',
      'gamedb:kubernetes.nodeCidrs[2]: "10.1.0.0/16" is listed twice',
      'gamedb:kubernetes.nodeSecurityGroupIds[1]: "sg-0123456789abcdef0" is listed twice',
    ]);
  });
});

describe("slot ranges listed more than twice", () => {
  it("are one range in one problem, found at once (it took 5-10 s and listed 8000 overlapping pairs)", () => {
    const raw = validDev();
    raw.shards[1].slots = ["8192-16383", "8192-16383", "8192-16383"];
    const started = performance.now();
    expect(problemsOf(raw, "dev")).toEqual([
      "gamedb:shards: slots 8192-16383 are listed twice by shard 2; every slot 0-16383 must be owned by exactly one active shard",
    ]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("a key named __proto__", () => {
  it("is an unknown key of the namespace, not the prototype of the others (it switched dev to prod's rules)", () => {
    const config = { ...configMap(validDev()), "gamedb:__proto__": '{"environment":"prod"}' };
    const error = configErrorOf(() => loadStackConfig(config, "dev"));
    expect(error.problems.map(formatProblem)).toEqual([
      `gamedb:__proto__: unknown key; the gamedb namespace has ${NAMESPACE_KEYS}`,
    ]);
  });

  it("is kept from a stack file, namespaced like any bare key", () => {
    const dir = mkdtempSync(join(tmpdir(), "gamedb-proto-"));
    writeFileSync(join(dir, "Pulumi.yaml"), "name: gamedb\nruntime: nodejs\n");
    writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  __proto__:\n    environment: prod\n");
    expect(readStackConfig(join(dir, "Pulumi.dev.yaml")).config).toEqual({
      "gamedb:__proto__": '{"environment":"prod"}',
    });
  });
});
