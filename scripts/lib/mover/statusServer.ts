/**
 * The mover's HTTP server (moveSpecSchema.statusPort):
 *   GET /status   the current status document (infra/contracts/slotMoves.ts moveStatusSchema), 503 before the first
 *   GET /healthz  200 "ok" while the process serves
 *   GET /metrics  Prometheus text: the status's figures as gauges labelled with the move id, on a registry of the
 *                 server's own (prom-client's global one would mix two movers in one process, as tests run them)
 * The gauges are filled from the status getter at each scrape, so /status and /metrics never disagree.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Gauge, Registry } from "prom-client";
import { MOVE_STATES, type MoveStatus } from "../../../infra/contracts/slotMoves";

export interface StatusServerOptions {
  port: number;
  /** Default 0.0.0.0 (the pod's address); tests use 127.0.0.1. */
  host?: string;
  /** The current status, or undefined before the mover has one. */
  getStatus: () => MoveStatus | undefined;
}

export interface StatusServer {
  server: Server;
  port: number;
  registry: Registry;
  close(): Promise<void>;
}

type Figure = "rowsCopied" | "rowsStreamed" | "lagSeconds" | "verifiedSlots" | "dirtySlots" | "pauseMs";

/** Metric name, help and the status field it reports; a null field leaves its series out (unknown, not 0). */
const FIGURES: [string, string, Figure][] = [
  ["gamedb_move_rows_copied", "Rows the copy has written to the target", "rowsCopied"],
  ["gamedb_move_rows_streamed", "Row changes applied from the binlog stream", "rowsStreamed"],
  ["gamedb_move_lag_seconds", "Seconds the stream is behind its source (absent before it starts)", "lagSeconds"],
  ["gamedb_move_verified_slots", "Slots whose checksums matched and that have not changed since", "verifiedSlots"],
  ["gamedb_move_dirty_slots", "Slots changed since their verification or found different", "dirtySlots"],
  ["gamedb_move_pause_ms", "The write pause of the switch or reverse, once done", "pauseMs"],
];

/** A private registry with the mover's gauges, read from `getStatus` at every collection. */
export function moveMetrics(getStatus: () => MoveStatus | undefined): Registry {
  const registry = new Registry();
  for (const [name, help, field] of FIGURES) {
    new Gauge({
      name,
      help,
      labelNames: ["move"],
      registers: [registry],
      collect() {
        this.reset();
        const s = getStatus();
        const v = s?.[field];
        if (s && typeof v === "number") this.set({ move: String(s.id) }, v);
      },
    });
  }
  new Gauge({
    name: "gamedb_move_state",
    help: "1 for the move's current state, 0 for the others",
    labelNames: ["move", "state"],
    registers: [registry],
    collect() {
      this.reset();
      const s = getStatus();
      if (!s) return;
      for (const state of MOVE_STATES) this.set({ move: String(s.id), state }, state === s.state ? 1 : 0);
    },
  });
  return registry;
}

export function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const registry = moveMetrics(options.getStatus);
  const server = createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
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
    if (path === "/healthz") return send(200, "text/plain", "ok\n");
    if (path === "/status") {
      const status = options.getStatus();
      if (!status) return send(503, "application/json", `${JSON.stringify({ error: "no status yet" })}\n`);
      return send(200, "application/json", `${JSON.stringify(status, null, 2)}\n`);
    }
    send(404, "text/plain", "not found: try /status, /metrics or /healthz\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        registry,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
