/** The host toolkit in the text plan: its version, and against a base its changed files and the steps they re-run. */
import { ENTRY_DIR } from "../../infra/contracts/toolkit";
import type { PlanToolkit } from "./planDocument";
import type { StepSide, ToolkitDiff, ToolkitFileChange, ToolkitStepChange } from "./toolkitDiff";

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

/** The step's head line after its resource: what it runs, and how that moved. */
export function stepSummary(s: ToolkitStepChange): string {
  if (!s.head) return `no longer runs a toolkit entry (was ${sideText(s.base!)})`;
  if (!s.base) return `now runs ${sideText(s.head)} (its base text ran no toolkit entry)`;
  if (s.base.entry !== s.head.entry) return `${sideText(s.base)} -> ${sideText(s.head)}`;
  return s.base.sha256 === s.head.sha256
    ? `${s.head.entry} ${shortHash(s.head.sha256)}`
    : `${s.head.entry} ${shortHash(s.base.sha256)} -> ${shortHash(s.head.sha256)}`;
}

/** Why the step runs again, beyond its files: params, order, the rest of its text, hashes that name no known files. */
export function stepNotes(s: ToolkitStepChange): string[] {
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
  if (d.steps.length > 0) lines.push(`toolkit steps: ${d.steps.length} changed`);
  for (const s of d.steps) {
    lines.push(`  ~ ${s.type} ${s.name} [${s.fields.join(", ")}] ${stepSummary(s)}`);
    lines.push(...s.files.map((f) => `      ${fileLine(f)}`));
    lines.push(...stepNotes(s).map((n) => `      (${n})`));
  }
  const run = new Set(d.steps.flatMap((s) => s.files.map((f) => f.path)));
  // An entry's list is not run: a change to it shows as files added to or removed from its steps.
  const idle = d.files.filter(
    (f) => base !== null && f.status !== "removed" && !run.has(f.path) && !f.path.startsWith(`${ENTRY_DIR}/`),
  );
  if (idle.length > 0)
    lines.push(
      `toolkit files no changed step runs: ${idle.map((f) => f.path).join(", ")} (delivered with the version; no step re-runs for them)`,
    );
  return lines;
}
