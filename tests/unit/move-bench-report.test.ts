/**
 * npm run bench:move's report (scripts/lib/mover/bench/report.ts) and the writers' view of a switch's pause
 * (scripts/lib/mover/bench/writers.ts, against faked shard connections that answer as the fence does).
 */
import type * as mysql from "mysql2/promise";
import { DEFAULTS } from "../../scripts/lib/mover/bench/plan";
import { MoveBenchReport, count, figureTable, formatReport, reportRows } from "../../scripts/lib/mover/bench/report";
import { switchResult } from "../../scripts/lib/mover/bench/stats";
import { startWriters } from "../../scripts/lib/mover/bench/writers";

function report(over: Partial<MoveBenchReport> = {}, load = [1.5, 1, 1]): MoveBenchReport {
  const sample = (pauseMs: number, clientPauseMs: number) => ({
    moveId: 101,
    slots: { from: 8192, to: 8255 },
    pauseMs,
    clientPauseMs,
    pausedWrites: 2,
    acked: 500,
    slowestWriteMs: clientPauseMs + 1,
    secondsToSwitch: 1.25,
  });
  return {
    context: {
      node: "v20",
      mariadb: "10.11.19-MariaDB",
      cores: 2,
      cpu: "cpu",
      loadavgStart: load,
      loadavgEnd: [1, 1, 1],
      loadByPart: { copy: 1.2 },
      options: DEFAULTS,
      seconds: 200,
    },
    copies: [
      {
        chunkRows: 1000,
        slots: { from: 0, to: 4095 },
        rows: 200_000,
        seconds: 4,
        rowsPerSec: 50_000,
        moverCpuSeconds: 3.5,
      },
    ],
    catchup: {
      changes: 100_000,
      transactions: 1000,
      writeSeconds: 10,
      writeRowsPerSec: 10_000,
      rowsStreamed: 100_000,
      seconds: 5,
      rowsPerSec: 20_000,
      moverCpuSeconds: 4.25,
      statusLagZeroSeconds: null,
    },
    verify: {
      rows: 200_000,
      slots: { from: 0, to: 4095 },
      passes: [{ seconds: 2, sourceSeconds: 1, targetSeconds: 1.2, differingSlots: 0 }],
    },
    switches: switchResult(8, [sample(80, 95), sample(1200, 1300)]),
    fence: {
      rounds: 10,
      single: {
        rowsPerStatement: 1,
        withRowsPerSec: 2500,
        withoutRowsPerSec: 5000,
        ratio: 0.5,
        perRoundRatio: { median: 0.6, min: 0.4, max: 0.7 },
      },
      batched: {
        rowsPerStatement: 100,
        withRowsPerSec: 40_000,
        withoutRowsPerSec: 80_000,
        ratio: 0.5,
        perRoundRatio: { median: 0.5, min: 0.45, max: 0.55 },
      },
    },
    ...over,
  };
}

describe("move bench report", () => {
  it("puts every figure in one row with its value", () => {
    const rows = reportRows(report());
    const value = (start: string) => rows.find((r) => r[0]!.startsWith(start))?.[1];
    expect(value("copy, chunk 1,000")).toBe("50,000 rows/s");
    expect(value("catch-up")).toBe("20,000 rows/s");
    expect(value("switch pause p50 / p99 / max, mover")).toBe("80 / 1200 / 1200 ms");
    expect(value("switch pause p50 / p99 / max, writers")).toBe("95 / 1300 / 1300 ms");
    expect(value("switch pause goal")).toBe("NOT MET");
    expect(value("verification per million rows")).toBe("10.00 s");
    // The median of the rounds' ratios leads; the ratio over all rounds is in the detail.
    expect(value("fence triggers, single-row")).toBe("ratio 0.600 (-40%)");
    expect(value("fence triggers, 100-row")).toBe("ratio 0.500 (-50%)");
    const detail = (start: string) => rows.find((r) => r[0]!.startsWith(start))![2]!;
    expect(detail("catch-up")).toContain("used 4.25 s of CPU");
    expect(detail("catch-up")).toContain("showed lag 0 after - s");
    expect(detail("copy")).toContain("used 3.50 s of CPU");
    expect(detail("fence triggers, single-row")).toContain("[min 0.400, max 0.700]");
    expect(detail("fence triggers, single-row")).toContain("2,500 against 5,000 rows/s, ratio 0.500");
  });

  it("leaves out the parts that were skipped", () => {
    const rows = reportRows(report({ catchup: null, verify: null, switches: null, fence: null }));
    expect(rows.map((r) => r[0])).toEqual(["copy, chunk 1,000 (idle source)"]);
  });

  it("aligns the table and notes a loaded machine", () => {
    expect(
      figureTable([
        ["a", "1", "x"],
        ["bbb", "22", "y"],
      ]),
    ).toBe("a     1  x\nbbb  22  y");
    const quiet = formatReport(report());
    expect(quiet).toContain("load average 1.5 1 1 at start, 1 1 1 at end");
    expect(quiet).toContain("switch pauses, mover (ms): 80 1200");
    expect(quiet).not.toContain("note: load average");
    expect(formatReport(report({}, [5.2, 4, 3]))).toContain("note: load average up to 5.20 on 2 cores");
    expect(count(NaN)).toBe("-");
    expect(count(1234567.6)).toBe("1,234,568");
  });
});

/** A shard connection faked from a function of the write's number; errors carry the fence's message. */
function shard(answer: (n: number) => string | undefined): mysql.Connection {
  let n = 0;
  return {
    query: async () => {
      await new Promise((r) => setTimeout(r, 1));
      const message = answer(n++);
      if (message) throw Object.assign(new Error(message), { sqlMessage: message });
      return [[], []];
    },
    end: async () => undefined,
  } as unknown as mysql.Connection;
}

describe("move bench writers", () => {
  it("measure a paused write from its first attempt, and follow the move to the new owner", async () => {
    let frozenAt: number | undefined;
    const one = shard((n) => {
      if (n < 5) return undefined;
      frozenAt ??= Date.now();
      if (Date.now() - frozenAt < 60) return "GAMEDB_TRYAGAIN slot=1";
      return "GAMEDB_MOVED slot=1 shard=2 epoch=203";
    });
    const two = shard(() => undefined);
    const load = startWriters({
      ids: [1n],
      writers: 1,
      owner: 1,
      connect: async (s) => (s === 1 ? one : two),
      preconnect: [1, 2],
    });
    await new Promise((r) => setTimeout(r, 200));
    const r = await load.stop();
    expect(r.ackedBy[1]).toBe(5);
    expect(r.ackedBy[2]).toBeGreaterThan(0);
    expect(r.paused).toBe(1);
    expect(r.longestPauseMs).toBeGreaterThanOrEqual(59);
    expect(r.slowestWriteMs).toBe(r.longestPauseMs);
  });

  it("stops with the error of a write the fence did not refuse", async () => {
    const broken = shard(() => "Table 'game.players' doesn't exist");
    const load = startWriters({ ids: [1n, 2n], writers: 2, owner: 1, connect: async () => broken });
    await new Promise((r) => setTimeout(r, 20));
    await expect(load.stop()).rejects.toThrow("doesn't exist");
  });
});
