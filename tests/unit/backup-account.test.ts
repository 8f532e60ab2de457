/**
 * The MySQL account the backup and binlog jobs log in as: the shard's least-privileged local account
 * (ACCOUNTS.backup@localhost, auth_socket as root), named in backup.env, used by mysql and mysqlsh over the socket,
 * and enough for every statement the two jobs run.
 */
import { join } from "node:path";
import { ACCOUNTS } from "../../infra/catalog/mysql";
import { CREDENTIALS_PATH, backupEnvFile, hostBackupEnv } from "../../infra/backup/hostJobs";
import {
  BACKUP_ENV,
  BACKUP_PATH,
  GROUP,
  SHIP_PATH,
  UUID_A,
  UUID_B,
  fakeHost,
  membersTable,
  readNul,
} from "../helpers/backupHost";
import { grantsList } from "../helpers/adminapiLists";

/** The grants of the backup account on *.*: the accounts step's own list (grants.js BACKUP_PRIVILEGES). */
const BACKUP_GRANTS = grantsList("BACKUP_PRIVILEGES");

/**
 * What each statement the jobs send needs. Rows of performance_schema, information_schema.TABLES and
 * mysql_innodb_cluster_metadata: SELECT. FLUSH BINARY LOGS: RELOAD (MySQL 8.4 manual, FLUSH Statement; the
 * FLUSH_TABLES-style dynamic privileges of WL#14303 do not cover it). SHOW BINARY LOGS: REPLICATION CLIENT (manual,
 * SHOW BINARY LOGS Statement). util.dumpInstance, consistent, with events and triggers: EVENT and TRIGGER (checked
 * first), RELOAD for FLUSH TABLES WITH READ LOCK, BACKUP_ADMIN for LOCK INSTANCE FOR BACKUP, REPLICATION CLIENT for
 * the binary log position, SELECT and SHOW VIEW for data and view definitions (mysql-shell 8.4.3
 * modules/util/dump/dumper.cc validate_privileges, lock_instance, the FTWRL path).
 */
const NEEDS: Array<[RegExp, string[]]> = [
  [/^SELECT @@GLOBAL\.\w+$/, []],
  [/performance_schema\.replication_group_member/, ["SELECT"]],
  [/FROM information_schema\.TABLES /, ["SELECT"]],
  [/FROM mysql_innodb_cluster_metadata\.clusters /, ["SELECT"]],
  [/^FLUSH BINARY LOGS$/, ["RELOAD"]],
  [/^SHOW BINARY LOGS$/, ["REPLICATION CLIENT"]],
  [
    /util\.dumpInstance\(.*consistent: true/,
    ["SELECT", "SHOW VIEW", "EVENT", "TRIGGER", "RELOAD", "BACKUP_ADMIN", "REPLICATION CLIENT"],
  ],
];

function host() {
  const h = fakeHost();
  h.set("uuid", `${UUID_B}\n`);
  h.set("role", "PRIMARY\n");
  const m = { state: "ONLINE", certQueue: 0, applierQueue: 0 };
  h.set(
    "members",
    membersTable([
      { ...m, id: UUID_A, address: "10.0.3.10:3306", role: "PRIMARY" },
      { ...m, id: UUID_B, address: "10.0.3.11:3306", role: "SECONDARY" },
    ]),
  );
  h.set("ls", "2025-03-01 03:10:00 412 @.done.json\n");
  h.set("summary", "Total Objects: 14\n   Total Size: 123456\n");
  h.set("binlogs.txt", "binlog.000001\t1200\tNo\nbinlog.000002\t157\tNo\n");
  h.set("binlogs/binlog.000001", "content\n");
  h.set("mysqlbinlog.txt", `SET @@SESSION.GTID_NEXT= '${GROUP}:1'/*!*/;\n`);
  return h;
}

describe("backup.env", () => {
  it("names the shard's backup account, for EC2 and static hosts", () => {
    const resolved = { bucket: "b", alertTopicArn: "arn:aws:sns:eu-west-1:1:t", address: "10.0.3.11" };
    const shard = { environment: "prod", shardKey: "shard3", region: "eu-west-1", staticHost: false };
    expect(ACCOUNTS.backup).toBe("gamedb_backup");
    for (const staticHost of [false, true]) {
      const env = hostBackupEnv({ ...shard, staticHost }, resolved);
      expect(env).toMatchObject({ mysqlUser: "gamedb_backup", self: "10.0.3.11:3306" });
      expect(env.credentialsFile).toBe(staticHost ? CREDENTIALS_PATH : undefined);
      expect(backupEnvFile(env)).toContain("\nGAMEDB_MYSQL_USER='gamedb_backup'\n");
    }
    const env = hostBackupEnv(shard, resolved);
    expect(() => backupEnvFile({ ...env, mysqlUser: "root'@'%" })).toThrow(
      /mysqlUser must be 1 to 32 letters, digits or _, got "root'@'%"/,
    );
  });
});

describe("the jobs log in as GAMEDB_MYSQL_USER", () => {
  it("gamedb-backup: every mysql call and the mysqlsh session, over the local socket", () => {
    const h = host();
    const run = h.run(BACKUP_PATH);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const users = h.read("mysql-users").trim().split("\n");
    expect(users.length).toBeGreaterThanOrEqual(5);
    expect(new Set(users)).toEqual(new Set(["gamedb_backup"]));
    const argv = readNul(join(h.dir, "mysqlsh.argv"));
    expect(argv.join(" ")).toContain(
      'shell.connect({scheme: "mysql", user: "gamedb_backup", socket: "/var/run/mysqld/mysqld.sock"});',
    );
  });

  it("gamedb-binlog-ship: every mysql call", () => {
    const h = host();
    const run = h.run(SHIP_PATH);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.calls).toContain("mysql FLUSH BINARY LOGS");
    expect(new Set(h.read("mysql-users").trim().split("\n"))).toEqual(new Set(["gamedb_backup"]));
  });

  it.each([
    ["missing", "", /GAMEDB_MYSQL_USER is not set/],
    [
      "not a plain name",
      'GAMEDB_MYSQL_USER="root\' --"\n',
      /bad GAMEDB_MYSQL_USER: 'root' --' \(allowed: a MySQL user name/,
    ],
  ])("both refuse a user that is %s, before any query", (_what, line, message) => {
    for (const script of [BACKUP_PATH, SHIP_PATH]) {
      const h = fakeHost(BACKUP_ENV.replace(/^GAMEDB_MYSQL_USER=.*\n/m, line));
      const run = h.run(script);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(message);
      expect(h.read("mysql-users")).toBe("");
    }
  });
});

describe("the account's grants cover everything the jobs run", () => {
  it("each statement of both jobs (PRIMARY and dump source) needs only granted privileges", () => {
    const h = host();
    expect(h.run(BACKUP_PATH).status).toBe(0);
    expect(h.run(SHIP_PATH).status).toBe(0);
    const argv = readNul(join(h.dir, "mysqlsh.argv"));
    const statements = [...readNul(join(h.dir, "mysql-queries")), argv[argv.indexOf("-e") + 1]!];
    expect(statements).toContain("FLUSH BINARY LOGS");
    for (const statement of statements) {
      const rules = NEEDS.filter(([re]) => re.test(statement));
      expect([statement, rules.length]).toEqual([statement, 1]);
      expect([statement, rules[0]![1].filter((p) => !BACKUP_GRANTS.includes(p))]).toEqual([statement, []]);
    }
  });
});
