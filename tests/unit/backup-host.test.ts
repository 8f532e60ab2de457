/**
 * The backup jobs on the shard hosts (infra/backup/host): the scripts pass shellcheck, tables_json and the
 * mysqlbinlog parsing on fixture outputs, both scripts end to end under bash with stand-ins for mysql, mysqlsh,
 * mysqlbinlog and aws (tests/helpers/backupHost.ts), and the units. Elsewhere: the install step (backup-install), the
 * dump source (backup-source), MySQL Shell's S3 credentials (backup-credentials), the MySQL account (backup-account),
 * the alert (backup-alert).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binlogSidecarSchema, dumpManifestSchema } from "../../infra/contracts/backupLayout";
import { backupUnits } from "../../infra/backup/host/units";
import { shellcheck } from "../helpers/shellcheck";
import {
  BACKUP_PATH,
  GROUP,
  HOST_DIR,
  SHIP_PATH,
  UUID_A,
  UUID_B,
  UUID_C,
  bash,
  callFunction,
  fakeHost,
  membersTable,
} from "../helpers/backupHost";

describe("the scripts pass shellcheck", () => {
  it.each(["gamedb-backup.sh", "gamedb-binlog-ship.sh", "gamedb-alert.sh"])("%s", (name) => {
    expect(shellcheck(readFileSync(join(HOST_DIR, name), "utf8"))).toEqual([]);
  });
});

describe("tables_json", () => {
  it("turns schema<TAB>count rows into a JSON object, escaping names", () => {
    const out = callFunction(BACKUP_PATH, "tables_json", 'game\t41\nweird"name\t2\n');
    expect(JSON.parse(out)).toEqual({ game: 41, 'weird"name': 2 });
    expect(JSON.parse(callFunction(BACKUP_PATH, "tables_json", ""))).toEqual({});
  });

  it("fails on a count that is not a number", () => {
    const run = bash(`source "$1"; tables_json`, { args: [BACKUP_PATH], input: "game\tNULL\n" });
    expect(run.status).not.toBe(0);
  });
});

/** A small but realistic `mysqlbinlog binlog.000002` output (MySQL 8.4, TZ=UTC). */
const MYSQLBINLOG_FIXTURE = `# The proper term is pseudo_replica_mode, but we use this compatibility alias
# to make the statement usable on server versions 8.0.24 and older.
/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=1*/;
/*!50003 SET @OLD_COMPLETION_TYPE=@@COMPLETION_TYPE,COMPLETION_TYPE=0*/;
DELIMITER /*!*/;
# at 4
#250301  9:59:58 server id 1001  end_log_pos 127 CRC32 0x6ac3f5e1 \tStart: binlog v 4, server v 8.4.3 created 250301  9:59:58
BINLOG '
/pbCZw/pAwAAewAAAH8AAAAAAAQAOC40LjMAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
'/*!*/;
# at 127
#250301  9:59:58 server id 1001  end_log_pos 238 CRC32 0x5d8bba1b \tPrevious-GTIDs
# ${GROUP}:1-41,
# ${UUID_A}:1-3
# at 238
#250301 10:00:05 server id 1001  end_log_pos 317 CRC32 0x1f2e3d4c \tGTID\tlast_committed=0\tsequence_number=1\trbr_only=yes\toriginal_committed_timestamp=1740823205123456\timmediate_commit_timestamp=1740823205123456\ttransaction_length=312
/*!50718 SET TRANSACTION ISOLATION LEVEL READ COMMITTED*//*!*/;
# original_commit_timestamp=1740823205123456 (2025-03-01 10:00:05.123456 UTC)
# immediate_commit_timestamp=1740823205123456 (2025-03-01 10:00:05.123456 UTC)
/*!80001 SET @@session.original_commit_timestamp=1740823205123456*//*!*/;
/*!80014 SET @@session.original_server_version=80403*//*!*/;
/*!80014 SET @@session.immediate_server_version=80403*//*!*/;
SET @@SESSION.GTID_NEXT= '${GROUP}:42'/*!*/;
# at 317
#250301 10:00:05 server id 1001  end_log_pos 399 CRC32 0x0badf00d \tQuery\tthread_id=17\texec_time=0\terror_code=0
SET TIMESTAMP=1740823205/*!*/;
BEGIN
/*!*/;
# at 399
#250301 10:00:05 server id 1001  end_log_pos 519 CRC32 0x12345678 \tXid = 88
COMMIT/*!*/;
# at 519
#250301 10:04:41 server id 1001  end_log_pos 598 CRC32 0x87654321 \tGTID\tlast_committed=1\tsequence_number=2\trbr_only=yes\toriginal_committed_timestamp=1740823481000001\timmediate_commit_timestamp=1740823481000001\ttransaction_length=300
SET @@SESSION.GTID_NEXT= '${GROUP}:43'/*!*/;
# at 598
#250301 10:04:41 server id 1001  end_log_pos 700 CRC32 0x11111111 \tXid = 91
COMMIT/*!*/;
# at 700
#250301 10:05:00 server id 1001  end_log_pos 747 CRC32 0x22222222 \tRotate to binlog.000003  pos: 4
SET @@SESSION.GTID_NEXT= 'AUTOMATIC' /* added by mysqlbinlog */ /*!*/;
DELIMITER ;
# End of log file
/*!50003 SET COMPLETION_TYPE=@OLD_COMPLETION_TYPE*/;
/*!50530 SET @@SESSION.PSEUDO_SLAVE_MODE=0*/;
`;

describe("parse_binlog", () => {
  const parse = (text: string) => callFunction(SHIP_PATH, "parse_binlog", text).replace(/\n$/, "").split("\t");

  it("reads the previous GTIDs, the file's GTID set and the first and last event times", () => {
    expect(parse(MYSQLBINLOG_FIXTURE)).toEqual([
      `${GROUP}:1-41,${UUID_A}:1-3`,
      `${GROUP}:42-43`,
      "2025-03-01T09:59:58Z",
      "2025-03-01T10:05:00Z",
    ]);
  });

  it("handles an empty Previous-GTIDs, gaps, several uuids and tagged GTIDs", () => {
    const gtid = (g: string) => `SET @@SESSION.GTID_NEXT= '${g}'/*!*/;`;
    const text = [
      "#250301 10:00:00 server id 1  end_log_pos 127 CRC32 0x1 \tStart: binlog v 4",
      "#250301 10:00:00 server id 1  end_log_pos 158 CRC32 0x2 \tPrevious-GTIDs",
      "# [empty]",
      "# at 158",
      gtid(`${GROUP}:1`),
      gtid(`${GROUP}:2`),
      gtid(`${UUID_B}:7`),
      gtid(`${GROUP}:5`),
      gtid(`${GROUP}:reorg:1`),
      gtid(`${GROUP}:reorg:2`),
      "#250301 11:00:00 server id 1  end_log_pos 999 CRC32 0x3 \tXid = 5",
    ].join("\n");
    expect(parse(text)).toEqual([
      "",
      `${GROUP}:1-2:5,${UUID_B}:7,${GROUP}:reorg:1-2`,
      "2025-03-01T10:00:00Z",
      "2025-03-01T11:00:00Z",
    ]);
  });
});

describe("gamedb-binlog-ship.sh end to end", () => {
  function host(role: string) {
    const h = fakeHost();
    h.set("uuid", `${UUID_A}\n`);
    h.set("role", `${role}\n`);
    h.set("mysqlbinlog.txt", MYSQLBINLOG_FIXTURE);
    h.set("binlogs.txt", "binlog.000001\t1200\tNo\nbinlog.000002\t747\tNo\nbinlog.000003\t157\tNo\n");
    for (const f of ["binlog.000001", "binlog.000002", "binlog.000003"])
      writeFileSync(join(h.dir, "binlogs", f), `content of ${f}\n`);
    return h;
  }

  it("on the PRIMARY: flushes, ships only the closed files with sidecars, and a second run ships nothing", () => {
    const h = host("PRIMARY");
    const first = h.run(SHIP_PATH);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.calls).toContain("mysql FLUSH BINARY LOGS");
    const prefix = `s3://gamedb-backups-test/binlog/shard3/${UUID_A}`;
    expect(h.read("objects").trim().split("\n")).toEqual([`${prefix}/binlog.000001`, `${prefix}/binlog.000002`]);
    expect(first.calls).toContain(
      `aws [--region] [eu-west-1] [s3] [cp] [--only-show-errors] [--checksum-algorithm] [SHA256] [${h.dir}/binlogs/binlog.000002] [${prefix}/binlog.000002]`,
    );
    expect(first.calls).not.toContain("binlog.000003");
    const sidecars = h
      .read("uploads")
      .split(/^--- stdin for .*\n/m)
      .filter((s) => s !== "");
    expect(h.read("uploads")).toContain(`--- stdin for ${prefix}/binlog.000002.json`);
    const sha = spawnSync("sha256sum", [join(h.dir, "binlogs/binlog.000002")], { encoding: "utf8" }).stdout.split(
      " ",
    )[0];
    expect(JSON.parse(sidecars[1]!)).toEqual({
      file: "binlog.000002",
      serverUuid: UUID_A,
      previousGtids: `${GROUP}:1-41,${UUID_A}:1-3`,
      gtids: `${GROUP}:42-43`,
      firstEventAt: "2025-03-01T09:59:58Z",
      lastEventAt: "2025-03-01T10:05:00Z",
      sha256: sha,
      bytes: "content of binlog.000002\n".length,
    });
    // What the job writes is what the restore planner reads: the contract's schema accepts every sidecar.
    for (const s of sidecars) expect(binlogSidecarSchema.safeParse(JSON.parse(s)).error).toBeUndefined();
    expect(h.read("var/lib/gamedb/binlog-shipped")).toBe("binlog.000001\nbinlog.000002\n");

    const second = h.run(SHIP_PATH);
    expect(second.status).toBe(0);
    expect(second.calls).not.toMatch(/s3 cp|\[cp\]|mysqlbinlog/);
    expect(h.read("objects").trim().split("\n")).toHaveLength(2);
    // Local binlogs stay.
    expect(existsSync(join(h.dir, "binlogs/binlog.000001"))).toBe(true);
  });

  it("on a SECONDARY: does not flush", () => {
    const h = host("SECONDARY");
    const run = h.run(SHIP_PATH);
    expect(run.status).toBe(0);
    expect(run.calls).not.toContain("FLUSH");
    expect(h.read("objects").trim().split("\n")).toHaveLength(2);
  });

  it("records without uploading a file already in S3 with the same size", () => {
    const h = host("SECONDARY");
    const size = "content of binlog.000001\n".length;
    // `aws s3 ls` on a key prefix also lists the sidecar; only the exact name counts.
    h.set("ls", `2025-03-01 10:00:00 ${size} binlog.000001\n2025-03-01 10:00:01 300 binlog.000001.json\n`);
    const run = h.run(SHIP_PATH);
    expect(run.status).toBe(0);
    expect(h.read("objects")).not.toContain("binlog.000001");
    expect(h.read("objects")).toContain("binlog.000002");
    expect(h.read("var/lib/gamedb/binlog-shipped")).toBe("binlog.000001\nbinlog.000002\n");
  });

  it("fails with a message when an upload fails", () => {
    const h = host("SECONDARY");
    writeFileSync(join(h.dir, "bin/aws"), "#!/bin/bash\nexit 1\n", { mode: 0o755 });
    const run = h.run(SHIP_PATH);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/^gamedb-binlog-ship: cannot upload/m);
    expect(h.read("var/lib/gamedb/binlog-shipped")).toBe("");
  });
});

describe("gamedb-backup.sh end to end", () => {
  const member = (id: string, address: string, state: string, role: string, applierQueue: number) => ({
    ...{ id, address, state, role, applierQueue, certQueue: 0 },
  });
  const members = membersTable([
    member(UUID_A, "10.0.3.10:3306", "ONLINE", "PRIMARY", 0),
    member(UUID_B, "10.0.3.11:3306", "ONLINE", "SECONDARY", 0),
    member(UUID_C, "10.0.3.12:3306", "ONLINE", "SECONDARY", 4),
  ]);

  function host(self: string) {
    const h = fakeHost();
    h.set("uuid", `${self}\n`);
    h.set("members", members);
    h.set("ls", "2025-03-01 03:10:00 412 @.done.json\n");
    h.set("summary", "2025-03-01 03:10:00 412 @.done.json\n\nTotal Objects: 14\n   Total Size: 123456\n");
    h.set(
      "meta.json",
      `{\n    "dumper": "mysqlsh Ver 8.4.3",\n    "gtidExecuted": "${GROUP}:1-120",\n    "consistent": true\n}\n`,
    );
    return h;
  }

  it("a member that is not the source exits 0 without dumping", () => {
    const h = host(UUID_C);
    const run = h.run(BACKUP_PATH);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      `gamedb-backup: not the dump source (this member: ONLINE/SECONDARY); the source is ${UUID_B} (10.0.3.11:3306)`,
    );
    expect(run.calls).not.toMatch(/mysqlsh|aws/);
  });

  it("the source dumps to full/<shard>/<ts>/ and uploads a manifest", () => {
    const h = host(UUID_B);
    h.set("tables", "game\t41\nguild\t7\n");
    const run = h.run(BACKUP_PATH);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const dump = /^mysqlsh \[--js\] \[--no-wizard\] \[-e\] \[(.*)\]$/ms.exec(run.calls.split("\naws")[0]!);
    expect(dump).not.toBeNull();
    const js = dump![1]!;
    const ts = /util\.dumpInstance\("full\/shard3\/(\d{8}T\d{6}Z)", /.exec(js)?.[1];
    expect(ts).toBeDefined();
    expect(js).toContain(
      'shell.connect({scheme: "mysql", user: "gamedb_backup", socket: "/var/run/mysqld/mysqld.sock"})',
    );
    expect(js).toContain(
      `{s3BucketName: "gamedb-backups-test", s3Region: "eu-west-1", s3ConfigFile: "${h.dir}/etc/gamedb/mysqlsh-aws.config", s3Profile: "default", threads: `,
    );
    expect(js).toMatch(/, threads: \d+, compression: "zstd", consistent: true\}\)/);
    const url = `s3://gamedb-backups-test/full/shard3/${ts}`;
    expect(run.calls).toContain(`aws [--region] [eu-west-1] [s3] [ls] [${url}/@.done.json]`);
    expect(run.calls).toContain(`[s3] [ls] [--recursive] [--summarize] [${url}/]`);
    const uploads = h.read("uploads");
    expect(uploads.startsWith(`--- stdin for ${url}/gamedb-manifest.json\n`)).toBe(true);
    const manifest = JSON.parse(uploads.split("\n").slice(1).join("\n"));
    expect(manifest).toMatchObject({
      shard: "shard3",
      clusterName: "shard3",
      source: { address: "10.0.3.11:3306", serverUuid: UUID_B },
      gtidExecuted: `${GROUP}:1-120`,
      gtidExecutedSource: "dump-metadata",
      bytes: 123456,
      tables: { game: 41, guild: 7 },
      tool: "mysqlsh   Ver 8.4.3 for Linux on x86_64 - for MySQL 8.4.3 (MySQL Community Server (GPL))",
    });
    expect(manifest.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(manifest.finishedAt >= manifest.startedAt).toBe(true);
    // The readers (restore planner, restore verification) parse it with the contract's schema.
    expect(dumpManifestSchema.parse(manifest)).toMatchObject({ shard: 3, tables: { game: 41, guild: 7 } });
  });

  it("falls back to gtid_executed read before the dump when @.json cannot be read, and says so", () => {
    const h = host(UUID_B);
    // @.json without gtidExecuted.
    h.set("meta.json", "{}\n");
    const run = h.run(BACKUP_PATH);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("cannot read gtidExecuted");
    const manifest = JSON.parse(h.read("uploads").split("\n").slice(1).join("\n"));
    expect(manifest).toMatchObject({ gtidExecuted: `${GROUP}:1-99`, gtidExecutedSource: "server-before-dump" });
    // No user schema yet: an empty object, still valid JSON.
    expect(manifest.tables).toEqual({});
  });

  it("the lone ONLINE PRIMARY is the source", () => {
    const h = host(UUID_A);
    h.set(
      "members",
      membersTable([
        member(UUID_A, "10.0.3.10:3306", "ONLINE", "PRIMARY", 0),
        member(UUID_B, "10.0.3.11:3306", "RECOVERING", "SECONDARY", 0),
      ]),
    );
    const run = h.run(BACKUP_PATH);
    expect(run.status).toBe(0);
    expect(run.calls).toContain("util.dumpInstance");
  });

  it("fails without a manifest when @.done.json is missing", () => {
    const h = host(UUID_B);
    // `aws s3 ls` finds nothing: exit 1.
    rmSync(join(h.dir, "ls"));
    const run = h.run(BACKUP_PATH);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/^gamedb-backup: .*@\.done\.json is missing/m);
    expect(h.read("uploads")).toBe("");
  });

  it("fails with a message when the dump fails", () => {
    const h = host(UUID_B);
    writeFileSync(
      join(h.dir, "bin/mysqlsh"),
      '#!/bin/bash\n[ "$1" = --version ] && { echo "mysqlsh Ver 8.4.3"; exit 0; }\nexit 1\n',
      { mode: 0o755 },
    );
    const run = h.run(BACKUP_PATH);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(
      /^gamedb-backup: util\.dumpInstance to s3:\/\/gamedb-backups-test\/full\/shard3\/.* failed/m,
    );
  });
});

describe("backupUnits", () => {
  const units = backupUnits({ shardKey: "shard3", fullSchedule: "*-*-* 03:00:00", binlogShipMinutes: 5 });

  it("returns the two services and timers, and the alert template both services name in OnFailure=", () => {
    expect(Object.keys(units).sort()).toEqual([
      "/etc/systemd/system/gamedb-alert@.service",
      "/etc/systemd/system/gamedb-backup.service",
      "/etc/systemd/system/gamedb-backup.timer",
      "/etc/systemd/system/gamedb-binlog-ship.service",
      "/etc/systemd/system/gamedb-binlog-ship.timer",
    ]);
    const svc = units["/etc/systemd/system/gamedb-backup.service"]!;
    expect(svc).toMatch(/^Type=oneshot$/m);
    expect(svc).toMatch(/^ExecStart=\/usr\/local\/sbin\/gamedb-backup$/m);
    expect(svc).toMatch(/^IOSchedulingClass=idle$/m);
    expect(svc).toMatch(/^Nice=19$/m);
    expect(svc).toMatch(/^\[Unit\][^[]*^OnFailure=gamedb-alert@%n\.service$/m);
    expect(units["/etc/systemd/system/gamedb-binlog-ship.service"]).toMatch(
      /^\[Unit\][^[]*^OnFailure=gamedb-alert@%n\.service$/m,
    );
    for (const job of ["gamedb-backup.service", "gamedb-binlog-ship.service"])
      expect(units[`/etc/systemd/system/${job}`]).toMatch(
        /^ExecStartPost=-\/usr\/local\/sbin\/gamedb-alert --resolved %n$/m,
      );
    expect(units["/etc/systemd/system/gamedb-alert@.service"]).toMatch(
      /^ExecStart=\/usr\/local\/sbin\/gamedb-alert %i$/m,
    );
    const timer = units["/etc/systemd/system/gamedb-backup.timer"]!;
    expect(timer).toMatch(/^OnCalendar=\*-\*-\* 03:00:00$/m);
    expect(timer).toMatch(/^Persistent=true$/m);
    expect(timer).toMatch(/^RandomizedDelaySec=300$/m);
    const ship = units["/etc/systemd/system/gamedb-binlog-ship.timer"]!;
    expect(ship).toMatch(/^OnBootSec=2min$/m);
    expect(ship).toMatch(/^OnUnitActiveSec=5min$/m);
    expect(units["/etc/systemd/system/gamedb-binlog-ship.service"]).toMatch(
      /^ExecStart=\/usr\/local\/sbin\/gamedb-binlog-ship$/m,
    );
  });

  it("refuses bad input", () => {
    expect(() => backupUnits({ shardKey: "shard 3", fullSchedule: "daily", binlogShipMinutes: 5 })).toThrow(/shardKey/);
    expect(() => backupUnits({ shardKey: "shard3", fullSchedule: "daily\nX=1", binlogShipMinutes: 5 })).toThrow(
      /fullSchedule/,
    );
    expect(() => backupUnits({ shardKey: "shard3", fullSchedule: "daily", binlogShipMinutes: 0 })).toThrow(
      /binlogShipMinutes/,
    );
  });
});
