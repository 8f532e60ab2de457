/**
 * The comment's host toolkit section: the version change, each changed file with its hashes and what runs it now,
 * per changed step the text that runs now (scripts/lib/toolkitDiff.ts runningField) and the texts refreshed for later,
 * and each changed file's unified diff against the base in a collapsed block (./toolkitPatches.ts). Absent when no
 * file and no step changed.
 */
import { INSTALLER, RUNNER } from "../../../infra/contracts/toolkit";
import type { PlanToolkit } from "../planDocument";
import { ToolkitDiff, ToolkitFileChange, ToolkitStepChange, stepsRefreshing, stepsRunning } from "../toolkitDiff";
import { WHEN, refreshedLabel, runSummary, shortHash, stepNotes, stepSummary, textNotes } from "../renderToolkit";
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

const stepNames = (steps: { name: string }[]) =>
  capped([...new Set(steps.map((s) => s.name))], NAMES_PER_FILE, code).join(", ");

/** What runs the file now: the steps whose running text runs it, every host's install, every step; and later. */
export function whatRuns(d: ToolkitDiff, f: ToolkitFileChange): string {
  const steps = stepsRunning(d, f.path);
  const later = stepsRefreshing(d, f.path);
  const parts: string[] = [];
  if (steps.length) parts.push(`${plural(steps.length, "step")}: ${stepNames(steps)}`);
  else if (f.path === INSTALLER && d.installs.length)
    parts.push(`every host's install step (${d.installs.length}): ${stepNames(d.installs)}`);
  else if (f.path === RUNNER) parts.push("runs every step from now on (not pinned by any step's hash)");
  if (later.length) {
    const fields = [
      ...new Set(
        later.flatMap((s) =>
          s.refreshed.filter((r) => r.files.some((x) => x.path === f.path)).flatMap((r) => r.fields),
        ),
      ),
    ];
    const texts = plural(later.length, `refreshed ${fields.join(" or ")} text`);
    const when = fields.map((x) => `${x}: ${WHEN[x]}`).join("; ");
    parts.push(`${steps.length ? "also" : "no step runs it now;"} in ${texts} (${when}): ${stepNames(later)}`);
  }
  if (parts.length) return parts.join("; ");
  return f.path.startsWith("entries/")
    ? "an entry's list (its steps show the files it adds or drops)"
    : "none (delivered with the version; no step runs again for it)";
}

/** whatRuns in a few words, for a diff's summary line. */
function runsBrief(d: ToolkitDiff, f: ToolkitFileChange): string {
  const ran = stepsRunning(d, f.path).length;
  const later = stepsRefreshing(d, f.path).length;
  const now =
    !ran && f.path === INSTALLER && d.installs.length
      ? "run by every host's install step"
      : !ran && f.path === RUNNER
        ? "runs every step from now on"
        : `run by ${plural(ran, "changed step")}`;
  return later ? `${now}, in ${plural(later, "refreshed text")}` : now;
}

function fileRow(d: ToolkitDiff, f: ToolkitFileChange): string {
  return `| ${code(f.path)} | ${f.status} | ${hash(f.base)} | ${hash(f.head)} | ${cell(whatRuns(d, f))} |`;
}

const fileList = (files: ToolkitFileChange[]) =>
  files.map((f) => `${code(f.path)}${f.status === "changed" ? "" : ` (${f.status})`}`).join(", ");

function stepRow(s: ToolkitStepChange): string {
  const also = [
    ...stepNotes(s),
    ...s.refreshed.map((r) => {
      const files = r.files.length ? `, files ${fileList(r.files)}` : "";
      const notes = textNotes(r).length ? ` (${textNotes(r).join("; ")})` : "";
      return `${refreshedLabel(r)}: ${code(stepSummary(r))}${files}${notes}`;
    }),
  ];
  return `| ${code(s.name)} (${s.field}) | ${code(runSummary(s))} | ${cell(fileList(s.files) || "—")} | ${cell(also.join("; ") || "—")} |`;
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
      "| file | change | base | head | what runs it |",
      "| --- | --- | --- | --- | --- |",
      ...capped(d.files, limits.max, (f) => fileRow(d, f)).map((r) => (r.startsWith("|") ? r : `| ${r} | | | | |`)),
    );
  if (d.steps.length > 0)
    lines.push(
      "",
      `<details><summary>Steps that run again (${d.steps.length})</summary>`,
      "",
      "| step (the text that runs) | entry and hash | files changed | also |",
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
    const block = [
      "",
      `<details><summary><code>${html(f.path)}</code> ${f.status}: ${shortHash(f.base)} → ${shortHash(f.head)}, ${runsBrief(d, f)}</summary>`,
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
