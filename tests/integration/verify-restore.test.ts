/**
 * scripts/apps/restore-verify/main.ts end to end: the dumps come from a real S3-compatible server (s3rver on a
 * loopback port, the fixture dumps of tests/helpers/backupFixtures.ts), CloudWatch and SNS are a local HTTP recorder
 * (the real SDK clients, their endpoints pointed at it), and mysqld and mysqlsh are STAND-INS: small Node programs
 * written to a temporary directory, because there is no MySQL 8 on this machine.
 *
 * - The stand-in mysqld refuses what the real one would (--no-defaults not first, a non-empty datadir for
 *   --initialize-insecure, an uninitialized one to start, a missing --secure-file-priv directory), answers on
 *   --socket with a MySQL handshake (protocol 10) after a delay, and on SIGTERM removes the socket and exits.
 *   STANDIN_MYSQLD_MODE=crash exits at start with an error in --log-error; =hang never answers.
 * - The stand-in mysqlsh (tests/helpers/standins/mysqlsh.js) records its argv and the script it got on stdin, then
 *   RUNS that script as JavaScript against a small model of MySQL Shell's globals: shell.connect (the socket must
 *   answer with a handshake), util.loadDump (options checked as Shell 8.4 checks them; the dump's @.done.json must be
 *   readable at s3EndpointOverride/s3BucketName/prefix; the schemas of its @.json are loaded, the AdminAPI metadata
 *   among them; a progress file in the bucket fails, the principal being read-only; or it throws the error the
 *   test planned for that prefix), session.runSql (the table counts the test planned, filtered by the query's
 *   NOT IN list). An uncaught error exits 1 with the message on stderr, as mysqlsh does in batch mode.
 *
 * Shards in the bucket: 1 (shard1Objects: newest complete dump with counts, a newer incomplete one), 2 (counts that
 * the restore will not match), 3 (only an incomplete dump), 4 (the load fails), 5 (a manifest without counts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3Client } from "../../scripts/lib/restore/bucket";
import { EXIT, main } from "../../scripts/apps/restore-verify/main";
import { s3Credentials } from "../helpers/mysqlshS3";
import {
  type FakeS3,
  GROUP,
  SHARD1_TABLES,
  dumpObjects,
  shard1Objects,
  startFakeS3,
  upload,
} from "../helpers/backupFixtures";

/** The verifier's credential process, run from its TypeScript source. */
const CREDENTIAL_PROCESS = `${process.execPath} --import tsx ${join(__dirname, "../../scripts/apps/restore-verify/credentialProcess.ts")}`;
const BUCKET = "gamedb-backups-verify";
const REGION = "eu-west-1";
const ENV = "staging";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:gamedb-alerts";
// s3rver's fixed key pair, plus a session token that must never show up anywhere but in the environment.
const SESSION_TOKEN = "stand-in-session-token-5f1c9e";

const PREFIX = {
  1: "full/shard1/20261120T020000Z/",
  2: "full/shard2/20261121T020000Z/",
  3: "full/shard3/20261121T020000Z/",
  4: "full/shard4/20261121T020000Z/",
  5: "full/shard5/20261101T020000Z/",
} as const;
const SHARD2_TABLES = { gamedb: 3, gamedb_audit: 1 };
const SHARD4_TABLES = { gamedb: 3 };
const LOAD_ERROR = "Util.loadDump: Failed opening object 'gamedb@players@@0.tsv.zst' in READ mode: Forbidden (403)";

/** What the stand-in mysqlsh does for each dump prefix. */
const PLAN: Record<string, { counts?: Record<string, number>; error?: string }> = {
  [PREFIX[1]]: { counts: SHARD1_TABLES },
  [PREFIX[2]]: { counts: { gamedb: 2, gamedb_audit: 1, scratch: 4 } },
  [PREFIX[4]]: { error: LOAD_ERROR },
  [PREFIX[5]]: { counts: { gamedb: 3 } },
};

function bucketObjects() {
  const day = (d: string) => `2026-11-${d}T02:00:00Z`;
  const fixture = (shard: number, ts: string, finished: string, more: object) =>
    dumpObjects({ shard, ts, gtid: `${GROUP}:1-50`, startedAt: finished, finishedAt: finished, done: true, ...more });
  return [
    ...shard1Objects(),
    ...fixture(2, "20261121T020000Z", day("21"), { tables: SHARD2_TABLES, shardKey: true }),
    ...fixture(3, "20261121T020000Z", day("21"), { tables: { gamedb: 1 }, shardKey: true, done: false }),
    ...fixture(4, "20261121T020000Z", day("21"), { tables: SHARD4_TABLES, shardKey: true }),
    ...fixture(5, "20261101T020000Z", day("01"), {}),
  ];
}

/** The stand-in programs (tests/helpers/standins): executables run with this machine's node. */
const STANDINS = join(__dirname, "..", "helpers", "standins");

interface Request {
  target?: string;
  contentType?: string;
  body: string;
}

interface Recorder {
  endpoint: string;
  requests: Request[];
  /** Status for CloudWatch requests (200 by default). */
  cloudwatchStatus: number;
  server: Server;
}

function startRecorder(): Promise<Recorder> {
  const rec: Partial<Recorder> & { requests: Request[]; cloudwatchStatus: number } = {
    requests: [],
    cloudwatchStatus: 200,
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      const target = req.headers["x-amz-target"] as string | undefined;
      rec.requests.push({ target, contentType: req.headers["content-type"], body });
      if (target) {
        const ok = rec.cloudwatchStatus === 200;
        res.writeHead(rec.cloudwatchStatus, { "content-type": "application/x-amz-json-1.0" });
        res.end(ok ? "{}" : JSON.stringify({ __type: "InvalidParameterValue", message: "recorder refuses" }));
      } else {
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(
          '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId>' +
            "</PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>",
        );
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      rec.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      rec.server = server;
      resolve(rec as Recorder);
    }),
  );
}

interface Datum {
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Value: number;
  Unit: string;
}

function metrics(rec: Recorder): { namespace: string; data: Datum[] }[] {
  return rec.requests
    .filter((r) => r.target !== undefined)
    .map((r) => {
      expect(r.target).toBe("GraniteServiceVersion20100801.PutMetricData");
      const body = JSON.parse(r.body) as { Namespace: string; MetricData: Datum[] };
      return { namespace: body.Namespace, data: body.MetricData };
    });
}

function alerts(rec: Recorder): Record<string, string>[] {
  return rec.requests.filter((r) => r.target === undefined).map((r) => Object.fromEntries(new URLSearchParams(r.body)));
}

/** The two data of one shard, as the recorder got them. */
function expectShardMetrics(put: { namespace: string; data: Datum[] }, shard: number, verified: 0 | 1): number {
  const dims = [
    { Name: "Environment", Value: ENV },
    { Name: "Shard", Value: `shard${shard}` },
  ];
  expect(put.namespace).toBe("gamedb");
  expect(put.data.map((d) => [d.MetricName, d.Dimensions, d.Unit])).toEqual([
    ["RestoreVerified", dims, "None"],
    ["RestoreVerifySeconds", dims, "Seconds"],
  ]);
  expect(put.data[0]!.Value).toBe(verified);
  const seconds = put.data[1]!.Value;
  expect(seconds).toBeGreaterThanOrEqual(0);
  return seconds;
}

interface StandinEvent {
  prog: "mysqld" | "mysqlsh";
  event?: string;
  pid: number;
  args?: string[];
  argv?: string[];
  script?: string;
  awsKeyInEnv?: boolean;
  configHome?: string;
  workdir?: string[];
  calls?: { connect?: Record<string, string>; loadDump?: [string, Record<string, unknown>]; runSql?: string }[];
  uncaught?: string;
}

let s3: FakeS3 | undefined;
let recorder: Recorder | undefined;
let bin = "";
/** Each run's temporary directory, removed after all. */
const works: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  process.env.AWS_SESSION_TOKEN = SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  s3 = await startFakeS3([BUCKET]);
  await upload(s3Client({ bucket: BUCKET, region: REGION, endpoint: s3.endpoint }), BUCKET, bucketObjects());
  recorder = await startRecorder();
  bin = mkdtempSync(join(tmpdir(), "gamedb-verify-bin-"));
  writeFileSync(join(bin, "plan.json"), JSON.stringify(PLAN));
});

afterAll(async () => {
  await s3?.stop();
  await new Promise((resolve) => recorder?.server.close(resolve));
  for (const dir of [bin, ...works]) rmSync(dir, { recursive: true, force: true });
  process.env = savedEnv;
});

interface Run {
  code: number;
  out: string;
  err: string;
  events: StandinEvent[];
  workdir: string;
  rec: Recorder;
}

async function verify(args: string[], opts: { mysqldMode?: string; s3Endpoint?: string } = {}): Promise<Run> {
  if (!s3 || !recorder) throw new Error("the servers did not start");
  const rec = recorder;
  rec.requests = [];
  const work = mkdtempSync(join(tmpdir(), "gv-"));
  works.push(work);
  const workdir = join(work, "w");
  const log = join(work, "standin.log");
  writeFileSync(log, "");
  process.env.STANDIN_LOG = log;
  process.env.STANDIN_PLAN = join(bin, "plan.json");
  if (opts.mysqldMode) process.env.STANDIN_MYSQLD_MODE = opts.mysqldMode;
  else delete process.env.STANDIN_MYSQLD_MODE;
  const out: string[] = [];
  const err: string[] = [];
  try {
    const base = [
      ...["--bucket", BUCKET, "--region", REGION, "--environment", ENV, "--endpoint", opts.s3Endpoint ?? s3.endpoint],
      ...["--workdir", workdir, "--mysqld", join(STANDINS, "mysqld.js"), "--mysqlsh", join(STANDINS, "mysqlsh.js")],
      ...["--mysqld-user", "mysql", "--threads", "3", "--topic-arn", TOPIC],
      ...["--cloudwatch-endpoint", rec.endpoint, "--sns-endpoint", rec.endpoint],
      ...["--aws-credential-process", CREDENTIAL_PROCESS],
    ];
    const code = await main(
      [...base, ...args],
      (s) => out.push(s),
      (s) => err.push(s),
    );
    const events = readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as StandinEvent);
    return { code, out: out.join("\n"), err: err.join("\n"), events, workdir, rec };
  } finally {
    rmSync(log, { force: true });
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every mysqld the run started was stopped, none is left running, and the workdir holds no shard directory. */
function expectCleanedUp(run: Run): void {
  const servers = run.events.filter((e) => e.prog === "mysqld" && e.event === "start");
  for (const s of servers) {
    expect(alive(s.pid)).toBe(false);
    const ended = run.events.filter((e) => e.pid === s.pid && (e.event === "stopped" || e.event === "failed"));
    expect(ended).toHaveLength(1);
  }
  for (const shard of [1, 2, 3, 4, 5]) expect(existsSync(join(run.workdir, `shard${shard}`))).toBe(false);
}

function secretsAbsent(...texts: string[]): void {
  for (const t of texts) {
    expect(t).not.toContain(SESSION_TOKEN);
    expect(t).not.toContain("S3RVER");
  }
}

describe("npm run verify-restore", () => {
  it("verifies a shard: the newest complete dump loaded into a throwaway mysqld, counts as in the manifest", async () => {
    const run = await verify(["--shard", "1"]);
    expect(run.err).not.toContain("FAILED");
    expect(run.code).toBe(EXIT.ok);

    // mysqld: initialized, then started on the shard's directory, socket only.
    const dir = join(run.workdir, "shard1");
    const [init, start] = run.events.filter((e) => e.prog === "mysqld" && e.event !== "ready" && e.event !== "stopped");
    expect(init?.args).toEqual([
      "--no-defaults",
      "--initialize-insecure",
      `--datadir=${dir}/data`,
      "--user=mysql",
      `--log-error=${dir}/error.log`,
    ]);
    expect(start?.args).toEqual([
      "--no-defaults",
      `--datadir=${dir}/data`,
      `--socket=${dir}/mysqld.sock`,
      `--pid-file=${dir}/mysqld.pid`,
      `--log-error=${dir}/error.log`,
      `--secure-file-priv=${dir}/files`,
      "--user=mysql",
      "--skip-networking",
      "--skip-mysqlx",
      "--skip-log-bin",
      "--local-infile=ON",
    ]);

    // mysqlsh: the script on stdin, run against the server while it answered; the newest complete dump, not the
    // newer incomplete one.
    const shells = run.events.filter((e) => e.prog === "mysqlsh");
    expect(shells).toHaveLength(1);
    const sh = shells[0]!;
    expect(sh.argv).toEqual(["--js", "--no-wizard"]);
    expect(sh.uncaught).toBeUndefined();
    expect(sh.awsKeyInEnv).toBe(true);
    expect(sh.configHome).toBe(`${dir}/mysqlsh`);
    expect(sh.workdir).toEqual(["data", "error.log", "files", "mysqld.pid", "mysqld.sock", "mysqlsh"]);
    expect(sh.calls?.[0]?.connect).toEqual({
      scheme: "mysql",
      user: "root",
      password: "",
      socket: `${dir}/mysqld.sock`,
    });
    expect(sh.calls?.[1]?.loadDump).toEqual([
      PREFIX[1],
      {
        s3BucketName: BUCKET,
        s3Region: REGION,
        s3EndpointOverride: s3!.endpoint,
        threads: 3,
        loadUsers: false,
        skipBinlog: true,
        progressFile: "",
        showProgress: false,
        s3ConfigFile: join(run.workdir, "mysqlsh-aws.config"),
        s3Profile: "default",
      },
    ]);
    // MySQL Shell's credentials, resolved as Shell 8.4 would (the model): the profile is pinned, so not from the
    // environment but from the credential process, which got them from the SDK's chain (here, that environment).
    expect(s3Credentials(sh.script ?? "", { ...(process.env as Record<string, string>) })).toMatchObject({
      provider: `output of 'credential_process' (config file ${run.workdir}/mysqlsh-aws.config)`,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      sessionToken: SESSION_TOKEN,
    });
    expect(sh.calls?.[2]?.runSql).toMatch(/FROM information_schema\.TABLES WHERE TABLE_TYPE = 'BASE TABLE'/);
    secretsAbsent(sh.script ?? "", JSON.stringify(run.events), run.out, run.err);

    // Reported: verified, no alert.
    const puts = metrics(run.rec);
    expect(puts).toHaveLength(1);
    expectShardMetrics(puts[0]!, 1, 1);
    expect(alerts(run.rec)).toEqual([]);
    expect(run.out).toMatch(
      /^ {2}shard1 {3}OK {4}full\/shard1\/20261120T020000Z\/ {2}table counts match the manifest: 2 schema\(s\), 4 tables \(\d+\.\ds\)$/m,
    );
    expect(run.out).toContain("skipped full/shard1/20261120T120000Z/: no @.done.json");
    expect(run.out).toMatch(/^1 shard\(s\) verified$/m);
    expectCleanedUp(run);
  });

  it("verifies a shard whose manifest predates table counts for load success only, and says so", async () => {
    const run = await verify(["--shard", "5", "--json"]);
    expect(run.code).toBe(EXIT.ok);
    const summary = JSON.parse(run.out) as { ok: boolean; shards: Record<string, unknown>[] };
    expect(summary.ok).toBe(true);
    expect(summary.shards).toEqual([
      {
        shard: 5,
        ok: true,
        dump: { prefix: PREFIX[5], finishedAt: "2026-11-01T02:00:00Z", tool: "mysqlsh 8.4.3" },
        notes: ["no table counts in manifest"],
        seconds: expect.any(Number),
      },
    ]);
    expectShardMetrics(metrics(run.rec)[0]!, 5, 1);
    expect(alerts(run.rec)).toEqual([]);
    expectCleanedUp(run);
  });

  it("fails a shard whose restored counts differ: metric 0 and an alert naming environment, shard, dump, difference", async () => {
    const run = await verify(["--shard", "2"]);
    expect(run.code).toBe(EXIT.failed);
    const reason =
      "table counts differ from the manifest: extra schema(s): scratch (4 tables); " +
      "gamedb: 3 tables in the manifest, 2 restored";
    expect(run.out).toContain(`  shard2   FAIL  ${PREFIX[2]}  ${reason}`);
    const seconds = expectShardMetrics(metrics(run.rec)[0]!, 2, 0);
    const sent = alerts(run.rec);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      Action: "Publish",
      TopicArn: TOPIC,
      Subject: `gamedb ${ENV}: restore verification of shard2 failed`,
    });
    const message = sent[0]!.Message ?? "";
    expect(message).toContain(`Environment: ${ENV}\nShard:       shard2\n`);
    expect(message).toContain(`Dump:        s3://${BUCKET}/${PREFIX[2]} (finished 2026-11-21T02:00:00Z)`);
    expect(message).toContain(`Stage:       compare\nReason:      ${reason}\n`);
    secretsAbsent(message, run.out, run.err);
    expect(seconds).toBeLessThan(60);
    expectCleanedUp(run);
  });

  it("fails a shard without a complete dump, without starting mysqld", async () => {
    const run = await verify(["--shard", "3"]);
    expect(run.code).toBe(EXIT.failed);
    const reason = `no complete dump under full/shard3/ (1 folder(s), none complete: ${PREFIX[3]}: no @.done.json)`;
    expect(run.out).toContain(`  shard3   FAIL  -  ${reason}`);
    expect(run.events).toEqual([]);
    expectShardMetrics(metrics(run.rec)[0]!, 3, 0);
    const message = alerts(run.rec)[0]?.Message ?? "";
    expect(message).toContain(`Dump:        none\nStage:       dump\nReason:      ${reason}\n`);
  });

  it("fails a shard whose load fails, with MySQL Shell's error; mysqld is still stopped and the directory removed", async () => {
    const run = await verify(["--shard", "4"]);
    expect(run.code).toBe(EXIT.failed);
    const reason = `util.loadDump of ${PREFIX[4]} failed: ${LOAD_ERROR}`;
    expect(run.out).toContain(`  shard4   FAIL  ${PREFIX[4]}  ${reason}`);
    const sh = run.events.find((e) => e.prog === "mysqlsh");
    expect(sh?.uncaught).toBe(LOAD_ERROR);
    expectShardMetrics(metrics(run.rec)[0]!, 4, 0);
    expect(alerts(run.rec)[0]?.Message).toContain(`Stage:       load\nReason:      ${reason}\n`);
    expect(run.events.filter((e) => e.event === "stopped")).toHaveLength(1);
    expectCleanedUp(run);
  });

  it("--all verifies every shard under full/, one at a time, and exits 1 when any failed", async () => {
    const run = await verify(["--all", "--json"]);
    expect(run.code).toBe(EXIT.failed);
    const summary = JSON.parse(run.out) as {
      ok: boolean;
      environment: string;
      shards: { shard: number; ok: boolean; stage?: string }[];
    };
    expect(summary.ok).toBe(false);
    expect(summary.environment).toBe(ENV);
    expect(summary.shards.map((s) => [s.shard, s.ok, s.stage])).toEqual([
      [1, true, undefined],
      [2, false, "compare"],
      [3, false, "dump"],
      [4, false, "load"],
      [5, true, undefined],
    ]);
    // One server at a time: each shard's mysqld stopped before the next one was initialized.
    const lifecycle = run.events
      .filter((e) => e.prog === "mysqld" && (e.event === "initialized" || e.event === "stopped"))
      .map(
        (e) =>
          `${e.event} ${(e.args ?? [])
            .find((a) => a.startsWith("--datadir="))
            ?.split("/")
            .at(-2)}`,
      );
    expect(lifecycle).toEqual([
      "initialized shard1",
      "stopped shard1",
      "initialized shard2",
      "stopped shard2",
      "initialized shard4",
      "stopped shard4",
      "initialized shard5",
      "stopped shard5",
    ]);
    const puts = metrics(run.rec);
    expect(puts.map((p) => p.data[0]!.Dimensions[1]!.Value)).toEqual([
      "shard1",
      "shard2",
      "shard3",
      "shard4",
      "shard5",
    ]);
    [1, 0, 0, 0, 1].forEach((v, i) => expectShardMetrics(puts[i]!, i + 1, v as 0 | 1));
    expect(alerts(run.rec).map((a) => a.Subject)).toEqual(
      [2, 3, 4].map((n) => `gamedb ${ENV}: restore verification of shard${n} failed`),
    );
    expectCleanedUp(run);
  });

  it("fails a shard whose mysqld exits during startup, with the error log's last lines", async () => {
    const run = await verify(["--shard", "1"], { mysqldMode: "crash" });
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toMatch(
      / {2}shard1 {3}FAIL {2}full\/shard1\/20261120T020000Z\/ {2}mysqld exited during startup \(1\): .*mmap\(137438953472 bytes\) failed; errno 12/,
    );
    expect(run.events.some((e) => e.prog === "mysqlsh")).toBe(false);
    expect(alerts(run.rec)[0]?.Message).toContain("Stage:       start\n");
    expectCleanedUp(run);
  });

  it("stops a mysqld that never answers after --start-timeout and fails the shard", async () => {
    const run = await verify(["--shard", "1", "--start-timeout", "1"], { mysqldMode: "hang" });
    expect(run.code).toBe(EXIT.failed);
    const sock = join(run.workdir, "shard1", "mysqld.sock");
    expect(run.out).toContain(`mysqld did not answer on ${sock} within 1s`);
    expect(run.events.some((e) => e.prog === "mysqlsh")).toBe(false);
    expect(run.events.filter((e) => e.event === "stopped")).toHaveLength(1);
    expectCleanedUp(run);
  });

  it("--dry-run names each shard's dump and runs and reports nothing", async () => {
    const run = await verify(["--shard", "1", "3", "--dry-run"]);
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toContain(
      `  shard1   would load ${PREFIX[1]}\n           manifest tables: {"gamedb":3,"gamedb_audit":1}`,
    );
    expect(run.out).toContain("  shard3   FAIL no complete dump under full/shard3/");
    expect(run.events).toEqual([]);
    expect(run.rec.requests).toEqual([]);
  });

  it("fails every shard when the bucket cannot be read, and still reports each", async () => {
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const run = await verify(["--shard", "1,2"], { s3Endpoint: `http://127.0.0.1:${closed}` });
    expect(run.code).toBe(EXIT.failed);
    expect(run.out).toMatch(new RegExp(`shard1 +FAIL +- +cannot read s3://${BUCKET}/full/shard1/: `));
    expect(run.out).toMatch(new RegExp(`shard2 +FAIL +- +cannot read s3://${BUCKET}/full/shard2/: `));
    expect(metrics(run.rec).map((p) => [p.data[1]!.Dimensions[1]!.Value, p.data[0]!.Value])).toEqual([
      ["shard1", 0],
      ["shard2", 0],
    ]);
    expect(run.events).toEqual([]);
  });

  it("exits 1 when CloudWatch refuses the metrics, even though the shard verified", async () => {
    recorder!.cloudwatchStatus = 400;
    try {
      const run = await verify(["--shard", "5"]);
      expect(run.code).toBe(EXIT.failed);
      expect(run.out).toContain(
        "  report error: cannot put metrics for shard5: InvalidParameterValueException: recorder refuses",
      );
      expect(run.out).toContain("  shard5   OK  ");
      expect(run.out).toMatch(/^1 shard\(s\) verified; 1 report error\(s\)$/m);
    } finally {
      recorder!.cloudwatchStatus = 200;
    }
  });

  it.each([
    [[], "give --shard N ... (one or more) or --all"],
    [["--shard", "1", "--all"], "give --shard N ... or --all, not both"],
    [["--shard", "x"], "--shard wants shard numbers: x"],
    [["--shard", "1", "--threads", "0"], "--threads wants a whole number of at least 1: 0"],
  ])("usage error %j", async (args, message) => {
    const run = await verify(args);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toBe(`error: ${message}`);
    expect(run.rec.requests).toEqual([]);
  });
});
