/** scripts/apps/monitor/async.ts: the limit on checks in flight and the per-check deadline. */
import { describeError, limiter, TimeoutError, withTimeout } from "../../scripts/apps/monitor/async";

describe("limiter", () => {
  it("never runs more than n tasks at once, and runs them all", async () => {
    const limit = limiter(3);
    let active = 0;
    let peak = 0;
    const task = (i: number) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5 + (i % 4)));
      active--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => limit(task(i))));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
  });

  it("keeps going after a task throws", async () => {
    const limit = limiter(1);
    const failed = limit(() => Promise.reject(new Error("boom")));
    await expect(failed).rejects.toThrow("boom");
    await expect(limit(async () => "next")).resolves.toBe("next");
  });
});

describe("withTimeout", () => {
  it("rejects after the deadline and calls onTimeout first", async () => {
    let cut = false;
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 20, () => (cut = true))).rejects.toBeInstanceOf(TimeoutError);
    expect(cut).toBe(true);
  });

  it("passes a result or an error through untouched", async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    const e = Object.assign(new Error("connect ECONNREFUSED 10.0.0.1:3306"), { code: "ECONNREFUSED" });
    await expect(withTimeout(Promise.reject(e), 1000)).rejects.toBe(e);
    expect(describeError(e)).toBe("connect ECONNREFUSED 10.0.0.1:3306");
    expect(describeError(Object.assign(new Error("Access denied"), { code: "ER_ACCESS_DENIED_ERROR" }))).toBe(
      "ER_ACCESS_DENIED_ERROR: Access denied",
    );
  });
});
