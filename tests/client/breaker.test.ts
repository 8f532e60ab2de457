import { Breaker } from "../../client/src/breaker";

const breaker = (failureThreshold = 3, probeIntervalMs = 1000) => new Breaker({ failureThreshold, probeIntervalMs });

describe("Breaker", () => {
  it.each([1, 3, 7])("opens after exactly %i consecutive connection failures", (n) => {
    const b = breaker(n);
    for (let i = 1; i < n; i++) {
      expect(b.failure(i)).toBe(false);
      expect([b.state, b.allows()]).toEqual(["closed", true]);
    }
    expect(b.failure(n)).toBe(true);
    expect([b.state, b.allows(), b.consecutiveFailures]).toEqual(["open", false, n]);
    // Further failures while open do not report opening again.
    expect(b.failure(n + 1)).toBe(false);
    expect(b.consecutiveFailures).toBe(n + 1);
  });

  it("a success resets the count, so failures must be consecutive", () => {
    const b = breaker(3);
    b.failure(1);
    b.failure(2);
    b.success();
    expect(b.consecutiveFailures).toBe(0);
    expect(b.failure(3)).toBe(false);
    expect(b.failure(4)).toBe(false);
    expect(b.state).toBe("closed");
    expect(b.failure(5)).toBe(true);
  });

  it("a probe is due once the interval has passed since opening, never while closed or while one runs", () => {
    const b = breaker(1, 1000);
    expect(b.probeDue(10_000)).toBe(false); // closed
    b.failure(5000);
    expect(b.probeDue(5999)).toBe(false);
    expect(b.probeDue(6000)).toBe(true);
    b.probeStarted();
    expect(b.probeDue(9000)).toBe(false);
  });

  it("says how long until the next probe, so a timer can fire exactly then (and re-arm if it fired early)", () => {
    const b = breaker(1, 1000);
    expect(b.msUntilProbe(0)).toBeUndefined(); // closed
    b.failure(5000);
    expect(b.msUntilProbe(5000)).toBe(1000);
    expect(b.msUntilProbe(5999)).toBe(1); // a timer one millisecond early waits one more
    expect(b.msUntilProbe(7000)).toBe(0);
    b.probeStarted();
    expect(b.msUntilProbe(7000)).toBeUndefined(); // one probe at a time
    b.probeFailed(7100);
    expect(b.msUntilProbe(7100)).toBe(1000);
  });

  it("a failed probe keeps it open and restarts the interval from the failure", () => {
    const b = breaker(1, 1000);
    b.failure(0);
    b.probeStarted();
    b.probeFailed(1500);
    expect([b.state, b.allows()]).toEqual(["open", false]);
    expect(b.probeDue(2499)).toBe(false);
    expect(b.probeDue(2500)).toBe(true);
  });

  it("a success (a probe's or a request's) closes it and clears the probe", () => {
    const b = breaker(2, 1000);
    b.failure(0);
    b.failure(0);
    b.probeStarted();
    b.success();
    expect([b.state, b.allows(), b.consecutiveFailures, b.probeDue(60_000)]).toEqual(["closed", true, 0, false]);
    // It opens again from zero, and a probe may run again (probing was reset).
    expect(b.failure(70_000)).toBe(false);
    expect(b.failure(70_001)).toBe(true);
    expect(b.probeDue(71_001)).toBe(true);
  });

  it("probeFailed on a closed breaker does not open it", () => {
    const b = breaker(3);
    b.probeFailed(100);
    expect(b.state).toBe("closed");
  });
});
