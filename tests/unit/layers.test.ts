/**
 * The one-way layers (eslint.layers.mjs): an import that points back up is a lint error. Each case lints a real file
 * of a layer with one back-edge import added, and expects the rule to name it; the same file unchanged passes.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

/** The layer rule's messages for each file with one import added in front (tests/helpers/lintLayers.mjs). */
function layerErrors(cases: [file: string, extraImport: string][]): string[][] {
  const input = cases.map(([file, extra]) => ({
    file: join(ROOT, file),
    text: `${extra}\n${readFileSync(join(ROOT, file), "utf8")}`,
  }));
  const run = spawnSync(process.execPath, [join(ROOT, "tests/helpers/lintLayers.mjs")], {
    input: JSON.stringify(input),
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`lintLayers.mjs failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const CASES: [string, string, RegExp][] = [
  ["infra/config/errors.ts", 'import "../plan/nodes";', /cross-key rules belong to infra\/plan/],
  ["infra/config/schema.ts", 'import "../mysql/mycnf";', /config may import only catalog and contracts/],
  ["infra/plan/slots.ts", 'import "../backup/bucket";', /the plan decides from config alone/],
  ["infra/plan/nodes.ts", 'import "@pulumi/pulumi";', /this layer is pure, no Pulumi/],
  ["infra/plan/validate/hosts.ts", 'import "../../mysql/mycnf";', /the plan decides from config alone/],
  ["infra/catalog/mysql.ts", 'import "../config/schema";', /catalog and contracts are the bottom layer/],
  ["infra/contracts/endpoints.ts", 'import "../plan/slots";', /catalog and contracts are the bottom layer/],
  ["infra/mysql/router.ts", 'import "../platform";', /components do not know the platform/],
  ["infra/mysql/adminapi/index.ts", 'import "../../outputs";', /components do not know the platform/],
  ["infra/platform/index.ts", 'import "../program";', /the program composes the platform/],
  ["infra/platform/shards.ts", 'import "../outputs";', /the program composes the platform/],
  ["client/src/topology.ts", 'import "../../infra/plan/slots";', /the client imports only the contracts/],
  ["client/src/client.ts", 'import "@pulumi/pulumi";', /this layer is pure, no Pulumi/],
  ["infra/contracts/slots.ts", 'import "../../client/src";', /the program does not import the game-server client/],
  [
    "infra/mysql/router.ts",
    'import "../../client/src/topology";',
    /the program does not import the game-server client/,
  ],
];

const ALLOWED: [string, string][] = [
  ["infra/plan/validate/network.ts", 'import "../subnetLayout";'],
  ["infra/plan/validate/hosts.ts", 'import "../../catalog/mysql";'],
  ["infra/mysql/router.ts", 'import "../plan/slots";'],
  ["infra/program.ts", 'import "./platform";'],
  ["client/src/topology.ts", 'import "../../infra/contracts/slotFence";'],
];

describe("layers point one way", () => {
  let refused: string[][];
  let allowed: string[][];
  beforeAll(() => {
    const all = layerErrors([...CASES.map(([f, e]) => [f, e] as [string, string]), ...ALLOWED]);
    refused = all.slice(0, CASES.length);
    allowed = all.slice(CASES.length);
  });

  it.each(CASES.map((c, i) => [...c, i] as const))("%s importing up (%s) is refused", (_f, _e, message, i) => {
    expect(refused[i]).toHaveLength(1);
    expect(refused[i]![0]).toMatch(message);
  });

  it("imports within a layer, and downward, pass", () => {
    expect(allowed).toEqual(ALLOWED.map(() => []));
  });
});
