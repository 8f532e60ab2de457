/** The machine-readable plan (`npm run plan -- --json FILE`) that policy checks and PR previews consume. */
import type { PlatformPlan } from "../../infra/plan/plan";

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
}
