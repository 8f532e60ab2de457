/**
 * The runbook "Rotate the TLS certificate authority" for real: a 3-master TLS Redis Cluster whose nodes, one after
 * the other as the StatefulSet rolls them, restart with a certificate from a new CA and at a new address (a pod
 * gets a new IP; here 127.0.0.1x becomes 127.0.0.2x, bind-source-addr keeping what peers see right). Proves the
 * README's warning (old and new nodes cannot verify each other, and afterwards every node holds only stale
 * addresses: the cluster stays down) and its recovery (from node 0, CLUSTER MEET every other node at its new
 * address: the cluster is ok again, no node lost).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { requireRedis, run } from "../helpers/redisFleet";
import { createServerCert, createTestCa, type TestCa } from "../helpers/testCertificates";

const NODES = [0, 1, 2];
const oldIp = (i: number) => `127.0.0.${10 + i}`;
const newIp = (i: number) => `127.0.0.${20 + i}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const processes = new Map<number, ChildProcess>();
let base = 0;
let ca1: TestCa;
let ca2: TestCa;

function free(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen({ port, host, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

async function cli(ca: TestCa, ip: string, i: number, args: string[]): Promise<string> {
  const r = await run("redis-cli", ["--tls", "--cacert", ca.caFile, "-h", ip, "-p", String(base + i), ...args]);
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

async function start(i: number, ip: string, ca: TestCa, cert: { certFile: string; keyFile: string }) {
  const dir = path.join(ca1.dir, `node-${i}`);
  fs.mkdirSync(dir, { recursive: true });
  const conf = [
    "port 0",
    `tls-port ${base + i}`,
    `tls-cert-file ${cert.certFile}`,
    `tls-key-file ${cert.keyFile}`,
    `tls-ca-cert-file ${ca.caFile}`,
    "tls-auth-clients no",
    "tls-replication yes",
    "tls-cluster yes",
    `bind ${ip}`,
    `bind-source-addr ${ip}`,
    "cluster-enabled yes",
    "cluster-config-file nodes.conf",
    `dir ${dir}`,
    "cluster-node-timeout 1000",
    "cluster-announce-hostname localhost",
    "cluster-preferred-endpoint-type hostname",
    'save ""',
  ];
  fs.writeFileSync(path.join(dir, "redis.conf"), conf.join("\n") + "\n");
  processes.set(i, spawn("redis-server", [path.join(dir, "redis.conf")], { stdio: "ignore" }));
  for (let t = 0; t < 100; t++) {
    if (
      (
        await run("redis-cli", ["--tls", "--cacert", ca.caFile, "-h", ip, "-p", String(base + i), "PING"])
      ).stdout.trim() === "PONG"
    )
      return;
    await sleep(100);
  }
  throw new Error(`node ${i} does not answer on ${ip}`);
}

async function stop(i: number) {
  const child = processes.get(i);
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await gone;
}

async function states(ca: TestCa, ip: (i: number) => string): Promise<string[]> {
  return Promise.all(
    NODES.map(async (i) => /cluster_state:(\w+)/.exec(await cli(ca, ip(i), i, ["CLUSTER", "INFO"]))![1]!),
  );
}

async function until(what: string, check: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  requireRedis();
  for (let attempt = 0; base === 0 && attempt < 50; attempt++) {
    const b = 21000 + Math.floor(Math.random() * 8000);
    const ok = await Promise.all(
      NODES.flatMap((i) => [oldIp(i), newIp(i)].flatMap((ip) => [free(b + i, ip), free(b + i + 10000, ip)])),
    );
    if (ok.every(Boolean)) base = b;
  }
  if (base === 0) throw new Error("no free ports");
  ca1 = createTestCa("gamedb-ca-0");
  ca2 = createTestCa("gamedb-ca-1");
});

afterAll(async () => {
  await Promise.all(NODES.map(stop));
  for (const c of [ca1, ca2]) if (c) fs.rmSync(c.dir, { recursive: true, force: true });
});

it("a CA rotation that also moves every node leaves the cluster down until node 0 meets the others", async () => {
  const old = createServerCert(ca1, "redis", ["localhost"]);
  for (const i of NODES) await start(i, oldIp(i), ca1, old);
  const create = await run("redis-cli", [
    ...["--tls", "--cacert", ca1.caFile, "--cluster", "create"],
    ...NODES.map((i) => `${oldIp(i)}:${base + i}`),
    "--cluster-yes",
  ]);
  expect(create.stdout).toContain("All 16384 slots covered");
  await until("the new cluster is ok", async () => (await states(ca1, oldIp)).every((s) => s === "ok"), 20_000);

  // The roll: highest ordinal first, each node back with the new CA's certificate at a new address.
  const renewed = createServerCert(ca2, "redis", ["localhost"]);
  for (const i of [...NODES].reverse()) {
    await stop(i);
    await start(i, newIp(i), ca2, renewed);
    await sleep(1500);
  }
  // Every node is on the new CA now, yet each knows only stale addresses: the cluster does not come back by itself.
  await until(
    "every node reports the cluster down",
    async () => (await states(ca2, newIp)).every((s) => s === "fail"),
    20_000,
  );
  await sleep(3000);
  expect(await states(ca2, newIp)).toEqual(["fail", "fail", "fail"]);

  for (const i of NODES.slice(1))
    expect((await cli(ca2, newIp(0), 0, ["CLUSTER", "MEET", newIp(i), String(base + i)])).trim()).toBe("OK");
  await until(
    "the cluster is ok after the meets",
    async () => (await states(ca2, newIp)).every((s) => s === "ok"),
    20_000,
  );
  const nodes = await cli(ca2, newIp(1), 1, ["CLUSTER", "NODES"]);
  expect(nodes.trim().split("\n")).toHaveLength(3);
}, 120_000);
