/**
 * The operator's migrate: a stack's migrations on its shards, with the config the platform would give the migration
 * Job (planned from the stack file: scripts/lib/migrations/stackSchema.ts) and the Job's own fleet code
 * (scripts/lib/migrations/command.ts, shared with scripts/apps/migrate/main.ts).
 *
 *   npm run migrate -- --stack S plan                 offline: migrations, rollbacks, sharded tables, MySQL 8.4
 *                                                     copy warnings, the shards it would migrate
 *   npm run migrate -- --stack S status   --endpoints E   what every shard has applied and what is pending
 *   npm run migrate -- --stack S apply    --endpoints E   pending migrations on every shard
 *   npm run migrate -- --stack S rollback V --endpoints E the newest migration V, where it is applied
 *
 * --stack-file F reads a file of the Pulumi.<stack>.yaml shape instead of the project's. Shards are reached through
 * their Routers (E: the gamedb-endpoints directory or routers.json) as gamedb_schema (--user), with passwords from
 * --passwords-file F or the environment variable GAMEDB_SCHEMA_PASSWORDS, a JSON object {"<shard id>": "<password>"}:
 * never from a command-line value, never printed.
 * Exit codes: 0 done; 1 a shard failed or refused, or the stack, its migration files, the endpoints or the passwords
 * are invalid (every problem printed); 2 bad usage.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { ACCOUNTS } from "../../infra/catalog/mysql";
import { parseOptions, runMain } from "../lib/cli";
import { connector, parsePasswords, readPasswords, readRouters } from "../lib/migrations/access";
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
} from "../lib/migrations/command";
import { migratePlanDocument, renderMigratePlan } from "../lib/migrations/planReport";
import { StackSchema, planStackSchema } from "../lib/migrations/stackSchema";
import { ARCHIVE_CONNECTION_OPTIONS } from "../lib/partitions/export";
import { UsageError, readStackConfig } from "../lib/stackFile";

export { EXIT };
export const PASSWORDS_ENV = "GAMEDB_SCHEMA_PASSWORDS";
const COMMANDS = ["plan", ...FLEET_COMMANDS] as const;
const PROJECT_DIR = resolve(__dirname, "../..");

interface Options {
  stack?: string;
  stackFile?: string;
  endpoints?: string;
  passwordsFile?: string;
  user: string;
  json?: boolean;
}

function program(): Command {
  return new Command("migrate")
    .description("The stack's schema migrations on its shards, as the migration Job runs them")
    .argument("<command>", COMMANDS.join(" | "))
    .argument("[version]", "rollback: the migration version to roll back (3 or 0003)")
    .option("--stack <name>", "the stack; reads Pulumi.<name>.yaml of the project unless --stack-file is given")
    .option("--stack-file <file>", "a stack file of the Pulumi.<stack>.yaml shape")
    .option("--endpoints <path>", "status/apply/rollback: the gamedb-endpoints directory, or routers.json")
    .option("--passwords-file <file>", `JSON {"<shard id>": "<password>"}; or set ${PASSWORDS_ENV} to that JSON`)
    .option("--user <name>", "the MySQL account", ACCOUNTS.schema)
    .option("--json", "print the plan or the report as JSON")
    .addHelpText("after", EXAMPLES);
}

const EXAMPLES = `Examples:
  npm run migrate -- --stack prod plan
  npm run migrate -- --stack prod status --endpoints ./endpoints --passwords-file ./schema-passwords.json
  npm run migrate -- --stack prod apply --endpoints ./endpoints/routers.json --passwords-file ./schema-passwords.json
  npm run migrate -- --stack prod rollback 3 --endpoints ./endpoints --passwords-file ./schema-passwords.json
  npm run migrate -- --stack-file ./Pulumi.staging.yaml status --endpoints ./endpoints   (with ${PASSWORDS_ENV} set)

Exit codes: 0 done; 1 a shard failed or refused, or the stack, its migration files, the endpoints or the passwords
are invalid; 2 bad usage.`;

/** The command-line checks that need no file; returns the problem, or undefined. */
function usageProblem(o: Options, command: string | undefined, version: string | undefined, env: NodeJS.ProcessEnv) {
  if (!(COMMANDS as readonly string[]).includes(command ?? "")) {
    return `unknown command "${command}"; use one of ${COMMANDS.join(", ")}`;
  }
  if (command === "rollback" && parseVersion(version) === undefined) return versionUsage(version);
  if (command !== "rollback" && version !== undefined) return `${command} takes no argument (got "${version}")`;
  if (!o.stack && !o.stackFile) return "give --stack NAME or --stack-file FILE";
  if (command === "plan") return undefined;
  if (!o.endpoints) return `${command} needs --endpoints (the gamedb-endpoints directory, or routers.json)`;
  const fromEnv = env[PASSWORDS_ENV] !== undefined;
  if (!o.passwordsFile && !fromEnv) return `${command} needs the passwords: --passwords-file FILE or ${PASSWORDS_ENV}`;
  if (o.passwordsFile && fromEnv) return `give the passwords one way: --passwords-file or ${PASSWORDS_ENV}, not both`;
  return undefined;
}

function stackFile(o: Options): string {
  if (o.stackFile) return resolve(o.stackFile);
  const file = join(PROJECT_DIR, `Pulumi.${o.stack}.yaml`);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`);
  return file;
}

/** The stack planned, or the exit code after printing why not. */
function planStack(o: Options, io: Io): StackSchema | number {
  try {
    const stack = readStackConfig(stackFile(o), { stack: o.stack, projectDir: PROJECT_DIR });
    return readInputs("migrate", io, () => planStackSchema(stack, PROJECT_DIR));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`migrate: ${e.message}`);
    return EXIT.usage;
  }
}

export async function main(
  argv: string[],
  io: Io = { out: console.log, err: console.error },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const cmd = program();
  const o = parseOptions<Options>(cmd, argv, io.out, io.err);
  if (typeof o === "number") return o;
  const [command, versionText] = cmd.args;
  const problem = usageProblem(o, command, versionText, env);
  if (problem) {
    io.err(`migrate: ${problem} (migrate --help)`);
    return EXIT.usage;
  }
  const planned = planStack(o, io);
  if (typeof planned === "number") return planned;

  if (command === "plan") {
    const doc = migratePlanDocument(planned.stack, planned.plan);
    io.out(o.json ? JSON.stringify(doc, null, 2) : renderMigratePlan(doc));
    return EXIT.ok;
  }
  const access = readInputs("migrate", io, () => {
    const passwordsFrom = o.passwordsFile ?? PASSWORDS_ENV;
    const passwords = o.passwordsFile
      ? readPasswords(o.passwordsFile)
      : parsePasswords(PASSWORDS_ENV, env[PASSWORDS_ENV]!);
    return { routers: readRouters(o.endpoints!), passwords, passwordsFrom, user: o.user };
  });
  if (typeof access === "number") return access;
  const { jobConfig } = planned;
  if (!o.json) {
    io.out(
      `stack ${planned.stack}: ${command} on shards ${jobConfig.shards.map((s) => s.id).join(", ")} ` +
        `(database ${jobConfig.database}, as ${o.user})`,
    );
  }
  const run = { config: jobConfig, migrations: planned.migrations, connect: connector(access) };
  const report = await runFleetCommand(command as FleetCommand, run, parseVersion(versionText));
  const code = printFleetReport(report, o.json === true, io);
  if (command !== "apply" || code !== EXIT.ok) return code;
  return createPartitionsAhead(jobConfig, connector(access, ARCHIVE_CONNECTION_OPTIONS), io, o.json === true);
}

runMain(module, () => main(process.argv.slice(2)));
