/** The offline plan runs with stack traces off (scripts/lib/promiseStacks.ts), and puts them back afterwards. */
import * as pulumi from "@pulumi/pulumi";
import { withoutPromiseStacks } from "../../scripts/lib/promiseStacks";

const statics = pulumi.Resource as unknown as { stackTrace: (skip: number) => unknown[] };

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

  it("restores both when the run fails", async () => {
    const stackTrace = statics.stackTrace;
    await expect(
      withoutPromiseStacks(async () => {
        throw new Error("failed plan");
      }),
    ).rejects.toThrow("failed plan");
    expect(statics.stackTrace).toBe(stackTrace);
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
