/**
 * scripts/apps/monitor/config.ts: the config file the stack generates is accepted as is; defaults; every problem named
 * by its path with what is allowed, and never with the rejected value; secrets from the variables the config names.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError, loadConfig, parseConfig, resolveSecrets } from "../../scripts/apps/monitor/config";

/** Exactly the shape the infrastructure side writes. */
const generated = {
  environment: "prod",
  endpointsDir: "/etc/gamedb/endpoints",
  intervalSeconds: 10,
  failureThreshold: 3,
  checkTimeoutSeconds: 3,
  concurrency: 64,
  thresholds: { cpuPercent: 80, bufferPoolPercent: 85, lagSeconds: 5 },
  mysql: { user: "gamedb_monitor", passwordEnv: "GAMEDB_MONITOR_PASSWORD" },
  redis: { passwordEnv: "GAMEDB_REDIS_PASSWORD", tls: false },
  sinks: {
    sns: { topicArn: "arn:aws:sns:ap-northeast-2:123456789012:gamedb-prod-alerts", region: "ap-northeast-2" },
    webhook: { urlEnv: "GAMEDB_ALERT_WEBHOOK_URL" },
  },
  listen: { port: 9464 },
};

function problems(doc: unknown): string[] {
  try {
    parseConfig(JSON.stringify(doc), "test.json");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("monitor config", () => {
  it("accepts the generated JSON exactly as written", () => {
    expect(parseConfig(JSON.stringify(generated, null, 2), "monitor.json")).toEqual(generated);
  });

  it("reads YAML too, and fills the defaults", () => {
    const dir = mkdtempSync(join(tmpdir(), "gamedb-monitor-config-"));
    const file = join(dir, "monitor.yaml");
    writeFileSync(file, stringify({ environment: "dev", endpointsDir: "/e", mysql: { passwordEnv: "PW" } }));
    expect(loadConfig(file)).toEqual({
      environment: "dev",
      endpointsDir: "/e",
      intervalSeconds: 10,
      failureThreshold: 3,
      checkTimeoutSeconds: 3,
      concurrency: 64,
      thresholds: { cpuPercent: 80, bufferPoolPercent: 85, lagSeconds: 5 },
      mysql: { user: "gamedb_monitor", passwordEnv: "PW" },
      redis: { tls: false },
      sinks: {},
      listen: { port: 9464 },
    });
  });

  it("names every problem by its path, with what is allowed", () => {
    expect(
      problems({
        ...generated,
        intervalSeconds: 0,
        concurrency: 2.5,
        thresholds: { cpuPercent: 120, bufferPoolPercent: 85, lagSeconds: -1 },
        mysql: { user: "gamedb_monitor" },
        redis: { tls: "yes" },
        sinks: { sns: { topicArn: "gamedb-alerts", region: "Seoul" } },
        listen: { port: 9464, host: "0.0.0.0" },
        extra: 1,
      }),
    ).toEqual([
      "intervalSeconds: must be a whole number of seconds from 1 to 300",
      "concurrency: must be a whole number of checks from 1 to 1024",
      "thresholds.cpuPercent: must be a percentage from 1 to 100",
      "thresholds.lagSeconds: must be a number of seconds from 0 to 3600",
      "mysql.passwordEnv: required",
      "redis.tls: must be true or false",
      "sinks.sns.topicArn: must be a standard SNS topic ARN such as arn:aws:sns:ap-northeast-2:123456789012:gamedb-prod-alerts",
      "sinks.sns.region: must be an AWS region such as ap-northeast-2",
      "listen.host: unknown key; allowed keys here: port",
      "extra: unknown key; allowed keys here: environment, endpointsDir, intervalSeconds, failureThreshold, " +
        "checkTimeoutSeconds, concurrency, thresholds, mysql, redis, sinks, listen",
    ]);
  });

  it("wants the check timeout shorter than the interval", () => {
    expect(problems({ ...generated, intervalSeconds: 5, checkTimeoutSeconds: 5 })).toEqual([
      "checkTimeoutSeconds: 5 must be shorter than intervalSeconds (5), or a slow member would delay the next cycle",
    ]);
  });

  it("never echoes a secret pasted where a variable name belongs", () => {
    const url = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX";
    const found = problems({ ...generated, sinks: { webhook: { urlEnv: url } } });
    expect(found).toEqual([
      "sinks.webhook.urlEnv: must be the name of an environment variable (letters, digits and _), not the secret itself",
    ]);
    expect(found.join("\n")).not.toContain("hooks.slack.com");
  });

  it("reports a file that is not JSON or YAML, or is missing", () => {
    expect(() => parseConfig("{ environment: [", "x.json")).toThrow(/x\.json.*\n.*not valid JSON or YAML/);
    expect(() => loadConfig("/nonexistent/monitor.json")).toThrow(/cannot read the file: ENOENT/);
  });
});

describe("resolveSecrets", () => {
  const config = parseConfig(JSON.stringify(generated), "monitor.json");

  it("reads each secret from the variable the config names", () => {
    expect(
      resolveSecrets(config, {
        GAMEDB_MONITOR_PASSWORD: "m-pw",
        GAMEDB_REDIS_PASSWORD: "r-pw",
        GAMEDB_ALERT_WEBHOOK_URL: "https://hooks.example.com/x",
      }),
    ).toEqual({ mysqlPassword: "m-pw", redisPassword: "r-pw", webhookUrl: "https://hooks.example.com/x" });
  });

  it("names every missing variable in one error", () => {
    try {
      resolveSecrets(config, { GAMEDB_REDIS_PASSWORD: "r-pw", GAMEDB_ALERT_WEBHOOK_URL: "" }, "monitor.json");
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        "mysql.passwordEnv: environment variable GAMEDB_MONITOR_PASSWORD is not set (or empty)",
        "sinks.webhook.urlEnv: environment variable GAMEDB_ALERT_WEBHOOK_URL is not set (or empty)",
      ]);
    }
  });

  it("rejects a webhook variable that holds no URL, without printing it", () => {
    const env = { GAMEDB_MONITOR_PASSWORD: "m", GAMEDB_REDIS_PASSWORD: "r", GAMEDB_ALERT_WEBHOOK_URL: "s3cr3t-token" };
    expect(() => resolveSecrets(config, env)).toThrow("GAMEDB_ALERT_WEBHOOK_URL does not hold an http(s) URL");
    expect(() => resolveSecrets(config, env)).not.toThrow(/s3cr3t-token/);
  });
});
