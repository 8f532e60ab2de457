/**
 * The slot mover's program (Dockerfile target mover; issue 16):
 *
 *   run   one move, long-running (the Deployment gamedb-move-<id>): copy, follow, verify, switch, reverse, cleanup or
 *         cancel as the spec's phase asks, resuming from the shards' control rows; serves /status and /metrics
 *   gate  before a slot map is published (the Job gamedb-slotmap-gate-<digest>): waits for the switches and reverses
 *         the deploy asks for, then checks every shard's fence against the map; exit 1 names every problem
 *
 * Specs are the contract's documents (infra/contracts/slotMoves.ts); passwords come from --secrets, a JSON file
 * mounted from a Secret, never a command line. Exit codes: 0 done (run: after SIGTERM), 1 refused or invalid input
 * (named on stderr), 2 bad usage.
 */
import * as fs from "node:fs";
import { Command } from "commander";
import type { Connection } from "mysql2/promise";
import { parseDocument } from "../../../infra/contracts/endpoints";
import { gateSpecSchema, moveSpecSchema, moverSecretsSchema } from "../../../infra/contracts/slotMoves";
import { parseOptions, runMain } from "../../lib/cli";
import { connect, moverLogin } from "../../lib/mover/connect";
import { runGate } from "../../lib/mover/gate";
import { Mover } from "../../lib/mover/mover";
import { startStatusServer } from "../../lib/mover/statusServer";

export const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

interface Files {
  spec: string;
  secrets: string;
}

function read<T>(schema: Parameters<typeof parseDocument<T>>[0], file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as Error).message})`);
  }
  return parseDocument(schema, file, text);
}

async function run(files: Files, out: (s: string) => void, signals: NodeJS.EventEmitter): Promise<number> {
  const spec = read(moveSpecSchema, files.spec);
  const secrets = read(moverSecretsSchema, files.secrets);
  const mover = new Mover({ spec, secrets, log: out });
  const server = await startStatusServer({ port: spec.statusPort, getStatus: () => mover.status });
  const stop = () => mover.stop();
  signals.once("SIGTERM", stop);
  signals.once("SIGINT", stop);
  try {
    await mover.run();
  } finally {
    await server.close();
  }
  return EXIT.ok;
}

async function gate(files: Files, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const spec = read(gateSpecSchema, files.spec);
  const secrets = read(moverSecretsSchema, files.secrets);
  const conns = new Map<number, Connection>();
  try {
    for (const shard of spec.shards) conns.set(shard.shard, await connect(moverLogin(shard, secrets)));
    const result = await runGate(spec, conns, { log: out });
    if (result.ok) {
      out(`the slot map agrees with every shard's fence (${spec.shards.length} shards, ${spec.moves.length} moves)`);
      return EXIT.ok;
    }
    for (const p of result.problems) err(p);
    return EXIT.refused;
  } finally {
    await Promise.all([...conns.values()].map((c) => c.end().catch(() => c.destroy())));
  }
}

export async function main(
  argv: string[],
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
  signals: NodeJS.EventEmitter = process,
): Promise<number> {
  let chosen: { command: "run" | "gate"; files: Files } | undefined;
  const program = new Command("mover").description("gamedb slot mover");
  for (const command of ["run", "gate"] as const) {
    program
      .command(command)
      .description(command === "run" ? "run one slot move (long-running)" : "check a slot map before it is published")
      .requiredOption("--spec <file>", command === "run" ? "move.json (moveSpecSchema)" : "gate.json (gateSpecSchema)")
      .requiredOption("--secrets <file>", 'passwords.json: {"<shard id>": "<gamedb_mover password>"}')
      // Subcommands copy their parent's settings when created, before parseOptions sets them on the parent.
      .exitOverride()
      .configureOutput({ writeOut: out, writeErr: err })
      .action((opts: Files) => {
        chosen = { command, files: opts };
      });
  }
  const parsed = parseOptions<object>(program, argv, out, err);
  if (typeof parsed === "number") return parsed;
  if (!chosen) {
    err("error: give a command: run or gate");
    return EXIT.usage;
  }
  try {
    return chosen.command === "run" ? await run(chosen.files, out, signals) : await gate(chosen.files, out, err);
  } catch (e) {
    err((e as Error).message);
    return EXIT.refused;
  }
}

runMain(module, () => main(process.argv.slice(2)));
