/**
 * The host toolkit in the program (issue 17) under Pulumi's mock runtime: what each host's copy sends, and what a
 * change to one toolkit file changes. A step's command names the hash of exactly its entry's files, so a change to
 * one file re-runs only the steps whose entries list it (and each host's toolkit install, which names the version).
 *
 * The toolkit the program uses is swapped for one with an edited file by wrapping currentToolkit (the edited
 * toolkit's directory goes to a temp dir, not the project's .gamedb/toolkit).
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { evaluate } from "../../scripts/lib/evaluate";
import { diffPlans } from "../../scripts/lib/planDiff";
import { planMocks, valueOf } from "../../scripts/lib/mockValues";
import type { PlanDocument } from "../../scripts/lib/planDocument";
import { readStackConfig } from "../../scripts/lib/stackFile";
import { declarePlatform } from "../../infra/program";
import { MANIFEST_FILE, installCommand } from "../../infra/contracts/toolkit";
import { TOOLKIT_BUILD_DIR, Toolkit, buildToolkit } from "../../infra/toolkit/build";
import { readToolkitSources } from "../../infra/toolkit/sources";
import { toolkitStep } from "../../infra/toolkit/step";
import { isStep, stepOf } from "../helpers/toolkit";

/** The toolkit the program uses instead of this checkout's (undefined: this checkout's). */
let mockToolkit: Toolkit | undefined;
/** Where the edited toolkits' directories go. */
let mockBuildBase: string | undefined;

jest.mock("../../infra/toolkit/build", () => {
  const actual = jest.requireActual("../../infra/toolkit/build");
  const tmp = () =>
    (mockBuildBase ??= jest
      .requireActual("node:fs")
      .mkdtempSync(
        jest.requireActual("node:path").join(jest.requireActual("node:os").tmpdir(), "gamedb-toolkit-test-"),
      ));
  return {
    ...actual,
    currentToolkit: () => mockToolkit ?? actual.currentToolkit(),
    toolkitDirectory: (toolkit: Toolkit, base?: string) =>
      actual.toolkitDirectory(toolkit, mockToolkit && toolkit === mockToolkit ? tmp() : base),
  };
});

/** This checkout's toolkit, whatever the program is given. */
const checkout = (): Toolkit =>
  jest.requireActual<typeof import("../../infra/toolkit/build")>("../../infra/toolkit/build").currentToolkit();

const COMMAND = "command:remote:Command";
const COPY = "command:remote:CopyToRemote";
const STACK = join(__dirname, "..", "..", "Pulumi.prod.yaml");

/** This checkout's toolkit with `path`'s text changed. */
function edited(path: string): Toolkit {
  const sources = readToolkitSources();
  if (!(path in sources.files)) throw new Error(`no toolkit file ${path}`);
  return buildToolkit({ ...sources, files: { ...sources.files, [path]: `${sources.files[path]}\n# edited\n` } });
}

/** Every step text of a plan, by `<resource> <create|update|delete>`. */
function stepTexts(doc: PlanDocument): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of doc.resources.filter((x) => x.type === COMMAND))
    for (const key of ["create", "update", "delete"])
      if (isStep(r.inputs[key])) out.set(`${r.name} ${key}`, r.inputs[key] as string);
  return out;
}

/** The steps whose text differs when written with `toolkit` instead of this checkout's. */
function changedSteps(steps: Map<string, string>, toolkit: Toolkit): string[] {
  const changed: string[] = [];
  for (const [key, text] of steps) {
    const { entry, params, file, note } = stepOf(text, checkout());
    if (toolkitStep(entry, { params, file, note }, toolkit) !== text) changed.push(key);
  }
  return changed.sort();
}

/** The raw inputs of every resource the program declares for a stack (the archives as the program made them). */
async function declaredInputs(): Promise<Map<string, Record<string, unknown>>> {
  const stack = readStackConfig(STACK);
  const inputs = new Map<string, Record<string, unknown>>();
  await pulumi.runtime.setMocks(planMocks(inputs), stack.project, stack.stack, false);
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
  const seen: pulumi.Resource[] = [];
  declarePlatform({ transformations: [(a) => void seen.push(a.resource)], runStamp: "test" });
  await Promise.all(seen.map((r) => valueOf(r.urn)));
  return inputs;
}

async function copySources(): Promise<string[]> {
  const inputs = await declaredInputs();
  const copies = [...inputs].filter(([key]) => key.startsWith(`${COPY}::`));
  expect(copies).toHaveLength(12);
  return Promise.all(
    copies.map(async ([, i]) => {
      expect(i.source).toBeInstanceOf(pulumi.asset.FileArchive);
      return (i.source as pulumi.asset.FileArchive).path;
    }),
  );
}

const SHARDS = [1, 2, 3, 4];
const NODES = SHARDS.flatMap((s) => [0, 1, 2].map((i) => `shard${s}-node${i}`));

let base: PlanDocument;
let steps: Map<string, string>;
beforeAll(async () => {
  base = await evaluate(readStackConfig(STACK));
  steps = stepTexts(base);
});
afterEach(() => {
  mockToolkit = undefined;
});
afterAll(() => {
  if (mockBuildBase) rmSync(mockBuildBase, { recursive: true, force: true });
});

describe("the toolkit each host gets", () => {
  it("is this checkout's toolkit directory, written once per version: its MANIFEST and every file", async () => {
    const toolkit = checkout();
    const dir = join(TOOLKIT_BUILD_DIR, toolkit.version);
    // Relative to the working directory, so a state written on one machine names the same path on another.
    expect(await copySources()).toEqual(Array(12).fill(relative(process.cwd(), dir)));
    expect(readFileSync(join(dir, MANIFEST_FILE), "utf8")).toBe(toolkit.manifest);
    for (const [path, f] of toolkit.files) {
      expect(readFileSync(join(dir, path), "utf8")).toBe(f.text);
      expect(statSync(join(dir, path)).mode & 0o777).toBe(path.startsWith("bin/") ? 0o755 : 0o644);
    }
    expect(existsSync(join(dir, "entries", "host", "bootstrap"))).toBe(true);
  });

  it("is the edited toolkit's own directory once a file changes (a new version: every host copies it)", async () => {
    mockToolkit = edited("adminapi/restart.js");
    expect(mockToolkit.version).not.toBe(checkout().version);
    expect(await copySources()).toEqual(Array(12).fill(join(mockBuildBase!, mockToolkit.version)));
    expect(readFileSync(join(mockBuildBase!, mockToolkit.version, "adminapi", "restart.js"), "utf8")).toMatch(
      /\n# edited\n$/,
    );
  });
});

describe("changing one toolkit file", () => {
  it("writes every step exactly as the program does when nothing changed", () => {
    expect(steps.size).toBeGreaterThan(0);
    expect(changedSteps(steps, checkout())).toEqual([]);
  });

  it.each(Object.keys(readToolkitSources().files))(
    "%s: changes exactly the steps whose entries list it, and the version",
    (path) => {
      const toolkit = edited(path);
      expect(toolkit.version).not.toBe(checkout().version);
      const listing = [...steps].filter(([, text]) =>
        checkout().entries[stepOf(text, checkout()).entry]!.includes(path),
      );
      expect(changedSteps(steps, toolkit)).toEqual(listing.map(([key]) => key).sort());
    },
  );

  const adminApiSteps = () =>
    SHARDS.flatMap((s) => [
      `shard${s}-converge create`,
      `shard${s}-converge update`,
      `shard${s}-accounts create`,
      ...[0, 1, 2].flatMap((i) => [
        `shard${s}-node${i}-configure create`,
        `shard${s}-node${i}-member create`,
        `shard${s}-node${i}-member delete`,
      ]),
    ]).sort();

  it.each<[string, () => string[]]>([
    ["adminapi/restart.js", () => SHARDS.flatMap((s) => [`shard${s}-converge create`, `shard${s}-converge update`])],
    ["adminapi/common.js", adminApiSteps],
    ["lib/adminapi.sh", adminApiSteps],
    ["lib/install-mycnf.sh", () => NODES.map((n) => `${n}-configure create`)],
    ["adminapi/join-member.js", () => NODES.map((n) => `${n}-member create`)],
    ["host/bootstrap.sh", () => NODES.map((n) => `${n}-bootstrap create`)],
    ["lib/bootstrap.sh", () => NODES.map((n) => `${n}-bootstrap create`)],
    ["bin/gamedb-step", () => []],
  ])("%s: changes these steps only", (path, expected) => {
    expect(changedSteps(steps, edited(path))).toEqual(expected().sort());
  });

  it.each<[string, (s: number) => [string, string[]][]]>([
    ["adminapi/restart.js", (s) => [[`shard${s}-converge`, ["create", "update"]]]],
    [
      "adminapi/common.js",
      (s) => [
        ...[0, 1, 2].flatMap((i): [string, string[]][] => [
          [`shard${s}-node${i}-configure`, ["create"]],
          [`shard${s}-node${i}-member`, ["create", "delete"]],
        ]),
        [`shard${s}-converge`, ["create", "update"]],
        [`shard${s}-accounts`, ["create"]],
      ],
    ],
  ])("%s, in the plan: re-runs those steps and each host's install only", async (path, perShard) => {
    mockToolkit = edited(path);
    const next = await evaluate(readStackConfig(STACK));
    const diff = diffPlans(base, next);
    expect(diff.created).toEqual([]);
    expect(diff.deleted).toEqual([]);
    const changed = diff.changed.map((c) => `${c.name} ${c.inputs.join(",")} ${c.options.join(",")}`).sort();
    const expected = [
      ...SHARDS.flatMap(perShard).map(([name, inputs]) => `${name} ${inputs.join(",")} `),
      // The copies send the new version's directory; the install names the version.
      ...NODES.flatMap((n) => [`${n}-toolkit-copy source `, `${n}-toolkit create `]),
    ].sort();
    expect(changed).toEqual(expected);
    for (const n of NODES)
      expect(next.resources.find((r) => r.name === `${n}-toolkit`)!.inputs.create).toBe(
        installCommand(mockToolkit.version),
      );
  });
});
