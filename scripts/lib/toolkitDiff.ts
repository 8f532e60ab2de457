/**
 * What a change to the host toolkit does, for review: the version, the files added, removed or changed, and for each
 * changed resource whose command text runs a toolkit step (infra/contracts/toolkit.ts parseStepCommand), its entry
 * and which of the entry's files changed between the base and the head. A step's text names the hash of exactly the
 * files its entry runs, so its text (and its run) changes when one of them does; a step whose params changed and
 * whose files did not is listed too. Pure.
 */
import { isDeepStrictEqual } from "node:util";
import { PARAMS_END, entryHash, parseStepCommand } from "../../infra/contracts/toolkit";
import type { PlanToolkit, PlannedResource } from "./planDocument";

/** The inputs of command:remote:Command that hold a command text. */
export const STEP_FIELDS = ["create", "update", "delete"] as const;
export type StepField = (typeof STEP_FIELDS)[number];

export interface ToolkitFileChange {
  path: string;
  status: "added" | "removed" | "changed";
  /** The file's sha256 in the base; absent when it is added. */
  base?: string;
  /** The file's sha256 in the head; absent when it is removed. */
  head?: string;
}

export interface StepSide {
  entry: string;
  /** The hash the command text names. */
  sha256: string;
  /**
   * Whether the hash is the entry's hash in that plan's toolkit. False when the plan has no toolkit section, the
   * entry is not in it, or the files differ from those the step was written with: its files cannot be told.
   */
  known: boolean;
}

export interface ToolkitStepChange {
  urn: string;
  type: string;
  name: string;
  /** The command texts of the resource that run this step and changed (one entry per text when they differ). */
  fields: StepField[];
  /** The step in the base; absent when the base text runs no toolkit entry (a script of its own, or no text). */
  base?: StepSide;
  /** The step in the head; absent when the head text runs no toolkit entry. */
  head?: StepSide;
  /**
   * The files the step runs whose hash changed, that it runs now and did not (added: every file when the base step
   * is not known), or that it no longer runs (removed). Empty when the head step's files cannot be told.
   */
  files: ToolkitFileChange[];
  /** The same files as in the base, in another order (the entry's hash covers the order). */
  reordered: boolean;
  /** Top-level params keys whose values differ; ["(params)"] when the params are not both objects. */
  params: string[];
  /** The rest of the text differs too: its note, or the file it installs (fd 4, the configure step's my.cnf). */
  otherText: boolean;
}

export interface ToolkitDiff {
  /** The toolkit's version in each plan; null where the plan has no toolkit section. */
  version: { base: string | null; head: string | null };
  /** Every file added, removed or changed, by path. A base without a toolkit section has every head file added. */
  files: ToolkitFileChange[];
  /** Each changed resource that runs a toolkit step in the base or the head, in the order of the changes given. */
  steps: ToolkitStepChange[];
}

/** A changed resource as the base and the head declare it. */
export interface ResourcePair {
  before: PlannedResource;
  after: PlannedResource;
}

type Step = NonNullable<ReturnType<typeof parseStepCommand>>;
type Files = { path: string; sha256: string }[];

/** The entry's files with their hashes, if they are the ones the step names. */
function stepFiles(toolkit: PlanToolkit | undefined, step: Step): Files | undefined {
  const list = toolkit?.entries[step.entry];
  if (!toolkit || !list) return undefined;
  const files: Files = [];
  for (const path of list) {
    const f = toolkit.files[path];
    if (!f) return undefined;
    files.push({ path, sha256: f.sha256 });
  }
  return entryHash(files) === step.sha256 ? files : undefined;
}

export function diffFiles(base: Files, head: Files): ToolkitFileChange[] {
  const old = new Map(base.map((f) => [f.path, f.sha256]));
  const now = new Map(head.map((f) => [f.path, f.sha256]));
  const out: ToolkitFileChange[] = [];
  for (const path of [...new Set([...old.keys(), ...now.keys()])].sort()) {
    const b = old.get(path);
    const h = now.get(path);
    if (b === undefined) out.push({ path, status: "added", head: h });
    else if (h === undefined) out.push({ path, status: "removed", base: b });
    else if (b !== h) out.push({ path, status: "changed", base: b, head: h });
  }
  return out;
}

const asFiles = (t: PlanToolkit | undefined): Files =>
  Object.entries(t?.files ?? {}).map(([path, f]) => ({ path, sha256: f.sha256 }));

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function paramKeys(a: unknown, b: unknown): string[] {
  if (isDeepStrictEqual(a, b)) return [];
  if (!isObj(a) || !isObj(b)) return ["(params)"];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !isDeepStrictEqual(a[k], b[k])).sort();
}

/** The text less what parseStepCommand reads (entry, hash, params): what is left is the note and the fd 4 file. */
function rest(text: string, step: Step): string {
  let t = text.replace(` ${step.entry} ${step.sha256}`, " ENTRY HASH");
  // stepCommand writes JSON.stringify(params), which parsing and writing again gives back unchanged.
  if (step.params !== undefined)
    t = t.replace(`\n${JSON.stringify(step.params)}\n${PARAMS_END}\n`, `\nPARAMS\n${PARAMS_END}\n`);
  return t;
}

type FieldChange = Omit<ToolkitStepChange, "urn" | "type" | "name" | "fields">;

function fieldChange(
  base: PlanToolkit | undefined,
  head: PlanToolkit | undefined,
  before: unknown,
  after: unknown,
): FieldChange | undefined {
  if (isDeepStrictEqual(before, after)) return undefined;
  const b = parseStepCommand(before);
  const h = parseStepCommand(after);
  if (!b && !h) return undefined;
  const bFiles = b && stepFiles(base, b);
  const hFiles = h && stepFiles(head, h);
  const side = (s: Step, files: Files | undefined): StepSide => ({
    entry: s.entry,
    sha256: s.sha256,
    known: files !== undefined,
  });
  // An unknown base step is "every file new"; an unknown head step's files cannot be told at all.
  const files = h && !hFiles ? [] : diffFiles(bFiles ?? [], hFiles ?? []);
  const order = (fs: Files | undefined) => (fs ?? []).map((f) => f.path);
  const common = (xs: string[], ys: string[]) => xs.filter((x) => ys.includes(x));
  const bOrder = order(bFiles);
  const hOrder = order(hFiles);
  return {
    ...(b ? { base: side(b, bFiles) } : {}),
    ...(h ? { head: side(h, hFiles) } : {}),
    files,
    reordered:
      bFiles !== undefined &&
      hFiles !== undefined &&
      !isDeepStrictEqual(common(bOrder, hOrder), common(hOrder, bOrder)),
    params: b && h ? paramKeys(b.params, h.params) : [],
    otherText: b !== undefined && h !== undefined && rest(before as string, b) !== rest(after as string, h),
  };
}

/** Each changed step of each changed resource; a resource's texts that change alike are one step with many fields. */
export function diffToolkit(
  base: PlanToolkit | undefined,
  head: PlanToolkit | undefined,
  changed: readonly ResourcePair[],
): ToolkitDiff {
  const steps: ToolkitStepChange[] = [];
  for (const { before, after } of changed) {
    const mine: { fields: StepField[]; change: FieldChange }[] = [];
    for (const field of STEP_FIELDS) {
      const change = fieldChange(base, head, before.inputs[field], after.inputs[field]);
      if (!change) continue;
      const same = mine.find((m) => isDeepStrictEqual(m.change, change));
      if (same) same.fields.push(field);
      else mine.push({ fields: [field], change });
    }
    for (const m of mine)
      steps.push({ urn: after.urn, type: after.type, name: after.name, fields: m.fields, ...m.change });
  }
  return {
    version: { base: base?.version ?? null, head: head?.version ?? null },
    files: diffFiles(asFiles(base), asFiles(head)),
    steps,
  };
}

/** The changed steps that run a file (per diffFiles), by name. */
export function stepsRunning(diff: ToolkitDiff, path: string): ToolkitStepChange[] {
  return diff.steps.filter((s) => s.files.some((f) => f.path === path));
}
