/** The machine-readable plan (`npm run plan -- --json FILE`) that policy checks and PR previews consume. */
import type { PlatformPlan } from "../../infra/plan/plan";
import type { ToolkitDiff } from "./toolkitDiff";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent resource; null for the top-level component. */
  parent: string | null;
  /** A cloud resource (true) or a component that groups others (false). */
  custom: boolean;
  /** Inputs as the provider would receive them; secrets appear only as "[secret]". */
  inputs: Record<string, unknown>;
  options: {
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    dependsOn: string[];
  };
  /** URNs this resource waits for: `dependsOn` plus every resource its inputs' values come from. */
  dependencies: string[];
}

export interface PlanDocument {
  project: string;
  stack: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
  /**
   * The plan itself. The slot moves' review check (`--against BASE.json --check`) reads `moves` and the config's
   * ownership in `shards[].slots`; a plan written before moves existed has no `moves` (read as none).
   */
  topology: PlatformPlan;
  /**
   * The host toolkit the plan's steps run (scripts/lib/toolkitPlan.ts): every file's hash and text, and each entry's
   * files. A plan written before the toolkit has none: a diff against it takes every file as new.
   */
  toolkit?: PlanToolkit;
  /**
   * Written only with `--against BASE --json`: what the toolkit change does to the steps against that base
   * (scripts/lib/toolkitDiff.ts). A diff never reads it.
   */
  toolkitChanges?: ToolkitChanges;
}

export interface PlanToolkit {
  /** The toolkit's version (the first 16 hex digits of its MANIFEST's sha256). */
  version: string;
  /** Toolkit path -> file (infra/toolkit/build.ts: MANIFEST excluded, the entries' lists included). */
  files: Record<string, { sha256: string; text: string }>;
  /** Entry -> the toolkit paths it runs, launcher first. */
  entries: Record<string, string[]>;
}

export interface ToolkitChanges extends ToolkitDiff {
  /** The --against argument. */
  against: string;
}
