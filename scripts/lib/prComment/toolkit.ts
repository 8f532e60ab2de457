/**
 * The comment's host toolkit section: the version change, each changed file with its hashes and the changed steps
 * that run it, the steps that run again and why, and each changed file's unified diff against the base in a
 * collapsed block (scripts/lib/toolkitDiff.ts, ./toolkitPatches.ts). Absent when no file and no step changed.
 */
import type { PlanToolkit } from "../planDocument";
import { ToolkitDiff, ToolkitFileChange, ToolkitStepChange, stepsRunning } from "../toolkitDiff";
import { shortHash, stepNotes, stepSummary } from "../renderToolkit";
import { capped, cell, code, plural } from "./markdown";
import { diffBlock, unifiedDiff } from "./toolkitPatches";

export interface ToolkitSectionLimits {
  /** Longest list shown before "… and N more". */
  max: number;
  /** Most characters of one file's diff. */
  perFile: number;
  /** Most characters of the whole section; files whose diff would pass it are named instead. */
  budget: number;
}

/** Room kept for the note naming the files whose diffs were left out. */
const LEFT_OUT_NOTE = 1200;
/** At most this many step names in a file's row. */
const NAMES_PER_FILE = 5;

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const hash = (h: string | undefined) => (h ? code(shortHash(h)) : "—");
const STATUS_ORDER: ToolkitFileChange["status"][] = ["changed", "added", "removed"];

function versionLine(d: ToolkitDiff): string {
  const { base, head } = d.version;
  const count = (s: ToolkitFileChange["status"]) => d.files.filter((f) => f.status === s).length;
  const steps = d.steps.length ? `; ${plural(d.steps.length, "step")} run again` : "";
  if (base === null)
    return `The base plan has no toolkit section (written before the host toolkit, or no base plan): every file of version ${code(head!)} is new${steps}.`;
  if (head === null) return `The head plan has no toolkit section (the base's is version ${code(base)})${steps}.`;
  if (d.files.length === 0) return `Version ${code(head)}, unchanged${steps}.`;
  return `Version ${code(base)} → ${code(head)}: ${count("changed")} changed, ${count("added")} added, ${count("removed")} removed${steps}.`;
}

function fileRow(d: ToolkitDiff, f: ToolkitFileChange): string {
  const steps = stepsRunning(d, f.path);
  // A resource may run two steps (a member's create joins, its delete leaves): its name once.
  const names = steps.length
    ? `${plural(steps.length, "step")}: ${capped([...new Set(steps.map((s) => s.name))], NAMES_PER_FILE, code).join(", ")}`
    : f.path.startsWith("entries/")
      ? "an entry's list (its steps show the files it adds or drops)"
      : "none (delivered with the version; no step runs again for it)";
  return `| ${code(f.path)} | ${f.status} | ${hash(f.base)} | ${hash(f.head)} | ${cell(names)} |`;
}

function stepRow(s: ToolkitStepChange): string {
  const files = s.files.map((f) => `${code(f.path)}${f.status === "changed" ? "" : ` (${f.status})`}`).join(", ");
  return `| ${code(s.name)} (${s.fields.join(", ")}) | ${code(stepSummary(s))} | ${cell(files || "—")} | ${cell(stepNotes(s).join("; ") || "—")} |`;
}

function diffOf(f: ToolkitFileChange, base: PlanToolkit | undefined, head: PlanToolkit | undefined): string {
  return unifiedDiff(f.path, base?.files[f.path]?.text, head?.files[f.path]?.text);
}

export function toolkitSection(
  d: ToolkitDiff | undefined,
  base: PlanToolkit | undefined,
  head: PlanToolkit | undefined,
  limits: ToolkitSectionLimits,
): string[] {
  if (!d || (d.files.length === 0 && d.steps.length === 0)) return [];
  const lines = ["#### Host toolkit", "", versionLine(d)];
  if (d.files.length > 0)
    lines.push(
      "",
      "| file | change | base | head | changed steps that run it |",
      "| --- | --- | --- | --- | --- |",
      ...capped(d.files, limits.max, (f) => fileRow(d, f)).map((r) => (r.startsWith("|") ? r : `| ${r} | | | | |`)),
    );
  if (d.steps.length > 0)
    lines.push(
      "",
      `<details><summary>Steps that run again (${d.steps.length})</summary>`,
      "",
      "| step | entry and hash | files changed | also |",
      "| --- | --- | --- | --- |",
      ...capped(d.steps, limits.max, stepRow).map((r) => (r.startsWith("|") ? r : `| ${r} | | | |`)),
      "",
      "</details>",
    );
  const files = [...d.files].sort(
    (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) || a.path.localeCompare(b.path),
  );
  const left: string[] = [];
  let size = lines.join("\n").length;
  for (const f of files) {
    const ran = stepsRunning(d, f.path).length;
    const block = [
      "",
      `<details><summary><code>${html(f.path)}</code> ${f.status}: ${shortHash(f.base)} → ${shortHash(f.head)}, run by ${plural(ran, "changed step")}</summary>`,
      "",
      ...diffBlock(diffOf(f, base, head), limits.perFile),
      "",
      "</details>",
    ];
    const more = block.join("\n").length + 1;
    if (left.length > 0 || size + more + LEFT_OUT_NOTE > limits.budget) left.push(f.path);
    else {
      lines.push(...block);
      size += more;
    }
  }
  if (left.length > 0)
    lines.push(
      "",
      `… the diffs of ${plural(left.length, "more file")} are left out to keep the comment under GitHub's size limit: ${capped(left, 20, code).join(", ")}.`,
    );
  return lines;
}
