/** How many checks the monitoring worker runs at once (infra/monitoring/worker.ts, infra/config/validate.ts). */
import { minimumConcurrency, workerConcurrency } from "../../infra/plan/monitorSizing";

describe("worker concurrency", () => {
  const m = { intervalSeconds: 10, checkTimeoutSeconds: 3 };

  it("needs enough waves of timed-out checks to fit the interval", () => {
    // 10 s interval, 3 s timeout: 3 waves (9 s) fit.
    expect(minimumConcurrency(768, 10, 3)).toBe(256);
    expect(minimumConcurrency(12, 10, 3)).toBe(4);
    // A timeout of half the interval leaves one wave.
    expect(minimumConcurrency(12, 10, 5)).toBe(12);
  });

  it("is 64 unless the fleet needs more, and what config says when set", () => {
    expect(workerConcurrency(m, 12)).toBe(64);
    expect(workerConcurrency(m, 768)).toBe(256);
    expect(workerConcurrency({ ...m, concurrency: 8 }, 12)).toBe(8);
  });
});
