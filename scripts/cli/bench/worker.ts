/**
 * One measured run of the plan benchmark, in its own process so that peak RSS belongs to this run alone.
 * Started by plan-bench.ts as `node --import tsx scripts/cli/bench/worker.ts ...`:
 *
 *   worker.ts gamedb SHARDS [SHAPES_FILE]    evaluate() of the prod-shaped topology with SHARDS shards; with
 *                                            SHAPES_FILE, also writes its custom resources' shapes there (type ->
 *                                            count and declared properties, resourceShapes.ts) after the measurement
 *   worker.ts bare CUSTOM COMPONENTS         the bare baseline (bare.ts) with that many resources
 *   worker.ts typed SHAPES_FILE COMPONENTS   the typed floor (typed.ts): the shapes of a gamedb run, and COMPONENTS
 *
 * Prints one line of JSON (WorkerResult) on stdout and exits. Times, all from performance.now() in this process:
 *   startupMs  process start -> first line of this file (node + tsx loader)
 *   importMs   dynamic import of the code under test (gamedb: scripts/lib/evaluate.ts, which loads the program,
 *              @pulumi/pulumi and @pulumi/aws's index; bare, typed: bare.ts or typed.ts, which load @pulumi/pulumi)
 *   evalMs     just before setMocks -> every resource registered and resolved (gamedb: the whole evaluate() call,
 *              which also resolves the stack outputs and records options; bare: runBare(); typed: runTyped()). Modules loaded lazily
 *              by the program while it runs (@pulumi/aws submodules) count here.
 * maxRssKiB is process.resourceUsage().maxRSS read after the evaluation: the peak of the whole process.
 */
const startupMs = performance.now();

import { readFileSync, writeFileSync } from "node:fs";
import { benchTopology } from "./topologies";
import type { Capture } from "../../lib/bench/captureResources";

export interface WorkerResult {
  mode: "gamedb" | "bare" | "typed";
  shards: number | null;
  /** Resources the run registered. */
  resources: number;
  customResources: number;
  componentResources: number;
  /** Resources the mock monitor holds at the end (a cross-check of `resources`). */
  monitorResources: number;
  startupMs: number;
  importMs: number;
  evalMs: number;
  maxRssKiB: number;
  heapUsedKiB: number;
}

function usage(): never {
  process.stderr.write(
    "usage: worker.ts gamedb SHARDS [SHAPES_FILE] | worker.ts bare CUSTOM COMPONENTS | worker.ts typed SHAPES_FILE COMPONENTS\n",
  );
  process.exit(2);
}

function count(text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < 0) usage();
  return n;
}

async function monitorCount(): Promise<number> {
  const pulumi = await import("@pulumi/pulumi");
  const monitor = pulumi.runtime.getMonitor() as unknown as
    { getRegisteredResources?: () => Map<string, unknown> } | undefined;
  return monitor?.getRegisteredResources?.().size ?? -1;
}

/** Times `load` (importing the code under test) and `run`, then reports the counts and this process's peak memory. */
async function measure<M>(
  load: () => Promise<M>,
  run: (
    m: M,
  ) => Promise<Pick<WorkerResult, "mode" | "shards" | "resources" | "customResources" | "componentResources">>,
): Promise<WorkerResult> {
  const t0 = performance.now();
  const m = await load();
  const t1 = performance.now();
  const counts = await run(m);
  const t2 = performance.now();
  return {
    ...counts,
    monitorResources: await monitorCount(),
    startupMs,
    importMs: t1 - t0,
    evalMs: t2 - t1,
    maxRssKiB: process.resourceUsage().maxRSS,
    heapUsedKiB: Math.round(process.memoryUsage().heapUsed / 1024),
  };
}

/** evaluate() of SHARDS shards; with shapesFile, the shapes of its custom resources, taken after the measurement. */
async function gamedb(shards: number, shapesFile: string | undefined): Promise<WorkerResult> {
  const stack = benchTopology(shards);
  let capture: Capture | undefined;
  const result = await measure(
    async () => {
      const m = await import("../../lib/evaluate");
      // After the import, so importMs is as without shapes; the capture costs a push per resource.
      if (shapesFile) capture = (await import("../../lib/bench/captureResources")).captureResources();
      return m;
    },
    async ({ evaluate }) => {
      const doc = await evaluate(stack);
      const custom = doc.resources.filter((r) => r.custom).length;
      const total = doc.resources.length;
      return { mode: "gamedb", shards, resources: total, customResources: custom, componentResources: total - custom };
    },
  );
  if (capture && shapesFile) {
    capture.stop();
    const [{ Output }, { summarizeShapes, shapeTotals }] = await Promise.all([
      import("@pulumi/pulumi"),
      import("../../lib/bench/resourceShapes"),
    ]);
    const shapes = summarizeShapes(capture.custom(), (v) => Output.isInstance(v));
    const captured = shapeTotals(shapes).resources;
    if (captured !== result.customResources)
      throw new Error(`captured ${captured} custom resources, the plan has ${result.customResources}`);
    writeFileSync(shapesFile, JSON.stringify(shapes) + "\n");
  }
  return result;
}

async function main(argv: string[]): Promise<WorkerResult> {
  const [mode, a, b] = argv;
  if (mode === "gamedb") {
    if (argv.length > 3) usage();
    return gamedb(count(a), b);
  }
  if (mode === "bare") {
    const custom = count(a);
    const components = count(b);
    const stack = benchTopology(1);
    return measure(
      () => import("./bare"),
      async ({ runBare }) => {
        const resources = await runBare({ custom, components }, stack.project, stack.stack);
        return { mode, shards: null, resources, customResources: custom, componentResources: components };
      },
    );
  }
  if (mode === "typed") {
    if (a === undefined) usage();
    const components = count(b);
    const stack = benchTopology(1);
    // Read before the measurement: evalMs covers registering, as for bare.
    const { parseShapeSummary, shapeTotals } = await import("../../lib/bench/resourceShapes");
    const shapes = parseShapeSummary(JSON.parse(readFileSync(a, "utf8")) as unknown);
    const custom = shapeTotals(shapes).resources;
    return measure(
      () => import("./typed"),
      async ({ runTyped }) => {
        const resources = await runTyped(shapes, components, stack.project, stack.stack);
        return { mode, shards: null, resources, customResources: custom, componentResources: components };
      },
    );
  }
  usage();
}

main(process.argv.slice(2)).then(
  (result) => process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0)),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
