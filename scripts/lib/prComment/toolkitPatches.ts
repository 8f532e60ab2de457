/**
 * Unified diffs of toolkit files against the base (jsdiff's createTwoFilesPatch, git's `a/` `b/` and /dev/null
 * names), cut to a size: a GitHub comment holds at most 65536 characters, so each diff and all of them together are
 * capped, and what was cut is counted. Pure.
 */
import { FILE_HEADERS_ONLY, createTwoFilesPatch } from "diff";

/** GitHub refuses a comment body longer than this. */
export const GITHUB_COMMENT_MAX = 65536;

/** A file's unified diff, 3 lines of context. `undefined`: the file is not on that side (added or removed). */
export function unifiedDiff(path: string, base: string | undefined, head: string | undefined): string {
  return createTwoFilesPatch(
    base === undefined ? "/dev/null" : `a/${path}`,
    head === undefined ? "/dev/null" : `b/${path}`,
    base ?? "",
    head ?? "",
    undefined,
    undefined,
    { context: 3, headerOptions: FILE_HEADERS_ONLY },
  );
}

export interface CutText {
  text: string;
  /** Lines left out at the end. */
  cutLines: number;
  totalLines: number;
}

/** The text's first whole lines that fit in `max` characters (newlines counted). */
export function cutToLength(text: string, max: number): CutText {
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  let size = 0;
  let kept = 0;
  while (kept < lines.length && size + lines[kept]!.length + 1 <= max) size += lines[kept++]!.length + 1;
  return { text: lines.slice(0, kept).join("\n"), cutLines: lines.length - kept, totalLines: lines.length };
}

/** A code fence longer than any run of backticks in the text, so a script's own fences cannot close it. */
export function fenceFor(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(Math.max(3, longest + 1));
}

/** The diff as a ```diff block, cut to `max` characters of diff text, with a line saying what was cut. */
export function diffBlock(patch: string, max: number): string[] {
  const cut = cutToLength(patch, max);
  const fence = fenceFor(cut.text);
  const lines = [`${fence}diff`, cut.text, fence];
  if (cut.cutLines > 0)
    lines.push(
      `… ${cut.cutLines} of this diff's ${cut.totalLines} lines cut (at most ${max} characters a file): see the pull request's files.`,
    );
  return lines;
}
