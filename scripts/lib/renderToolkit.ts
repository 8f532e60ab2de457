/**
 * The host toolkit in the text plan: its version, and against a base its changed files and, per changed Command, the
 * text that runs now (scripts/lib/toolkitDiff.ts runningField) and the texts refreshed for later.
 */
import { ENTRY_DIR, INSTALLER, RUNNER } from "../../infra/contracts/toolkit";
import type { PlanToolkit } from "./planDocument";
import type {
  RefreshedText,
  StepField,
  StepSide,
  TextChange,
  ToolkitDiff,
  ToolkitFileChange,
  ToolkitStepChange,
} from "./toolkitDiff";

/** A hash's first 8 hex digits: enough to tell versions apart when reading. */
export const shortHash = (h: string | undefined): string => (h ? h.slice(0, 8) : "none");

/** `~ path  1a2b3c4d -> 5e6f7a8b`, `+ path  5e6f7a8b`, `- path  1a2b3c4d`. */
export function fileLine(f: ToolkitFileChange): string {
  if (f.status === "added") return `+ ${f.path}  ${shortHash(f.head)}`;
  if (f.status === "removed") return `- ${f.path}  ${shortHash(f.base)}`;
  return `~ ${f.path}  ${shortHash(f.base)} -> ${shortHash(f.head)}`;
}

export function renderToolkitPlan(t: PlanToolkit | undefined): string[] {
  if (!t) return [];
  const files = Object.keys(t.files).length;
  const entries = Object.keys(t.entries);
  return [`Toolkit ${t.version}: ${files} files, ${entries.length} entries (${entries.join(", ")})`];
}

const sideText = (s: StepSide) => `${s.entry} ${shortHash(s.sha256)}`;

/** What a text runs, and how that moved. */
export function stepSummary(s: TextChange): string {
  if (!s.head && !s.base) return "runs no toolkit entry";
  if (!s.head) return `no longer runs a toolkit entry (was ${sideText(s.base!)})`;
  if (!s.base) return `now runs ${sideText(s.head)} (its base text ran no toolkit entry)`;
  if (s.base.entry !== s.head.entry) return `${sideText(s.base)} -> ${sideText(s.head)}`;
  return s.base.sha256 === s.head.sha256
    ? `${s.head.entry} ${shortHash(s.head.sha256)}`
    : `${s.head.entry} ${shortHash(s.base.sha256)} -> ${shortHash(s.head.sha256)}`;
}

/** What the step's running text runs: a text that did not change runs its entry again. */
export function runSummary(s: ToolkitStepChange): string {
  if (s.textChanged || !s.head) return stepSummary(s);
  return `runs ${sideText(s.head)} again`;
}

/** Why a text runs again, beyond its files: params, order, the rest of its text, hashes that name no known files. */
export function textNotes(s: TextChange): string[] {
  const notes: string[] = [];
  if (s.head && !s.head.known)
    notes.push(`its hash is not that of ${s.head.entry} in the head plan's toolkit: its files cannot be told`);
  else if (s.base && !s.base.known && s.head)
    notes.push("its files in the base are not known (no toolkit section there, or another hash): all taken as new");
  if (s.reordered) notes.push("its files run in another order");
  if (s.params.length > 0) notes.push(`params changed: ${s.params.join(", ")}`);
  if (s.otherText) notes.push("its note or installed file (fd 4) changed");
  if (s.head?.known && s.files.length === 0 && !s.reordered && (!s.base || s.base.entry === s.head.entry))
    notes.push("its files did not change");
  return notes;
}

/** The running text's notes, and why it runs when its text did not change. */
export function stepNotes(s: ToolkitStepChange): string[] {
  const notes = textNotes(s);
  if (!s.textChanged) {
    const why = [...s.refreshed.flatMap((r) => r.fields), ...s.inputs];
    notes.push(`its text did not change: it runs again because ${why.join(", ")} changed`);
  }
  if (s.replaced)
    notes.push("replaced (its triggers changed): create runs on the new resource, the base's delete on the old one");
  return notes;
}

export const WHEN: Record<StepField, string> = {
  create: "runs only when the resource is created again",
  update: "runs on its next change",
  delete: "runs when the resource is deleted",
};

/** `delete text refreshed (runs when the resource is deleted)`: a changed text that does not run now. */
export function refreshedLabel(r: RefreshedText): string {
  const when = r.fields.length === 1 ? WHEN[r.fields[0]!] : r.fields.map((f) => `${f} ${WHEN[f]}`).join("; ");
  return `${r.fields.join(" and ")} text refreshed (${when})`;
}

/** Names, at most `max` of them, then how many more. */
const names = (xs: string[], max = 10) =>
  xs.length > max ? `${xs.slice(0, max).join(", ")}, … and ${xs.length - max} more` : xs.join(", ");

/** The changed runner and installer: neither is in an entry's list, so no step's hash names them. */
export function runnerLines(d: ToolkitDiff): string[] {
  const changed = (path: string) =>
    d.version.base !== null && d.files.some((f) => f.path === path && f.status !== "removed");
  const lines: string[] = [];
  if (changed(INSTALLER) && d.installs.length > 0)
    lines.push(
      `toolkit installer ${INSTALLER} changed: run by every host's install step (${d.installs.length}: ${names(d.installs.map((i) => i.name))})`,
    );
  if (changed(RUNNER))
    lines.push(`toolkit runner ${RUNNER} changed: runs every step from now on (not pinned by any step's hash)`);
  return lines;
}

export function renderToolkitDiff(d: ToolkitDiff): string[] {
  const { base, head } = d.version;
  const count = (status: ToolkitFileChange["status"]) => d.files.filter((f) => f.status === status).length;
  const lines: string[] = [];
  if (base === null) lines.push(`toolkit: none in the base -> ${head}: every file is new (${d.files.length} files)`);
  else if (head === null) lines.push(`toolkit: ${base} -> none in this plan`);
  else if (d.files.length === 0) lines.push(`toolkit: ${head}, unchanged`);
  else
    lines.push(
      `toolkit: ${base} -> ${head}: ${count("changed")} changed, ${count("added")} added, ${count("removed")} removed`,
    );
  lines.push(...d.files.map((f) => `  ${fileLine(f)}`));
  if (d.steps.length > 0) lines.push(`toolkit steps: ${d.steps.length} run again`);
  for (const s of d.steps) {
    lines.push(`  ~ ${s.type} ${s.name} [${s.field}] ${runSummary(s)}`);
    lines.push(...s.files.map((f) => `      ${fileLine(f)}`));
    lines.push(...stepNotes(s).map((n) => `      (${n})`));
    for (const r of s.refreshed) {
      lines.push(`      ${refreshedLabel(r)}: ${stepSummary(r)}`);
      lines.push(...r.files.map((f) => `        ${fileLine(f)}`));
      lines.push(...textNotes(r).map((n) => `        (${n})`));
    }
  }
  lines.push(...runnerLines(d));
  const run = new Set(d.steps.flatMap((s) => s.files.map((f) => f.path)));
  const refreshed = new Set(d.steps.flatMap((s) => s.refreshed.flatMap((r) => r.files.map((f) => f.path))));
  // An entry's list is not run: a change to it shows as files added to or removed from its steps.
  const idle = d.files.filter(
    (f) =>
      base !== null &&
      f.status !== "removed" &&
      !run.has(f.path) &&
      !f.path.startsWith(`${ENTRY_DIR}/`) &&
      !(f.path === INSTALLER && d.installs.length > 0) &&
      f.path !== RUNNER,
  );
  const later = idle.filter((f) => refreshed.has(f.path));
  if (later.length > 0)
    lines.push(
      `toolkit files only refreshed texts run: ${later.map((f) => f.path).join(", ")} (no step runs them now; they run when those texts do)`,
    );
  const none = idle.filter((f) => !refreshed.has(f.path));
  if (none.length > 0)
    lines.push(
      `toolkit files no changed step runs: ${none.map((f) => f.path).join(", ")} (delivered with the version; no step re-runs for them)`,
    );
  return lines;
}
