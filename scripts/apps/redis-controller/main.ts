/**
 * The Redis Cluster controller for the gamedb-redis StatefulSet (pods gamedb-redis-0..N-1, N = M x (1 + R)), run
 * by two Kubernetes Jobs from the project's image (Dockerfile target redis-controller):
 *
 *   main.js drain      BEFORE the StatefulSet is resized: on a scale-in, moves every slot off the masters whose pods
 *                      go (ordinals >= N), moves staying replicas off going masters, then removes the going nodes,
 *                      so the pods can be deleted without losing a key. Nothing to do on creation or scale-out.
 *   main.js reconcile  AFTER the resize, when the pods run: creates the cluster, or adds the new nodes (masters
 *                      first, slots rebalanced onto them, then replicas), forgets nodes that are gone, and checks the
 *                      result: every slot covered, M masters with R replicas each. A second run changes nothing.
 *
 * Inputs from the environment (infra/contracts/redisController.ts); the password in REDISCLI_AUTH.
 * Exit codes: 0 done (or nothing to do), 1 refused or failed (nothing more changed), 2 bad input.
 */
import { readFileSync } from "node:fs";
import {
  ControllerInputError,
  PASSWORD_ENV,
  TLS_CA_FILE_ENV,
  parseControllerEnv,
} from "../../../infra/contracts/redisController";
import type { TlsTrust } from "./client";
import { runController, type Mode } from "./controller";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
const PREFIX = "redis-controller:";

export const USAGE = `usage: redis-controller drain|reconcile

  drain      before the StatefulSet is resized: slots and nodes leave the pods that go
  reconcile  after it is resized: create, grow or repair the cluster to M masters x R replicas

environment: REDIS_MASTERS, REDIS_REPLICAS_PER_MASTER, REDIS_HOST_TEMPLATE, REDIS_PORT_BASE, REDIS_PORT_STEP,
REDIS_MAX_ORDINAL_PROBE (64), REDIS_WAIT_SECONDS (300), ${PASSWORD_ENV} (the password; unset or empty: none),
${TLS_CA_FILE_ENV} (a CA certificate file: connect over TLS and verify against it; unset or empty: plain TCP)
`;

export interface Io {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Runs one mode; returns the exit code. Every line it prints starts with the prefix. */
export async function main(args: readonly string[], io: Io): Promise<number> {
  if (args.length === 1 && (args[0] === "--help" || args[0] === "-h")) {
    io.out(USAGE.trimEnd());
    return EXIT.ok;
  }
  if (args.length !== 1 || (args[0] !== "drain" && args[0] !== "reconcile")) {
    io.err(`${PREFIX} ERROR: usage: redis-controller drain|reconcile`);
    return EXIT.usage;
  }
  const mode = args[0] as Mode;
  let layout;
  try {
    layout = parseControllerEnv(io.env);
  } catch (e) {
    if (!(e instanceof ControllerInputError)) throw e;
    for (const problem of e.problems) io.err(`${PREFIX} ERROR: ${problem}`);
    return EXIT.usage;
  }
  let tls: TlsTrust | undefined;
  const caFile = io.env[TLS_CA_FILE_ENV] || undefined;
  if (caFile !== undefined) {
    try {
      tls = { ca: readFileSync(caFile, "utf8"), caFile };
    } catch (e) {
      io.err(`${PREFIX} ERROR: ${TLS_CA_FILE_ENV}: cannot read ${caFile}: ${(e as Error).message}`);
      return EXIT.usage;
    }
    if (!tls.ca.includes("-----BEGIN CERTIFICATE-----")) {
      io.err(`${PREFIX} ERROR: ${TLS_CA_FILE_ENV}: ${caFile} holds no PEM certificate`);
      return EXIT.usage;
    }
  }
  const password = io.env[PASSWORD_ENV] || undefined;
  // Whatever a message quotes, the password never shows.
  const clean = (line: string) => (password ? line.split(password).join("***") : line);
  try {
    await runController(mode, layout, { password, tls, log: (line) => io.out(`${PREFIX} ${clean(line)}`) });
    return EXIT.ok;
  } catch (e) {
    io.err(`${PREFIX} ERROR: ${clean(e instanceof Error ? e.message : String(e))}`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${PREFIX} ERROR: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(EXIT.failed);
    },
  );
}
