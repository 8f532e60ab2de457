/**
 * gamedb:schema under Pulumi's mock runtime: the migration Job with its ConfigMaps and Secret (exact inputs), the
 * game database reaching every shard's cluster, and what an edit changes: a new migration file runs a new Job and
 * changes nothing else; a new shard is learned by the Job's config and Secret; a bad file stops the plan naming it.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans } from "../../scripts/lib/planDiff";
import type { PlanDocument, PlannedResource } from "../../scripts/lib/planDocument";
import { parseMigrateJobConfig } from "../../infra/contracts/migrations";
import { stackOf } from "../helpers/stack";

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ROOT = join(__dirname, "..", "..");
const IMAGE = "registry.example.com/gamedb/gamedb-migrate:0.1.0";
// Relative to the project root, where the program runs (and inside /tmp/ of .gitignore).
const SCRATCH = `tmp/schema-test-${process.pid}`;

function prodRaw(migrations = "stacks/migrations"): Raw {
  const doc = parse(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")).config as Raw;
  const raw = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^gamedb:/, ""), v]));
  raw.schema = {
    database: "game",
    image: IMAGE,
    migrations,
    partitioned: [{ table: "game_logs", column: "logged_at" }],
  };
  return raw;
}

const named = (doc: PlanDocument, type: string, prefix: string): PlannedResource[] =>
  doc.resources.filter((r) => r.type === type && r.name.startsWith(prefix));
const one = (doc: PlanDocument, type: string, name: string): PlannedResource => {
  const found = doc.resources.filter((r) => r.type === type && r.name === name);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const JOB = "kubernetes:batch/v1:Job";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const SECRET = "kubernetes:core/v1:Secret";

let base: PlanDocument;
beforeAll(async () => {
  base = await evaluate(stackOf(prodRaw(), "prod"));
});
afterAll(() => rmSync(join(ROOT, SCRATCH), { recursive: true, force: true }));

describe("the migration Job", () => {
  it("mounts the migration files, the Job's config, the endpoints and the passwords, and runs apply", () => {
    const files = one(base, CONFIG_MAP, "gamedb-migrate-files");
    expect(Object.keys(files.inputs.data as object).sort()).toEqual([
      "U0001__players.sql",
      "U0002__game_logs.sql",
      "V0001__players.sql",
      "V0002__game_logs.sql",
    ]);
    expect((files.inputs.data as Record<string, string>)["V0001__players.sql"]).toBe(
      readFileSync(join(ROOT, "stacks/migrations/V0001__players.sql"), "utf8"),
    );
    const config = one(base, CONFIG_MAP, "gamedb-migrate-config");
    const json = (config.inputs.data as Record<string, string>)["config.json"]!;
    const parsed = parseMigrateJobConfig("config.json", json);
    expect(parsed).toMatchObject({
      database: "game",
      concurrency: 4,
      batch: { rows: 1000, pauseThreadsRunning: 25, stopThreadsRunning: 50 },
      shards: [1, 2, 3, 4].map((id) => ({ id, state: "active" })),
      partitioned: [{ table: "game_logs", column: "logged_at", aheadDays: 7, keepDays: 30 }],
    });
    expect(parsed.slotMap.map((r) => r.shard)).toEqual([1, 2, 3, 4]);

    const secret = one(base, SECRET, "gamedb-migrate");
    expect(secret.inputs.stringData).toBe("[secret]");

    const jobs = named(base, JOB, "gamedb-migrate-");
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.name).toMatch(/^gamedb-migrate-[0-9a-f]{10}$/);
    const spec = job.inputs.spec as Raw;
    expect(spec.backoffLimit).toBe(0);
    expect(spec.activeDeadlineSeconds).toBe(30 * 60);
    const pod = spec.template.spec;
    expect(pod.containers[0].image).toBe(IMAGE);
    expect(pod.containers[0].args).toEqual([
      "apply",
      "--config",
      "/etc/gamedb/migrate/config.json",
      "--migrations",
      "/etc/gamedb/migrations",
      "--endpoints",
      "/etc/gamedb/endpoints",
      "--passwords",
      "/etc/gamedb/secrets/passwords.json",
    ]);
    expect(pod.volumes).toEqual([
      { name: "config", configMap: { name: "gamedb-migrate-config" } },
      { name: "migrations", configMap: { name: "gamedb-migrate-files" } },
      { name: "endpoints", configMap: { name: "gamedb-endpoints" } },
      { name: "secrets", secret: { secretName: "gamedb-migrate", defaultMode: 0o400 } },
    ]);
    // It waits for every shard's cluster (whose accounts step creates gamedb_schema) and the endpoints.
    const clusters = base.resources.filter((r) => r.type === "gamedb:mysql:InnoDbCluster").map((r) => r.urn);
    expect(clusters).toHaveLength(4);
    for (const urn of clusters) expect(job.options.dependsOn).toContain(urn);
    expect(job.options.dependsOn).toContain(one(base, CONFIG_MAP, "gamedb-endpoints").urn);
  });

  it("gives every shard's cluster the game database: two accounts' passwords per shard", () => {
    const passwords = base.resources.filter((r) => /^shard\d-(schema|app)-password$/.test(r.name)).map((r) => r.name);
    expect(passwords.sort()).toEqual(
      [1, 2, 3, 4].flatMap((s) => [`shard${s}-app-password`, `shard${s}-schema-password`]).sort(),
    );
  });

  it("keeps the partitioned tables with a CronJob that archives to the bucket under archive/ and alerts", () => {
    const cron = one(base, "kubernetes:batch/v1:CronJob", "gamedb-partitions");
    const spec = cron.inputs.spec as Raw;
    expect([spec.schedule, spec.timeZone, spec.concurrencyPolicy]).toEqual(["15 3 * * *", "Etc/UTC", "Forbid"]);
    const container = spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.image).toBe(IMAGE);
    expect(container.args.slice(0, 7)).toEqual([
      "partitions",
      "--config",
      "/etc/gamedb/migrate/config.json",
      "--endpoints",
      "/etc/gamedb/endpoints",
      "--passwords",
      "/etc/gamedb/secrets/passwords.json",
    ]);
    expect(container.args).toEqual(expect.arrayContaining(["--bucket", "--topic-arn", "--environment", "prod"]));
    // Its own role (Pod Identity): no key in its environment, no API token.
    const pod = spec.jobTemplate.spec.template.spec;
    expect([pod.serviceAccountName, pod.automountServiceAccountToken]).toEqual(["gamedb-partitions", false]);
    expect(container.env).toEqual([
      { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
      { name: "AWS_REGION", value: "eu-west-1" },
    ]);
    const policy = JSON.parse(one(base, "aws:iam/rolePolicy:RolePolicy", "gamedb-partitions").inputs.policy as string);
    expect(policy.Statement.map((x: Raw) => [x.Sid, x.Action])).toEqual([
      ["Archives", ["s3:PutObject", "s3:GetObject"]],
      ["ListArchives", "s3:ListBucket"],
      ["BucketKey", ["kms:GenerateDataKey", "kms:Decrypt"]],
      ["AlertTopic", "sns:Publish"],
      ["AlertTopicKey", ["kms:GenerateDataKey*", "kms:Decrypt"]],
    ]);
    expect(policy.Statement[0].Resource).toMatch(/\/archive\/\*$/);
    expect(one(base, SECRET, "gamedb-partitions").inputs.stringData).toBe("[secret]");
  });

  it("registers nothing without gamedb:schema", async () => {
    const raw = prodRaw();
    delete raw.schema;
    const plain = await evaluate(stackOf(raw, "prod"));
    expect(plain.resources.filter((r) => /^gamedb-(migrate|partitions)/.test(r.name))).toEqual([]);
  });
});

describe("what an edit changes", () => {
  it("a new migration file: a new Job replaces the old one, the files ConfigMap learns it, nothing else changes", async () => {
    mkdirSync(join(ROOT, SCRATCH), { recursive: true });
    cpSync(join(ROOT, "stacks/migrations"), join(ROOT, SCRATCH, "a"), { recursive: true });
    cpSync(join(ROOT, "stacks/migrations"), join(ROOT, SCRATCH, "b"), { recursive: true });
    writeFileSync(
      join(ROOT, SCRATCH, "b", "V0003__player_title.sql"),
      "ALTER TABLE players ADD COLUMN title VARCHAR(32) NULL;\n",
    );
    const before = await evaluate(stackOf(prodRaw(`${SCRATCH}/a`), "prod"));
    const after = await evaluate(stackOf(prodRaw(`${SCRATCH}/b`), "prod"));
    const diff = diffPlans(before, after);
    expect(diff.created.map((r) => r.type)).toEqual([JOB]);
    expect(diff.deleted.map((r) => r.type)).toEqual([JOB]);
    expect(diff.changed.map((c) => [c.name, c.inputs])).toEqual([["gamedb-migrate-files", ["data"]]]);
  });

  it("a new shard: the Job's config and Secret learn it, and a new Job runs", async () => {
    const raw = prodRaw();
    raw.shards.push({ id: 5, name: "echo", nodes: 3, state: "provisioning" });
    const next = await evaluate(stackOf(raw, "prod"));
    const diff = diffPlans(base, next);
    const config = parseMigrateJobConfig(
      "config.json",
      (one(next, CONFIG_MAP, "gamedb-migrate-config").inputs.data as Record<string, string>)["config.json"]!,
    );
    expect(config.shards.at(-1)).toEqual({ id: 5, state: "provisioning" });
    expect(diff.changed.map((c) => c.name)).toContain("gamedb-migrate-config");
    // The Secret's text is a secret in the plan: what shows is that it now comes from shard 5's password too.
    const password = one(next, "random:index/randomPassword:RandomPassword", "shard5-schema-password");
    expect(one(next, SECRET, "gamedb-migrate").dependencies).toContain(password.urn);
    expect(one(base, SECRET, "gamedb-migrate").dependencies.some((d) => d.includes("shard5"))).toBe(false);
    expect(diff.created.filter((r) => r.type === JOB)).toHaveLength(1);
    expect(diff.deleted.map((r) => r.type)).toEqual([JOB]);
  });

  it("a bad migration file stops the plan with every problem, naming the file", async () => {
    mkdirSync(join(ROOT, SCRATCH, "bad"), { recursive: true });
    cpSync(join(ROOT, "stacks/migrations"), join(ROOT, SCRATCH, "bad"), { recursive: true });
    writeFileSync(join(ROOT, SCRATCH, "bad", "V0003__oops.sql"), "-- gamedb:shardd t key=id\nSELECT 1;\n");
    writeFileSync(join(ROOT, SCRATCH, "bad", "U0009__orphan.sql"), "DROP TABLE x;\n");
    await expect(evaluate(stackOf(prodRaw(`${SCRATCH}/bad`), "prod"))).rejects.toThrow(
      /V0003__oops\.sql[\s\S]*U0009__orphan\.sql|U0009__orphan\.sql[\s\S]*V0003__oops\.sql/,
    );
  });
});
