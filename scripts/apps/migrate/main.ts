/**
 * The migrate image's program (Dockerfile target migrate):
 *
 *   apply       the migration Job: pending migrations on every shard of config.json (infra/contracts/migrations.ts)
 *   status      what every shard has applied and what is pending; changes nothing
 *   rollback V  the newest migration V on every shard where it is applied, with its recorded U file
 *   partitions  the partition CronJob: create days ahead, archive old days to the bucket, verify, drop
 *
 * Shards are reached through their Routers (--endpoints: the gamedb-endpoints directory or routers.json) as
 * gamedb_schema, with passwords from --passwords (a JSON file; never a command line). The report goes to stdout;
 * on failure the last lines on stderr name each shard and version, which is what the Job's pod reports.
 * Exit codes: 0 done, 1 a shard failed or refused, 2 bad usage.
 */
import * as fs from "node:fs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { Command } from "commander";
import { ACCOUNTS } from "../../../infra/catalog/mysql";
import { parseMigrateJobConfig } from "../../../infra/contracts/migrations";
import { parseOptions, runMain, USAGE_EXIT } from "../../lib/cli";
import { FleetReport, fleetStatus, migrateFleet, rollbackFleet } from "../../lib/migrations/fleet";
import { readMigrations } from "../../lib/migrations/read";
import { ARCHIVE_CONNECTION_OPTIONS } from "../../lib/partitions/export";
import { failures, runPartitionMaintenance } from "../../lib/partitions/maintenance";
import { s3Client } from "../../lib/restore/bucket";
import { connector, readPasswords, readRouters } from "./access";

export const EXIT = { ok: 0, failed: 1, usage: USAGE_EXIT } as const;
const COMMANDS = ["apply", "status", "rollback", "partitions"] as const;
type Io = { out: (s: string) => void; err: (s: string) => void };

interface Common {
  config: string;
  endpoints: string;
  passwords: string;
  user: string;
  migrations?: string;
  json?: boolean;
}

function common(name: string, withMigrations: boolean): Command {
  const c = new Command(name)
    .requiredOption("--config <file>", "the Job's config.json")
    .requiredOption("--endpoints <path>", "the gamedb-endpoints directory, or routers.json")
    .requiredOption("--passwords <file>", 'JSON {"<shard id>": "<password>"} for the account')
    .option("--user <name>", "the MySQL account", ACCOUNTS.schema)
    .option("--json", "print the report as JSON");
  return withMigrations ? c.requiredOption("--migrations <dir>", "the directory of V/U .sql files") : c;
}

function access(o: Common, extra = {}) {
  const config = parseMigrateJobConfig(o.config, fs.readFileSync(o.config, "utf8"));
  const connect = connector(
    { routers: readRouters(o.endpoints), passwords: readPasswords(o.passwords), user: o.user },
    extra,
  );
  return { config, connect };
}

function report(r: FleetReport, o: Common, io: Io): number {
  io.out(o.json ? JSON.stringify(r.shards, null, 2) : r.text);
  if (r.ok) return EXIT.ok;
  for (const s of r.shards.filter((x) => x.outcome === "failed" || x.outcome === "refused")) {
    io.err(`shard ${s.shard}: ${s.outcome}: ${s.message ?? ""}`);
  }
  return EXIT.failed;
}

async function fleet(command: "apply" | "status" | "rollback", argv: string[], io: Io): Promise<number> {
  const program = common(command, true);
  if (command === "rollback") program.argument("<version>", "the migration version to roll back (e.g. 3 or 0003)");
  const o = parseOptions<Common>(program, argv, io.out, io.err);
  if (typeof o === "number") return o;
  const { config, connect } = access(o);
  const opts = { config, migrations: readMigrations(o.migrations!), connect: (s: { id: number }) => connect(s.id) };
  if (command === "apply") return report(await migrateFleet(opts), o, io);
  if (command === "status") return report(await fleetStatus(opts), o, io);
  const version = Number(program.args[0]);
  if (!Number.isInteger(version) || version < 1) {
    io.err(`rollback: "${program.args[0]}" is not a migration version (a positive integer such as 3)`);
    return EXIT.usage;
  }
  return report(await rollbackFleet(opts, version), o, io);
}

interface PartitionOptions extends Common {
  bucket: string;
  region: string;
  topicArn?: string;
  today?: string;
  s3Endpoint?: string;
  snsEndpoint?: string;
  environment: string;
}

async function partitions(argv: string[], io: Io): Promise<number> {
  const program = common("partitions", false)
    .requiredOption("--bucket <name>", "the backup bucket (archives go under archive/)")
    .requiredOption("--region <region>", "the bucket's and the topic's region")
    .option("--environment <name>", "named in the alert", "unknown")
    .option("--topic-arn <arn>", "the alert topic a failure is published to")
    .option("--today <YYYY-MM-DD>", "the day to plan from (UTC); default today")
    .option("--s3-endpoint <url>", "an S3-compatible endpoint (tests)")
    .option("--sns-endpoint <url>", "an SNS-compatible endpoint (tests)");
  const o = parseOptions<PartitionOptions>(program, argv, io.out, io.err);
  if (typeof o === "number") return o;
  const { config, connect } = access(o, ARCHIVE_CONNECTION_OPTIONS);
  const result = await runPartitionMaintenance({
    shards: config.shards.map((s) => ({ id: s.id, connect: () => connect(s.id) })),
    tables: config.partitioned,
    database: config.database,
    today: o.today ?? new Date(),
    s3: { client: s3Client({ bucket: o.bucket, region: o.region, endpoint: o.s3Endpoint }), bucket: o.bucket },
    log: (line) => io.out(line),
  });
  io.out(o.json ? JSON.stringify(result, null, 2) : `partition maintenance ${result.ok ? "done" : "FAILED"}`);
  if (result.ok) return EXIT.ok;
  const lines = failures(result);
  lines.forEach((l) => io.err(l));
  if (o.topicArn) {
    const sns = new SNSClient({ region: o.region, ...(o.snsEndpoint ? { endpoint: o.snsEndpoint } : {}) });
    await sns.send(
      new PublishCommand({
        TopicArn: o.topicArn,
        Subject: `gamedb ${o.environment}: partition maintenance failed`.slice(0, 100),
        Message: `Nothing was dropped where a step failed.\n${lines.join("\n")}`,
      }),
    );
  }
  return EXIT.failed;
}

export async function main(argv: string[], io: Io = { out: console.log, err: console.error }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    io.out(`usage: migrate ${COMMANDS.join("|")} [options] (migrate <command> --help)`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!(COMMANDS as readonly string[]).includes(command)) {
    io.err(`migrate: unknown command "${command}"; use one of ${COMMANDS.join(", ")}`);
    return EXIT.usage;
  }
  if (command === "partitions") return partitions(rest, io);
  return fleet(command as "apply" | "status" | "rollback", rest, io);
}

runMain(module, () => main(process.argv.slice(2)));
