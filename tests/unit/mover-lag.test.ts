// scripts/lib/mover/lag.ts LagTracker: how far a stream is behind its origin, as the age of the oldest origin
// position sample it has not applied yet. Both position flavours (MySQL GTID sets, MariaDB domain lists).
import fc from "fast-check";
import { LagTracker } from "../../scripts/lib/mover/lag";
import { parsePosition } from "../../scripts/lib/mover/position";

const U = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
const my = (n: number) => parsePosition("mysql", `${U}:1-${n}`);
const maria = (n: number) => parsePosition("mariadb", `0-1-${n}`);

describe("LagTracker", () => {
  it("is null before the first sample, whatever the stream applied", () => {
    const lag = new LagTracker();
    expect(lag.lagSeconds(my(100), 5_000)).toBeNull();
  });

  it("is 0 once the stream has applied every sample (and stays 0 with nothing left)", () => {
    const lag = new LagTracker();
    lag.record(my(10), 1_000);
    lag.record(my(20), 2_000);
    expect(lag.lagSeconds(my(20), 9_000)).toBe(0);
    expect(lag.lagSeconds(my(20), 60_000)).toBe(0);
  });

  it("is the age of the oldest sample not yet applied, in seconds", () => {
    const lag = new LagTracker();
    lag.record(my(10), 1_000);
    lag.record(my(20), 2_000);
    lag.record(my(30), 3_500);
    expect(lag.lagSeconds(my(5), 4_000)).toBe(3); // 10 not applied: sampled at 1 s
    expect(lag.lagSeconds(my(10), 4_000)).toBe(2); // 20 not applied: sampled at 2 s
    expect(lag.lagSeconds(my(25), 4_250)).toBe(0.75); // 30 not applied: sampled at 3.5 s
    expect(lag.lagSeconds(my(30), 4_250)).toBe(0);
  });

  it("counts a sample reached only when all of it is applied (a MySQL set with a hole is behind)", () => {
    const lag = new LagTracker();
    lag.record(parsePosition("mysql", `${U}:1-10`), 1_000);
    expect(lag.lagSeconds(parsePosition("mysql", `${U}:1-4:6-10`), 3_000)).toBe(2);
  });

  it("works the same on MariaDB positions", () => {
    const lag = new LagTracker();
    lag.record(maria(10), 1_000);
    lag.record(maria(20), 2_000);
    expect(lag.lagSeconds(maria(9), 3_000)).toBe(2);
    expect(lag.lagSeconds(maria(15), 3_000)).toBe(1);
    expect(lag.lagSeconds(maria(20), 3_000)).toBe(0);
  });

  it("equals now minus the time of the first sample above the applied position (property, against a model)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.nat(1000)), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 600 }),
        fc.nat(5000),
        (steps, applied, extra) => {
          // Samples as the mover takes them: origin positions and times never go back.
          let n = 0;
          let at = 0;
          const samples = steps.map(([dn, dt]) => ({ n: (n += dn), at: (at += dt) }));
          const now = at + extra;
          const lag = new LagTracker();
          for (const s of samples) lag.record(maria(s.n), s.at);
          const oldest = samples.find((s) => s.n > applied);
          expect(lag.lagSeconds(maria(applied), now)).toBe(oldest ? (now - oldest.at) / 1000 : 0);
        },
      ),
    );
  });
});
