/**
 * The restore verification's pure parts (scripts/apps/restore-verify/decide.ts, report.ts, script.ts), the manifest
 * schema's new and real-world forms, and verifyShard's cleanup with a substituted MysqlRunner.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import fc from "fast-check";
import type { DumpEntry } from "../../scripts/lib/restore/plan";
import { type DumpManifest, dumpManifestSchema } from "../../infra/contracts/backupLayout";
import {
  type ShardResult,
  type ShellOutcome,
  type TableCounts,
  compareTables,
  judgeLoad,
  parseShellOutput,
  pickDump,
  redact,
} from "../../scripts/apps/restore-verify/decide";
import type { MysqlRunner, ServerDirs } from "../../scripts/apps/restore-verify/mysql";
import {
  alertMessage,
  alertSubject,
  metricData,
  renderText,
  summarize,
} from "../../scripts/apps/restore-verify/report";
import { COUNT_SQL, loadScript } from "../../scripts/apps/restore-verify/script";
import { verifyShard } from "../../scripts/apps/restore-verify/verify";

const manifest = (over: Partial<DumpManifest> = {}): DumpManifest => ({
  shard: 2,
  clusterName: "shard2",
  source: { address: "10.0.0.5:3306", serverUuid: "u" },
  gtidExecuted: "aaaaaaaa-bbbb-cccc-dddd-000000000001:1-10",
  startedAt: "2026-11-21T02:00:00Z",
  finishedAt: "2026-11-21T02:10:00Z",
  bytes: 1,
  tool: "mysqlsh 8.4.3",
  ...over,
});

const entry = (ts: string, over: Partial<DumpEntry> = {}): DumpEntry => ({
  prefix: `full/shard2/${ts}/`,
  ts,
  done: true,
  manifest: manifest(),
  ...over,
});

describe("the dump manifest schema", () => {
  it("reads the manifest as gamedb-backup.sh writes it: the shard key, table counts, extra fields", () => {
    const parsed = dumpManifestSchema.parse({
      ...manifest(),
      shard: "shard3",
      gtidExecutedSource: "dump-metadata",
      tables: { gamedb: 12, "odd`name": 0 },
    });
    expect(parsed.shard).toBe(3);
    expect(parsed.tables).toEqual({ gamedb: 12, "odd`name": 0 });
  });

  it("reads older manifests without table counts, and rejects bad shards and counts", () => {
    expect(dumpManifestSchema.parse(manifest()).tables).toBeUndefined();
    expect(dumpManifestSchema.safeParse({ ...manifest(), shard: "primary" }).success).toBe(false);
    expect(dumpManifestSchema.safeParse({ ...manifest(), tables: { gamedb: -1 } }).success).toBe(false);
    expect(dumpManifestSchema.safeParse({ ...manifest(), tables: { gamedb: 1.5 } }).success).toBe(false);
  });
});

describe("pickDump", () => {
  it("takes the newest complete dump and says which newer folders it passed over", () => {
    const choice = pickDump(2, [
      entry("20261119T020000Z"),
      entry("20261120T020000Z"),
      entry("20261121T020000Z", { done: false }),
      entry("20261122T020000Z", { manifest: undefined }),
      entry("20261123T020000Z", { manifest: undefined, problem: "gamedb-manifest.json is for shard 7" }),
    ]);
    expect(choice.dump?.prefix).toBe("full/shard2/20261120T020000Z/");
    expect(choice.skipped).toEqual([
      "full/shard2/20261123T020000Z/: gamedb-manifest.json is for shard 7",
      "full/shard2/20261122T020000Z/: no gamedb-manifest.json",
      "full/shard2/20261121T020000Z/: no @.done.json",
    ]);
  });

  it("names the shard's folder when nothing is complete", () => {
    expect(pickDump(4, [])).toEqual({ reason: "no complete dump under full/shard4/", skipped: [] });
    expect(pickDump(4, [entry("20261121T020000Z", { done: false, manifest: undefined })]).reason).toBe(
      "no complete dump under full/shard4/ (1 folder(s), none complete: " +
        "full/shard2/20261121T020000Z/: no @.done.json and gamedb-manifest.json)",
    );
  });
});

const schemaName = fc.string({ minLength: 1, maxLength: 12 });
const counts = fc.dictionary(schemaName, fc.nat({ max: 500 }), { maxKeys: 8 });

describe("compareTables", () => {
  it("equal counts are ok, with nothing listed", () => {
    fc.assert(
      fc.property(counts, (c) => {
        const r = compareTables(c, { ...c });
        expect(r).toMatchObject({ ok: true, missingSchemas: [], extraSchemas: [], mismatches: [] });
        expect(r.message).toMatch(/^table counts match the manifest: \d+ schema\(s\), \d+ tables?$/);
      }),
    );
  });

  it("a schema lost in the restore is not ok and is named", () => {
    fc.assert(
      fc.property(
        counts.filter((c) => Object.keys(c).length > 0),
        fc.nat(),
        (c, i) => {
          const keys = Object.keys(c);
          const lost = keys[i % keys.length]!;
          const actual: TableCounts = { ...c };
          delete actual[lost];
          const r = compareTables(c, actual);
          expect(r.ok).toBe(false);
          expect(r.missingSchemas).toEqual([lost]);
          expect(r.message).toContain(`missing schema(s): ${lost} (`);
        },
      ),
    );
  });

  it("a schema only in the restore is not ok and is named", () => {
    fc.assert(
      fc.property(counts, schemaName, fc.nat({ max: 50 }), (c, extra, n) => {
        fc.pre(!Object.hasOwn(c, extra));
        const r = compareTables(c, { ...c, [extra]: n });
        expect(r.ok).toBe(false);
        expect(r.extraSchemas).toEqual([extra]);
        expect(r.message).toContain(`extra schema(s): ${extra} (`);
      }),
    );
  });

  it("a changed count is not ok and names the schema with both counts", () => {
    fc.assert(
      fc.property(
        counts.filter((c) => Object.keys(c).length > 0),
        fc.nat(),
        fc.integer({ min: 1, max: 100 }),
        (c, i, delta) => {
          const keys = Object.keys(c);
          const schema = keys[i % keys.length]!;
          const expected = c[schema]!;
          const r = compareTables(c, { ...c, [schema]: expected + delta });
          expect(r.ok).toBe(false);
          expect(r.mismatches).toEqual([{ schema, expected, actual: expected + delta }]);
          expect(r.message).toContain(`${schema}: ${expected} table`);
          expect(r.message).toContain(` in the manifest, ${expected + delta} restored`);
        },
      ),
    );
  });

  it("says everything that differs in one message", () => {
    expect(compareTables({ a: 1, b: 2, c: 3 }, { b: 2, c: 1, d: 1 }).message).toBe(
      "table counts differ from the manifest: missing schema(s): a (1 table); extra schema(s): d (1 table); " +
        "c: 3 tables in the manifest, 1 restored",
    );
  });
});

describe("parseShellOutput", () => {
  it("reads the counts line among MySQL Shell's other output", () => {
    expect(parseShellOutput('Loading DDL and Data...\nGAMEDB-VERIFY-COUNTS {"gamedb":3}\n')).toEqual({
      counts: { gamedb: 3 },
    });
  });

  it("reads the caught error, and refuses counts that are not whole numbers", () => {
    expect(parseShellOutput('GAMEDB-VERIFY-ERROR "Util.loadDump: Access Denied"').error).toBe(
      "Util.loadDump: Access Denied",
    );
    expect(parseShellOutput('GAMEDB-VERIFY-COUNTS {"gamedb":"3"}').problem).toMatch(/^unreadable table counts: /);
    expect(parseShellOutput("GAMEDB-VERIFY-COUNTS {").problem).toMatch(/^unreadable table counts: /);
  });
});

const outcome = (over: Partial<ShellOutcome>): ShellOutcome => ({
  code: 0,
  signal: null,
  stdout: "",
  stderr: "",
  timedOut: false,
  ...over,
});

describe("judgeLoad", () => {
  const chosen = (tables?: TableCounts) => {
    const dump = { prefix: "full/shard2/20261121T020000Z/", ts: "20261121T020000Z", manifest: manifest({ tables }) };
    return { dump, skipped: [] };
  };
  const countsOut = (c: TableCounts) => `GAMEDB-VERIFY-COUNTS ${JSON.stringify(c)}\n`;

  it("verified when the counts match; load success only without manifest counts", () => {
    const ok = judgeLoad(2, chosen({ g: 2 }), outcome({ stdout: countsOut({ g: 2 }) }), 5);
    expect(ok).toMatchObject({ ok: true, notes: [], tables: { ok: true } });
    const old = judgeLoad(2, chosen(), outcome({ stdout: countsOut({ g: 9 }) }), 5);
    expect(old).toMatchObject({ ok: true, notes: ["no table counts in manifest"] });
    expect(old.tables).toBeUndefined();
  });

  it("a failed load, a timeout or missing counts fail the shard at the load stage, without credentials", () => {
    const cases: [Partial<ShellOutcome>, string][] = [
      [
        { code: 1, stderr: "x\nMySQL Error 1045: Access denied, key AKIDEXAMPLE99\n" },
        "mysqlsh exited with code 1: x | MySQL Error 1045: Access denied, key [redacted]",
      ],
      [
        { code: null, signal: "SIGKILL", timedOut: true },
        "it did not finish within the load timeout (mysqlsh was killed)",
      ],
      [{ code: 0, stdout: "done\n" }, "mysqlsh printed no table counts"],
      [{ code: 1, stdout: 'GAMEDB-VERIFY-ERROR "Util.loadDump: 404"\n' }, "Util.loadDump: 404"],
    ];
    for (const [o, why] of cases) {
      const r = judgeLoad(2, chosen({ g: 1 }), outcome(o), 1, ["AKIDEXAMPLE99"]);
      expect(r).toMatchObject({
        ok: false,
        stage: "load",
        reason: `util.loadDump of full/shard2/20261121T020000Z/ failed: ${why}`,
      });
    }
  });

  it("counts that differ fail the shard at the compare stage with the comparison's message", () => {
    const r = judgeLoad(2, chosen({ g: 2 }), outcome({ stdout: countsOut({ g: 1 }) }), 1);
    expect(r).toMatchObject({
      ok: false,
      stage: "compare",
      reason: "table counts differ from the manifest: g: 2 tables in the manifest, 1 restored",
    });
  });

  it("redact replaces every occurrence and ignores empty or tiny values", () => {
    expect(redact("a SECRETKEY b SECRETKEY", ["SECRETKEY", "", undefined, "a"])).toBe("a [redacted] b [redacted]");
  });
});

const result = (over: Partial<ShardResult>): ShardResult => ({
  shard: 7,
  ok: true,
  notes: [],
  seconds: 12.3456,
  ...over,
});

describe("what is reported", () => {
  const at = new Date("2026-11-22T04:00:00Z");

  it("metric data: RestoreVerified 1/0 and RestoreVerifySeconds, by Environment and Shard", () => {
    const dims = [
      { Name: "Environment", Value: "prod" },
      { Name: "Shard", Value: "shard7" },
    ];
    expect(metricData("prod", result({}), at)).toEqual([
      { MetricName: "RestoreVerified", Dimensions: dims, Timestamp: at, Value: 1, Unit: "None" },
      { MetricName: "RestoreVerifySeconds", Dimensions: dims, Timestamp: at, Value: 12.346, Unit: "Seconds" },
    ]);
    expect(metricData("prod", result({ ok: false }), at)[0]?.Value).toBe(0);
  });

  it("the alert names environment, shard, dump and reason", () => {
    const failed = result({
      ok: false,
      stage: "compare",
      reason: "table counts differ from the manifest: g: 2 tables in the manifest, 1 restored",
      dump: { prefix: "full/shard7/20261121T020000Z/", finishedAt: "2026-11-21T02:10:00Z", tool: "mysqlsh 8.4.3" },
      notes: ["skipped full/shard7/20261122T020000Z/: no @.done.json"],
    });
    expect(alertSubject("prod", failed)).toBe("gamedb prod: restore verification of shard7 failed");
    expect(alertSubject("é".repeat(200), failed)).toMatch(/^gamedb \?+$/);
    expect(alertSubject("é".repeat(200), failed)).toHaveLength(100);
    expect(alertMessage({ environment: "prod", bucket: "b" }, failed, at)).toBe(
      [
        "The weekly restore verification of gamedb prod shard7 failed.",
        "",
        "Environment: prod",
        "Shard:       shard7",
        "Dump:        s3://b/full/shard7/20261121T020000Z/ (finished 2026-11-21T02:10:00Z)",
        "Stage:       compare",
        "Reason:      table counts differ from the manifest: g: 2 tables in the manifest, 1 restored",
        "Note:        skipped full/shard7/20261122T020000Z/: no @.done.json",
        "Checked at:  2026-11-22T04:00:00.000Z",
        "",
        "Runbook: README.md, Backups / Restore a shard to a point in time.",
      ].join("\n"),
    );
  });

  it("the run is ok only when every shard verified and every report was sent", () => {
    const ctx = { environment: "prod", bucket: "b" };
    expect(summarize(ctx, [result({})], []).ok).toBe(true);
    expect(summarize(ctx, [result({}), result({ ok: false })], []).ok).toBe(false);
    expect(summarize(ctx, [result({})], ["cannot put metrics"]).ok).toBe(false);
    expect(summarize(ctx, [], []).ok).toBe(false);
    expect(renderText(summarize(ctx, [], []))).toBe(
      "restore verification of gamedb prod from s3://b\nno shard verified",
    );
  });
});

describe("the MySQL Shell script", () => {
  it("connects over the socket, loads from S3 with the options, prints the counts; no credential in it", () => {
    const script = loadScript({
      prefix: "full/shard2/20261121T020000Z/",
      bucket: "gamedb-backup-prod",
      region: "eu-west-1",
      threads: 4,
      socket: "/w/shard2/mysqld.sock",
    });
    expect(script).toBe(
      [
        "try {",
        '  shell.connect({scheme: "mysql", user: "root", password: "", socket: "/w/shard2/mysqld.sock"});',
        '  util.loadDump("full/shard2/20261121T020000Z/", {s3BucketName: "gamedb-backup-prod", s3Region: "eu-west-1", ' +
          'threads: 4, loadUsers: false, skipBinlog: true, progressFile: "", showProgress: false});',
        `  const result = shell.getSession().runSql(${JSON.stringify(COUNT_SQL)});`,
        "  const counts = {};",
        "  for (let row = result.fetchOneObject(); row; row = result.fetchOneObject()) counts[row.name] = Number(row.n);",
        '  println("GAMEDB-VERIFY-COUNTS " + JSON.stringify(counts));',
        "} catch (e) {",
        '  println("GAMEDB-VERIFY-ERROR " + JSON.stringify(String(e && e.message ? e.message : e)));',
        "  throw e;",
        "}",
        "",
      ].join("\n"),
    );
    expect(COUNT_SQL).toBe(
      "SELECT TABLE_SCHEMA AS name, COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' " +
        "AND TABLE_SCHEMA NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema', " +
        "'mysql_innodb_cluster_metadata') GROUP BY TABLE_SCHEMA",
    );
  });
});

describe("verifyShard with a substituted runner", () => {
  const complete = {
    key: "full/shard2/20261121T020000Z/",
    manifest: JSON.stringify({ ...manifest(), tables: { g: 1 } }),
  };
  // Just enough S3 for readDumps: one complete dump.
  const s3 = {
    send: (command: { input: { Key?: string } }) =>
      Promise.resolve(
        command.input.Key
          ? { Body: { transformToString: () => Promise.resolve(complete.manifest) } }
          : { Contents: [{ Key: `${complete.key}@.done.json` }, { Key: `${complete.key}gamedb-manifest.json` }] },
      ),
  } as unknown as S3Client;

  let workdir = "";
  beforeEach(() => (workdir = mkdtempSync(join(tmpdir(), "gv-unit-"))));
  afterEach(() => rmSync(workdir, { recursive: true, force: true }));

  function runner(shell: MysqlRunner["shell"], calls: string[]): MysqlRunner {
    return {
      initialize: (d: ServerDirs) => {
        calls.push("initialize");
        writeFileSync(d.errorLog, "");
        return Promise.resolve();
      },
      start: () => {
        calls.push("start");
        return Promise.resolve({ pid: 1, stop: () => (calls.push("stop"), Promise.resolve()) });
      },
      shell,
    };
  }

  const settings = () => ({
    bucket: "b",
    workdir,
    threads: 2,
    startTimeoutMs: 1000,
    loadTimeoutMs: 1000,
    stopTimeoutMs: 1000,
    secrets: ["SECRETVALUE"],
  });
  let clock = 0;
  const deps = (r: MysqlRunner) => ({ s3, runner: r, now: () => (clock += 500), log: () => undefined });

  it("stops the server and removes the directory when the shell run itself breaks", async () => {
    const calls: string[] = [];
    const r = await verifyShard(
      2,
      settings(),
      deps(runner(() => Promise.reject(new Error("spawn EAGAIN with SECRETVALUE")), calls)),
    );
    expect(calls).toEqual(["initialize", "start", "stop"]);
    expect(r).toMatchObject({ ok: false, stage: "load", reason: "spawn EAGAIN with [redacted]" });
    expect(existsSync(join(workdir, "shard2"))).toBe(false);
  });

  it("measures the shard's time with the given clock, and passes the dump's prefix to the shell", async () => {
    const calls: string[] = [];
    let script = "";
    const r = await verifyShard(
      2,
      settings(),
      deps(
        runner((s) => {
          script = s;
          return Promise.resolve(outcome({ stdout: 'GAMEDB-VERIFY-COUNTS {"g":1}\n' }));
        }, calls),
      ),
    );
    expect(r).toMatchObject({ ok: true, seconds: 0.5, dump: { prefix: complete.key } });
    expect(script).toContain(`util.loadDump("${complete.key}", {s3BucketName: "b", threads: 2,`);
    expect(calls).toEqual(["initialize", "start", "stop"]);
  });
});
