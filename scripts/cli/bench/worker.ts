/**
 * One measured run of the plan benchmark, in its own process so that peak RSS belongs to this run alone.
 * Started by plan-bench.ts as `node --import tsx scripts/cli/bench/worker.ts ...`:
 *
 *   worker.ts gamedb SHARDS                  evaluate() of the prod-shaped topology with SHARDS shards
 *   worker.ts bare CUSTOM COMPONENTS         the bare baseline (bare.ts) with that many resources
 *
 * Prints one line of JSON (WorkerResult) on stdout and exits. Times, all from performance.now() in this process:
 *   startupMs  process start -> first line of this file (node + tsx loader)
 *   importMs   dynamic import of the code under test (gamedb: scripts/lib/evaluate.ts, which loads the program,
 *              @pulumi/pulumi and @pulumi/aws's index; bare: bare.ts, which loads @pulumi/pulumi)
 *   evalMs     just before setMocks -> every resource registered and resolved (gamedb: the whole evaluate() call,
 *              which also resolves the stack outputs and records options; bare: runBare()). Modules loaded lazily
 *              by the program while it runs (@pulumi/aws submodules) count here.
 * maxRssKiB is process.resourceUsage().maxRSS read after the evaluation: the peak of the whole process.
 */
const startupMs = performance.now();

import { benchTopology } from "./topologies";

export interface WorkerResult {
  mode: "gamedb" | "bare";
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
  process.stderr.write("usage: worker.ts gamedb SHARDS | worker.ts bare CUSTOM COMPONENTS\n");
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

async function main(argv: string[]): Promise<WorkerResult> {
  const [mode, a, b] = argv;
  if (mode === "gamedb") {
    const shards = count(a);
    const stack = benchTopology(shards);
    return measure(
      () => import("../../lib/evaluate"),
      async ({ evaluate }) => {
        const doc = await evaluate(stack);
        const custom = doc.resources.filter((r) => r.custom).length;
        const total = doc.resources.length;
        return { mode, shards, resources: total, customResources: custom, componentResources: total - custom };
      },
    );
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
  usage();
}

main(process.argv.slice(2)).then(
  (result) => process.stdout.write(JSON.stringify(result) + "\n", () => process.exit(0)),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
