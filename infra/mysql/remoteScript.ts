/**
 * The text of a remote command that runs one AdminAPI script on a host: a toolkit step (infra/contracts/toolkit.ts).
 * Pure apart from reading this checkout's toolkit once.
 *
 * What reaches the host and how:
 * - the script is in the host's toolkit (infra/toolkit/host/adminapi.sh assembles it); the command names it and the
 *   hash of the files it is made of, so a preview shows what changed and only the steps whose files changed re-run;
 * - its params (names, addresses: no secrets) and, for the configure step, the my.cnf are in the command text;
 * - the secrets JSON arrives on stdin and is written, mode 0600, into a private directory on tmpfs (/dev/shm) that
 *   is removed on exit; it never appears in the command text, an argument list, the environment or a log.
 */
import type { AdminApiScriptName } from "./adminapi";
import { adminApiEntry } from "../toolkit/sources";
import { toolkitStep } from "../toolkit/step";
import type { Toolkit } from "../toolkit/build";

export interface AdminApiCommandInput {
  /** The script (infra/mysql/adminapi: the helpers + `<name>.js`). */
  readonly script: AdminApiScriptName;
  /** The script's params: plain data, no secrets. */
  readonly params: Record<string, unknown>;
  /**
   * A my.cnf to install before the script runs (configure step only).
   * @default none: the host's my.cnf is left as it is and mysqld is not restarted
   */
  readonly mycnf?: string;
  /**
   * A line written as a comment at the top: why the command re-runs (e.g. the converge request).
   * @default none: the command text starts with `set -eu`
   */
  readonly note?: string;
}

/** The command text. Secrets are read from stdin (a JSON object); pass `{}` when the script needs none. */
export function adminApiCommand(input: AdminApiCommandInput, toolkit?: Toolkit): string {
  if ((input.mycnf !== undefined) !== (input.script === "configure-instance"))
    throw new Error(`adminApiCommand: a my.cnf goes with configure-instance only (script ${input.script})`);
  return toolkitStep(
    adminApiEntry(input.script),
    { params: input.params, file: input.mycnf, note: input.note },
    toolkit,
  );
}
