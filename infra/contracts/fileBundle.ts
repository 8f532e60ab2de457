/**
 * CONTRACT: a bundle of files a toolkit step installs, carried on the step's fd 4 (infra/contracts/toolkit.ts), in a
 * form a bash read loop splits without parsing JSON. Written by the program (renderFileBundle), read on the host by
 * the backup launcher (infra/toolkit/host/backup-install.sh, which checks headers with the same patterns) and here
 * by parseFileBundle (tests, plan review). Pure.
 *
 *   GAMEDB_PUT <path> <mode>      the lines up to the next header are the file's content, each ending in "\n"
 *   GAMEDB_STDIN <path> <mode>    the file's content is the step's stdin: a secret never appears in the text
 *
 * A content line that would read as a header (GAMEDB_PUT or GAMEDB_STDIN as its first word) is refused.
 */

export const PUT_HEADER = "GAMEDB_PUT";
export const STDIN_HEADER = "GAMEDB_STDIN";
/** An absolute path whose segments are letters, digits, `.`, `_`, `@`, `-`, none starting with `.` (no `..`). */
export const BUNDLE_PATH = /^(\/[A-Za-z0-9_@-][A-Za-z0-9._@-]*)+$/;
/** An octal mode for `install -m`. */
export const BUNDLE_MODE = /^0[0-7]{3}$/;
/** A line the host reads as a header. */
const HEADER_LINE = new RegExp(`^(${PUT_HEADER}|${STDIN_HEADER})( |$)`);

export type BundleFile =
  | { readonly path: string; readonly mode: string; readonly content: string }
  | { readonly path: string; readonly mode: string; readonly stdin: true };

function checkHeader(path: string, mode: string): void {
  if (!BUNDLE_PATH.test(path)) throw new Error(`file bundle: path "${path}" must match ${BUNDLE_PATH}`);
  if (!BUNDLE_MODE.test(mode)) throw new Error(`file bundle: mode "${mode}" of ${path} must match ${BUNDLE_MODE}`);
}

/**
 * The bundle's text. A content without a final newline gets one (the host reads whole lines); an empty content
 * stays empty. Throws naming the file for a bad path or mode, a path given twice, more than one stdin file, a NUL,
 * or a content line that would be read as a header.
 */
export function renderFileBundle(files: readonly BundleFile[]): string {
  const seen = new Set<string>();
  let out = "";
  for (const f of files) {
    checkHeader(f.path, f.mode);
    if (seen.has(f.path)) throw new Error(`file bundle: ${f.path} is given twice`);
    seen.add(f.path);
    if ("stdin" in f) {
      if (files.filter((g) => "stdin" in g).length > 1) throw new Error("file bundle: only one file can come on stdin");
      out += `${STDIN_HEADER} ${f.path} ${f.mode}\n`;
      continue;
    }
    if (f.content.includes("\0")) throw new Error(`file bundle: ${f.path} holds a NUL character`);
    const bad = f.content.split("\n").find((line) => HEADER_LINE.test(line));
    if (bad !== undefined) throw new Error(`file bundle: ${f.path} has a line "${bad}", which would read as a header`);
    const body = f.content === "" || f.content.endsWith("\n") ? f.content : `${f.content}\n`;
    out += `${PUT_HEADER} ${f.path} ${f.mode}\n${body}`;
  }
  return out;
}

/** Reads a bundle back. Throws naming the line for anything renderFileBundle would not write. */
export function parseFileBundle(text: string): BundleFile[] {
  if (text !== "" && !text.endsWith("\n")) throw new Error("file bundle: the text does not end with a newline");
  const files: { path: string; mode: string; lines?: string[] }[] = [];
  const lines = text === "" ? [] : text.slice(0, -1).split("\n");
  lines.forEach((line, i) => {
    if (HEADER_LINE.test(line)) {
      const m = new RegExp(`^(${PUT_HEADER}|${STDIN_HEADER}) (\\S+) (\\S+)$`).exec(line);
      if (!m) throw new Error(`file bundle: line ${i + 1} "${line}" is not "<header> <path> <mode>"`);
      checkHeader(m[2]!, m[3]!);
      if (files.some((f) => f.path === m[2])) throw new Error(`file bundle: ${m[2]} is given twice`);
      if (m[1] === STDIN_HEADER && files.some((f) => !f.lines))
        throw new Error("file bundle: only one file can come on stdin");
      files.push({ path: m[2]!, mode: m[3]!, ...(m[1] === PUT_HEADER ? { lines: [] } : {}) });
      return;
    }
    const last = files[files.length - 1];
    if (!last) throw new Error(`file bundle: line ${i + 1} comes before any header`);
    if (!last.lines)
      throw new Error(`file bundle: line ${i + 1} follows ${STDIN_HEADER} ${last.path}, which has no content`);
    last.lines.push(line);
  });
  return files.map((f) =>
    f.lines
      ? { path: f.path, mode: f.mode, content: f.lines.map((l) => `${l}\n`).join("") }
      : { path: f.path, mode: f.mode, stdin: true as const },
  );
}
