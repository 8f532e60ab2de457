/**
 * The host toolkit in the offline plan, end to end through `npm run plan`: the JSON plan's toolkit section, and what
 * `--against BASE` prints (and writes with --json) when a toolkit file changed since the base, or when the base plan
 * was written before the toolkit.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "../../infra/contracts/toolkit";
import { currentToolkit, entryFiles } from "../../infra/toolkit/build";
import { EXIT, main } from "../../scripts/cli/plan";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { runCli } from "../helpers/cli";
import { buildToolkit, edited, planWith, sourcesOf } from "./toolkitFixtures";

const run = (args: string[]) => runCli(main, args);
const readPlan = (file: string) => JSON.parse(readFileSync(file, "utf8")) as PlanDocument;
const short = (h: string) => h.slice(0, 8);

let dir: string;
let head: PlanDocument;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gamedb-plan-toolkit-"));
  expect((await run(["--stack", "dev", "--json", join(dir, "head.json"), "--no-tree"])).code).toBe(EXIT.ok);
  head = readPlan(join(dir, "head.json"));
});

describe("npm run plan: the host toolkit", () => {
  it("writes the toolkit the steps run into the JSON plan and names it in the text", async () => {
    const t = currentToolkit();
    expect(head.toolkit!.version).toBe(t.version);
    expect(Object.keys(head.toolkit!.files)).toEqual([...t.files.keys()]);
    for (const f of Object.values(head.toolkit!.files)) expect(f.sha256).toBe(sha256(f.text));
    expect(head.toolkit!.entries["adminapi/converge-cluster"]).toEqual(t.entries["adminapi/converge-cluster"]);
    expect(head.toolkitChanges).toBeUndefined();
    const { out } = await run(["--plan-file", join(dir, "head.json"), "--no-tree"]);
    expect(out).toContain(`Toolkit ${t.version}: ${t.files.size} files, ${Object.keys(t.entries).length} entries`);
  });

  it("prints, against a base whose converge script differed, the file and exactly the steps that run it", async () => {
    const older = buildToolkit(
      edited(sourcesOf(head.toolkit!), "adminapi/converge-cluster.js", (t) => `${t}// gone in the head\n`),
    );
    const baseFile = join(dir, "base-converge.json");
    writeFileSync(baseFile, JSON.stringify(planWith(head, older)));
    const out2 = join(dir, "head-against.json");
    const { code, out } = await run(["--stack", "dev", "--against", baseFile, "--json", out2, "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    const file = "adminapi/converge-cluster.js";
    const [was, now] = [older.files.get(file)!.sha256, head.toolkit!.files[file]!.sha256];
    const converge = "adminapi/converge-cluster";
    const [from, to] = [entryFiles(older, converge).sha256, entryFiles(currentToolkit(), converge).sha256];
    expect(out).toContain(
      `  toolkit: ${older.version} -> ${head.toolkit!.version}: 1 changed, 0 added, 0 removed\n` +
        `    ~ ${file}  ${short(was)} -> ${short(now)}\n`,
    );
    expect(out).toContain("  toolkit steps: 2 run again\n");
    // An existing converge runs its update text; its create text is refreshed for a later creation.
    for (const shard of [1, 2])
      expect(out).toContain(
        `    ~ command:remote:Command shard${shard}-converge [update] ${converge} ${short(from)} -> ${short(to)}\n` +
          `        ~ ${file}  ${short(was)} -> ${short(now)}\n` +
          `        create text refreshed (runs only when the resource is created again): ${converge} ${short(from)} -> ${short(to)}\n`,
      );
    // The hosts' toolkit installs name the new version; no other step runs the file.
    expect(out).toContain("    ~ command:remote:Command shard1-node0-toolkit (create)\n");
    expect(out).not.toMatch(/~ command:remote:Command shard\d-(accounts|node0-member|node0-configure)/);
    const written = readPlan(out2);
    expect(written.toolkitChanges!.against).toBe(baseFile);
    expect(written.toolkitChanges!.files).toEqual([{ path: file, status: "changed", base: was, head: now }]);
    expect(written.toolkitChanges!.steps.map((s) => [s.name, s.field, s.files.map((f) => f.path)])).toEqual([
      ["shard1-converge", "update", [file]],
      ["shard2-converge", "update", [file]],
    ]);
    // Every host's install step installs the new version.
    expect(written.toolkitChanges!.installs.map((i) => i.name)).toEqual(
      head.resources.filter((r) => r.name.endsWith("-toolkit")).map((r) => r.name),
    );
  });

  it("reads a base plan written before the toolkit as every file new", async () => {
    const old = JSON.parse(JSON.stringify(head)) as PlanDocument;
    delete old.toolkit;
    const baseFile = join(dir, "base-old.json");
    writeFileSync(baseFile, JSON.stringify(old));
    const { code, out } = await run(["--stack", "dev", "--against", baseFile, "--no-tree"]);
    expect(code).toBe(EXIT.ok);
    const n = Object.keys(head.toolkit!.files).length;
    expect(out).toContain(`  toolkit: none in the base -> ${head.toolkit!.version}: every file is new (${n} files)\n`);
    expect(out).toContain(`    + adminapi/common.js  ${short(head.toolkit!.files["adminapi/common.js"]!.sha256)}\n`);
    // The steps' texts are the same: nothing runs again.
    expect(out).toContain("resources: 0 to create, 0 to change, 0 to delete");
    expect(out).not.toContain("toolkit steps:");
  });
});
