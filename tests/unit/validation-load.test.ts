/**
 * Config validation over several sections at once (the cross-key rules run over the sections that parsed), and
 * loadStackConfig (infra/plan/load.ts): the flat Pulumi config map, non-JSON values and the ConfigError it throws.
 */
import { formatProblem } from "../../infra/config/errors";
import { loadStackConfig } from "../../infra/plan/load";
import { validDev, validProd } from "../helpers/configs";
import { configErrorOf, configMap, EVERY_SLOT, problemsOf, WHOLE_INTERNET } from "../helpers/validation";

describe("every problem at once", () => {
  it("runs the cross-key rules over the sections that parsed", () => {
    const raw = validDev();
    raw.mysql.version = "8.0.36"; // schema error: the mysql section does not parse
    raw.shards[1].slots = ["9000-16383"]; // slot gap
    raw.network.cidr = "10.40.0.0/24"; // cidr prefix
    raw.ssh = { adminCidrs: ["0.0.0.0/0"] }; // open CIDR
    raw.replicas = 2; // unknown top-level key
    expect(problemsOf(raw, "dev")).toEqual([
      "gamedb:replicas: unknown key; the gamedb namespace has environment, aws, network, hosts, mysql, shards, router, redis, backup, monitoring, kubernetes, tls, schema, slotMoves, ssh",
      'gamedb:mysql.version: "8.0.36" must be a MySQL 8.4 LTS release with a server, MySQL Shell and MySQL Router: 8.4.0, 8.4.1, 8.4.3, 8.4.4, 8.4.5, 8.4.6, 8.4.7, 8.4.8, 8.4.9, 8.4.10',
      'gamedb:network.cidr: "10.40.0.0/24" has prefix /24; use /16 to /20 (subnets are carved 4 and 8 bits smaller)',
      `gamedb:shards: slots 8192-8999 are owned by no active shard; ${EVERY_SLOT}`,
      `gamedb:ssh.adminCidrs[0]: "0.0.0.0/0" ${WHOLE_INTERNET}`,
    ]);
  });

  it("runs the prod rules whose sections parsed when mysql does not", () => {
    const raw = validProd();
    raw.mysql.dataVolume.type = "io1"; // schema error in mysql: dataVolume, instanceTypes and placement rules skip
    raw.shards[0].nodes = 4; // node count
    raw.shards[1].name = "alpha"; // duplicate name
    raw.router.replicas = 1; // high availability
    raw.backup.retentionDays = 3; // backup window
    raw.monitoring = { ...raw.monitoring, checkTimeoutSeconds: 20, intervalSeconds: 15 }; // monitoring
    expect(problemsOf(raw, "prod")).toEqual([
      'gamedb:mysql.dataVolume.type: "io1" is not allowed; use one of "gp3", "io2"',
      'gamedb:shards[1].name: "alpha" is already the name of gamedb:shards[0]; names are unique',
      "gamedb:shards[0].nodes: 4 is even; use an odd count from 3 to 9 (prod)",
      "gamedb:router.replicas: 1: prod needs at least 2 so a router pod's loss does not cut a shard off",
      "gamedb:backup.retentionDays: 3 days cannot serve a 168 h point-in-time window; keep at least 8 days",
      "gamedb:monitoring.checkTimeoutSeconds: 20 must be shorter than intervalSeconds (15)",
    ]);
  });

  it("reports schema errors in several sections and the rules of the rest", () => {
    const raw = validProd();
    raw.shards[0].name = "Alpha"; // shards does not parse: slot, node and placement rules skip
    raw.shards[1].slots = []; // would be a slot problem, but shards did not parse
    raw.redis.masters = 2; // redis does not parse: the high-availability rule skips
    raw.aws.availabilityZones = ["eu-west-1a", "eu-west-1a", "eu-west-1c"]; // zones rule still runs
    raw.mysql.dataVolume.iops = 20000; // data volume rule still runs
    expect(problemsOf(raw, "prod")).toEqual([
      `gamedb:shards[0].name: "Alpha" must be DNS-safe: 1-32 characters of a-z, 0-9 and '-', starting with a letter, not ending with '-'`,
      "gamedb:redis.masters: 2 is out of range; use at least 3",
      'gamedb:aws.availabilityZones[1]: "eu-west-1a" is listed twice',
      "gamedb:mysql.dataVolume.iops: 20000 is outside gp3's 3000 to 16000",
    ]);
  });
});

describe("loadStackConfig", () => {
  it("reads a flat Pulumi config map and ignores other namespaces", () => {
    const config = { ...configMap(validProd()), "aws:region": "us-east-1", "gamedb:environment": "prod" };
    const t = loadStackConfig(config, "prod");
    expect(t.environment).toBe("prod");
    expect(t.aws.region).toBe("eu-west-1");
    expect(t.shards).toHaveLength(4);
  });

  it("throws a ConfigError that lists every problem, a non-JSON value with its path", () => {
    const raw = validProd();
    raw.shards[3].slots = ["12288-16000"];
    raw.ssh.adminCidrs = ["0.0.0.0/0"];
    const config = { ...configMap(raw), "gamedb:router": "replicas: 2", "gamedb:tsl": "{}" };
    const error = configErrorOf(() => loadStackConfig(config, "prod"));
    const expected = [
      'gamedb:router: "replicas: 2" is not a structured value; write it as YAML under config: in the stack file',
      "gamedb:tsl: unknown key; the gamedb namespace has environment, aws, network, hosts, mysql, shards, router, redis, backup, monitoring, kubernetes, tls, schema, slotMoves, ssh",
      `gamedb:shards: slots 16001-16383 are owned by no active shard; ${EVERY_SLOT}`,
      `gamedb:ssh.adminCidrs[0]: "0.0.0.0/0" ${WHOLE_INTERNET}`,
    ];
    expect(error.problems.map(formatProblem)).toEqual(expected);
    expect(error.message).toBe(`invalid gamedb config (4 problems):\n${expected.map((p) => `  - ${p}`).join("\n")}`);
  });

  it("reports a bad environment value as given", () => {
    const config = { ...configMap(validProd()), "gamedb:environment": "production" };
    const error = configErrorOf(() => loadStackConfig(config, "prod"));
    expect(error.problems).toEqual([
      { path: "gamedb:environment", message: '"production" is not allowed; use one of "dev", "prod"' },
    ]);
    expect(error.message).toBe(
      'invalid gamedb config (1 problem):\n  - gamedb:environment: "production" is not allowed; use one of "dev", "prod"',
    );
  });

  it("reports a non-JSON required section once, not also as missing", () => {
    // The unreadable key never reaches the schema; "is required" would mislead, since the operator did set it.
    const config = { ...configMap(validDev()), "gamedb:shards": "- id: 1\n  name: alpha" };
    const error = configErrorOf(() => loadStackConfig(config, "dev"));
    expect(error.problems.map(formatProblem)).toEqual([
      'gamedb:shards: "- id: 1\\n  name: alpha" is not a structured value; write it as YAML under config: in the stack file',
    ]);
  });
});
