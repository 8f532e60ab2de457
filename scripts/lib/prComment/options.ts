/** What the caller tells the renderer about the comment's context. */
import type { PolicyReport } from "../../../policy/check";

export interface PrCommentOptions {
  stack: string;
  baseRef?: string;
  headRef?: string;
  /**
   * The real `pulumi preview` of this run: "runs" (it comments on its own) or "skipped" (no cloud credentials: a
   * fork, or secrets not configured). Left out, the comment does not mention it.
   */
  realPreview?: "runs" | "skipped";
  /** The base's policy results, to mark violations this change introduces. */
  basePolicy?: PolicyReport;
  /** Longest list shown before "… and N more"; keeps the comment under GitHub's size limit. */
  maxItems?: number;
  /**
   * Most characters of one toolkit file's diff.
   * @default 8000
   */
  maxToolkitDiffChars?: number;
  /**
   * Most characters of the host toolkit section, diffs included; it also never takes the comment past GitHub's
   * 65536 characters.
   * @default 40000
   */
  maxToolkitChars?: number;
}
