/**
 * `npm run restore -- --execute --target HOST` against stand-ins: ssh runs the script it is sent under bash on this
 * machine; sudo, aws, sha256sum and mysqlbinlog record their arguments; `mysql -N -B -e` answers the target's user
 * schema count and gtid_mode, and `mysql` reading a replay refuses it with ERROR 1781 when gtid_mode is not ON (as
 * the server refuses SET GTID_NEXT); mysqlsh is tests/helpers/standins/mysqlsh.js, which checks util.loadDump's
 * options as MySQL Shell 8.4 does, refuses a progress file in the (read-only) bucket, loads the schemas the dump's
 * @.json lists (the AdminAPI metadata among them) into a server state file, and runs the metadata clean-up's SQL
 * against it. The bucket is tests/helpers/backupFixtures.ts on s3rver.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3Client } from "../../scripts/lib/restore/bucket";
import { EXIT, main } from "../../scripts/cli/restore";
import { type CliRun, runCli } from "../helpers/cli";
import { GROUP, shard1Objects, upload } from "../helpers/backupFixtures";

const BUCKET = "gamedb-backups-exec";
const REGION = "eu-west-1";
const STANDIN_MYSQLSH = join(__dirname, "..", "helpers", "standins", "mysqlsh.js");
const RECOVERY_ACCOUNT = { u: "mysql_innodb_cs_0000000a", h: "%" };

/**
 * s3rver in a process of its own: --execute runs ssh with spawnSync, which blocks this process, and the stand-in
 * mysqlsh reads the dump from S3 meanwhile.
 */
function startS3Process(directory: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const code = [
    'const S3rver = require("s3rver");',
    `new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: ${JSON.stringify(directory)},`,
    `  configureBuckets: [{ name: ${JSON.stringify(BUCKET)}, configs: [] }] })`,
    "  .run().then(({ port }) => process.stdout.write(`${port}\\n`));",
  ].join("\n");
  const child = spawn(process.execPath, ["-e", code], {
    cwd: join(__dirname, "..", ".."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (c) => reject(new Error(`s3rver exited with ${c}`)));
    child.stdout?.once("data", (d: Buffer) => resolve({ child, endpoint: `http://127.0.0.1:${String(d).trim()}` }));
  });
}

let s3: { child: ChildProcess; endpoint: string } | undefined;
const savedEnv = { ...process.env };
const dirs: string[] = [];

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const dir = mkdtempSync(join(tmpdir(), "gamedb-s3rver-"));
  dirs.push(dir);
  s3 = await startS3Process(dir);
  await upload(s3Client({ bucket: BUCKET, region: REGION, endpoint: s3.endpoint }), BUCKET, shard1Objects());
});

afterAll(async () => {
  if (s3) {
    const gone = new Promise((resolve) => s3!.child.once("exit", resolve));
    s3.child.kill("SIGTERM");
    await gone;
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  process.env = savedEnv;
});

interface Target {
  userSchemas: number;
  gtidMode: "ON" | "OFF";
  /** /etc/gamedb/mysqlsh-aws.config is on the target. @default true */
  awsConfig?: boolean;
}

interface ServerState {
  schemas: Record<string, number>;
  users: string[];
  metadataAccounts: { u: string; h: string }[];
}

interface ExecRun extends CliRun {
  /** Every stand-in call, in order ("mysql -N -B -e ...", "mysqlsh ...", ...). */
  log: string[];
  /** AWS_SHARED_CREDENTIALS_FILE as each aws call saw it. */
  awsCredentialsFiles: string[];
  /** The target's state after the run. */
  server: ServerState;
  /** What the stand-in mysqlsh recorded of each run. */
  shells: { argv: string[]; uncaught?: string; calls: { loadDump?: [string, Record<string, unknown>] }[] }[];
}

async function execute(target: Target, ...args: string[]): Promise<ExecRun> {
  const dir = mkdtempSync(join(tmpdir(), "gamedb-restore-exec-"));
  dirs.push(dir);
  const bin = join(dir, "bin");
  mkdirSync(bin);
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  const log = join(dir, "log");
  stub("ssh", `echo "ssh $*" >> ${log}\nexec bash --norc --noprofile -s`);
  stub("sudo", '[ "$1" = -n ] && shift\nexec "$@"');
  // The host's S3 config for MySQL Shell (infra/backup/host/mysqlshAws.ts) is there unless the target says not.
  stub("test", `[ "$1" = -r ] && [ "$2" = /etc/gamedb/mysqlsh-aws.config ] && [ ${target.awsConfig ?? true} = true ]`);
  stub(
    "mysql",
    [
      `echo "mysql $*" >> ${log}`,
      'if [ "$1" = -N ]; then',
      `  case "$4" in *gtid_mode*) echo ${target.gtidMode} ;; *schemata*) echo ${target.userSchemas} ;; *) exit 2 ;; esac`,
      `elif [ ${target.gtidMode} != ON ]; then`,
      "  cat > /dev/null",
      '  echo "ERROR 1781 (HY000) at line 17: @@SESSION.GTID_NEXT cannot be set to UUID:NUMBER when @@GLOBAL.GTID_MODE = OFF." >&2',
      "  exit 1",
      "else cat > /dev/null; fi",
    ].join("\n"),
  );
  stub("mysqlsh", `echo "mysqlsh $*" >> ${log}\nexec ${JSON.stringify(process.execPath)} ${STANDIN_MYSQLSH} "$@"`);
  // The credentials file aws was pointed at goes to a log of its own.
  stub(
    "aws",
    `echo "aws $*" >> ${log}\necho "\${AWS_SHARED_CREDENTIALS_FILE:-}" >> ${log}.aws-env\nmkdir -p "$(dirname "$4")"\nprintf x > "$4"`,
  );
  stub("sha256sum", `echo "sha256sum $*" >> ${log}\ncat > /dev/null`);
  stub("mysqlbinlog", `echo "mysqlbinlog $*" >> ${log}`);
  // The target before the restore: no schema of ours, and an account a replayed addInstance created, which the
  // dump's metadata names (the stand-in applies metadataAccounts when it loads that schema).
  const serverFile = join(dir, "server.json");
  const initial: ServerState = {
    schemas: {},
    users: [`${RECOVERY_ACCOUNT.u}@${RECOVERY_ACCOUNT.h}`],
    metadataAccounts: [RECOVERY_ACCOUNT],
  };
  writeFileSync(serverFile, JSON.stringify(initial));
  const standinLog = join(dir, "standin.log");
  writeFileSync(standinLog, "");
  writeFileSync(log, "");
  const path = process.env.PATH;
  process.env.PATH = `${bin}:${path}`;
  process.env.STANDIN_SERVER = serverFile;
  process.env.STANDIN_LOG = standinLog;
  try {
    const base = ["--stack", "dev", "--shard", "1", "--bucket", BUCKET, "--region", REGION];
    const run = await runCli(main, [...base, "--endpoint", s3!.endpoint, "--execute", "--target", ...args]);
    return {
      ...run,
      log: readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => l.trimEnd()),
      awsCredentialsFiles: existsSync(`${log}.aws-env`)
        ? readFileSync(`${log}.aws-env`, "utf8").trim().split("\n")
        : [],
      server: JSON.parse(readFileSync(serverFile, "utf8")) as ServerState,
      shells: readFileSync(standinLog, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as ExecRun["shells"][number]),
    };
  } finally {
    process.env.PATH = path;
    delete process.env.STANDIN_SERVER;
    delete process.env.STANDIN_LOG;
  }
}

describe("restore --execute", () => {
  it("checks the target, loads, downloads, checks, replays, then drops the old cluster's metadata", async () => {
    const run = await execute({ userSchemas: 0, gtidMode: "ON" }, "admin@10.0.0.9", "--to", "2026-11-20T14:30:00Z");
    expect(run.err).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain("gamedb-restore: done");
    const { log } = run;
    expect(log[0]).toBe("ssh -o BatchMode=yes admin@10.0.0.9 bash -s");
    expect(log[1]).toMatch(/^mysql -N -B -e SELECT COUNT\(\*\) FROM information_schema.schemata/);
    expect(log[2]).toBe("mysql -N -B -e SELECT @@GLOBAL.gtid_mode");
    expect(log[3]).toMatch(
      /^mysqlsh --js --no-wizard --socket=\/var\/run\/mysqld\/mysqld.sock --user=root -e util.loadDump\("full\/shard1\/20261120T020000Z\/"/,
    );
    expect(log.filter((l) => l.startsWith("aws s3 cp"))).toHaveLength(4);
    // mysqlbinlog | mysql: two processes of one pipeline log in either order, then the metadata drop.
    const pipeline = log.slice(-3, -1).sort();
    expect(pipeline[0]).toBe("mysql");
    expect(pipeline[1]).toMatch(/^mysqlbinlog --exclude-gtids=/);
    expect(log[log.length - 1]).toMatch(/^mysqlsh --js --no-wizard --socket=\S+ --user=root -e const s = /);
    // Both Shell runs passed the option checks and finished; nothing was written into the bucket.
    expect(run.shells.map((s) => s.uncaught)).toEqual([undefined, undefined]);
    expect(run.shells[0]?.calls[0]?.loadDump?.[1]).toMatchObject({
      progressFile: "",
      updateGtidSet: "replace",
      // Shell reads its S3 credentials through the host's config (it has no EC2 instance-profile provider).
      s3ConfigFile: "/etc/gamedb/mysqlsh-aws.config",
      s3Profile: "default",
    });
    // The binlogs are fetched as root: the instance profile, or a static host's root-only credentials file.
    expect(run.awsCredentialsFiles).toEqual(Array(4).fill("/etc/gamedb/aws-credentials"));
    // The dump brought the AdminAPI's schema (its @.json lists it); the last step dropped it and the account it named.
    expect(run.server).toEqual({
      schemas: { gamedb: 1, gamedb_audit: 1 },
      users: [],
      metadataAccounts: [RECOVERY_ACCOUNT],
    });
  });

  it("refuses a target without MySQL Shell's S3 config before loading anything, naming the file", async () => {
    const run = await execute(
      { userSchemas: 0, gtidMode: "ON", awsConfig: false },
      "10.0.0.9",
      "--to",
      "2026-11-20T14:30:00Z",
    );
    expect(run.code).not.toBe(EXIT.ok);
    expect(run.err).toContain("gamedb-restore: /etc/gamedb/mysqlsh-aws.config is missing on the target");
    expect(run.log.filter((l) => /^(mysqlsh|aws|mysqlbinlog)/.test(l))).toEqual([]);
  });

  it("refuses a target with gtid_mode=OFF before loading anything, naming the setting and the value it needs", async () => {
    const run = await execute({ userSchemas: 0, gtidMode: "OFF" }, "10.0.0.9", "--to", "2026-11-20T14:30:00Z");
    expect(run.code).toBe(EXIT.invalid);
    expect(run.err).toContain(
      "gamedb-restore: the target has gtid_mode=OFF; replaying the binlogs needs gtid_mode=ON: set gtid_mode=ON and " +
        "enforce_gtid_consistency=ON in its my.cnf and restart mysqld",
    );
    expect(run.err).not.toContain("ERROR 1781 (HY000)");
    expect(run.log.filter((l) => /^(mysqlsh|aws|mysqlbinlog)/.test(l))).toEqual([]);
    expect(run.out).not.toContain("gamedb-restore: done");
  });

  it("needs no gtid_mode when nothing is replayed, and still drops the metadata", async () => {
    // The target is the dump's own GTID set: the dump holds everything, no binlog to replay.
    const run = await execute({ userSchemas: 0, gtidMode: "OFF" }, "10.0.0.9", "--gtid", `${GROUP}:1-1000`);
    expect(run.err).toBe("");
    expect(run.code).toBe(EXIT.ok);
    expect(run.log.some((l) => l.includes("gtid_mode"))).toBe(false);
    expect(run.log.filter((l) => l.startsWith("mysqlsh"))).toHaveLength(2);
    expect(run.server.schemas).toEqual({ gamedb: 1, gamedb_audit: 1 });
  });

  it("refuses a target that holds user schemas, before loading anything", async () => {
    const run = await execute({ userSchemas: 3, gtidMode: "ON" }, "10.0.0.9", "--to", "2026-11-20T14:30:00Z");
    expect(run.code).toBe(EXIT.invalid);
    expect(run.err).toContain(
      "gamedb-restore: the target holds 3 user schema(s); restore only into an empty MySQL 8.4 instance",
    );
    expect(run.log.some((l) => l.startsWith("mysqlsh"))).toBe(false);
  });
});
