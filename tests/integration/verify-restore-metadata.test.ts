/**
 * The restore verification on a dump of a cluster member: the dump's @.json lists mysql_innodb_cluster_metadata
 * (util.dumpInstance keeps it: mysql-shell 8.4.3 and 8.4.8 modules/util/common/dump/constants.h), so the throwaway
 * server holds it after util.loadDump; the manifest leaves it out of its counts (gamedb-backup.sh), and so must the
 * verification, or every shard would fail with an "extra schema". The run uses the stand-ins of
 * tests/helpers/standins (see tests/integration/verify-restore.test.ts), s3rver for the bucket, and an in-process
 * reporter; STANDIN_SERVER keeps the stand-in server's state in a file the test reads afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { s3Client } from "../../scripts/lib/restore/bucket";
import type { Reporter } from "../../scripts/apps/restore-verify/aws";
import { EXIT, main } from "../../scripts/apps/restore-verify/main";
import { type FakeS3, GROUP, dumpObjects, startFakeS3, upload } from "../helpers/backupFixtures";

const BUCKET = "gamedb-backups-metadata";
const STANDINS = join(__dirname, "..", "helpers", "standins");
const PREFIX = "full/shard7/20261121T020000Z/";
const TABLES = { gamedb: 3, gamedb_audit: 1 };

let s3: FakeS3 | undefined;
let work = "";
const savedEnv = { ...process.env };

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY = "S3RVER";
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  s3 = await startFakeS3([BUCKET]);
  const at = "2026-11-21T02:00:00Z";
  const dump = { shard: 7, ts: "20261121T020000Z", gtid: `${GROUP}:1-50`, startedAt: at, finishedAt: at };
  await upload(s3Client({ bucket: BUCKET, region: "eu-west-1", endpoint: s3.endpoint }), BUCKET, [
    ...dumpObjects({ ...dump, done: true, tables: TABLES, shardKey: true }),
  ]);
  work = mkdtempSync(join(tmpdir(), "gv-md-"));
  // The restored user schemas hold what the manifest counted; the metadata schema comes from the dump's @.json.
  writeFileSync(join(work, "plan.json"), JSON.stringify({ [PREFIX]: { counts: TABLES } }));
});

afterAll(async () => {
  await s3?.stop();
  rmSync(work, { recursive: true, force: true });
  process.env = savedEnv;
});

it("loads the dump's metadata schema into the throwaway server and still verifies: the count leaves it out", async () => {
  const metrics: unknown[] = [];
  const reporter: Reporter = {
    putMetrics: (_ns, data) => Promise.resolve(void metrics.push(...data)),
    publish: () => Promise.reject(new Error("no alert expected")),
  };
  process.env.STANDIN_PLAN = join(work, "plan.json");
  process.env.STANDIN_SERVER = join(work, "server.json");
  process.env.STANDIN_LOG = join(work, "standin.log");
  writeFileSync(process.env.STANDIN_LOG, "");
  const out: string[] = [];
  const args = [
    ...["--bucket", BUCKET, "--region", "eu-west-1", "--environment", "staging", "--endpoint", s3!.endpoint],
    ...["--workdir", join(work, "w"), "--mysqld-user", "mysql", "--shard", "7", "--json"],
    ...["--mysqld", join(STANDINS, "mysqld.js"), "--mysqlsh", join(STANDINS, "mysqlsh.js")],
  ];
  const code = await main(
    args,
    (s) => out.push(s),
    () => undefined,
    { reporter },
  );

  const server = JSON.parse(readFileSync(process.env.STANDIN_SERVER, "utf8")) as { schemas: Record<string, number> };
  expect(server.schemas).toEqual({ ...TABLES, mysql_innodb_cluster_metadata: 9 });
  const summary = JSON.parse(out.join("\n")) as { ok: boolean; shards: { tables?: { message: string } }[] };
  expect(summary.shards[0]?.tables?.message).toBe("table counts match the manifest: 2 schema(s), 4 tables");
  expect(summary.ok).toBe(true);
  expect(code).toBe(EXIT.ok);
  expect(metrics).toHaveLength(2);
});
