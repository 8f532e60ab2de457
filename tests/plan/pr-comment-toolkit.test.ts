/**
 * The PR comment's host toolkit section (scripts/lib/prComment/toolkit.ts): per changed toolkit file its hashes, the
 * steps that run it and its unified diff against the base in a collapsed block; the caps that keep the comment under
 * GitHub's 65536 characters; and bases without a toolkit (a plan written before it, or no plan at all).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseStepCommand } from "../../infra/contracts/toolkit";
import { buildToolkit } from "../../infra/toolkit/build";
import { EXIT, main } from "../../scripts/cli/pr-comment";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { PrCommentOptions, renderPrComment } from "../../scripts/lib/prComment";
import { withToolkit } from "../../scripts/lib/toolkitPlan";
import { STEP_FIELDS } from "../../scripts/lib/toolkitDiff";
import { evaluate } from "../../scripts/lib/evaluate";
import { runCli } from "../helpers/cli";
import { validDev } from "../helpers/configs";
import { stackOf } from "../helpers/stack";
import { edited, planWith, sourcesOf } from "./toolkitFixtures";

const viaJson = (doc: PlanDocument): PlanDocument => JSON.parse(JSON.stringify(doc)) as PlanDocument;
const comment = (base: PlanDocument | null, head: PlanDocument, options: Partial<PrCommentOptions> = {}) =>
  renderPrComment(base, head, undefined, { stack: "dev", ...options });
/** The section, from its heading to the next section's. */
const section = (md: string) => md.slice(md.indexOf("#### Host toolkit"), md.indexOf("#### Policy"));
const short = (h: string) => h.slice(0, 8);

let head: PlanDocument;
beforeAll(async () => {
  head = viaJson(withToolkit(await evaluate(stackOf(validDev(), "dev"))));
});

/** The head's plan as written with these toolkit files edited. */
function baseWith(edits: Record<string, (text: string) => string>): PlanDocument {
  let sources = sourcesOf(head.toolkit!);
  for (const [path, edit] of Object.entries(edits)) sources = edited(sources, path, edit);
  return planWith(head, buildToolkit(sources));
}

/**
 * The plan's steps: each resource's distinct entries (its texts that run one entry change alike, and the diff shows
 * them as one step).
 */
function stepsOf(doc: PlanDocument): { name: string; entry: string }[] {
  return doc.resources.flatMap((r) => {
    const entries = STEP_FIELDS.map((f) => parseStepCommand(r.inputs[f])?.entry);
    return [...new Set(entries)].flatMap((entry) => (entry ? [{ name: r.name, entry }] : []));
  });
}

/** The resources whose running text (update if set, else create) runs an entry that lists `file`. */
function runningOf(doc: PlanDocument, file: string): string[] {
  return doc.resources.flatMap((r) => {
    const entry = parseStepCommand(r.inputs.update ?? r.inputs.create)?.entry;
    return entry && doc.toolkit!.entries[entry]!.includes(file) ? [r.name] : [];
  });
}

/** The resources with another step text (not the running one) whose entry lists `file`. */
function refreshedOf(doc: PlanDocument, file: string): string[] {
  return doc.resources.flatMap((r) => {
    const running = r.inputs.update !== undefined ? "update" : "create";
    const others = STEP_FIELDS.filter((f) => f !== running).map((f) => parseStepCommand(r.inputs[f])?.entry);
    return others.some((e) => e && doc.toolkit!.entries[e]!.includes(file)) ? [r.name] : [];
  });
}

/** Every line of the text changed: a diff as long as the file. */
const rewritten = (text: string) => text.replace(/^/gm, "// old: ");

describe("PR comment: host toolkit", () => {
  it("shows the changed file's hashes, the steps that run it and its unified diff against the base", () => {
    const base = baseWith({ "adminapi/common.js": (t) => t.replace("\n", "\n// an older line\n") });
    const md = comment(base, head);
    const file = "adminapi/common.js";
    const [was, now] = [base.toolkit!.files[file]!.sha256, head.toolkit!.files[file]!.sha256];
    const names = runningOf(head, file).map((n) => `\`${n}\``);
    expect(names).toEqual(expect.arrayContaining(["`shard1-converge`", "`shard2-node0-member`"]));
    const later = refreshedOf(head, file);
    expect(later).toEqual(expect.arrayContaining(["shard1-converge", "shard2-node0-member"]));
    const s = section(md);
    expect(md.indexOf("#### Resources")).toBeLessThan(md.indexOf("#### Host toolkit"));
    expect(s).toContain(
      `Version \`${base.toolkit!.version}\` → \`${head.toolkit!.version}\`: 1 changed, 0 added, 0 removed; ${names.length} steps run again.`,
    );
    expect(s).toContain(
      `| \`${file}\` | changed | \`${short(was)}\` | \`${short(now)}\` | ${names.length} steps: ${names.slice(0, 5).join(", ")}, … and ${names.length - 5} more; also in ${later.length} refreshed create or delete texts (create: runs only when the resource is created again; delete: runs when the resource is deleted): ${later
        .slice(0, 5)
        .map((n) => `\`${n}\``)
        .join(", ")}`,
    );
    expect(s).toContain(`<details><summary>Steps that run again (${names.length})</summary>`);
    // An existing converge runs its update text, not its create text.
    expect(s).toMatch(
      /\| `shard1-converge` \(update\) \| `adminapi\/converge-cluster [0-9a-f]{8} -> [0-9a-f]{8}` \| `adminapi\/common.js` \| create text refreshed \(runs only when the resource is created again\): `adminapi\/converge-cluster [0-9a-f]{8} -> [0-9a-f]{8}`, files `adminapi\/common.js` \|/,
    );
    expect(s).toContain(
      `<details><summary><code>${file}</code> changed: ${short(was)} → ${short(now)}, run by ${names.length} changed steps, in ${later.length} refreshed texts</summary>\n\n` +
        "```diff\n" +
        `--- a/${file}\n+++ b/${file}\n@@ -1,5 +1,4 @@\n`,
    );
    expect(s).toMatch(/^-\/\/ an older line$/m);
    expect(s).toContain("\n```\n\n</details>");
  });

  it("says a step whose files did not change re-runs for its params", async () => {
    const raw = validDev();
    raw.shards[0]!.nodes = 3;
    const grown = viaJson(withToolkit(await evaluate(stackOf(raw, "dev"))));
    const s = section(comment(head, grown));
    expect(s).toContain(`Version \`${head.toolkit!.version}\`, unchanged;`);
    expect(s).toMatch(
      /\| `shard1-converge` \(update\) \| `adminapi\/converge-cluster [0-9a-f]{8}` \| — \| params changed: [A-Za-z, ]+; its files did not change; create text refreshed/,
    );
    expect(s).not.toContain("```diff");
  });

  it("says a leave-member edit runs each member's join again, and only refreshes its delete text", () => {
    const file = "adminapi/leave-member.js";
    const base = baseWith({ [file]: (t) => `${t}// an older leave\n` });
    const s = section(comment(base, head));
    const members = head.resources.filter((r) => r.name.endsWith("-member")).map((r) => r.name);
    expect(members.length).toBeGreaterThan(1);
    const [was, now] = [base.toolkit!.files[file]!.sha256, head.toolkit!.files[file]!.sha256];
    const hashOf = (doc: PlanDocument, entry: string) => {
      const texts = doc.resources.flatMap((r) => STEP_FIELDS.map((f) => parseStepCommand(r.inputs[f])));
      return short(texts.find((p) => p?.entry === entry)!.sha256);
    };
    const leave = `adminapi/leave-member ${hashOf(base, "adminapi/leave-member")} -> ${hashOf(head, "adminapi/leave-member")}`;
    expect(s).toContain(`; ${members.length} steps run again.`);
    expect(s).toContain(
      `| \`${file}\` | changed | \`${short(was)}\` | \`${short(now)}\` | no step runs it now; in ${members.length} refreshed delete texts (delete: runs when the resource is deleted): ${members.map((m) => `\`${m}\``).join(", ")} |`,
    );
    for (const m of members)
      expect(s).toContain(
        `| \`${m}\` (create) | \`runs adminapi/join-member ${hashOf(head, "adminapi/join-member")} again\` | — | its files did not change; its text did not change: it runs again because delete changed; delete text refreshed (runs when the resource is deleted): \`${leave}\`, files \`${file}\` |`,
      );
    expect(s).toContain(`run by 0 changed steps, in ${members.length} refreshed texts</summary>`);
  });

  it("names every host's install step for an installer change, and every step for a runner change", () => {
    const installs = head.resources.filter((r) => r.name.endsWith("-toolkit")).map((r) => `\`${r.name}\``);
    expect(installs.length).toBeGreaterThan(1);
    const installer = section(comment(baseWith({ "bin/gamedb-toolkit-install": (t) => `${t}# older\n` }), head));
    expect(installer).toMatch(
      new RegExp(
        `\\| \`bin/gamedb-toolkit-install\` \\| changed \\| [^|]+ \\| [^|]+ \\| every host's install step \\(${installs.length}\\): ${installs.join(", ")} \\|`,
      ),
    );
    expect(installer).toContain(", run by every host's install step</summary>");
    const runner = section(comment(baseWith({ "bin/gamedb-step": (t) => `${t}# older\n` }), head));
    expect(runner).toMatch(
      /\| `bin\/gamedb-step` \| changed \| [^|]+ \| [^|]+ \| runs every step from now on \(not pinned by any step's hash\) \|/,
    );
    expect(runner).toContain(", runs every step from now on</summary>");
  });

  it("cuts a long diff and says how much", () => {
    const base = baseWith({ "adminapi/converge-cluster.js": rewritten });
    const s = section(comment(base, head, { maxToolkitDiffChars: 1500 }));
    const block = s.slice(s.indexOf("```diff\n") + 8, s.indexOf("\n```\n"));
    expect(block.length).toBeLessThanOrEqual(1500);
    expect(block).toMatch(/^--- a\/adminapi\/converge-cluster.js\n\+\+\+ b\/adminapi\/converge-cluster.js\n@@/);
    expect(s).toMatch(
      /\n… \d+ of this diff's \d+ lines cut \(at most 1500 characters a file\): see the pull request's files\./,
    );
  });

  it("leaves out the diffs past the section's cap, naming their files", () => {
    const files = ["adminapi/args.js", "adminapi/cluster.js", "adminapi/grants.js", "adminapi/restart.js"];
    const base = baseWith(Object.fromEntries(files.map((f) => [f, rewritten])));
    const s = section(comment(base, head, { maxToolkitDiffChars: 3000, maxToolkitChars: 9000 }));
    expect(s.length).toBeLessThanOrEqual(9000);
    const shown = files.filter((f) => s.includes(`<summary><code>${f}</code>`));
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.length).toBeLessThan(files.length);
    const left = files.filter((f) => !shown.includes(f));
    expect(s).toContain(
      `… the diffs of ${left.length} more file${left.length === 1 ? "" : "s"} are left out to keep the comment under GitHub's size limit: ${left.map((f) => `\`${f}\``).join(", ")}.`,
    );
  });

  it("keeps the whole comment under GitHub's 65536 characters when every file changed", () => {
    const base = baseWith(Object.fromEntries(Object.keys(sourcesOf(head.toolkit!).files).map((f) => [f, rewritten])));
    const md = comment(base, head, { maxToolkitChars: 1_000_000 });
    expect(md.length).toBeLessThanOrEqual(65536);
    // The room is used: what is left is less than one more file's diff (8000) and the note naming the rest.
    expect(md.length).toBeGreaterThan(65536 - 8000 - 2000);
    expect(section(md)).toContain("are left out to keep the comment under GitHub's size limit");
    expect(md).toContain("#### Policy");
  });

  it("reads a base plan written before the toolkit, whose commands carried their scripts, as every file new", () => {
    const old = viaJson(head);
    delete old.toolkit;
    for (const r of old.resources)
      for (const field of STEP_FIELDS)
        if (typeof r.inputs[field] === "string" && String(r.inputs[field]).includes("gamedb-step"))
          r.inputs[field] = "set -eu\nmysqlsh --js <<'EOF'\nprintln('the whole script');\nEOF\n";
    const s = section(comment(old, head));
    const n = Object.keys(head.toolkit!.files).length;
    expect(s).toContain(
      `The base plan has no toolkit section (written before the host toolkit, or no base plan): every file of version \`${head.toolkit!.version}\` is new; ${new Set(stepsOf(head).map((st) => st.name)).size} steps run again.`,
    );
    expect(s.match(/^\| `[^`]+` \| added \| — \| `[0-9a-f]{8}` \|/gm)).toHaveLength(n);
    expect(s).toMatch(
      /\| `shard1-converge` \(update\) \| `now runs adminapi\/converge-cluster [0-9a-f]{8} \(its base text ran no toolkit entry\)` \|/,
    );
    expect(s).toContain("```diff\n--- /dev/null\n+++ b/adminapi/args.js\n@@ -0,0 +1,");
  });

  it("shows every file new for a stack the base branch has no plan of", () => {
    const md = comment(null, head);
    expect(section(md)).toContain("every file of version");
    expect(md.length).toBeLessThanOrEqual(65536);
  });

  it("comes through `npm run pr-comment` from the plans' JSON files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gamedb-pr-toolkit-"));
    const base = baseWith({ "lib/adminapi.sh": (t) => `${t}# older launcher\n` });
    writeFileSync(join(dir, "base.json"), JSON.stringify(base));
    writeFileSync(join(dir, "head.json"), JSON.stringify(head));
    const { code, out } = await runCli(main, [
      "--base",
      join(dir, "base.json"),
      "--head",
      join(dir, "head.json"),
      "--stack",
      "dev",
    ]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain("```diff\n--- a/lib/adminapi.sh\n+++ b/lib/adminapi.sh\n");
    expect(out).toMatch(/^-# older launcher$/m);
  });
});
