/**
 * The pull-request comment of one stack: what the change does to the topology (shards and nodes added or removed,
 * slots moved and the share of keys that moves), which resources are created, updated, replaced or deleted, and
 * the policy results. A pure function of two offline plans, so tests pin its output with snapshots.
 *
 * The parts live in scripts/lib/prComment/: replacement.ts (stateful types, replace-on-change inputs), changes.ts
 * (each resource's change), markdown.ts, toolkitPatches.ts (capped unified diffs), and one module per section
 * (topology, resources, toolkit, schema, policy).
 */
import type { PlanDocument } from "./planDocument";
import { diffPlans } from "./planDiff";
import type { PolicyReport } from "../../policy/check";
import { summarizeChanges } from "./prComment/changes";
import { code } from "./prComment/markdown";
import type { PrCommentOptions } from "./prComment/options";
import { policySection } from "./prComment/policy";
import { resourcesSection, statefulWarning } from "./prComment/resources";
import { schemaSection } from "./prComment/schema";
import { topologySection } from "./prComment/topology";
import { movesSection } from "./prComment/moves";
import { toolkitSection } from "./prComment/toolkit";
import { GITHUB_COMMENT_MAX } from "./prComment/toolkitPatches";

export { changedPaths, summarizeChanges } from "./prComment/changes";
export type { ChangeSummary, ResourceChange } from "./prComment/changes";
export type { PrCommentOptions } from "./prComment/options";
export { STATEFUL_TYPES } from "./prComment/replacement";

/** Hidden in the comment so the workflow finds and updates its own comment for the stack. */
export const commentMarker = (stack: string): string => `<!-- gamedb-plan:${stack} -->`;

/** An empty plan: the base of a stack that does not exist there yet (no toolkit either: every file is new). */
export function emptyPlan(like: PlanDocument): PlanDocument {
  return {
    ...like,
    resources: [],
    outputs: {},
    topology: { ...like.topology, shards: [], slotMap: [], publishedSlotMap: [], moves: [] },
    toolkit: undefined,
    toolkitChanges: undefined,
  };
}

/** Room kept under GitHub's limit for what the toolkit section's estimate leaves out (joins, the final newline). */
const COMMENT_MARGIN = 500;

/** The comment's markdown. `base` null: the base branch has no plan of this stack. */
export function renderPrComment(
  base: PlanDocument | null,
  head: PlanDocument,
  policy: PolicyReport | undefined,
  options: PrCommentOptions,
): string {
  const max = options.maxItems ?? 50;
  const from = base ?? emptyPlan(head);
  const s = summarizeChanges(from, head);
  const diff = diffPlans(from, head);
  const t = diff.topology;
  const noChange =
    s.created.length + s.deleted.length + s.updated.length + s.replaced.length === 0 &&
    t.shardsAdded.length +
      t.shardsRemoved.length +
      t.shardStateChanges.length +
      t.nodesAdded.length +
      t.nodesRemoved.length +
      t.slotsMoved +
      diff.moves.filter((m) => m.before !== m.after).length ===
      0;
  const lines = [commentMarker(options.stack), `### gamedb plan of stack ${code(options.stack)}`, ""];
  if (!base)
    lines.push(
      "The base branch has no plan of this stack (a new stack, or its plan failed): everything below is new.",
      "",
    );
  const warning = statefulWarning(s, max);
  if (warning.length) lines.push(...warning, "");
  if (options.realPreview === "skipped")
    lines.push(
      "> [!NOTE]",
      "> The real `pulumi preview` did not run: this run has no cloud credentials (a fork, or the repository's secrets are not set). The offline plan below is this PR's preview.",
      "",
    );
  if (options.realPreview === "runs")
    lines.push(
      `The real \`pulumi preview\` of ${code(options.stack)} runs in this workflow and comments separately.`,
      "",
    );
  if (noChange) lines.push("**No changes**: the head declares exactly what the base does.", "");
  else lines.push(...topologySection(from, head, max), "", ...resourcesSection(s, max), "");
  const beforeToolkit = lines.length;
  const moves = movesSection(from, head, diff.moves, diff.moveViolations, options.stack, max);
  if (moves.length) lines.push(...moves, "");
  const schema = schemaSection(base?.topology.schema, head.topology.schema, head, max);
  if (schema.length) lines.push(...schema, "");
  lines.push(...policySection(policy, head, options), "");
  const refs =
    options.baseRef || options.headRef
      ? ` Base ${code(options.baseRef ?? "?")}, head ${code(options.headRef ?? "?")}.`
      : "";
  lines.push(
    `<sub>Offline plan (\`npm run plan\`) under Pulumi's mock runtime: no cloud was asked and ids are stand-ins. Replacements are inferred from inputs that cannot change in place; \`pulumi preview\` is authoritative.${refs}</sub>`,
  );
  // Last, so its diffs get the room the rest of the comment leaves.
  const room = GITHUB_COMMENT_MAX - lines.join("\n").length - COMMENT_MARGIN;
  const toolkit = toolkitSection(diff.toolkit, from.toolkit, head.toolkit, {
    max,
    perFile: options.maxToolkitDiffChars ?? 8000,
    budget: Math.min(options.maxToolkitChars ?? 40000, room),
  });
  if (toolkit.length) lines.splice(beforeToolkit, 0, ...toolkit, "");
  return lines.join("\n") + "\n";
}
