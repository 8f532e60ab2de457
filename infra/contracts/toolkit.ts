/**
 * The host toolkit's contract: where a version lives on a host, how a version and an entry are hashed, and the text of
 * a step's remote command. Both sides use it: the program (infra/toolkit) writes command texts with it, the host's
 * runner (infra/toolkit/host/gamedb-step) reads what they name, and the plan review (scripts/lib/toolkitDiff.ts)
 * parses them back. Pure.
 *
 * On a host:
 *   /opt/gamedb/toolkit/<version>/MANIFEST          `sha256sum` lines of every other file, sorted by path
 *   /opt/gamedb/toolkit/<version>/entries/<entry>   the files an entry runs, one path a line, launcher first
 *   /opt/gamedb/toolkit/current -> <version>        switched with one rename when a version is installed
 * A step's command names its entry and the hash of exactly the files that entry runs (entryHash), never the version:
 * a change to one script changes the text, and so re-runs, only the steps that run it.
 */
import { createHash } from "node:crypto";

export const TOOLKIT_ROOT = "/opt/gamedb/toolkit";
export const TOOLKIT_CURRENT = `${TOOLKIT_ROOT}/current`;
/** Where CopyToRemote stages a version, relative to the SSH user's home (SFTP paths are relative to it). */
export const TOOLKIT_STAGING = ".gamedb-toolkit";
export const MANIFEST_FILE = "MANIFEST";
export const ENTRY_DIR = "entries";
export const RUNNER = "bin/gamedb-step";
export const INSTALLER = "bin/gamedb-toolkit-install";
/** Heredoc delimiters of a step's params (fd 3) and its file (fd 4). */
export const PARAMS_END = "GAMEDB_PARAMS";
export const FILE_END = "GAMEDB_FILE";

/** A toolkit path: lower-case segments of letters, digits, `.`, `_` and `-` (sha256sum prints them unescaped). */
export const TOOLKIT_PATH = /^[a-z0-9_-][a-z0-9._-]*(\/[a-z0-9_-][a-z0-9._-]*)*$/;

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** One line of `sha256sum` output for a file whose content hashes to `hash`. */
export function manifestLine(hash: string, path: string): string {
  if (!TOOLKIT_PATH.test(path)) throw new Error(`toolkit path "${path}" must match ${TOOLKIT_PATH}`);
  return `${hash}  ${path}\n`;
}

/** The hash a step names: sha256 of the manifest lines of the entry's files, in the entry's order. */
export function entryHash(files: readonly { path: string; sha256: string }[]): string {
  return sha256(files.map((f) => manifestLine(f.sha256, f.path)).join(""));
}

/** A version is the first 16 hex digits of its MANIFEST's sha256. */
export function toolkitVersion(manifest: string): string {
  return sha256(manifest).slice(0, 16);
}

export interface StepInvocation {
  /** The entry, e.g. "adminapi/converge-cluster" (a file under entries/). */
  readonly entry: string;
  /** entryHash of the entry's files. */
  readonly sha256: string;
  /**
   * The step's parameters: plain data, no secrets (those arrive on stdin). Written as JSON on the runner's fd 3.
   * @default none: fd 3 is not opened
   */
  readonly params?: unknown;
  /**
   * A file the entry installs (the configure step's my.cnf), on the runner's fd 4, byte for byte.
   * @default none: fd 4 is not opened
   */
  readonly file?: string;
  /**
   * A line written as a comment at the top: why the command re-runs (e.g. the converge request).
   * @default none
   */
  readonly note?: string;
}

function heredocBody(delimiter: string, content: string): string {
  if (content.split("\n").includes(delimiter))
    throw new Error(`step content has a line "${delimiter}"; it would end its heredoc`);
  return `${content.endsWith("\n") ? content : `${content}\n`}${delimiter}`;
}

/** The remote command text of one step. It runs the entry from the installed toolkit as the SSH user. */
export function stepCommand(step: StepInvocation): string {
  if (!TOOLKIT_PATH.test(step.entry)) throw new Error(`toolkit entry "${step.entry}" must match ${TOOLKIT_PATH}`);
  if (!/^[0-9a-f]{64}$/.test(step.sha256)) throw new Error(`entry hash "${step.sha256}" must be 64 hex digits`);
  const redirects: string[] = [];
  const bodies: string[] = [];
  if (step.params !== undefined) {
    redirects.push(`3<<'${PARAMS_END}'`);
    bodies.push(heredocBody(PARAMS_END, JSON.stringify(step.params)));
  }
  if (step.file !== undefined) {
    redirects.push(`4<<'${FILE_END}'`);
    bodies.push(heredocBody(FILE_END, step.file));
  }
  const run = ["exec bash", `${TOOLKIT_CURRENT}/${RUNNER}`, step.entry, step.sha256, ...redirects].join(" ");
  return [...(step.note ? [`# ${step.note.replace(/\n/g, " ")}`] : []), "set -eu", run, ...bodies, ""].join("\n");
}

const RUN_LINE = new RegExp(
  `^exec bash ${TOOLKIT_CURRENT.replace(/[/.]/g, "\\$&")}/${RUNNER} (\\S+) ([0-9a-f]{64})( 3<<'${PARAMS_END}')?( 4<<'${FILE_END}')?$`,
);

/**
 * Reads a step back from its command text: entry, hash, params, file and note. Undefined for any other text,
 * including one that only starts like a step (the whole text must be what stepCommand writes).
 */
export function parseStepCommand(text: unknown): StepInvocation | undefined {
  if (typeof text !== "string") return undefined;
  const lines = text.split("\n");
  let i = 0;
  const note = lines[0]!.startsWith("# ") ? lines[i++]!.slice(2) : undefined;
  if (lines[i++] !== "set -eu") return undefined;
  const m = RUN_LINE.exec(lines[i++] ?? "");
  if (!m) return undefined;
  /** The body of the heredoc starting at line i, up to its delimiter line. */
  const body = (delimiter: string): string | undefined => {
    const end = lines.indexOf(delimiter, i);
    if (end < 0) return undefined;
    const text = lines.slice(i, end).join("\n");
    i = end + 1;
    return text;
  };
  const step: { -readonly [K in keyof StepInvocation]: StepInvocation[K] } = { entry: m[1]!, sha256: m[2]! };
  try {
    if (m[3]) step.params = JSON.parse(body(PARAMS_END) ?? "");
    if (m[4]) {
      const file = body(FILE_END);
      if (file === undefined) return undefined;
      step.file = `${file}\n`;
    }
    if (note !== undefined) step.note = note;
    return stepCommand(step) === text ? step : undefined;
  } catch {
    return undefined;
  }
}

/** The text of a host's toolkit install step: the installed copy when the version is there, else the staged one. */
export function installCommand(version: string): string {
  if (!/^[0-9a-f]{16}$/.test(version)) throw new Error(`toolkit version "${version}" must be 16 hex digits`);
  return [
    `# gamedb toolkit ${version}`,
    "set -eu",
    `v=${version}`,
    `if [ -f "${TOOLKIT_ROOT}/$v/${MANIFEST_FILE}" ]; then`,
    `  exec bash "${TOOLKIT_ROOT}/$v/${INSTALLER}" "$v"`,
    "fi",
    `staged="$HOME/${TOOLKIT_STAGING}/$v/${INSTALLER}"`,
    'if [ ! -f "$staged" ]; then',
    `  echo "gamedb-toolkit: version $v is neither installed nor staged on this host (rebuilt or wiped?): pulumi up --replace this node's <node>-toolkit-copy and <node>-toolkit resources" >&2`,
    "  exit 1",
    "fi",
    'exec bash "$staged" "$v"',
    "",
  ].join("\n");
}

/** The version a host's install step installs, read back from its text; undefined for any other text. */
export function parseInstallCommand(text: unknown): string | undefined {
  if (typeof text !== "string") return undefined;
  const m = /^# gamedb toolkit ([0-9a-f]{16})\n/.exec(text);
  // The whole text must be installCommand's: a text that only starts like it may run anything.
  return m && text === installCommand(m[1]!) ? m[1] : undefined;
}
