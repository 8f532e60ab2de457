/**
 * scripts/cli/restore.ts against a real S3-compatible server (s3rver on a loopback port): the bucket of
 * tests/helpers/backupFixtures.ts (two complete dumps, one incomplete; member A's binlogs, a failover, member B's),
 * and a copy of it with one of A's files missing. Asserts the exact printed commands and the JSON plan.
 * --execute (against stand-ins) is in restore-execute.test.ts.
 */
import { s3Client } from "../../scripts/lib/restore/bucket";
import { DROP_METADATA_JS, EMPTY_CHECK, GTID_MODE_CHECK, checkCommand } from "../../scripts/lib/restore/target";
import { shellQuote } from "../../infra/shell";
import { EXIT, main } from "../../scripts/cli/restore";
import { type CliRun, runCli } from "../helpers/cli";
import {
  type FakeS3,
  GROUP,
  MEMBER_A,
  MEMBER_B,
  sha256,
  shard1Objects,
  startFakeS3,
  upload,
} from "../helpers/backupFixtures";

const BUCKET = "gamedb-backups";
const HOLED = "gamedb-backups-hole";
const REGION = "eu-west-1";
const MISSING = `binlog/shard1/${MEMBER_A}/binlog.000012`;

let s3: FakeS3 | undefined;
const savedEnv = { ...process.env };

function endpoint(): string {
  if (!s3) throw new Error("s3rver did not start");
  return s3.endpoint;
}

beforeAll(async () => {
  // s3rver's fixed credentials; nothing from the developer's AWS setup.
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  s3 = await startFakeS3([BUCKET, HOLED]);
  const client = s3Client({ bucket: BUCKET, region: REGION, endpoint: s3.endpoint });
  await upload(client, BUCKET, shard1Objects());
  await upload(client, HOLED, shard1Objects([MISSING]));
});

afterAll(async () => {
  await s3?.stop();
  process.env = savedEnv;
});

type Run = CliRun;

function restore(...args: string[]): Promise<Run> {
  const base = ["--stack", "dev", "--shard", "1", "--bucket", BUCKET, "--region", REGION, "--endpoint", endpoint()];
  return runCli(main, [...base, ...args]);
}

const gtid = (range: string): string => `${GROUP}:${range}`;
const local = (member: string, file: string): string => `${member}/${file}`;
const key = (member: string, file: string): string => `binlog/shard1/${member}/${file}`;
const fileSha = (member: string, file: string): string => {
  const object = shard1Objects().find((o) => o.key === key(member, file));
  if (!object) throw new Error(`no fixture ${file}`);
  return sha256(object.body);
};

function expectedText(opts: {
  target: string;
  needed: string;
  files: [string, string][];
  notes: string[];
  members: number;
  replay: string;
  replayComments: string[];
}): string {
  const ep = endpoint();
  const loadDump =
    `util.loadDump("full/shard1/20261120T020000Z/", {s3BucketName: "${BUCKET}", s3Region: "${REGION}", ` +
    `s3EndpointOverride: "${ep}", threads: 8, progressFile: "", loadUsers: false, updateGtidSet: "replace"})`;
  return [
    `# Restore of shard 1 (stack dev) to ${opts.target}, from s3://${BUCKET}`,
    `#   dump:    full/shard1/20261120T020000Z/ from 10.0.0.5:3306, gtid_executed ${gtid("1-1000")}`,
    `#   binlogs: ${opts.files.length} file(s) from ${opts.members} member(s), replaying ${opts.needed}`,
    "#   notes:",
    ...opts.notes.map((n) => `#   - ${n}`),
    "",
    "# 1. Check the target before loading anything: an empty instance, with gtid_mode=ON.",
    "#    Each line says why and fails when the target does not fit. Add your connection options to mysql.",
    "#    The replay sets GTID_NEXT for every transaction, which gtid_mode=OFF refuses (error 1781).",
    checkCommand(EMPTY_CHECK, "mysql"),
    checkCommand(GTID_MODE_CHECK, "mysql"),
    "",
    "# 2. Load the full dump full/shard1/20261120T020000Z/ (finished 2026-11-20T02:12:00Z, mysqlsh 8.4.3).",
    "#    Into an empty MySQL 8.4 instance with local_infile=ON; add your connection options (e.g. root@HOST:3306).",
    "#    updateGtidSet replace sets gtid_executed/gtid_purged to the dump's, so the replay below continues it.",
    '#    progressFile "" writes nothing into the bucket; a load that broke is redone into a fresh instance.',
    `mysqlsh --js -e '${loadDump}'`,
    "",
    `# 3. Download ${opts.files.length} binlog file(s) into <member uuid>/<file> (members reuse file names).`,
    ...opts.files.map(
      ([m, f]) =>
        `aws s3 cp 's3://${BUCKET}/${key(m, f)}' '${local(m, f)}' --region '${REGION}' --endpoint-url '${ep}'`,
    ),
    "",
    "# 4. Check them against the sha256 recorded in their sidecars.",
    `printf '%s\\n' ${opts.files.map(([m, f]) => `'${fileSha(m, f)}  ${local(m, f)}'`).join(" ")} | sha256sum -c -`,
    "",
    "# 5. Replay the binlogs up to the target.",
    "#    --exclude-gtids skips what the dump already holds; files are in transaction order.",
    ...opts.replayComments.map((c) => `#    ${c}`),
    "#    Add your connection options to mysql (e.g. -h HOST -u root -p).",
    opts.replay,
    "",
    "# 6. Drop the old cluster's mysql_innodb_cluster_metadata schema and the recovery accounts it names.",
    "#    util.dumpInstance keeps that schema in the dump; Oracle's operator drops it the same way after a load.",
    "#    Last, because the replayed binlogs write to it. Add your connection options to mysqlsh.",
    `mysqlsh --js -e ${shellQuote(DROP_METADATA_JS)}`,
  ].join("\n");
}

const SKIPPED = [
  `skipped binlog/shard1/${MEMBER_B}/binlog.000006: no sidecar binlog.000006.json`,
  "skipped dump full/shard1/20261120T120000Z/: incomplete (no @.done.json)",
];

describe("restore to a time", () => {
  const files: [string, string][] = [
    [MEMBER_A, "binlog.000011"],
    [MEMBER_A, "binlog.000012"],
    [MEMBER_B, "binlog.000003"],
    [MEMBER_B, "binlog.000004"],
  ];

  it("loads the newest complete dump and replays A's files, then B's after the failover, cut at the target", async () => {
    const run = await restore("--to", "2026-11-20T14:30:00Z");
    expect(run.err).toBe("");
    expect(run.code).toBe(EXIT.ok);
    const paths = files.map(([m, f]) => `'${local(m, f)}'`).join(" ");
    expect(run.out).toBe(
      expectedText({
        target: "2026-11-20T14:30:00Z",
        needed: gtid("1001-2100"),
        files,
        members: 2,
        notes: [...SKIPPED, "binlogs come from 2 members (a failover inside the window)"],
        replayComments: [
          "--stop-datetime stops before the first event at or after 2026-11-20 14:30:00 UTC (TZ=UTC: it reads local time).",
        ],
        replay:
          `TZ=UTC mysqlbinlog --exclude-gtids='${gtid("1-1000")}' --stop-datetime='2026-11-20 14:30:00' ` +
          `${paths} | mysql`,
      }),
    );
  });

  it("prints the plan as JSON", async () => {
    const run = await restore("--to", "2026-11-20T14:30:00+01:00", "--json");
    expect(run.code).toBe(EXIT.ok);
    const plan = JSON.parse(run.out) as Record<string, unknown>;
    expect(plan).toMatchObject({
      stack: "dev",
      bucket: BUCKET,
      shard: 1,
      target: { time: "2026-11-20T13:30:00Z" },
      dump: {
        prefix: "full/shard1/20261120T020000Z/",
        finishedAt: "2026-11-20T02:12:00Z",
        gtidExecuted: gtid("1-1000"),
        source: { address: "10.0.0.5:3306", serverUuid: MEMBER_A },
      },
      needed: gtid("1001-1900"),
      stopDatetime: "2026-11-20 13:30:00",
      notes: [...SKIPPED, "binlogs come from 2 members (a failover inside the window)"],
    });
    expect(plan.binlogs).toEqual(
      (
        [
          [MEMBER_A, "binlog.000011", "601-1200", "2026-11-20T00:00:00Z", "2026-11-20T08:00:00Z"],
          [MEMBER_A, "binlog.000012", "1201-1800", "2026-11-20T08:00:01Z", "2026-11-20T12:59:59Z"],
          [MEMBER_B, "binlog.000003", "1701-1900", "2026-11-20T12:30:00Z", "2026-11-20T14:00:00Z"],
        ] as const
      ).map(([m, f, range, firstEventAt, lastEventAt]) => ({
        key: key(m, f),
        serverUuid: m,
        file: f,
        local: local(m, f),
        firstEventAt,
        lastEventAt,
        gtids: gtid(range),
        sha256: fileSha(m, f),
        bytes: expect.any(Number) as number,
      })),
    );
    const steps = plan.steps as { commands: string[] }[];
    expect(steps).toHaveLength(6);
    expect(steps[4]?.commands[0]).toMatch(
      /^TZ=UTC mysqlbinlog --exclude-gtids='.*:1-1000' --stop-datetime='2026-11-20 13:30:00' /,
    );
  });

  it("replays the file straddling the older dump when the target is right after it", async () => {
    const run = await restore("--to", "2026-11-19T02:10:00Z", "--json");
    expect(run.code).toBe(EXIT.ok);
    const plan = JSON.parse(run.out) as {
      dump: { prefix: string };
      binlogs: unknown[];
      notes: string[];
      needed: string;
    };
    expect(plan.dump.prefix).toBe("full/shard1/20261119T020000Z/");
    // A's binlog.000010 started before this dump; with the target at its finish, 101-600 are still to replay.
    expect(plan.needed).toBe(gtid("101-600"));
    expect(plan.binlogs).toHaveLength(1);
  });

  it("refuses a target before the oldest complete dump", async () => {
    const run = await restore("--to", "2026-11-19T01:00:00Z");
    expect(run.code).toBe(EXIT.invalid);
    expect(run.out).toBe("");
    expect(run.err).toBe(
      "error: no full dump of shard 1 finished before 2026-11-19T01:00:00Z; the oldest finished at 2026-11-19T02:10:00Z",
    );
  });

  it("names the hole when a member's binlog is missing and no other member has those transactions", async () => {
    const run = await restore("--to", "2026-11-20T14:30:00Z", "--bucket", HOLED);
    expect(run.code).toBe(EXIT.invalid);
    expect(run.out).toBe("");
    expect(run.err).toBe(
      `error: binlogs of shard 1 do not cover ${gtid("1201-1700")} ` +
        "(between 2026-11-20T08:00:00Z and 2026-11-20T12:30:00Z); the files holding these transactions are missing " +
        "from every member's folder: restore to 2026-11-20T08:00:00Z at the latest, or put the missing files back",
    );
  });

  it("still restores to a time before the hole", async () => {
    const run = await restore("--to", "2026-11-20T07:00:00Z", "--bucket", HOLED, "--json");
    expect(run.code).toBe(EXIT.ok);
    const plan = JSON.parse(run.out) as { binlogs: { key: string }[] };
    expect(plan.binlogs.map((b) => b.key)).toEqual([key(MEMBER_A, "binlog.000011")]);
  });
});

describe("restore to a GTID set", () => {
  it("picks the newest dump inside the set and replays with --include-gtids", async () => {
    const run = await restore("--gtid", gtid("1-1850").toUpperCase());
    expect(run.err).toBe("");
    expect(run.code).toBe(EXIT.ok);
    const files: [string, string][] = [
      [MEMBER_A, "binlog.000011"],
      [MEMBER_A, "binlog.000012"],
      [MEMBER_A, "binlog.000013"],
    ];
    const paths = files.map(([m, f]) => `'${local(m, f)}'`).join(" ");
    expect(run.out).toBe(
      expectedText({
        target: `GTID set ${gtid("1-1850")}`,
        needed: gtid("1001-1850"),
        files,
        members: 1,
        notes: SKIPPED,
        replayComments: ["--include-gtids applies only the transactions of the target GTID set."],
        replay:
          `mysqlbinlog --exclude-gtids='${gtid("1-1000")}' --include-gtids='${gtid("1-1850")}' ` + `${paths} | mysql`,
      }),
    );
  });

  it("refuses a set that no dump fits in", async () => {
    const run = await restore("--gtid", gtid("1-50"));
    expect(run.code).toBe(EXIT.invalid);
    expect(run.err).toBe(
      `error: no full dump of shard 1 has a gtid_executed within ${gtid("1-50")}; ` +
        `the oldest (finished at 2026-11-19T02:10:00Z) has ${gtid("1-100")}`,
    );
  });
});

describe("usage", () => {
  it.each([
    [["--to", "2026-11-20T14:30:00Z", "--gtid", gtid("1-5")], "error: give exactly one of --to or --gtid"],
    [[], "error: give exactly one of --to or --gtid"],
    [["--to", "2026-11-20 14:30"], "error: --to wants an ISO instant with a zone, to the second"],
    [["--gtid", "nonsense"], "error: --gtid: bad server uuid"],
    [
      ["--to", "2026-11-20T14:30:00Z", "--execute"],
      "error: --execute needs --target [user@]host: the empty MySQL 8.4 instance to restore onto",
    ],
    [["--to", "2026-11-20T14:30:00Z", "--target", "10.0.0.9"], "error: --target applies only with --execute"],
  ])("%j", async (args, message) => {
    const run = await restore(...args);
    expect(run.code).toBe(EXIT.usage);
    expect(run.err).toContain(message);
  });

  it("reports a missing bucket as an error, not a crash", async () => {
    const run = await restore("--to", "2026-11-20T14:30:00Z", "--bucket", "no-such-bucket");
    expect(run.code).toBe(EXIT.invalid);
    expect(run.err).toMatch(/^error: cannot read s3:\/\/no-such-bucket: NoSuchBucket/);
  });
});
