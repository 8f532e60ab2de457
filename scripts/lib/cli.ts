/**
 * What every gamedb CLI (plan, restore, verify-restore, monitor, pr-comment) shares: commander parsing that writes
 * through the caller's out/err and never exits the process itself (so tests call `main` in-process), and the
 * entry point that turns `main`'s result into the exit code.
 */
import { type Command, CommanderError } from "commander";

/** Exit code of a command-line mistake, the same for every CLI. */
export const USAGE_EXIT = 2;

/**
 * Parses `argv` with `program`. Returns the options, or the exit code to return at once: 0 after --help or
 * --version, USAGE_EXIT after a usage error (commander has already written its message to `err`).
 */
export function parseOptions<T extends object>(
  program: Command,
  argv: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): T | number {
  program.exitOverride().configureOutput({ writeOut: out, writeErr: err });
  try {
    return program.parse(argv, { from: "user" }).opts<T>();
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : USAGE_EXIT;
    throw e;
  }
}

/** Runs `main` when the file is the process's entry point; an unexpected error prints and exits `crashCode`. */
export function runMain(entry: NodeJS.Module, main: () => number | Promise<number>, crashCode = 3): void {
  if (require.main !== entry) return;
  Promise.resolve()
    .then(main)
    .then(
      (code) => process.exit(code),
      (e: unknown) => {
        console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
        process.exit(crashCode);
      },
    );
}
