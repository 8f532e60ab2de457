// Review of the client's connection bookkeeping, against MariaDB 10.11 STAND-INS (tests/helpers/shardFleet.ts) and a
// TCP server that accepts and never answers (a Router whose destinations hang): a timed-out statement gives its
// connection back at once and does not count against the breaker, and close() ends even when it is called twice or
// while a request waits for a connection that then fails.
import * as net from "node:net";
import { GameDbClient, Transaction } from "../../client/src";
import { DATABASE, ShardFleet, startShardFleet } from "../helpers/shardFleet";

let shards: ShardFleet;

beforeAll(async () => {
  shards = await startShardFleet(2);
});
afterAll(async () => {
  await shards?.stop();
});

/** Resolves to "timeout" when `p` has not settled in `ms`. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const client = (options: Partial<ConstructorParameters<typeof GameDbClient>[0]> = {}) =>
  new GameDbClient({ endpoints: shards.endpointsDir, user: "root", database: DATABASE, ...options });

describe("a statement that outlives its scatter timeout", () => {
  it("frees its connection at once, leaves the breaker alone, and does not hold up close()", async () => {
    const c = client({ breaker: { failureThreshold: 1, probeIntervalMs: 60_000 } });
    const result = await c.scatter("SELECT SLEEP(20) AS s", [], { limit: 10, timeoutMs: 300, partial: true });
    expect(result.failed.map((f) => (f.error as { code?: string }).code)).toEqual(["TIMEOUT", "TIMEOUT"]);
    await new Promise((r) => setTimeout(r, 200));
    for (const s of c.status()) {
      expect(s).toMatchObject({ breaker: "closed", consecutiveFailures: 0, pools: { ro: { inUse: 0 } } });
    }
    // Still usable, and close() does not wait for the abandoned statements.
    expect(await c.scatter("SELECT 1 AS one", [], { limit: 10 })).toMatchObject({ failed: [] });
    expect(await within(c.close(), 3000)).toBeUndefined();
  });
});

describe("a scatter that times out while waiting for a connection", () => {
  it("never sends its statement once the caller has given up", async () => {
    // A sequence's NEXTVAL is a side effect every session sees: it shows whether a statement ever ran.
    for (const shard of shards.shards) {
      const conn = await shards.admin(shard);
      await conn.query("CREATE SEQUENCE game.late_calls");
      await conn.end();
    }
    // One connection per pool: the first scatter holds it; the second waits, times out, and must not run later.
    const c = client({ pool: { connectionLimit: 1 } });
    const holding = c.scatter("SELECT SLEEP(1) AS s", [], { limit: 10, timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    const late = await c.scatter("SELECT NEXTVAL(game.late_calls) AS v", [], {
      limit: 10,
      timeoutMs: 200,
      partial: true,
    });
    expect(late.failed.map((f) => (f.error as { code?: string }).code)).toEqual(["TIMEOUT", "TIMEOUT"]);
    await holding;
    await new Promise((r) => setTimeout(r, 300));
    for (const shard of shards.shards) {
      const conn = await shards.admin(shard);
      const [rows] = await conn.query("SELECT NEXTVAL(game.late_calls) AS v");
      await conn.end();
      expect(Number((rows as { v: string }[])[0]!.v)).toBe(1); // the late scatter never took a value
    }
    await c.close();
  });
});

describe("close()", () => {
  it("ends for every caller when called twice while a request runs", async () => {
    const c = client();
    const slow = c.read(1, "SELECT SLEEP(0.5) AS s");
    await new Promise((r) => setTimeout(r, 100));
    const both = Promise.all([c.close(), c.close()]);
    expect(await slow).toEqual([{ s: 0 }]);
    expect(await within(both, 3000)).toEqual([undefined, undefined]);
  });

  it("ends when a request waiting for a connection fails to get one", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s)); // accepts, never sends the handshake
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const port = (silent.address() as net.AddressInfo).port;
    const c = new GameDbClient({
      endpoints: {
        routers: { shard1: { host: "127.0.0.1", ports: { rw: port, ro: port } } },
        slotMap: [{ slots: "0-16383", from: 0, to: 16383, shard: 1 }],
      },
      user: "game",
      database: DATABASE,
      pool: { connectTimeoutMs: 300 },
    });
    try {
      const waiting = c.read(1, "SELECT 1");
      waiting.catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      const closing = c.close();
      await expect(waiting).rejects.toThrow(/shard 1: cannot connect to 127\.0\.0\.1:\d+: connect ETIMEDOUT/);
      expect(await within(closing, 3000)).toBeUndefined();
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });
});

describe("a transaction's handle", () => {
  it("refuses statements once its attempt has ended, instead of running them on a pooled connection", async () => {
    const c = client({ pool: { connectionLimit: 1 } });
    try {
      let kept: Transaction | undefined;
      await c.transaction(1, async (tx) => {
        kept = tx;
        await tx.query("SELECT 1");
      });
      await expect(kept!.query("SELECT CONNECTION_ID()")).rejects.toThrow(/transaction on shard \d+ .* has ended/);
      await expect(kept!.queryFor(1, "SELECT 1")).rejects.toMatchObject({ code: "CLOSED" });
    } finally {
      await c.close();
    }
  });
});
