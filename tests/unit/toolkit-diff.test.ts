/**
 * The toolkit review (scripts/lib/toolkitDiff.ts, renderToolkit.ts, toolkitPlan.ts): from two toolkits built from
 * hand-made sources and resources holding their step commands, which files changed for each step, and how the text
 * plan says it.
 */
import { installCommand, sha256, stepCommand } from "../../infra/contracts/toolkit";
import { Toolkit, entryFiles } from "../../infra/toolkit/build";
import type { PlannedResource, PlanToolkit } from "../../scripts/lib/planDocument";
import { ResourcePair, ToolkitStepChange, diffToolkit, stepsRunning } from "../../scripts/lib/toolkitDiff";
import { renderToolkitDiff, renderToolkitPlan } from "../../scripts/lib/renderToolkit";
import { toolkitSection } from "../../scripts/lib/toolkitPlan";
import { buildToolkit, edited, fakeSources } from "../plan/toolkitFixtures";

function command(name: string, inputs: Record<string, unknown>): PlannedResource {
  return {
    urn: `urn:pulumi:dev::gamedb::command:remote:Command::${name}`,
    type: "command:remote:Command",
    name,
    parent: null,
    custom: true,
    inputs,
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], dependsOn: [] },
    dependencies: [],
  };
}

const step = (t: Toolkit, entry: string, params: unknown = { cluster: "shard1" }, file?: string) =>
  stepCommand({ entry, sha256: entryFiles(t, entry).sha256, params, file });

/**
 * The resources a plan written with `t` holds, as infra/mysql/innodbCluster.ts writes them: a converge (create and
 * update, which differ in a param), a member (create joins, delete leaves), a host's toolkit install.
 */
function resources(t: Toolkit, members: string[] = ["a"]): PlannedResource[] {
  const converge = (allowCreate: boolean) => step(t, "adminapi/converge", { cluster: "shard1", members, allowCreate });
  return [
    command("shard1-converge", { create: converge(true), update: converge(false) }),
    command("shard1-node0-member", { create: step(t, "adminapi/join"), delete: step(t, "adminapi/leave") }),
    command("shard1-node0-toolkit", { create: installCommand(t.version) }),
  ];
}

const pairs = (base: PlannedResource[], head: PlannedResource[]): ResourcePair[] =>
  head.map((after, i) => ({ before: base[i]!, after }));

const base = buildToolkit(fakeSources());
const sha = (t: Toolkit, path: string) => t.files.get(path)!.sha256;
const section = (t: Toolkit): PlanToolkit => toolkitSection(t);
const short = (h: string) => h.slice(0, 8);

function diffOf(head: Toolkit, headResources = resources(head)) {
  return diffToolkit(section(base), section(head), pairs(resources(base), headResources));
}

describe("toolkit diff", () => {
  it("names, for each changed step, exactly the files of its entry that changed", () => {
    const head = buildToolkit(edited(fakeSources(), "adminapi/converge.js", (t) => t + "println('more');\n"));
    const d = diffOf(head);
    expect(d.version).toEqual({ base: base.version, head: head.version });
    expect(d.files).toEqual([
      {
        path: "adminapi/converge.js",
        status: "changed",
        base: sha(base, "adminapi/converge.js"),
        head: sha(head, "adminapi/converge.js"),
      },
    ]);
    // The member's steps do not run converge.js: their text is the same, so they are not listed. An existing
    // converge runs its update text only; its create text is refreshed for a later creation.
    expect(d.steps.map((s) => [s.name, s.field, s.head!.entry, s.files.map((f) => f.path)])).toEqual([
      ["shard1-converge", "update", "adminapi/converge", ["adminapi/converge.js"]],
    ]);
    const [s] = d.steps;
    expect(s!.textChanged).toBe(true);
    expect(s!.refreshed.map((r) => [r.fields, r.head!.entry, r.files.map((f) => f.path)])).toEqual([
      [["create"], "adminapi/converge", ["adminapi/converge.js"]],
    ]);
    expect(renderToolkitDiff(d)[3]).toBe(
      `  ~ command:remote:Command shard1-converge [update] adminapi/converge ${short(entryFiles(base, "adminapi/converge").sha256)} -> ${short(entryFiles(head, "adminapi/converge").sha256)}`,
    );
    expect(s!.base).toEqual({
      entry: "adminapi/converge",
      sha256: entryFiles(base, "adminapi/converge").sha256,
      known: true,
    });
    expect(s!.head).toEqual({
      entry: "adminapi/converge",
      sha256: entryFiles(head, "adminapi/converge").sha256,
      known: true,
    });
    expect(s!.params).toEqual([]);
    expect(s!.otherText).toBe(false);
  });

  it("lists every step that runs a shared file, by the text that runs now, and the texts refreshed for later", () => {
    const head = buildToolkit(edited(fakeSources(), "adminapi/common.js", (t) => t.replace("1", "2")));
    const d = diffOf(head);
    const view = (s: ToolkitStepChange) => [
      s.name,
      s.field,
      s.head!.entry,
      s.files.map((f) => f.path),
      s.refreshed.map((r) => [r.fields, r.head!.entry, r.files.map((f) => f.path)]),
    ];
    expect(d.steps.map(view)).toEqual([
      [
        "shard1-converge",
        "update",
        "adminapi/converge",
        ["adminapi/common.js"],
        [[["create"], "adminapi/converge", ["adminapi/common.js"]]],
      ],
      [
        "shard1-node0-member",
        "create",
        "adminapi/join",
        ["adminapi/common.js"],
        [[["delete"], "adminapi/leave", ["adminapi/common.js"]]],
      ],
    ]);
    expect(stepsRunning(d, "adminapi/common.js").map((s) => s.name)).toEqual([
      "shard1-converge",
      "shard1-node0-member",
    ]);
  });

  it("says a member whose leave script alone changed runs its join again, and its delete text is only refreshed", () => {
    const head = buildToolkit(edited(fakeSources(), "adminapi/leave.js", (t) => t + "println('gone');\n"));
    const d = diffOf(head);
    expect(d.steps).toHaveLength(1);
    expect(d.steps[0]).toMatchObject({ name: "shard1-node0-member", field: "create", textChanged: false, files: [] });
    expect(d.steps[0]!.head).toEqual({
      entry: "adminapi/join",
      sha256: entryFiles(head, "adminapi/join").sha256,
      known: true,
    });
    // Nothing runs leave.js now (the provider runs delete only when the resource is deleted).
    expect(stepsRunning(d, "adminapi/leave.js")).toEqual([]);
    const [join, leave] = [entryFiles(head, "adminapi/join").sha256, "adminapi/leave"];
    expect(renderToolkitDiff(d).slice(2)).toEqual([
      "toolkit steps: 1 run again",
      `  ~ command:remote:Command shard1-node0-member [create] runs adminapi/join ${short(join)} again`,
      "      (its files did not change)",
      "      (its text did not change: it runs again because delete changed)",
      `      delete text refreshed (runs when the resource is deleted): ${leave} ${short(entryFiles(base, leave).sha256)} -> ${short(entryFiles(head, leave).sha256)}`,
      `        ~ adminapi/leave.js  ${short(sha(base, "adminapi/leave.js"))} -> ${short(sha(head, "adminapi/leave.js"))}`,
      "toolkit files only refreshed texts run: adminapi/leave.js (no step runs them now; they run when those texts do)",
    ]);
  });

  it("keeps a resource's refreshed texts apart when they run other entries", () => {
    const head = buildToolkit(edited(fakeSources(), "adminapi/join.js", (t) => t + "println('again');\n"));
    const mixed = (t: Toolkit) => [
      command("shard1-node0-member", { create: step(t, "adminapi/join"), delete: step(t, "adminapi/converge") }),
    ];
    const d = diffToolkit(section(base), section(head), pairs(mixed(base), mixed(head)));
    expect(d.steps.map((s) => [s.field, s.head!.entry, s.files.map((f) => f.path), s.refreshed])).toEqual([
      ["create", "adminapi/join", ["adminapi/join.js"], []],
    ]);
    const both = buildToolkit(edited(fakeSources(), "lib/adminapi.sh", (t) => t + "# launcher v2\n"));
    const d2 = diffToolkit(section(base), section(both), pairs(mixed(base), mixed(both)));
    expect(
      d2.steps.map((s) => [
        s.field,
        s.head!.entry,
        s.files.map((f) => f.path),
        s.refreshed.map((r) => [r.fields, r.head!.entry]),
      ]),
    ).toEqual([["create", "adminapi/join", ["lib/adminapi.sh"], [[["delete"], "adminapi/converge"]]]]);
  });

  it("runs create when the triggers changed (the provider replaces the resource), and a step again for another input", () => {
    const withInputs = (extra: Record<string, unknown>) => [
      command("n-step", { create: step(base, "adminapi/join"), update: step(base, "adminapi/converge"), ...extra }),
    ];
    const replaced = diffToolkit(
      section(base),
      section(base),
      pairs(withInputs({ triggers: ["i-1"] }), withInputs({ triggers: ["i-2"] })),
    );
    expect(replaced.steps).toMatchObject([
      { field: "create", replaced: true, textChanged: false, inputs: ["triggers"] },
    ]);
    expect(renderToolkitDiff(replaced)).toContain(
      "      (replaced (its triggers changed): create runs on the new resource, the base's delete on the old one)",
    );
    const updated = diffToolkit(
      section(base),
      section(base),
      pairs(withInputs({ stdin: "a" }), withInputs({ stdin: "b" })),
    );
    expect(updated.steps).toMatchObject([{ field: "update", replaced: false, textChanged: false, inputs: ["stdin"] }]);
    expect(renderToolkitDiff(updated)).toContain(
      "      (its text did not change: it runs again because stdin changed)",
    );
  });

  it("says a step whose params changed ran the same files", () => {
    const d = diffOf(base, resources(base, ["a", "b"]));
    expect(d.files).toEqual([]);
    expect(d.steps).toHaveLength(1);
    expect(d.steps[0]).toMatchObject({ name: "shard1-converge", files: [], params: ["members"], otherText: false });
    const converge = `adminapi/converge ${short(entryFiles(base, "adminapi/converge").sha256)}`;
    expect(renderToolkitDiff(d)).toEqual([
      `toolkit: ${base.version}, unchanged`,
      "toolkit steps: 1 run again",
      `  ~ command:remote:Command shard1-converge [update] ${converge}`,
      "      (params changed: members)",
      "      (its files did not change)",
      `      create text refreshed (runs only when the resource is created again): ${converge}`,
      "        (params changed: members)",
      "        (its files did not change)",
    ]);
  });

  it("tells a change to the file a step installs (fd 4) from one to its params", () => {
    const before = [command("n-configure", { create: step(base, "adminapi/join", { a: 1 }, "[mysqld]\nx=1\n") })];
    const after = [command("n-configure", { create: step(base, "adminapi/join", { a: 1 }, "[mysqld]\nx=2\n") })];
    const [s] = diffToolkit(section(base), section(base), pairs(before, after)).steps;
    expect(s).toMatchObject({ params: [], otherText: true, files: [] });
  });

  it("shows a file an entry now runs as added to its steps, and the entry's list as changed", () => {
    const src = fakeSources();
    src.files["adminapi/restart.js"] = "println('restart');\n";
    src.entries["adminapi/converge"] = [
      "lib/adminapi.sh",
      "adminapi/common.js",
      "adminapi/restart.js",
      "adminapi/converge.js",
    ];
    const head = buildToolkit(src);
    const d = diffOf(head);
    expect(d.files.map((f) => [f.path, f.status])).toEqual([
      ["adminapi/restart.js", "added"],
      ["entries/adminapi/converge", "changed"],
    ]);
    expect(d.steps.map((s) => [s.name, s.files])).toEqual([
      ["shard1-converge", [{ path: "adminapi/restart.js", status: "added", head: sha(head, "adminapi/restart.js") }]],
    ]);
  });

  it("says a changed runner runs every step from now on, though no step's text changes", () => {
    const head = buildToolkit(edited(fakeSources(), "bin/gamedb-step", (t) => t + "# v2\n"));
    const d = diffOf(head);
    expect(d.steps).toEqual([]);
    const text = renderToolkitDiff(d);
    expect(text).toEqual([
      `toolkit: ${base.version} -> ${head.version}: 1 changed, 0 added, 0 removed`,
      `  ~ bin/gamedb-step  ${short(sha(base, "bin/gamedb-step"))} -> ${short(sha(head, "bin/gamedb-step"))}`,
      "toolkit runner bin/gamedb-step changed: runs every step from now on (not pinned by any step's hash)",
    ]);
  });

  it("says a changed installer is run by every host's install step", () => {
    const head = buildToolkit(edited(fakeSources(), "bin/gamedb-toolkit-install", (t) => t + "# v2\n"));
    const d = diffOf(head);
    expect(d.steps).toEqual([]);
    expect(d.installs).toEqual([
      {
        urn: "urn:pulumi:dev::gamedb::command:remote:Command::shard1-node0-toolkit",
        type: "command:remote:Command",
        name: "shard1-node0-toolkit",
        version: { base: base.version, head: head.version },
      },
    ]);
    expect(renderToolkitDiff(d).slice(2)).toEqual([
      "toolkit installer bin/gamedb-toolkit-install changed: run by every host's install step (1: shard1-node0-toolkit)",
    ]);
  });

  it("takes a base plan without a toolkit section as every file new", () => {
    const d = diffToolkit(undefined, section(base), pairs(resources(base), resources(base, ["a", "b"])));
    expect(d.version).toEqual({ base: null, head: base.version });
    expect(d.files.map((f) => f.status)).toEqual([...base.files.keys()].map(() => "added"));
    expect(d.files.map((f) => f.path)).toEqual([...base.files.keys()]);
    const [s] = d.steps;
    expect(s!.base!.known).toBe(false);
    expect(s!.files.map((f) => [f.path, f.status])).toEqual([
      ["adminapi/common.js", "added"],
      ["adminapi/converge.js", "added"],
      ["lib/adminapi.sh", "added"],
    ]);
    const text = renderToolkitDiff(d);
    expect(text[0]).toBe(`toolkit: none in the base -> ${base.version}: every file is new (${base.files.size} files)`);
    expect(text).toContain(
      "      (its files in the base are not known (no toolkit section there, or another hash): all taken as new)",
    );
  });

  it("takes a base command that ran a script of its own as a new step, every file new", () => {
    const before = [command("shard1-converge", { create: "set -eu\nmysqlsh --js <<'EOF'\nprintln(1)\nEOF\n" })];
    const after = [command("shard1-converge", { create: step(base, "adminapi/converge") })];
    const [s] = diffToolkit(section(base), section(base), pairs(before, after)).steps;
    expect(s!.base).toBeUndefined();
    expect(s!.files.map((f) => f.status)).toEqual(["added", "added", "added"]);
    expect(renderToolkitDiff(diffToolkit(section(base), section(base), pairs(before, after)))[2]).toBe(
      `  ~ command:remote:Command shard1-converge [create] now runs adminapi/converge ${entryFiles(base, "adminapi/converge").sha256.slice(0, 8)} (its base text ran no toolkit entry)`,
    );
  });

  it("does not claim files for a step whose hash is not its entry's in the head's toolkit", () => {
    const odd = stepCommand({ entry: "adminapi/converge", sha256: sha256("another toolkit") });
    const [s] = diffToolkit(
      section(base),
      section(base),
      pairs(resources(base), [command("shard1-converge", { create: odd })]),
    ).steps;
    expect(s!.head!.known).toBe(false);
    expect(s!.files).toEqual([]);
    expect(
      renderToolkitDiff(
        diffToolkit(
          section(base),
          section(base),
          pairs(resources(base), [command("shard1-converge", { create: odd })]),
        ),
      ),
    ).toContain(
      "      (its hash is not that of adminapi/converge in the head plan's toolkit: its files cannot be told)",
    );
  });

  it("ignores command texts that are not steps and texts that did not change", () => {
    const d = diffToolkit(section(base), section(base), [
      { before: command("x", { create: "echo 1" }), after: command("x", { create: "echo 2" }) },
      { before: resources(base)[1]!, after: resources(base)[1]! },
    ]);
    expect(d).toEqual({ version: { base: base.version, head: base.version }, files: [], steps: [], installs: [] });
  });
});

describe("toolkit plan section", () => {
  it("records every file's hash and text and each entry's files", () => {
    const t = toolkitSection(base);
    expect(t.version).toBe(base.version);
    expect(Object.keys(t.files)).toEqual([...base.files.keys()]);
    for (const f of Object.values(t.files)) expect(f.sha256).toBe(sha256(f.text));
    expect(t.files["adminapi/join.js"]!.text).toBe(fakeSources().files["adminapi/join.js"]);
    expect(t.entries["adminapi/join"]).toEqual(["lib/adminapi.sh", "adminapi/common.js", "adminapi/join.js"]);
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
    expect(renderToolkitPlan(t)).toEqual([
      `Toolkit ${base.version}: ${base.files.size} files, 3 entries (adminapi/converge, adminapi/join, adminapi/leave)`,
    ]);
    expect(renderToolkitPlan(undefined)).toEqual([]);
  });
});
