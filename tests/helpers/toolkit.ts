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
import { parseStepCommand } from "../../infra/contracts/toolkit";
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

export function stepOf(text: unknown, toolkit: Toolkit = currentToolkit()): Step {
  // parseStepCommand reads only a text that is exactly what stepCommand writes.
  const parsed = parseStepCommand(text);
  if (!parsed) throw new Error(`not a toolkit step as stepCommand writes it: ${String(text).slice(0, 200)}`);
  const { params, file, note } = parsed;
  const { files, sha256 } = entryFiles(toolkit, parsed.entry);
  if (parsed.sha256 !== sha256)
    throw new Error(`step ${parsed.entry} names hash ${parsed.sha256}; its files in the toolkit hash to ${sha256}`);
  return { entry: parsed.entry, sha256, params, file, note, files, script: entryScript(parsed.entry, toolkit) };
}
