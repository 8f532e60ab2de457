/**
 * The restore verification compares like with like: the schemas it leaves out of its count are exactly those the
 * backup job leaves out of the manifest (infra/backup/host/gamedb-backup.sh TABLES_SQL), and among them is the
 * AdminAPI metadata schema, which every dump of a cluster member carries (util.dumpInstance leaves out only
 * information_schema, mysql, ndbinfo, performance_schema and sys: mysql-shell 8.4.3 and 8.4.8
 * modules/util/common/dump/constants.h) and which the throwaway server therefore holds after the load.
 * Its util.loadDump options are ones MySQL Shell 8.4 accepts, with no progress file in the (read-only) bucket.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SYSTEM_SCHEMAS } from "../../scripts/apps/restore-verify/decide";
import { COUNT_SQL, loadDumpOptions } from "../../scripts/apps/restore-verify/script";
import { checkLoadDumpOptions, progressFileTarget } from "../helpers/standins/loadDumpModel";

/** The schema names in a `TABLE_SCHEMA NOT IN (...)` list. */
function notIn(sql: string): string[] {
  const list = /TABLE_SCHEMA NOT IN \(([^)]*)\)/.exec(sql)?.[1];
  if (list === undefined) throw new Error(`no NOT IN list in: ${sql}`);
  return list.split(",").map((s) => s.trim().replace(/^'|'$/g, ""));
}

describe("the schemas the verification counts", () => {
  it("leaves out what the manifest leaves out, the AdminAPI metadata schema included", () => {
    const script = readFileSync(join(__dirname, "..", "..", "infra", "backup", "host", "gamedb-backup.sh"), "utf8");
    const tablesSql = /readonly TABLES_SQL="([^"]*)"/.exec(script)?.[1];
    expect(tablesSql).toBeDefined();
    const manifestLeavesOut = notIn(tablesSql ?? "").sort();
    expect(notIn(COUNT_SQL).sort()).toEqual(manifestLeavesOut);
    expect([...SYSTEM_SCHEMAS].sort()).toEqual(manifestLeavesOut);
    expect(SYSTEM_SCHEMAS).toContain("mysql_innodb_cluster_metadata");
  });
});

describe("the verification's util.loadDump options", () => {
  it("are accepted by MySQL Shell 8.4 and write no progress file next to the dump", () => {
    const text = loadDumpOptions({
      prefix: "full/shard1/20261120T020000Z/",
      bucket: "b",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9000",
      threads: 4,
      socket: "/w/mysqld.sock",
    });
    const options = JSON.parse(text.replace(/(\w+): /g, '"$1": ')) as Record<string, unknown>;
    const accepted = checkLoadDumpOptions(options);
    expect(progressFileTarget(accepted, "uuid")).toBeNull();
    expect(accepted).toMatchObject({ loadUsers: false, skipBinlog: true });
  });
});
