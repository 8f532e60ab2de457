/**
 * scripts/apps/monitor/sinks.ts against local HTTP servers: the webhook (Slack-compatible JSON, retries with backoff,
 * the URL kept secret), SNS (the real AWS SDK client publishing to a local endpoint that speaks the SNS query
 * protocol), and the bounded queue: a sink that hangs never delays a cycle, and a full queue drops its oldest event
 * and counts it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AlertEvent } from "../../scripts/apps/monitor/alerts";
import { memoryLogger } from "../../scripts/apps/monitor/log";
import { QueuedSink, SnsSink, WebhookSink, snsSubject, type AlertSink } from "../../scripts/apps/monitor/sinks";
import { createWorker } from "../../scripts/apps/monitor/worker";
import { GroupReplicationSimulator } from "../sim/group-replication";

function alert(n: number): AlertEvent {
  return {
    kind: "firing",
    key: `k${n}`,
    severity: "critical",
    environment: "test",
    subject: { kind: "mysql-member", shard: "shard1", node: `node${n}` },
    what: "MySQL member not answering checks",
    value: "check failed",
    threshold: "3 consecutive failed checks",
    at: new Date(0).toISOString(),
    title: `[test] CRITICAL shard shard1 member node${n}: MySQL member not answering checks`,
    message: `alert ${n}`,
  };
}

interface Received {
  method?: string;
  url?: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A local HTTP server answering each request with `respond` (or never, when it returns undefined). */
async function httpServer(
  respond: (r: Received, res: ServerResponse) => void,
): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (c: string) => (body += c));
    req.on("end", () => {
      const r = { method: req.method, url: req.url, headers: req.headers, body };
      received.push(r);
      respond(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const fast = { capacity: 10, attempts: 4, backoffMs: 20, maxBackoffMs: 40, attemptTimeoutMs: 500 };

describe("webhook sink", () => {
  it("posts Slack-compatible JSON, retries server errors with backoff, and never logs the URL", async () => {
    let calls = 0;
    const hook = await httpServer((_r, res) => {
      calls++;
      res.writeHead(calls <= 2 ? 503 : 200).end("ok");
    });
    const url = `${hook.url}/services/T000/B000/secret-token-4d1e`;
    const log = memoryLogger();
    const q = new QueuedSink(new WebhookSink(url), fast, log);
    q.enqueue(alert(1));
    await q.idle();
    await hook.close();
    expect(hook.received.map((r) => [r.method, r.url, r.headers["content-type"], JSON.parse(r.body)])).toEqual(
      Array(3).fill(["POST", "/services/T000/B000/secret-token-4d1e", "application/json", { text: "alert 1" }]),
    );
    expect(q.stats).toEqual({ sent: 1, failed: 0, retries: 2, dropped: 0, queued: 0 });
    expect(log.records.map((r) => [r.msg, r.fields.error, r.fields.retryInMs])).toEqual([
      ["alert send failed; retrying", "webhook answered HTTP 503", 20],
      ["alert send failed; retrying", "webhook answered HTTP 503", 40],
    ]);
  });

  it("gives up after the last attempt, and keeps the URL out of a connection error", async () => {
    const hook = await httpServer((_r, res) => res.writeHead(200).end());
    await hook.close(); // nothing listens there any more
    const url = `${hook.url}/hooks/secret-token-88aa`;
    const log = memoryLogger();
    const q = new QueuedSink(new WebhookSink(url), { ...fast, attempts: 2 }, log);
    q.enqueue(alert(1));
    await q.idle();
    expect(q.stats).toMatchObject({ sent: 0, failed: 1, retries: 1 });
    const last = log.records.at(-1)!;
    expect([last.level, last.msg, last.fields.error]).toEqual([
      "error",
      "alert not delivered: every attempt failed",
      expect.stringMatching(/^webhook request failed: .*ECONNREFUSED/),
    ]);
    expect(JSON.stringify(log.records)).not.toContain("secret-token-88aa");
  });
});

describe("SNS sink", () => {
  const saved = { ...process.env };
  beforeAll(() => {
    // Any credentials: the local endpoint does not check signatures.
    process.env.AWS_ACCESS_KEY_ID = "AKIDLOCALTEST";
    process.env.AWS_SECRET_ACCESS_KEY = "local-test-secret";
  });
  afterAll(() => {
    process.env = saved;
  });

  it("publishes subject, message and severity attributes to the topic with the AWS SDK", async () => {
    const sns = await httpServer((_r, res) =>
      res
        .writeHead(200, { "content-type": "text/xml" })
        .end(
          '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult>' +
            "<MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId>" +
            "</ResponseMetadata></PublishResponse>",
        ),
    );
    const topic = "arn:aws:sns:ap-northeast-2:123456789012:gamedb-test-alerts";
    const sink = new SnsSink(topic, { region: "ap-northeast-2", endpoint: sns.url });
    const q = new QueuedSink(sink, fast, memoryLogger());
    q.enqueue(alert(1));
    await q.idle();
    sink.destroy();
    await sns.close();
    expect(q.stats.sent).toBe(1);
    expect(sns.received).toHaveLength(1);
    const form = Object.fromEntries(new URLSearchParams(sns.received[0]!.body));
    expect(form).toMatchObject({
      Action: "Publish",
      TopicArn: topic,
      Subject: "[test] CRITICAL shard shard1 member node1: MySQL member not answering checks",
      Message: "alert 1",
      "MessageAttributes.entry.1.Name": "severity",
      "MessageAttributes.entry.1.Value.StringValue": "critical",
      "MessageAttributes.entry.2.Name": "environment",
      "MessageAttributes.entry.2.Value.StringValue": "test",
    });
    expect(sns.received[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\//);
  });

  it("keeps a subject within SNS's rules", () => {
    expect(snsSubject("é".repeat(120))).toBe("?".repeat(97) + "...");
  });
});

describe("bounded queue", () => {
  /** A sink that holds each send until released. */
  class Gate implements AlertSink {
    readonly name = "gate";
    readonly sent: string[] = [];
    private release: (() => void)[] = [];
    send(e: AlertEvent): Promise<void> {
      return new Promise((resolve) =>
        this.release.push(() => {
          this.sent.push(e.key);
          resolve();
        }),
      );
    }
    open(): void {
      this.release.splice(0).forEach((r) => r());
    }
  }

  it("drops the oldest waiting event when full, counts it, and sends the rest in order", async () => {
    const gate = new Gate();
    const log = memoryLogger();
    const q = new QueuedSink(gate, { ...fast, capacity: 3 }, log);
    for (let i = 1; i <= 7; i++) q.enqueue(alert(i)); // 1 in flight, 2..7 compete for 3 places
    expect(q.stats).toMatchObject({ dropped: 3, queued: 3 });
    expect(log.records.map((r) => r.fields.dropped)).toEqual([2, 3, 4].map((i) => alert(i).title));
    for (let i = 0; i < 4; i++) {
      gate.open();
      await new Promise((r) => setImmediate(r));
    }
    await q.idle();
    expect(gate.sent).toEqual(["k1", "k5", "k6", "k7"]);
  });

  it("a webhook that never answers does not delay polling; its queue fills and drops", async () => {
    const hung = await httpServer(() => undefined); // accepts, never responds
    const sim = await GroupReplicationSimulator.start({ shards: 1, password: "pw" });
    const dir = mkdtempSync(join(tmpdir(), "gamedb-monitor-sinks-"));
    writeFileSync(join(dir, "members.json"), JSON.stringify(sim.membersJson()));
    const worker = createWorker(
      {
        environment: "test",
        endpointsDir: dir,
        intervalSeconds: 10,
        failureThreshold: 1,
        checkTimeoutSeconds: 1,
        concurrency: 4,
        thresholds: { cpuPercent: 80, bufferPoolPercent: 85, lagSeconds: 5 },
        mysql: { user: "gamedb_monitor", passwordEnv: "X" },
        redis: { tls: false },
        sinks: {},
        listen: { port: 0 },
      },
      { mysqlPassword: "pw", webhookUrl: `${hung.url}/hook` },
      { log: memoryLogger(), queue: { capacity: 2, attempts: 1, attemptTimeoutMs: 60_000 } },
    );
    try {
      const durations: number[] = [];
      const g = sim.group("shard1");
      // Each flip raises or clears alerts: far more events than the hung sink's queue holds.
      for (let i = 0; i < 6; i++) {
        if (i % 2 === 0) await g.quorumLost(0);
        else await g.restore();
        durations.push((await worker.monitor.runCycle()).durationMs);
      }
      const q = worker.dispatcher.sinks[0]!;
      expect(q.name).toBe("webhook");
      expect(hung.received).toHaveLength(1); // the first event, stuck in flight
      expect(q.stats.queued).toBe(2);
      expect(q.stats.dropped).toBeGreaterThanOrEqual(10);
      // Waiting on the hung webhook would take its 60 s attempt timeout; a loaded machine may take ~1 s a cycle.
      expect(Math.max(...durations)).toBeLessThan(5_000);
      expect(await worker.metrics.registry.getSingleMetricAsString("gamedb_monitor_sink_dropped_total")).toContain(
        `gamedb_monitor_sink_dropped_total{sink="webhook"} ${q.stats.dropped}`,
      );
    } finally {
      await worker.close(0);
      await hung.close();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
