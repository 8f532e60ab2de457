/**
 * What a change to the host toolkit does, for review: the version, the files added, removed or changed, and for each
 * changed Command that runs a toolkit step (infra/contracts/toolkit.ts parseStepCommand) the text that runs now, its
 * entry and which of the entry's files changed between the base and the head. A step's text names the hash of exactly
 * the files its entry runs, so its text changes when one of them does; a step whose params changed and whose files did
 * not is listed too. The hosts' install steps (parseInstallCommand) are listed apart: they run the installer. Pure.
 *
 * What runs is the provider's rule (pulumi-command v1.2.1:provider/pkg/provider/remote/commandController.go): on any
 * input change of an existing Command, Update runs `update` if set, else `create`; `delete` runs only when the
 * resource is deleted. A change of its `triggers` replaces it instead (provider/pkg/provider/common/inputs.go
 * replaceOnChanges): `create` runs on the new one, the base's `delete` on the old.
 */
import { isDeepStrictEqual } from "node:util";
import { entryHash, parseInstallCommand, parseStepCommand } from "../../infra/contracts/toolkit";
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

/** How one command text's step changed. */
export interface TextChange {
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

/** Changed texts that do not run now (texts that change alike are one). */
export interface RefreshedText extends TextChange {
  fields: StepField[];
}

/** A changed Command that runs a toolkit step now, or whose step texts changed. */
export interface ToolkitStepChange extends TextChange {
  urn: string;
  type: string;
  name: string;
  /** The text that runs now: `update` if the head has one, else `create`; `create` when the resource is replaced. */
  field: "create" | "update";
  /** Its triggers changed: the provider replaces it (create on the new one, the base's delete on the old one). */
  replaced: boolean;
  /**
   * Whether the running text changed. When it did not, base and head are its step, the rest empty: it runs again
   * for another input (`inputs`).
   */
  textChanged: boolean;
  /** The other inputs that changed, by top-level key (any of them makes the provider run the text again). */
  inputs: string[];
  /** Its other step texts that changed; a delete text runs when the resource is deleted, a create text when created. */
  refreshed: RefreshedText[];
}

/** A changed host install step (a Command whose create is installCommand): it runs the new version's installer. */
export interface ToolkitInstallChange {
  urn: string;
  type: string;
  name: string;
  /** The version it installs in each plan; null where its text is not an install step. */
  version: { base: string | null; head: string | null };
}

export interface ToolkitDiff {
  /** The toolkit's version in each plan; null where the plan has no toolkit section. */
  version: { base: string | null; head: string | null };
  /** Every file added, removed or changed, by path. A base without a toolkit section has every head file added. */
  files: ToolkitFileChange[];
  /** Each changed resource that runs a toolkit step in the base or the head, in the order of the changes given. */
  steps: ToolkitStepChange[];
  /** Each changed resource whose running text installs a toolkit version (it runs bin/gamedb-toolkit-install). */
  installs: ToolkitInstallChange[];
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

function fieldChange(
  base: PlanToolkit | undefined,
  head: PlanToolkit | undefined,
  before: unknown,
  after: unknown,
): TextChange | undefined {
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
    otherText: b !== undefined && h !== undefined && (b.note !== h.note || b.file !== h.file),
  };
}

const present = (v: unknown) => v !== undefined && v !== null;

/** The text the provider runs for this change of an existing Command (see the header); undefined when it has none. */
export function runningField(before: Record<string, unknown>, after: Record<string, unknown>) {
  if (!isDeepStrictEqual(before.triggers, after.triggers)) return present(after.create) ? "create" : undefined;
  if (present(after.update)) return "update";
  return present(after.create) ? "create" : undefined;
}

/** A text that did not change, as the step it runs. */
function unchanged(base: PlanToolkit | undefined, head: PlanToolkit | undefined, text: unknown): TextChange {
  const step = parseStepCommand(text);
  const side = (t: PlanToolkit | undefined): StepSide | undefined =>
    step && { entry: step.entry, sha256: step.sha256, known: stepFiles(t, step) !== undefined };
  const [b, h] = [side(base), side(head)];
  return {
    ...(b ? { base: b } : {}),
    ...(h ? { head: h } : {}),
    files: [],
    reordered: false,
    params: [],
    otherText: false,
  };
}

function stepChange(
  base: PlanToolkit | undefined,
  head: PlanToolkit | undefined,
  { before, after }: ResourcePair,
): ToolkitStepChange | undefined {
  const field = runningField(before.inputs, after.inputs);
  const refreshed: { fields: StepField[]; change: TextChange }[] = [];
  let running: TextChange | undefined;
  for (const f of STEP_FIELDS) {
    const change = fieldChange(base, head, before.inputs[f], after.inputs[f]);
    if (!change) continue;
    if (f === field) running = change;
    else {
      const same = refreshed.find((r) => isDeepStrictEqual(r.change, change));
      if (same) same.fields.push(f);
      else refreshed.push({ fields: [f], change });
    }
  }
  if (!field) return undefined;
  const runs = running ?? unchanged(base, head, after.inputs[field]);
  // Listed when a step text changed, or when its running text is a step that runs again for another input.
  if (!running && refreshed.length === 0 && !runs.head) return undefined;
  const texts: readonly string[] = STEP_FIELDS;
  const inputs = Object.keys({ ...before.inputs, ...after.inputs })
    .filter((k) => !texts.includes(k) && !isDeepStrictEqual(before.inputs[k], after.inputs[k]))
    .sort();
  return {
    urn: after.urn,
    type: after.type,
    name: after.name,
    field,
    replaced: !isDeepStrictEqual(before.inputs.triggers, after.inputs.triggers),
    textChanged: running !== undefined,
    inputs,
    refreshed: refreshed.map((r) => ({ fields: r.fields, ...r.change })),
    ...runs,
  };
}

function installChange({ before, after }: ResourcePair): ToolkitInstallChange | undefined {
  const field = runningField(before.inputs, after.inputs);
  const head = field ? parseInstallCommand(after.inputs[field]) : undefined;
  if (!field || head === undefined) return undefined;
  const base = parseInstallCommand(before.inputs[field]) ?? null;
  return { urn: after.urn, type: after.type, name: after.name, version: { base, head } };
}

/** Each changed resource's step (per runningField) and the host install steps among them. */
export function diffToolkit(
  base: PlanToolkit | undefined,
  head: PlanToolkit | undefined,
  changed: readonly ResourcePair[],
): ToolkitDiff {
  const steps: ToolkitStepChange[] = [];
  const installs: ToolkitInstallChange[] = [];
  for (const pair of changed) {
    // Nothing runs for a resource whose inputs are the same (an option change).
    if (isDeepStrictEqual(pair.before.inputs, pair.after.inputs)) continue;
    const step = stepChange(base, head, pair);
    if (step) steps.push(step);
    const install = installChange(pair);
    if (install) installs.push(install);
  }
  return {
    version: { base: base?.version ?? null, head: head?.version ?? null },
    files: diffFiles(asFiles(base), asFiles(head)),
    steps,
    installs,
  };
}

/** The changed steps whose running text runs a file (per diffFiles). */
export function stepsRunning(diff: ToolkitDiff, path: string): ToolkitStepChange[] {
  return diff.steps.filter((s) => s.files.some((f) => f.path === path));
}

/** The changed steps with a refreshed text (one that does not run now) that runs a file. */
export function stepsRefreshing(diff: ToolkitDiff, path: string): ToolkitStepChange[] {
  return diff.steps.filter((s) => s.refreshed.some((r) => r.files.some((f) => f.path === path)));
}
