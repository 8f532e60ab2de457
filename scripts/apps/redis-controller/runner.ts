/**
 * Executes a plan's actions on the pods, one after the other, each command bounded in time (client.ts) and each
 * wait bounded by REDIS_WAIT_SECONDS; a failure stops the run with an error naming the pod.
 */
import { spawn } from "node:child_process";
import { promises as dns } from "node:dns";
import type { Action } from "./actions";
import { NodeCommandError, type Arg, type Connections, type TlsTrust } from "./client";
import { moveSlots } from "./migrate";
import { podAddress, podLabel, viewPod, type Layout } from "./observe";
import { unsettled } from "./observation";

export interface RunContext {
  readonly conn: Connections;
  readonly layout: Layout;
  readonly password?: string;
  readonly tls?: TlsTrust;
  readonly log: (line: string) => void;
}

/** redis-cli's colour codes (ESC [ ... m). */
// eslint-disable-next-line no-control-regex
const COLOURS = /\x1b\[[0-9;]*m/g;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function on(ctx: RunContext, pod: number, args: Arg[]): Promise<unknown> {
  return ctx.conn.call(podAddress(ctx.layout, pod), podLabel(ctx.layout, pod), args);
}

async function myId(ctx: RunContext, pod: number): Promise<string> {
  return String(await on(ctx, pod, ["CLUSTER", "MYID"])).trim();
}

const replyMatches = (e: unknown, pattern: RegExp) =>
  e instanceof NodeCommandError && e.reply !== undefined && pattern.test(e.reply);

/**
 * Repeats `step` while it fails with a reply matching `transient` (a node that has not heard of another yet), until
 * the wait bound.
 */
async function retrying<T>(ctx: RunContext, transient: RegExp, step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ctx.layout.waitSeconds * 1000;
  for (;;) {
    try {
      return await step();
    } catch (e) {
      if (!replyMatches(e, transient) || Date.now() >= deadline) throw e;
      await sleep(500);
    }
  }
}

/** FLUSHALL unless a replica (it refuses writes), CLUSTER RESET HARD (new id), FLUSHALL again: into the AOF. */
async function reset(ctx: RunContext, pod: number): Promise<void> {
  const role = String(((await on(ctx, pod, ["ROLE"])) as unknown[])[0]);
  if (role !== "slave") await on(ctx, pod, ["FLUSHALL"]);
  await on(ctx, pod, ["CLUSTER", "RESET", "HARD"]);
  // A replica's reset empties it in memory only; FLUSHALL goes to the AOF.
  await on(ctx, pod, ["FLUSHALL"]);
}

async function forget(ctx: RunContext, id: string, pods: readonly number[]): Promise<void> {
  for (const pod of pods) {
    await on(ctx, pod, ["CLUSTER", "FORGET", id]).catch((e: unknown) => {
      if (!replyMatches(e, /^ERR Unknown node/)) throw e;
    });
  }
}

/** Until the pods agree (observation.ts unsettled), logging why not every 10 s. */
export async function waitUntilSettled(ctx: RunContext, pods: readonly number[], knownOnly = false): Promise<void> {
  const deadline = Date.now() + ctx.layout.waitSeconds * 1000;
  let nextLog = Date.now() + 10_000;
  for (;;) {
    const views = await Promise.all(pods.map((i) => viewPod(ctx.conn, ctx.layout, i)));
    const why = unsettled(views, knownOnly);
    if (why === undefined) return;
    if (Date.now() >= deadline) throw new Error(`the cluster did not settle within ${ctx.layout.waitSeconds}s: ${why}`);
    if (Date.now() >= nextLog) {
      ctx.log(`waiting: ${why}`);
      nextLog = Date.now() + 10_000;
    }
    await sleep(250);
  }
}

/**
 * `redis-cli --cluster fix`: the one step left to redis-cli. Closing the slots an interrupted migration left open
 * has many cases (which side owns the slot, keys on both, importing without migrating), all handled there
 * (redis 7.2.6:src/redis-cli.c clusterManagerFixOpenSlot). No --cluster-yes: it never covers uncovered slots.
 */
function fixOpenSlots(ctx: RunContext, pod: number): Promise<void> {
  const { host, port } = podAddress(ctx.layout, pod);
  const env = { ...process.env };
  delete env.REDISCLI_AUTH;
  if (ctx.password) env.REDISCLI_AUTH = ctx.password; // read by redis-cli from its environment, never an argument
  return new Promise((resolve, reject) => {
    // hiredis checks the chain against --cacert (redis 7.2.6:deps/hiredis/ssl.c, SSL_VERIFY_PEER).
    const tls = ctx.tls ? ["--tls", "--cacert", ctx.tls.caFile] : [];
    const child = spawn("redis-cli", [...tls, "--cluster", "fix", `${host}:${port}`], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const collect = (chunk: Buffer) => (out += chunk.toString("utf8"));
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", (e) =>
      reject(new Error(`redis-cli --cluster fix ${host}:${port} could not start: ${e.message}`)),
    );
    child.on("close", (code) => {
      const lines = out
        .replace(COLOURS, "")
        .split("\n")
        .filter((l) => l !== "" && !/^#+$/.test(l));
      for (const line of lines) ctx.log(`  ${line}`);
      if (code === 0) resolve();
      else reject(new Error(`redis-cli --cluster fix ${host}:${port} exited ${code}`));
    });
  });
}

export async function execute(ctx: RunContext, a: Action): Promise<void> {
  switch (a.kind) {
    case "reset":
      return reset(ctx, a.pod);
    case "meet": {
      // CLUSTER MEET takes an IP address only (redis 7.2.6:src/cluster.c clusterStartHandshake).
      const { host, port } = podAddress(ctx.layout, a.pod);
      const { address } = await dns.lookup(host);
      await on(ctx, a.via, ["CLUSTER", "MEET", address, port]);
      return;
    }
    case "assignSlots":
      await on(ctx, a.pod, ["CLUSTER", "ADDSLOTSRANGE", ...a.slots.flatMap((r) => [r.from, r.to])]);
      return;
    case "replicate": {
      const master = await myId(ctx, a.master);
      await retrying(ctx, /^ERR Unknown node/, () => on(ctx, a.pod, ["CLUSTER", "REPLICATE", master]));
      return;
    }
    case "moveSlots":
      return moveSlots(ctx, a.from, a.to, a.slots);
    case "failover": {
      await on(ctx, a.pod, ["CLUSTER", "FAILOVER"]);
      const deadline = Date.now() + ctx.layout.waitSeconds * 1000;
      while (String(((await on(ctx, a.pod, ["ROLE"])) as unknown[])[0]) !== "master") {
        if (Date.now() >= deadline) {
          throw new Error(`${podLabel(ctx.layout, a.pod)} did not become master within ${ctx.layout.waitSeconds}s`);
        }
        await sleep(250);
      }
      return;
    }
    case "replicaMigration":
      await on(ctx, a.pod, ["CONFIG", "SET", "cluster-allow-replica-migration", a.allow ? "yes" : "no"]);
      return;
    case "forget":
      return forget(ctx, a.id, a.on);
    case "removeNode":
      await forget(ctx, await myId(ctx, a.pod), a.on);
      return reset(ctx, a.pod);
    case "fixOpenSlots":
      return fixOpenSlots(ctx, a.via);
    case "wait":
      return waitUntilSettled(ctx, a.pods, a.known === true);
  }
}
