/**
 * The worker's HTTP endpoints:
 *   GET /metrics  Prometheus text format (the worker's own registry)
 *   GET /healthz  200 while cycles keep finishing, 503 when the loop is stuck (a liveness probe restarts it)
 *   GET /status   JSON: the last verdict per shard and member, the Redis nodes, the alerts firing
 * Everything it writes passes the redactor, like the logs.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface StatusSource {
  health(): { ok: boolean; reason: string };
  statusDocument(): Record<string, unknown>;
}

export interface StartedServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export function startServer(
  source: StatusSource,
  registry: Registry,
  options: { port: number; host?: string; redact: (text: string) => string },
): Promise<StartedServer> {
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(options.redact(body));
    };
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed\n");
    if (path === "/metrics") {
      registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (e: Error) => send(500, "text/plain", `metrics failed: ${e.message}\n`),
      );
      return;
    }
    if (path === "/healthz") {
      const h = source.health();
      return send(h.ok ? 200 : 503, "text/plain", `${h.ok ? "ok" : "unhealthy"}: ${h.reason}\n`);
    }
    if (path === "/status") {
      return send(200, "application/json", JSON.stringify(source.statusDocument(), null, 2) + "\n");
    }
    send(404, "text/plain", "not found: try /metrics, /healthz or /status\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
