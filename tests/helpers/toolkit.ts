/**
 * Reads a toolkit step's command text (infra/contracts/toolkit.ts stepCommand) back into what the host runs, so
 * program tests check the script and params a step runs rather than the text around them.
 *
 *   stepOf(text, toolkit?)   { entry, sha256, params, file, note, files, script } of a step; throws when the text is
 *                            not exactly what stepCommand writes for them, or when its hash is not the hash of the
 *                            entry's files in `toolkit` (default: this checkout's)
 *   entryScript(entry, tk?)  the script mysqlsh runs for an adminapi entry: its .js files joined with "\n", as
 *                            infra/toolkit/host/adminapi.sh assembles them
 *   isStep(text)             whether the text is a toolkit step at all
 */
import { FILE_END, PARAMS_END, parseStepCommand, stepCommand } from "../../infra/contracts/toolkit";
import { Toolkit, currentToolkit, entryFiles } from "../../infra/toolkit/build";

export interface Step {
  readonly entry: string;
  readonly sha256: string;
  /** The params JSON on fd 3, parsed; undefined when the step opens no fd 3. */
  readonly params: unknown;
  /** The file on fd 4, byte for byte; undefined when the step opens no fd 4. */
  readonly file?: string;
  /** The comment line at the top (without "# "). */
  readonly note?: string;
  /** The entry's files with their hashes, launcher first (entryFiles). */
  readonly files: { path: string; sha256: string }[];
  /** The entry's .js files joined with "\n" ("" for an entry without any). */
  readonly script: string;
}

export function entryScript(entry: string, toolkit: Toolkit = currentToolkit()): string {
  const list = toolkit.entries[entry];
  if (!list) throw new Error(`unknown toolkit entry "${entry}"`);
  return list
    .filter((p) => p.endsWith(".js"))
    .map((p) => toolkit.files.get(p)!.text)
    .join("\n");
}

export function isStep(text: unknown): boolean {
  return parseStepCommand(text) !== undefined;
}

/** The body of the heredoc at the start of `rest` ending at a line `delimiter`, and what follows that line. */
function heredoc(rest: string, delimiter: string): [body: string, after: string] {
  const end = rest.indexOf(`\n${delimiter}\n`);
  if (end < 0) throw new Error(`no line ${delimiter} ends the heredoc`);
  return [rest.slice(0, end + 1), rest.slice(end + delimiter.length + 2)];
}

export function stepOf(text: unknown, toolkit: Toolkit = currentToolkit()): Step {
  const parsed = parseStepCommand(text);
  if (!parsed || typeof text !== "string") throw new Error(`not a toolkit step: ${String(text).slice(0, 200)}`);
  const lines = text.split("\n");
  const note = lines[0]!.startsWith("# ") ? lines[0]!.slice(2) : undefined;
  const run = lines.findIndex((l) => l.startsWith("exec bash "));
  let rest = lines.slice(run + 1).join("\n");
  let params: unknown;
  let file: string | undefined;
  if (lines[run]!.includes(`3<<'${PARAMS_END}'`)) {
    const [body, after] = heredoc(rest, PARAMS_END);
    params = JSON.parse(body);
    rest = after;
  }
  if (lines[run]!.includes(`4<<'${FILE_END}'`)) [file, rest] = heredoc(rest, FILE_END);
  const rebuilt = stepCommand({ entry: parsed.entry, sha256: parsed.sha256, params, file, note });
  if (rebuilt !== text)
    throw new Error(`the step's text is not what stepCommand writes:\n--- text\n${text}\n--- stepCommand\n${rebuilt}`);
  const { files, sha256 } = entryFiles(toolkit, parsed.entry);
  if (parsed.sha256 !== sha256)
    throw new Error(`step ${parsed.entry} names hash ${parsed.sha256}; its files in the toolkit hash to ${sha256}`);
  return { entry: parsed.entry, sha256, params, file, note, files, script: entryScript(parsed.entry, toolkit) };
}
