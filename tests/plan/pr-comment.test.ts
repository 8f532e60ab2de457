/**
 * The PR comment (scripts/lib/prComment.ts): snapshots of the five cases a reviewer must be able to read (a new
 * shard, a new node, a slot move, a replaced stateful resource, no change), built from offline plans of edited
 * dev configs; plus the facts each snapshot must show, and the `npm run pr-comment` CLI.
 *
 * The snapshots hold whole comments, so a change to what the program declares changes them: review the diff and
 * update with `npx jest tests/plan/pr-comment -u`.
 */
import { RULES } from "../../policy/rules";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate } from "../../scripts/lib/evaluate";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { checkPlanDocument } from "../../scripts/lib/policyPlan";
import { changedPaths, commentMarker, renderPrComment, summarizeChanges } from "../../scripts/lib/prComment";
import { EXIT, main } from "../../scripts/cli/pr-comment";
import { RawConfig, validDev } from "../helpers/configs";
import { stackOf } from "../helpers/stack";

/** As the workflow hands plans over: through JSON, which also gives every object a plain prototype. */
const viaJson = (doc: PlanDocument): PlanDocument => JSON.parse(JSON.stringify(doc)) as PlanDocument;
const planOfRaw = async (raw: RawConfig): Promise<PlanDocument> => viaJson(await evaluate(stackOf(raw, "dev")));

function comment(base: PlanDocument, head: PlanDocument): string {
  return renderPrComment(base, head, checkPlanDocument(head), {
    stack: "dev",
    baseRef: "1111111",
    headRef: "2222222",
    basePolicy: checkPlanDocument(base),
  });
}

let base: PlanDocument;
beforeAll(async () => {
  base = await planOfRaw(validDev());
});

describe("PR comment", () => {
  it("a new shard", async () => {
    const raw = validDev();
    raw.shards.push({ id: 3, name: "charlie", nodes: 1, state: "provisioning", slots: [] });
    const md = comment(base, await planOfRaw(raw));
    expect(md).toContain("| shard added | 3 `charlie`, provisioning, 1 node |");
    expect(md).toContain("| nodes added | `shard3-node0` |");
    expect(md).toContain("| slots moved | 0 of 16384 (**0.00% of keys** move) |");
    expect(md).toMatch(/\| \+ create \| `aws:ec2\/instance:Instance` \| `shard3-node0` \|/);
    expect(md).not.toContain("[!CAUTION]");
    expect(md).toMatchSnapshot();
  });

  it("a new node", async () => {
    const raw = validDev();
    raw.shards[0].nodes = 3;
    const md = comment(base, await planOfRaw(raw));
    expect(md).toContain("| nodes added | `shard1-node1`, `shard1-node2` |");
    expect(md).not.toContain("shard added");
    expect(md).toMatch(/\| \+ create \| `aws:ebs\/volume:Volume` \| `shard1-node2-data` \|/);
    expect(md).toMatch(/\| ~ update \| `command:remote:Command` \| `shard1-converge` \|/);
    expect(md).toMatchSnapshot();
  });

  it("a slot move", async () => {
    const raw = validDev();
    raw.shards[0].slots = ["0-4095"];
    raw.shards[1].slots = ["4096-16383"];
    const md = comment(base, await planOfRaw(raw));
    expect(md).toContain("| slots moved | 4096 of 16384 (**25.00% of keys** move) |");
    expect(md).toContain("| 4096-8191 | 1 (alpha) | 2 (bravo) | 4096 | 25.00% |");
    expect(md).toContain("| ~ update | `kubernetes:core/v1:ConfigMap` | `gamedb-endpoints` | `data.slot-map.json` |");
    expect(md).toMatchSnapshot();
  });

  it("a replacement of a stateful resource, shown as a red warning", () => {
    const head = viaJson(base);
    const volume = head.resources.find((r) => r.type === "aws:ebs/volume:Volume" && r.name === "shard1-node0-data")!;
    volume.inputs.snapshotId = "snap-0123456789abcdef0"; // restore the data volume from a snapshot
    const instance = head.resources.find((r) => r.type === "aws:ec2/instance:Instance" && r.name === "shard1-node0")!;
    instance.inputs.ami = "ami-mock-ubuntu-noble-newer"; // under ignoreChanges: no replacement
    const md = comment(base, head);
    expect(md).toContain("> [!CAUTION]\n> 🔴 **This change replaces or deletes 1 stateful resource.**");
    expect(md).toContain(
      "> - **replace** `aws:ebs/volume:Volume` `shard1-node0-data`: `snapshotId` cannot change in place",
    );
    expect(md).toContain(
      "| = unchanged | `aws:ec2/instance:Instance` | `shard1-node0` | changes only inputs under ignoreChanges |",
    );
    expect(md).toContain(
      `0 to create · 0 to update · 1 to replace · 0 to delete · ${base.resources.length - 1} unchanged`,
    );
    expect(md).toMatchSnapshot();
  });

  it("no change", () => {
    const md = comment(base, viaJson(base));
    expect(md).toContain("**No changes**: the head declares exactly what the base does.");
    expect(md).not.toContain("#### Topology");
    expect(md).toMatch(new RegExp(`✅ No violations: ${RULES.length} rules over \\d+ resources\\.`));
    expect(md).toMatchSnapshot();
  });

  it("starts with the stack's hidden marker, which the workflow searches for", () => {
    const md = comment(base, base);
    expect(md.split("\n")[0]).toBe("<!-- gamedb-plan:dev -->");
    expect(commentMarker("prod")).toBe("<!-- gamedb-plan:prod -->");
    const workflow = readFileSync(join(__dirname, "..", "..", ".github", "workflows", "pr.yml"), "utf8");
    expect(workflow).toContain("const marker = `<!-- gamedb-plan:${process.env.STACK} -->`;");
  });

  it("marks policy violations the change introduces", () => {
    const head = viaJson(base);
    const instance = head.resources.find((r) => r.type === "aws:ec2/instance:Instance" && r.name === "shard2-node0")!;
    instance.inputs.associatePublicIpAddress = true;
    const md = comment(base, head);
    expect(md).toContain("❌ **1 violation of 1 rule**");
    expect(md).toContain(
      "| **GDB-EC2-002** EC2 instance has no public IP address (checkov CKV_AWS_88; FSBP EC2.9) | `aws:ec2/instance:Instance` `shard2-node0` | associatePublicIpAddress is true, not false | **new** |",
    );
  });

  it("says when the real preview was skipped, and when the base has no plan", () => {
    const md = renderPrComment(null, base, undefined, { stack: "dev", realPreview: "skipped" });
    expect(md).toContain("> The real `pulumi preview` did not run: this run has no cloud credentials");
    expect(md).toContain("The base branch has no plan of this stack");
    expect(md).toContain(`${base.resources.length} to create · 0 to update`);
    expect(md).toContain("#### Policy\n\nNot run.");
  });

  it("keeps long lists short", () => {
    const md = renderPrComment(null, base, undefined, { stack: "dev", maxItems: 3 });
    expect(md).toContain(`| | … and ${base.resources.length - 3} more | | |`);
  });
});

describe("change classification", () => {
  it("compares nested inputs down to arrays and scalars", () => {
    expect(changedPaths({ a: { b: 1, c: [1] }, d: "x" }, { a: { b: 2, c: [1, 2] }, d: "x", e: true })).toEqual([
      "a.b",
      "a.c",
      "e",
    ]);
  });

  it("replaces a StatefulSet whose selector changes, even when its replicas change too", () => {
    const head = viaJson(base);
    const sts = head.resources.find((r) => r.type === "kubernetes:apps/v1:StatefulSet")!;
    const spec = sts.inputs.spec as Record<string, Record<string, unknown>>;
    spec.selector!.matchLabels = { app: "other" };
    spec.replicas = 9 as unknown as Record<string, unknown>;
    const s = summarizeChanges(base, head);
    expect(s.replaced.map((c) => [c.name, c.replacedBy, c.stateful])).toEqual([
      [
        sts.name,
        [
          "spec.selector.matchLabels.app",
          "spec.selector.matchLabels.app.kubernetes.io/instance",
          "spec.selector.matchLabels.app.kubernetes.io/name",
        ],
        true,
      ],
    ]);
    expect(s.updated).toEqual([]);
  });

  it("replaces a host's toolkit copy whose triggers change (a new machine), and updates it for a new archive", () => {
    const head = viaJson(base);
    const copy = head.resources.find((r) => r.type === "command:remote:CopyToRemote")!;
    const triggers = copy.inputs.triggers as unknown[];
    copy.inputs.triggers = ["i-another", ...triggers.slice(1)];
    const s = summarizeChanges(base, head);
    expect(s.replaced.map((c) => [c.name, c.replacedBy])).toEqual([[copy.name, ["triggers"]]]);
    const moved = viaJson(base);
    moved.resources.find((r) => r.name === copy.name)!.inputs.remotePath = "elsewhere";
    expect(summarizeChanges(base, moved).replaced).toEqual([]);
  });
});

describe("npm run pr-comment", () => {
  it("writes the comment of two plan files, and treats a missing base as a new stack", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gamedb-comment-"));
    writeFileSync(join(dir, "head.json"), JSON.stringify(base));
    const args = ["--head", join(dir, "head.json"), "--stack", "dev", "--out", join(dir, "c.md")];
    expect(main(["--base", join(dir, "head.json"), ...args, "--real-preview", "runs"])).toBe(EXIT.ok);
    const md = readFileSync(join(dir, "c.md"), "utf8");
    expect(md).toContain("**No changes**");
    expect(md).toContain("The real `pulumi preview` of `dev` runs in this workflow and comments separately.");
    expect(main(["--base", join(dir, "missing.json"), ...args])).toBe(EXIT.ok);
    expect(readFileSync(join(dir, "c.md"), "utf8")).toContain("The base branch has no plan of this stack");
  });

  it.each([
    [["--head", "h.json", "--stack", "dev"], "required option '--base <file>' not specified"],
    [["--base", "b.json", "--head", "/nonexistent.json", "--stack", "dev"], "cannot read plan /nonexistent.json"],
    [["--base", "b.json", "--head", "h.json", "--stack", "dev", "--real-preview", "maybe"], "--real-preview must be"],
  ])("exits 2 on bad usage %j", (args, message) => {
    const err: string[] = [];
    expect(
      main(
        args,
        () => undefined,
        (s) => err.push(s),
      ),
    ).toBe(EXIT.usage);
    expect(err.join("\n")).toContain(message);
  });
});
