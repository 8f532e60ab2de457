/**
 * The Redis Cluster controller (scripts/apps/redis-controller/main.ts, run in process through `main`) against real
 * redis-server processes (tests/helpers/redisFleet.ts): create a 3+3 cluster, run again (no change), write 10,000
 * keys, scale to 4+4 and back to 3+3 (drain, stop, reconcile) with every key checked, a drain that must refuse, a
 * master killed and restarted (it rejoins as a replica), a slot left open by an interrupted move (fixed).
 * Node i listens on portBase + i (REDIS_PORT_STEP=1, host 127.0.0.1). The tests share one fleet and run in order.
 * Each step's duration is printed at the end (not asserted).
 */
import { randomBytes } from "node:crypto";
import { keySlot } from "../../infra/contracts/slots";
import { controllerEnv } from "../../infra/contracts/redisController";
import { main } from "../../scripts/apps/redis-controller/main";
import { createRedisFleet, requireRedis, type RedisFleet, type RunResult } from "../helpers/redisFleet";

const STEP_TIMEOUT = 120_000;
const KEYS = 10_000;
/** Ordinals beyond N the drain probes (kept inside the fleet's reserved ports). */
const PROBE = 4;

const password = `pw-${randomBytes(12).toString("hex")}`;
const timings: { step: string; ms: number }[] = [];
let fleet: RedisFleet | undefined;
let bare: RedisFleet | undefined;

async function timed<T>(step: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings.push({ step, ms: Date.now() - started });
  }
}

function mainFleet(): RedisFleet {
  if (fleet === undefined) throw new Error("the fleet did not start");
  return fleet;
}

interface ScriptOptions {
  masters: number;
  replicas: number;
  on: RedisFleet;
  /** REDISCLI_AUTH; undefined: not set at all. */
  auth?: string;
  waitSeconds?: number;
}

/** The controller's environment, as the Jobs get it (the contract's writer), plus PATH for redis-cli. */
function controllerEnvFor(options: ScriptOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...controllerEnv({
      masters: options.masters,
      replicasPerMaster: options.replicas,
      hostTemplate: "127.0.0.1",
      portBase: options.on.portBase,
      portStep: 1,
      probe: PROBE,
      waitSeconds: options.waitSeconds ?? 60,
    }),
  };
  if (options.auth !== undefined) env.REDISCLI_AUTH = options.auth;
  return env;
}

/** One run of the controller, its lines collected as a process would print them. */
async function runController(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { env, out: (l) => (stdout += `${l}\n`), err: (l) => (stderr += `${l}\n`) });
  // The password never shows, whatever happens.
  expect(stdout + stderr).not.toContain(password);
  return { code, stdout, stderr };
}

async function script(mode: "drain" | "reconcile", options: ScriptOptions): Promise<RunResult> {
  return runController([mode], controllerEnvFor(options));
}

/** Fails with the controller's output when it did not exit 0. */
function expectOk(result: RunResult): void {
  if (result.code !== 0) {
    throw new Error(`controller exited ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
}

interface NodeLine {
  id: string;
  port: number;
  flags: string[];
  master: string;
  slots: string[];
}

function parseNodes(text: string): NodeLine[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const fields = line.trim().split(/\s+/);
      const address = (fields[1] ?? "").split("@")[0] ?? "";
      return {
        id: fields[0] ?? "",
        port: Number(address.slice(address.lastIndexOf(":") + 1)),
        flags: (fields[2] ?? "").split(","),
        master: fields[3] ?? "",
        slots: fields.slice(8).filter((slot) => !slot.startsWith("[")),
      };
    });
}

async function nodesSeenBy(on: RedisFleet, ordinal: number): Promise<NodeLine[]> {
  return parseNodes(await on.cli(ordinal, ["CLUSTER", "NODES"]));
}

/** Ids, roles, masters and slots: what a no-op run must leave exactly as it was. */
function topology(nodes: NodeLine[]): string {
  return nodes
    .map((n) => `${n.id} ${n.flags.includes("master") ? "master" : "replica"} ${n.master} ${n.slots.join(" ")}`)
    .sort()
    .join("\n");
}

function inRange(range: string, slot: number): boolean {
  const [from, to] = range.split("-").map(Number);
  return slot >= (from ?? -1) && slot <= (to ?? from ?? -1);
}

function slotCount(slots: string[]): number {
  return slots.reduce((sum, range) => {
    const [from, to] = range.split("-").map(Number);
    return sum + (to === undefined ? 1 : to - (from ?? 0) + 1);
  }, 0);
}

interface Shape {
  masters: { port: number; slots: number; replicas: number }[];
  failing: string[];
}

function shape(nodes: NodeLine[]): Shape {
  const healthy = nodes.filter((n) => !n.flags.some((f) => f === "fail" || f === "fail?" || f === "handshake"));
  const masters = healthy
    .filter((n) => n.flags.includes("master"))
    .map((m) => ({
      port: m.port,
      slots: slotCount(m.slots),
      replicas: healthy.filter((n) => n.flags.includes("slave") && n.master === m.id).length,
    }))
    .sort((a, b) => a.port - b.port);
  const failing = nodes.filter((n) => !healthy.includes(n)).map((n) => `${n.port}:${n.flags.join(",")}`);
  return { masters, failing };
}

/** The cluster's shape as node `ordinal` sees it: M masters with R replicas each, slots on every master. */
async function expectShape(ordinal: number, masters: number, replicas: number): Promise<Shape> {
  const seen = shape(await nodesSeenBy(mainFleet(), ordinal));
  expect(seen.failing).toEqual([]);
  expect(seen.masters).toHaveLength(masters);
  expect(seen.masters.reduce((sum, m) => sum + m.slots, 0)).toBe(16384);
  for (const master of seen.masters) {
    expect(master.replicas).toBe(replicas);
    expect(master.slots).toBeGreaterThan(0);
  }
  return seen;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// --- the data: KEYS keys with distinct values, routed by slot to the master that owns it (as a cluster client) --

const data = new Map<string, string>();
for (let i = 0; i < KEYS; i++) data.set(`player:${i}`, `v${i}-${randomBytes(6).toString("hex")}`);

/** The master port owning each slot, from a running node's CLUSTER NODES. */
async function slotOwners(on: RedisFleet, ordinal: number): Promise<number[]> {
  const owners: number[] = new Array<number>(16384).fill(0);
  for (const node of await nodesSeenBy(on, ordinal)) {
    if (!node.flags.includes("master") || node.flags.includes("fail")) continue;
    for (const range of node.slots) {
      const [from, to] = range.split("-").map(Number);
      for (let slot = from ?? 0; slot <= (to ?? from ?? 0); slot++) owners[slot] = node.port;
    }
  }
  return owners;
}

/** One redis-cli per master, the commands on stdin; returns the reply lines per key. */
async function perMaster(on: RedisFleet, via: number, command: (key: string) => string): Promise<Map<string, string>> {
  const owners = await slotOwners(on, via);
  const batches = new Map<number, string[]>();
  for (const key of data.keys()) {
    const port = owners[keySlot(key)] ?? 0;
    if (port === 0) throw new Error(`no master owns the slot of ${key}`);
    const batch = batches.get(port) ?? [];
    batch.push(key);
    batches.set(port, batch);
  }
  const replies = new Map<string, string>();
  for (const [port, keys] of batches) {
    const out = await on.cli(port - on.portBase, [], keys.map((key) => command(key) + "\n").join(""));
    const lines = out.split("\n");
    keys.forEach((key, i) => replies.set(key, lines[i] ?? ""));
  }
  return replies;
}

async function writeKeys(via: number): Promise<void> {
  const replies = await perMaster(mainFleet(), via, (key) => `SET ${key} ${data.get(key)}`);
  const failed = [...replies].filter(([, reply]) => reply !== "OK");
  expect(failed.slice(0, 5)).toEqual([]);
}

/** Every key reads back its value from the master owning its slot now. */
async function expectEveryKey(via: number): Promise<void> {
  const replies = await perMaster(mainFleet(), via, (key) => `GET ${key}`);
  const wrong = [...data].filter(([key, value]) => replies.get(key) !== value);
  expect({ wrong: wrong.length, first: wrong.slice(0, 3) }).toEqual({ wrong: 0, first: [] });
  expect(replies.size).toBe(KEYS);
}

beforeAll(async () => {
  requireRedis();
  fleet = await createRedisFleet({ capacity: 8 + PROBE, password });
}, STEP_TIMEOUT);

afterAll(async () => {
  await fleet?.stopAll();
  await bare?.stopAll();
  const width = Math.max(...timings.map((t) => t.step.length), 4);
  const total = timings.reduce((sum, t) => sum + t.ms, 0);
  console.log(
    [
      "redis-reconcile step timings",
      `${"step".padEnd(width)}  ms`,
      ...timings.map((t) => `${t.step.padEnd(width)}  ${String(t.ms).padStart(6)}`),
      `${"total".padEnd(width)}  ${String(total).padStart(6)}`,
    ].join("\n"),
  );
}, STEP_TIMEOUT);

describe("the Redis Cluster controller", () => {
  test("rejects bad inputs with a message naming the variable, before touching any node (exit 2)", async () => {
    const base = {
      PATH: process.env.PATH,
      REDIS_MASTERS: "3",
      REDIS_REPLICAS_PER_MASTER: "1",
      REDIS_HOST_TEMPLATE: "127.0.0.1",
      REDIS_PORT_BASE: "6379",
      REDIS_PORT_STEP: "1",
    };
    const masters =
      "redis-controller: ERROR: REDIS_MASTERS must be an integer from 3 to 1000 (a Redis Cluster needs at least 3 masters), got '2'\n";
    const cases: [NodeJS.ProcessEnv, string[], string][] = [
      [{ ...base, REDIS_MASTERS: "2" }, ["reconcile"], masters],
      [{ ...base, REDIS_MASTERS: "2" }, ["drain"], masters],
      [
        { ...base, REDIS_HOST_TEMPLATE: "gamedb redis/{i}" },
        ["reconcile"],
        "redis-controller: ERROR: REDIS_HOST_TEMPLATE must be a host name (letters, digits, '-' and '.') with {i} for the pod ordinal, e.g. gamedb-redis-{i}.gamedb-redis-headless.gamedb.svc.cluster.local, got 'gamedb redis/{i}'\n",
      ],
      [
        { ...base, REDIS_PORT_STEP: "0" },
        ["reconcile"],
        "redis-controller: ERROR: REDIS_HOST_TEMPLATE must contain {i} when REDIS_PORT_STEP is 0 (every pod listens on the same port), got '127.0.0.1'\n",
      ],
      [
        { ...base, REDIS_REPLICAS_PER_MASTER: "6", REDIS_WAIT_SECONDS: "0" },
        ["reconcile"],
        "redis-controller: ERROR: REDIS_REPLICAS_PER_MASTER must be an integer from 0 to 5, got '6'\n" +
          "redis-controller: ERROR: REDIS_WAIT_SECONDS must be an integer from 1 to 86400, got '0'\n",
      ],
      [base, ["scale"], "redis-controller: ERROR: usage: redis-controller drain|reconcile\n"],
      [base, [], "redis-controller: ERROR: usage: redis-controller drain|reconcile\n"],
    ];
    for (const [env, args, message] of cases) {
      expect(await runController(args, env)).toEqual({ code: 2, stdout: "", stderr: message });
    }
  });

  test(
    "creates a 3+3 cluster from empty nodes (drain first: nothing to do)",
    async () => {
      const f = mainFleet();
      await timed("start 6 redis-server processes", async () => {
        for (let i = 0; i < 6; i++) await f.start(i);
      });
      const drain = await timed("drain before create (no-op)", () =>
        script("drain", { masters: 3, replicas: 1, on: f, auth: password }),
      );
      expectOk(drain);
      expect(drain.stdout).toContain("nothing to drain");
      const result = await timed("reconcile: create 3+3", () =>
        script("reconcile", { masters: 3, replicas: 1, on: f, auth: password }),
      );
      expectOk(result);
      expect(result.stdout).toContain("redis-controller: no cluster exists: creating it");
      expect(result.stdout).toContain("redis-controller: done: all 16384 slots covered; 3 masters x 1 replica(s)");
      for (const line of result.stdout.trim().split("\n")) expect(line).toMatch(/^redis-controller: /);
      await expectShape(0, 3, 1);
    },
    STEP_TIMEOUT,
  );

  test(
    "a second run changes nothing",
    async () => {
      const f = mainFleet();
      const before = topology(await nodesSeenBy(f, 0));
      const result = await timed("reconcile again (converged)", () =>
        script("reconcile", { masters: 3, replicas: 1, on: f, auth: password }),
      );
      expectOk(result);
      expect(result.stdout).toContain("redis-controller: already converged, nothing to do");
      // Looked, changed nothing: no step was logged.
      expect(result.stdout.trim().split("\n")).toEqual([
        expect.stringMatching(/^redis-controller: cluster entry: pod \d /),
        expect.stringMatching(/^redis-controller: already converged, nothing to do: all 16384 slots covered; /),
      ]);
      for (let i = 0; i < 6; i++) expect(topology(await nodesSeenBy(f, i))).toBe(before);
    },
    STEP_TIMEOUT,
  );

  test(
    `keeps ${KEYS} keys through a scale-out to 4+4`,
    async () => {
      const f = mainFleet();
      await timed(`write ${KEYS} keys`, () => writeKeys(0));
      await timed("start 2 more processes", async () => {
        await f.start(6);
        await f.start(7);
      });
      const drain = await timed("drain before scale-out (no-op)", () =>
        script("drain", { masters: 4, replicas: 1, on: f, auth: password }),
      );
      expectOk(drain);
      expect(drain.stdout).toContain("nothing to drain");
      const result = await timed("reconcile: scale out to 4+4", () =>
        script("reconcile", { masters: 4, replicas: 1, on: f, auth: password }),
      );
      expectOk(result);
      expect(result.stdout).toContain("redis-controller: move slots ");
      expect(result.stdout).toMatch(/redis-controller: pod 7 replicates pod \d\n/);
      await expectShape(0, 4, 1);
      await timed(`read ${KEYS} keys`, () => expectEveryKey(0));
      const again = await timed("reconcile 4+4 again (converged)", () =>
        script("reconcile", { masters: 4, replicas: 1, on: f, auth: password }),
      );
      expectOk(again);
      expect(again.stdout).toContain("already converged");
    },
    STEP_TIMEOUT,
  );

  test(
    `keeps ${KEYS} keys through a scale-in back to 3+3 (drain, stop ordinals 6 and 7, reconcile)`,
    async () => {
      const f = mainFleet();
      const goingIds = [(await f.cli(6, ["CLUSTER", "MYID"])).trim(), (await f.cli(7, ["CLUSTER", "MYID"])).trim()];
      const drain = await timed("drain: scale in to 3+3", () =>
        script("drain", { masters: 3, replicas: 1, on: f, auth: password }),
      );
      expectOk(drain);
      expect(drain.stdout).toContain("going pod 6 (127.0.0.1:");
      expect(drain.stdout).toContain("redis-controller: drained: 2 going node(s) removed");
      const ports = new Set((await nodesSeenBy(f, 0)).map((n) => n.port));
      expect(ports.has(f.port(6)) || ports.has(f.port(7))).toBe(false);
      await timed("stop ordinals 6 and 7", async () => {
        await f.stop(6);
        await f.stop(7);
      });
      // A kept volume (the StatefulSet keeps PVCs) brings back nothing: no keys from the AOF, hence no slots claimed
      // for them, and a node ID the cluster never forgot.
      await f.start(7);
      const info = await f.cli(7, ["CLUSTER", "INFO"]);
      expect(info).toContain("cluster_slots_assigned:0\n");
      expect(info).toContain("cluster_known_nodes:1\n");
      expect((await f.cli(7, ["DBSIZE"])).trim()).toBe("0");
      expect(goingIds).not.toContain((await f.cli(7, ["CLUSTER", "MYID"])).trim());
      await f.stop(7);
      const result = await timed("reconcile after scale-in", () =>
        script("reconcile", { masters: 3, replicas: 1, on: f, auth: password }),
      );
      expectOk(result);
      await expectShape(0, 3, 1);
      await timed(`read ${KEYS} keys`, () => expectEveryKey(0));
    },
    STEP_TIMEOUT,
  );

  test(
    "drain refuses when a going node exists but the cluster cannot be reached; works without a password",
    async () => {
      bare = await createRedisFleet({ capacity: 3 + PROBE });
      const b = bare;
      // Ordinal 3 goes (M=3, R=0: N=3) and owns every slot; ordinals 0..2 are not running.
      await b.start(3);
      await b.cli(3, ["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
      const refused = await timed("drain refuses (cluster unreachable)", () =>
        script("drain", { masters: 3, replicas: 0, on: b, waitSeconds: 2 }),
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        "redis-controller: ERROR: going pods exist (ordinals 3) but no staying node (ordinals 0..2, e.g. 127.0.0.1:" +
          `${b.port(0)}) answers within 2s`,
      );
      expect(refused.stderr).toContain("refusing to let the StatefulSet shrink blind");

      // Without a password (REDISCLI_AUTH empty counts as none): a 3+0 cluster, created then converged.
      for (let i = 0; i < 3; i++) await b.start(i);
      const created = await timed("reconcile: create 3+0 without password", () =>
        script("reconcile", { masters: 3, replicas: 0, on: b, auth: "" }),
      );
      expectOk(created);
      expect(created.stdout).toContain("done: all 16384 slots covered; 3 masters x 0 replica(s)");
      const again = await script("reconcile", { masters: 3, replicas: 0, on: b });
      expectOk(again);
      expect(again.stdout).toContain("already converged");
      // Ordinal 3 still owns slots in a cluster of its own: not a member, so drain will not let it go.
      const foreign = await script("drain", { masters: 3, replicas: 0, on: b });
      expect(foreign.code).toBe(1);
      expect(foreign.stderr).toContain(
        `going pod 3 (127.0.0.1:${b.port(3)}) holds slots or keys but is not a member of the cluster`,
      );
    },
    STEP_TIMEOUT,
  );

  test(
    "a killed master fails over, rejoins as a replica when restarted, and reconcile passes",
    async () => {
      const f = mainFleet();
      const nodes = await nodesSeenBy(f, 0);
      const master = nodes.find((n) => n.flags.includes("master") && n.port !== f.port(0));
      if (master === undefined) throw new Error("no master besides ordinal 0");
      const replica = nodes.find((n) => n.master === master.id);
      if (replica === undefined) throw new Error(`master ${master.port} has no replica`);
      const ordinal = master.port - f.portBase;

      await timed("kill a master (SIGKILL) until its replica is promoted", async () => {
        await f.stop(ordinal, "SIGKILL");
        await waitFor("the replica's promotion", 30_000, async () => {
          const seen = await nodesSeenBy(f, 0);
          const promoted = seen.find((n) => n.id === replica.id)?.flags.includes("master");
          const failed = seen.find((n) => n.id === master.id)?.flags.includes("fail");
          return promoted && failed ? true : undefined;
        });
      });
      await timed("restart it until it rejoins as a replica", async () => {
        await f.start(ordinal);
        await waitFor("the old master rejoining as a replica", 30_000, async () => {
          const own = (await nodesSeenBy(f, ordinal)).find((n) => n.flags.includes("myself"));
          const seen = (await nodesSeenBy(f, 0)).find((n) => n.id === master.id);
          return own?.flags.includes("slave") &&
            own.master === replica.id &&
            seen?.flags.includes("slave") &&
            !seen.flags.includes("fail")
            ? true
            : undefined;
        });
      });
      const result = await timed("reconcile after failover", () =>
        script("reconcile", { masters: 3, replicas: 1, on: f, auth: password }),
      );
      expectOk(result);
      // The restarted master is a replica of its promoted one: the shape is already right.
      expect(result.stdout).toContain("already converged");
      const after = await expectShape(0, 3, 1);
      expect(after.masters.map((m) => m.port)).toContain(replica.port);
      await timed(`read ${KEYS} keys`, () => expectEveryKey(0));
    },
    STEP_TIMEOUT,
  );

  test(
    "a slot left open by an interrupted move (keys on both sides) is fixed by redis-cli --cluster fix; nothing lost",
    async () => {
      const f = mainFleet();
      const key = "player:0";
      const slot = keySlot(key);
      const nodes = await nodesSeenBy(f, 0);
      const masters = nodes.filter((n) => n.flags.includes("master") && !n.flags.includes("fail"));
      const owner = masters.find((m) => slotCount(m.slots.filter((r) => inRange(r, slot))) > 0);
      const other = masters.find((m) => m !== owner);
      if (owner === undefined || other === undefined) throw new Error(`no owner of slot ${slot} or no other master`);
      const [from, to] = [owner.port - f.portBase, other.port - f.portBase];
      await f.cli(to, ["CLUSTER", "SETSLOT", String(slot), "IMPORTING", owner.id]);
      await f.cli(from, ["CLUSTER", "SETSLOT", String(slot), "MIGRATING", other.id]);
      // One key already moved, as a controller stopped mid-slot leaves it (the password on stdin, not argv).
      await f.cli(from, [], `MIGRATE 127.0.0.1 ${other.port} ${key} 0 5000 AUTH ${password}\n`);
      const result = await timed("reconcile: fix an open slot", () =>
        script("reconcile", { masters: 3, replicas: 1, on: f, auth: password }),
      );
      expectOk(result);
      expect(result.stdout).toContain("redis-controller: open slots found (");
      expect(result.stdout).toContain(`slot ${slot} migrating from pod ${from} (127.0.0.1:${owner.port}) to `);
      expect(result.stdout).toContain(`slot ${slot} importing into pod ${to} (127.0.0.1:${other.port}) from `);
      expect(result.stdout).toContain(`redis-controller: redis-cli --cluster fix through pod `);
      expect(result.stdout).toContain("redis-controller: done: all 16384 slots covered; 3 masters x 1 replica(s)");
      for (let i = 0; i < 6; i++) expect(await f.cli(i, ["CLUSTER", "NODES"])).not.toMatch(/\[\d+-[<>]-/);
      await expectShape(0, 3, 1);
      await timed(`read ${KEYS} keys`, () => expectEveryKey(0));
    },
    STEP_TIMEOUT,
  );
});
