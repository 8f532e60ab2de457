/**
 * The operator's view of a stack's slot moves (gamedb:slotMoves, infra/contracts/slotMoves.ts):
 *
 *   npm run move -- --stack S status --endpoints E --secrets P [--json FILE]
 *
 * For each move of the stack file: the phase asked, and what its mover has recorded in the control rows
 * (scripts/lib/mover/control.ts): on the target, the state and the status document (rows copied and streamed, lag,
 * verified and dirty slots, the switch's pause, the last error) and whether a switch could start now (the contract's
 * switchRefusal, with the move's switch limits); on the source, the reverse stream's position after a switch. A
 * move without a control row is "not started". --json FILE writes the status documents as a JSON array, the file
 * the offline plan reads with --move-status.
 *
 * --stack-file F reads a file of the Pulumi.<stack>.yaml shape instead of the project's. Shards are reached through
 * their Routers' read-write port (E: a client endpoints JSON file, infra/contracts/endpoints.ts
 * clientEndpointsSchema) as the mover account, with passwords from P (moverSecretsSchema: {"<shard id>":
 * "<password>"}, the movers' passwords.json), never from a command line, never printed.
 * Exit codes: 0 every status read; 1 a status could not be read, or the stack, endpoints or secrets are invalid
 * (every problem printed; the --json file is then not written); 2 bad usage.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { ClientEndpoints, clientEndpointsSchema, parseDocument } from "../../infra/contracts/endpoints";
import { MoveStatus, MoverSecrets, moverSecretsSchema } from "../../infra/contracts/slotMoves";
import { loadStackConfig } from "../../infra/plan/load";
import { MovePlan, planMoves } from "../../infra/plan/moves";
import { USAGE_EXIT, parseOptions, runMain } from "../lib/cli";
import { readPasswords } from "../lib/migrations/access";
import { connect, moverLogin } from "../lib/mover/connect";
import { ControlRow, readControl } from "../lib/mover/control";
import { describeMove } from "../lib/mover/moveReport";
import { UsageError, readStackConfig } from "../lib/stackFile";

export const EXIT = { ok: 0, failed: 1, usage: USAGE_EXIT } as const;
const COMMANDS = ["status"] as const;
const PROJECT_DIR = resolve(__dirname, "../..");
const ER_NO_SUCH_TABLE = 1146;

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

interface Options {
  stack?: string;
  stackFile?: string;
  endpoints?: string;
  secrets?: string;
  json?: string;
}

const EXAMPLES = `Examples:
  npm run move -- --stack prod status --endpoints ./endpoints.json --secrets ./mover-passwords.json
  npm run move -- --stack prod status --endpoints ./endpoints.json --secrets ./mover-passwords.json --json moves.json
  npm run plan -- --stack prod --move-status moves.json

Exit codes: 0 every status read; 1 a status could not be read, or the stack, endpoints or secrets are invalid;
2 bad usage.`;

function program(): Command {
  return new Command("move")
    .description("The stack's slot moves and what their movers report")
    .argument("<command>", COMMANDS.join(" | "))
    .option("--stack <name>", "the stack; reads Pulumi.<name>.yaml of the project unless --stack-file is given")
    .option("--stack-file <file>", "a stack file of the Pulumi.<stack>.yaml shape")
    .option("--endpoints <file>", "a client endpoints JSON file ({routers, slotMap}): each shard's Router")
    .option("--secrets <file>", 'the mover passwords, JSON {"<shard id>": "<password>"}')
    .option("--json <file>", "also write the status documents to this file, as a JSON array")
    .addHelpText("after", EXAMPLES);
}

function usageProblem(o: Options, command: string | undefined): string | undefined {
  if (!(COMMANDS as readonly string[]).includes(command ?? "")) {
    return `unknown command "${command}"; use one of ${COMMANDS.join(", ")}`;
  }
  if (!o.stack && !o.stackFile) return "give --stack NAME or --stack-file FILE";
  if (!o.endpoints) return `${command} needs --endpoints (a client endpoints JSON file with each shard's Router)`;
  if (!o.secrets) return `${command} needs --secrets (the mover passwords file, {"<shard id>": "<password>"})`;
  return undefined;
}

function stackFile(o: Options): string {
  if (o.stackFile) return resolve(o.stackFile);
  const file = join(PROJECT_DIR, `Pulumi.${o.stack}.yaml`);
  if (!existsSync(file)) throw new UsageError(`no stack file ${file}`);
  return file;
}

function readEndpoints(file: string): ClientEndpoints {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`endpoints ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return parseDocument(clientEndpointsSchema, file, text);
}

function readSecrets(file: string): MoverSecrets {
  // readPasswords never quotes the file's text in its errors (a malformed key may be a password).
  return moverSecretsSchema.parse(readPasswords(file));
}

/** What one move's shards hold: the target's and the source's control rows, or why they could not be read. */
export interface MoveReading {
  move: MovePlan;
  target?: ControlRow;
  source?: ControlRow;
  error?: string;
}

async function readMove(move: MovePlan, endpoints: ClientEndpoints, secrets: MoverSecrets): Promise<MoveReading> {
  const rowOn = async (shard: number): Promise<ControlRow | undefined> => {
    const router = endpoints.routers[`shard${shard}`];
    const port = router?.ports.rw;
    if (!router || port === undefined) {
      throw new Error(`the endpoints have no Router with a rw port for shard ${shard} (key shard${shard})`);
    }
    const conn = await connect(moverLogin({ shard, host: router.host, port }, secrets));
    try {
      return await readControl(conn, move.id);
    } catch (e) {
      // No control table: no mover has run on this shard yet (the mover creates it, control.ts ensureControlTables).
      if ((e as { errno?: number }).errno === ER_NO_SUCH_TABLE) return undefined;
      throw e;
    } finally {
      await conn.end().catch(() => undefined);
    }
  };
  try {
    const target = await rowOn(move.to);
    const source = target ? await rowOn(move.from) : undefined;
    return { move, target, source };
  } catch (e) {
    return { move, error: (e as Error).message };
  }
}

/** The status document of a reading, with the control row's state (the one the mover's steps commit). */
export function statusOf(r: MoveReading): MoveStatus | undefined {
  const s = r.target?.status;
  return s && r.target ? { ...s, state: r.target.state } : undefined;
}

export async function main(argv: string[], io: Io = { out: console.log, err: console.error }): Promise<number> {
  const cmd = program();
  const o = parseOptions<Options>(cmd, argv, io.out, io.err);
  if (typeof o === "number") return o;
  const problem = usageProblem(o, cmd.args[0]);
  if (problem) {
    io.err(`move: ${problem} (move --help)`);
    return EXIT.usage;
  }
  let moves: MovePlan[];
  let stack: string;
  try {
    const config = readStackConfig(stackFile(o), { stack: o.stack, projectDir: PROJECT_DIR });
    stack = config.stack;
    moves = planMoves(loadStackConfig(config.config, config.stack).slotMoves);
  } catch (e) {
    io.err(`move: ${(e as Error).message}`);
    return e instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
  let endpoints: ClientEndpoints;
  let secrets: MoverSecrets;
  try {
    endpoints = readEndpoints(o.endpoints!);
    secrets = readSecrets(o.secrets!);
  } catch (e) {
    io.err(`move: ${(e as Error).message}`);
    return EXIT.failed;
  }
  if (moves.length === 0) io.out(`stack ${stack}: no slot moves (gamedb:slotMoves)`);
  const readings: MoveReading[] = [];
  for (const move of moves) readings.push(await readMove(move, endpoints, secrets));
  for (const r of readings) io.out(describeMove(r.move, r.target, r.source, r.error).join("\n"));
  const failed = readings.filter((r) => r.error);
  if (o.json) {
    if (failed.length > 0) {
      io.err(
        `move: not writing ${o.json}: the status of move ${failed.map((r) => r.move.id).join(", ")} could not be read`,
      );
    } else {
      const docs = readings.map(statusOf).filter((s): s is MoveStatus => s !== undefined);
      writeFileSync(o.json, `${JSON.stringify(docs, null, 2)}\n`);
      io.out(`wrote ${docs.length} status document${docs.length === 1 ? "" : "s"} to ${o.json}`);
    }
  }
  return failed.length > 0 ? EXIT.failed : EXIT.ok;
}

runMain(module, () => main(process.argv.slice(2)));
