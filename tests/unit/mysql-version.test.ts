/**
 * `mysql.version` pins the server, MySQL Shell and the Router image together: it takes only the 8.4 releases of
 * infra/catalog/mysqlReleases.ts (all three published), names them when it refuses one, and the default and the
 * stacks' Pulumi.<stack>.yaml values are among them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { formatProblem } from "../../infra/config/errors";
import { parseStackConfig } from "../../infra/plan/load";
import { MYSQL_84_RELEASES } from "../../infra/catalog/mysqlReleases";
import { type RawConfig, validDev, validProd } from "../helpers/configs";

const ALLOWED = "8.4.0, 8.4.1, 8.4.3, 8.4.4, 8.4.5, 8.4.6, 8.4.7, 8.4.8, 8.4.9, 8.4.10";
const refused = (value: string) =>
  `gamedb:mysql.version: ${JSON.stringify(value)} must be a MySQL 8.4 LTS release with a server, MySQL Shell and ` +
  `MySQL Router: ${ALLOWED}`;

function problemsOf(raw: RawConfig, stack: string): string[] {
  const result = parseStackConfig(raw, stack);
  return result.ok ? [] : result.problems.map(formatProblem);
}

function withVersion(version: unknown): RawConfig {
  const raw = validProd();
  raw.mysql.version = version;
  return raw;
}

describe("mysql.version", () => {
  it("refuses 8.4.2 (a server and a router, but no MySQL Shell 8.4.2), naming the releases it accepts", () => {
    expect(problemsOf(withVersion("8.4.2"), "prod")).toEqual([refused("8.4.2")]);
  });

  it.each(["8.4.11", "8.0.36", "9.1.0", "8.4", "8.4.03", " 8.4.3"])("refuses %j the same way", (version) => {
    expect(problemsOf(withVersion(version), "prod")).toEqual([refused(version)]);
  });

  it.each([...MYSQL_84_RELEASES])("accepts %s", (version) => {
    const result = parseStackConfig(withVersion(version), "prod");
    expect(result.ok && result.topology.mysql.version).toBe(version);
  });

  it("the list is the releases read upstream, in order, without 8.4.2", () => {
    expect(MYSQL_84_RELEASES.join(", ")).toBe(ALLOWED);
  });

  it("defaults to a listed release", () => {
    const raw = validDev();
    delete raw.mysql.version;
    const result = parseStackConfig(raw, "dev");
    expect(result.ok && result.topology.mysql.version).toBe("8.4.3");
  });

  it("Pulumi.prod.yaml pins a listed release; Pulumi.dev.yaml takes the default", () => {
    const pinned = (stack: string) =>
      (
        parse(readFileSync(join(__dirname, "..", "..", `Pulumi.${stack}.yaml`), "utf8")) as {
          config: Record<string, { version?: string } | undefined>;
        }
      ).config["gamedb:mysql"]?.version;
    expect(MYSQL_84_RELEASES).toContain(pinned("prod"));
    expect(pinned("dev")).toBeUndefined();
  });
});
