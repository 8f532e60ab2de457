// The mover's throttle (scripts/lib/mover/throttle.ts): the pure decision, and how readings of MySQL 8.4's Group
// Replication stats table are taken, faked here (no MySQL 8.4 here); the MariaDB path (no such table) runs for real
// in tests/integration/mover-throttle.test.ts.
import fc from "fast-check";
import {
  ThrottleSample,
  readApplierQueue,
  readThrottleSample,
  throttleDecision,
  throttleOn,
} from "../../scripts/lib/mover/throttle";

const LIMITS = { maxThreadsRunning: 25, maxApplierQueue: 1000 };

describe("throttleDecision", () => {
  it("goes on at the limits and waits above either, naming each figure over", () => {
    expect(throttleDecision({ threadsRunning: 25, applierQueue: 1000 }, LIMITS)).toEqual({ wait: false });
    expect(throttleDecision({ threadsRunning: 26, applierQueue: 0 }, LIMITS)).toEqual({
      wait: true,
      reason: "Threads_running 26 > 25",
    });
    expect(throttleDecision({ threadsRunning: 1, applierQueue: 1001 }, LIMITS)).toEqual({
      wait: true,
      reason: "a Group Replication member's applier queue holds 1001 transactions > 1000",
    });
    expect(throttleDecision({ threadsRunning: 30, applierQueue: 5000 }, LIMITS)).toMatchObject({
      wait: true,
      reason: expect.stringMatching(/^Threads_running 30 > 25; a Group Replication member's applier queue holds 5000/),
    });
  });

  it("waits exactly when a figure is above its limit (property)", () => {
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.nat(3000),
        fc.integer({ min: 1, max: 100 }),
        fc.nat(3000),
        (threadsRunning, applierQueue, maxThreadsRunning, maxApplierQueue) => {
          const d = throttleDecision({ threadsRunning, applierQueue }, { maxThreadsRunning, maxApplierQueue });
          expect(d.wait).toBe(threadsRunning > maxThreadsRunning || applierQueue > maxApplierQueue);
        },
      ),
    );
  });
});

/** A connection answering each statement by its first words. */
function fake(answers: Record<string, () => unknown>) {
  const seen: string[] = [];
  const conn = {
    async query(sql: string) {
      seen.push(sql);
      const key = Object.keys(answers).find((k) => sql.startsWith(k));
      if (!key) throw new Error(`unexpected ${sql}`);
      return [answers[key]!(), []];
    },
  };
  return { conn: conn as never, seen };
}

const failWith = (errno: number, message: string) => () => {
  throw Object.assign(new Error(message), { errno });
};

describe("readApplierQueue (MySQL 8.4 Group Replication, faked)", () => {
  it("reads the largest queue of any member", async () => {
    const { conn, seen } = fake({ SELECT: () => [{ members: 3, queue: "42" }] });
    expect(await readApplierQueue(conn, "mysql")).toEqual({ queue: 42 });
    expect(seen[0]).toBe(
      "SELECT COUNT(*) AS members, MAX(COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE) AS queue " +
        "FROM performance_schema.replication_group_member_stats",
    );
  });

  it("reads 0 with a note on MariaDB (no query), when the table is absent, or empty (no group running)", async () => {
    const maria = fake({});
    expect(await readApplierQueue(maria.conn, "mariadb")).toEqual({
      queue: 0,
      note: expect.stringMatching(/^MariaDB/),
    });
    expect(maria.seen).toEqual([]);
    const absent = fake({
      SELECT: failWith(1146, "Table 'performance_schema.replication_group_member_stats' doesn't exist"),
    });
    expect(await readApplierQueue(absent.conn, "mysql")).toEqual({
      queue: 0,
      note: expect.stringMatching(/no Group Replication/),
    });
    const empty = fake({ SELECT: () => [{ members: 0, queue: null }] });
    expect(await readApplierQueue(empty.conn, "mysql")).toEqual({
      queue: 0,
      note: expect.stringMatching(/is not running/),
    });
  });

  it("throws naming the grant when the account may not read it, and passes other errors on", async () => {
    const denied = fake({ SELECT: failWith(1142, "SELECT command denied") });
    await expect(readApplierQueue(denied.conn, "mysql")).rejects.toThrow(
      "GRANT SELECT ON performance_schema.replication_group_member_stats TO the mover account",
    );
    const lost = fake({ SELECT: failWith(2013, "Lost connection") });
    await expect(readApplierQueue(lost.conn, "mysql")).rejects.toThrow("Lost connection");
    const odd = fake({ SELECT: () => [{ members: 1, queue: "-1" }] });
    await expect(readApplierQueue(odd.conn, "mysql")).rejects.toThrow(
      /COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE read as "-1"/,
    );
  });
});

describe("readThrottleSample and throttleOn", () => {
  it("combines Threads_running and the applier queue, and decides on each call", async () => {
    let running = "3";
    const { conn } = fake({
      SHOW: () => [{ Variable_name: "Threads_running", Value: running }],
      SELECT: () => [{ members: 2, queue: "7" }],
    });
    expect(await readThrottleSample(conn, "mysql")).toEqual<ThrottleSample>({ threadsRunning: 3, applierQueue: 7 });
    const next = throttleOn(conn, "mysql", LIMITS);
    expect(await next()).toEqual({ wait: false });
    running = "40";
    expect(await next()).toEqual({ wait: true, reason: "Threads_running 40 > 25" });
  });

  it("refuses a status without Threads_running", async () => {
    const { conn } = fake({ SHOW: () => [] });
    await expect(readThrottleSample(conn, "mysql")).rejects.toThrow("SHOW GLOBAL STATUS has no Threads_running");
  });
});
