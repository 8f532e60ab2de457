/**
 * What the restore asks of its target (scripts/lib/restore/target.ts) and the util.loadDump call it prints
 * (commands.ts), checked against the stand-in's model of MySQL Shell 8.4's option handling
 * (tests/helpers/standins/loadDumpModel.js). The check lines run under bash with a `mysql` function as the target.
 */
import { spawnSync } from "node:child_process";
import { runInNewContext } from "node:vm";
import { restoreSteps } from "../../scripts/lib/restore/commands";
import type { RestorePlan } from "../../scripts/lib/restore/plan";
import {
  DROP_METADATA_JS,
  EMPTY_CHECK,
  GTID_MODE_CHECK,
  METADATA_SCHEMA,
  checkCommand,
  targetChecks,
} from "../../scripts/lib/restore/target";
import { checkLoadDumpOptions, progressFileTarget } from "../helpers/standins/loadDumpModel";

/** Runs a check line with `mysql` answering `answer`; exit status and stderr. */
function runCheck(line: string, answer: string): { status: number | null; stderr: string } {
  const script = `set -euo pipefail\nmysql() { printf '%s\\n' ${JSON.stringify(answer)}; }\n${line}\necho passed`;
  const run = spawnSync("bash", ["--norc", "--noprofile", "-c", script], { encoding: "utf8" });
  return { status: run.status, stderr: run.stderr };
}

const plan = (binlogs: number): RestorePlan => ({
  shard: 1,
  target: { time: "2026-11-20T14:30:00Z" },
  dump: {
    prefix: "full/shard1/20261120T020000Z/",
    finishedAt: "2026-11-20T02:12:00Z",
    gtidExecuted: "aaaaaaaa-bbbb-cccc-dddd-000000000001:1-1000",
    source: { address: "10.0.0.5:3306", serverUuid: "u" },
    tool: "mysqlsh 8.4.3",
  },
  needed: binlogs > 0 ? "aaaaaaaa-bbbb-cccc-dddd-000000000001:1001-1100" : "",
  binlogs: Array.from({ length: binlogs }, (_, i) => ({
    key: `binlog/shard1/u/binlog.00000${i}`,
    serverUuid: "u",
    file: `binlog.00000${i}`,
    local: `u/binlog.00000${i}`,
    firstEventAt: "2026-11-20T02:00:00Z",
    lastEventAt: "2026-11-20T03:00:00Z",
    gtids: "aaaaaaaa-bbbb-cccc-dddd-000000000001:1001-1100",
    sha256: "0".repeat(64),
    bytes: 1,
  })),
  notes: [],
});

describe("the target checks", () => {
  it("gtid_mode must be ON when binlogs replay: the line names the setting, the value it has and the one it needs", () => {
    const line = checkCommand(GTID_MODE_CHECK, "mysql");
    expect(line).toBe(
      'got=$(mysql -N -B -e \'SELECT @@GLOBAL.gtid_mode\'); [ "$got" = ON ] || { echo "gamedb-restore: the target ' +
        "has gtid_mode=$got; replaying the binlogs needs gtid_mode=ON: set gtid_mode=ON and enforce_gtid_consistency=ON " +
        'in its my.cnf and restart mysqld (otherwise mysql stops at the first replayed transaction with ERROR 1781)" >&2; false; }',
    );
    expect(runCheck(line, "ON")).toEqual({ status: 0, stderr: "" });
    for (const mode of ["OFF", "OFF_PERMISSIVE", "ON_PERMISSIVE"]) {
      const run = runCheck(line, mode);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `gamedb-restore: the target has gtid_mode=${mode}; replaying the binlogs needs gtid_mode=ON: set gtid_mode=ON ` +
          "and enforce_gtid_consistency=ON in its my.cnf and restart mysqld (otherwise mysql stops at the first " +
          "replayed transaction with ERROR 1781)\n",
      );
    }
  });

  it("the target must hold no user schema", () => {
    const line = checkCommand(EMPTY_CHECK, "sudo -n mysql");
    expect(line).toMatch(/^got=\$\(sudo -n mysql -N -B -e 'SELECT COUNT\(\*\) FROM information_schema.schemata /);
    expect(runCheck(line.replace("sudo -n ", ""), "0").status).toBe(0);
    expect(runCheck(line.replace("sudo -n ", ""), "2").stderr).toBe(
      "gamedb-restore: the target holds 2 user schema(s); restore only into an empty MySQL 8.4 instance\n",
    );
  });

  it("asks for gtid_mode only when the plan replays binlogs", () => {
    expect(targetChecks(true)).toEqual([EMPTY_CHECK, GTID_MODE_CHECK]);
    expect(targetChecks(false)).toEqual([EMPTY_CHECK]);
  });
});

describe("the restore's steps", () => {
  /** The options of the util.loadDump call in a printed mysqlsh command, as Shell would receive them. */
  function loadDumpOptions(command: string): unknown {
    const js = /-e '(.*)'$/.exec(command)?.[1]?.replace(/'\\''/g, "'") ?? "";
    let options: unknown;
    runInNewContext(js, { util: { loadDump: (_: string, o: unknown) => (options = o) } });
    return options;
  }

  it("check first, the metadata clean-up last, whether or not binlogs replay", () => {
    for (const n of [0, 2]) {
      const steps = restoreSteps(plan(n), { stack: "dev", bucket: "b" });
      expect(steps[0]?.commands).toEqual(targetChecks(n > 0).map((c) => checkCommand(c, "mysql")));
      expect(steps[1]?.title).toMatch(/^Load the full dump/);
      expect(steps.at(-1)?.title).toBe(
        `Drop the old cluster's ${METADATA_SCHEMA} schema and the recovery accounts it names.`,
      );
      expect(steps.at(-1)?.commands).toEqual([`mysqlsh --js -e '${DROP_METADATA_JS.replace(/'/g, `'\\''`)}'`]);
      expect(steps).toHaveLength(n > 0 ? 6 : 3);
    }
  });

  it("loads with options MySQL Shell 8.4 accepts, and writes no progress file into the dump's bucket", () => {
    const steps = restoreSteps(plan(1), { stack: "dev", bucket: "b", region: "eu-west-1", onTarget: true });
    // On the target the first command checks that the host's S3 config for MySQL Shell is there.
    expect(steps[1]?.commands[0]).toMatch(/^sudo -n test -r \/etc\/gamedb\/mysqlsh-aws\.config \|\| /);
    const options = loadDumpOptions(steps[1]?.commands[1] ?? "");
    expect(options).toEqual({
      s3BucketName: "b",
      s3Region: "eu-west-1",
      threads: 8,
      progressFile: "",
      loadUsers: false,
      updateGtidSet: "replace",
      // MySQL Shell has no EC2 instance-profile provider: it reads credentials through the host's config file.
      s3ConfigFile: "/etc/gamedb/mysqlsh-aws.config",
      s3Profile: "default",
    });
    const accepted = checkLoadDumpOptions(options);
    expect(progressFileTarget(accepted, "uuid")).toBeNull();
  });
});
