/** The offline plan runs with stack traces off (scripts/lib/promiseStacks.ts), and puts them back afterwards. */
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { withoutPromiseStacks } from "../../scripts/lib/promiseStacks";

const statics = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };
const load = createRequire(__filename);
const debuggable = load("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise: <T>(p: Promise<T>, ctx: string) => Promise<T>;
};
const state = load("@pulumi/pulumi/runtime/state") as { getStore: () => { leakCandidates: Set<Promise<unknown>> } };

describe("withoutPromiseStacks", () => {
  const before = Error.stackTraceLimit;
  afterEach(() => expect(Error.stackTraceLimit).toBe(before));

  it("turns promise stacks and resources' source positions off while it runs, and keeps error messages", async () => {
    // The pinned @pulumi/pulumi still has the static the plan replaces (resource.js, Resource.stackTrace).
    const stackTrace = statics.stackTrace;
    expect(typeof stackTrace).toBe("function");
    expect(stackTrace(0).length).toBeGreaterThan(0);
    const inside = await withoutPromiseStacks(async () => ({
      limit: Error.stackTraceLimit,
      positions: statics.stackTrace(0),
      stack: new Error("boom").stack,
    }));
    expect(inside).toEqual({ limit: 0, positions: [], stack: expect.stringContaining("boom") });
    expect(statics.stackTrace).toBe(stackTrace);
  });

  it("keeps Pulumi's leak check on its promises without stamping them, and puts Pulumi's wrapper back", async () => {
    const original = debuggable.debuggablePromise;
    await withoutPromiseStacks(async () => {
      expect(debuggable.debuggablePromise).not.toBe(original);
      const candidates = state.getStore().leakCandidates;
      let resolve!: (v: string) => void;
      const pending = new Promise<string>((r) => (resolve = r));
      const wrapped = debuggable.debuggablePromise(pending, "test");
      // Still pending: the check at exit would report it.
      expect(candidates.has(pending)).toBe(true);
      expect(Object.getOwnPropertyNames(pending)).toEqual([]);
      resolve("done");
      expect(await wrapped).toBe("done");
      expect(candidates.has(pending)).toBe(false);
      const failing = Promise.reject(new Error("rejected"));
      await expect(debuggable.debuggablePromise(failing, "test")).rejects.toThrow("rejected");
      expect(candidates.has(failing)).toBe(false);
    });
    expect(debuggable.debuggablePromise).toBe(original);
  });

  it("restores all when the run fails", async () => {
    const stackTrace = statics.stackTrace;
    const wrap = debuggable.debuggablePromise;
    await expect(
      withoutPromiseStacks(async () => {
        throw new Error("failed plan");
      }),
    ).rejects.toThrow("failed plan");
    expect(statics.stackTrace).toBe(stackTrace);
    expect(debuggable.debuggablePromise).toBe(wrap);
  });

  it("restores the traces once the last of overlapping runs ends, whatever order they end in", async () => {
    const stackTrace = statics.stackTrace;
    let endFirst!: () => void;
    const first = withoutPromiseStacks(() => new Promise<void>((done) => (endFirst = done)));
    const second = withoutPromiseStacks(async () => {
      endFirst();
      await first;
      // The first run has ended; this one still runs without traces.
      return Error.stackTraceLimit;
    });
    expect(await second).toBe(0);
    expect(statics.stackTrace).toBe(stackTrace);
  });

  it("keeps stack traces with GAMEDB_PLAN_STACKS=1", async () => {
    process.env.GAMEDB_PLAN_STACKS = "1";
    try {
      expect(await withoutPromiseStacks(async () => Error.stackTraceLimit)).toBe(before);
    } finally {
      delete process.env.GAMEDB_PLAN_STACKS;
    }
  });
});
