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
 * Exit codes: 0 done, 1 a shard failed or refused, or an input (config, endpoints, passwords, migration files) is
 * invalid (named on stderr, nothing run), 2 bad usage. The same fleet code runs as `npm run migrate` for operators.
 */
import * as fs from "node:fs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { Command } from "commander";
import { ACCOUNTS } from "../../../infra/catalog/mysql";
import { parseMigrateJobConfig } from "../../../infra/contracts/migrations";
import { parseOptions, runMain } from "../../lib/cli";
import { connector, readPasswords, readRouters } from "../../lib/migrations/access";
import {
  EXIT,
  FLEET_COMMANDS,
  FleetCommand,
  Io,
  createPartitionsAhead,
  parseVersion,
  printFleetReport,
  readInputs,
  runFleetCommand,
  versionUsage,
} from "../../lib/migrations/command";
import { readMigrations } from "../../lib/migrations/read";
import { ARCHIVE_CONNECTION_OPTIONS } from "../../lib/partitions/export";
import { failures, runPartitionMaintenance } from "../../lib/partitions/maintenance";
import { s3Client } from "../../lib/restore/bucket";

export { EXIT };
const COMMANDS = [...FLEET_COMMANDS, "partitions"] as const;

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
    {
      routers: readRouters(o.endpoints),
      passwords: readPasswords(o.passwords),
      passwordsFrom: o.passwords,
      user: o.user,
    },
    extra,
  );
  return { config, connect };
}

async function fleet(command: FleetCommand, argv: string[], io: Io): Promise<number> {
  const program = common(command, true);
  if (command === "rollback") program.argument("<version>", "the migration version to roll back (e.g. 3 or 0003)");
  const o = parseOptions<Common>(program, argv, io.out, io.err);
  if (typeof o === "number") return o;
  const version = command === "rollback" ? parseVersion(program.args[0]) : undefined;
  if (command === "rollback" && version === undefined) {
    io.err(versionUsage(program.args[0]));
    return EXIT.usage;
  }
  const run = readInputs("migrate", io, () => ({ ...access(o), migrations: readMigrations(o.migrations!) }));
  if (typeof run === "number") return run;
  const code = printFleetReport(await runFleetCommand(command, run, version), o.json === true, io);
  if (command !== "apply" || code !== EXIT.ok) return code;
  return createPartitionsAhead(run.config, access(o, ARCHIVE_CONNECTION_OPTIONS).connect, io, o.json === true);
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
  const inputs = readInputs("migrate", io, () => access(o, ARCHIVE_CONNECTION_OPTIONS));
  if (typeof inputs === "number") return inputs;
  const { config, connect } = inputs;
  const result = await runPartitionMaintenance({
    shards: config.shards.map((s) => ({ id: s.id, connect: () => connect(s.id) })),
    tables: config.partitioned,
    database: config.database,
    today: o.today ?? new Date(),
    s3: { client: s3Client({ bucket: o.bucket, region: o.region, endpoint: o.s3Endpoint }), bucket: o.bucket },
    // With --json, stdout carries only the report.
    log: (line) => (o.json ? io.err(line) : io.out(line)),
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
  return fleet(command as FleetCommand, rest, io);
}

runMain(module, () => main(process.argv.slice(2)));
