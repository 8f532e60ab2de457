/**
 * The monitoring worker: polls every Group Replication member of every shard and every Redis Cluster node named by
 * the gamedb-endpoints ConfigMap, serves /metrics, /healthz and /status, and sends alerts to SNS and a webhook.
 *
 *   npm run monitor -- --config FILE              run until SIGTERM / SIGINT
 *   npm run monitor -- --config FILE --once       one cycle: print /status as JSON, deliver its alerts, exit
 *   npm run monitor -- --config FILE --port N     listen on N instead of listen.port (0: any free port)
 *
 * Secrets come from the environment variables the config names (mysql.passwordEnv, redis.passwordEnv,
 * sinks.webhook.urlEnv). Exit codes: 0 ok, 1 invalid config or missing secret (every problem printed), 2 bad usage.
 * With --once: 0 when no alert fires after the cycle, 3 when one does.
 */
import { Command } from "commander";
import { parseOptions, runMain } from "../../lib/cli";
import { ConfigError, loadConfig, resolveSecrets } from "./config";
import { jsonLogger, redactor } from "./log";
import { startServer } from "./server";
import { createWorker } from "./worker";

export const EXIT = { ok: 0, invalid: 1, usage: 2, firing: 3 } as const;

interface Options {
  config: string;
  once?: boolean;
  port?: string;
}

export async function main(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
): Promise<number> {
  const program = new Command("monitor")
    .description("Poll every MySQL member and Redis node of gamedb; serve metrics; send alerts")
    .requiredOption("--config <file>", "the worker config (JSON or YAML)")
    .option("--once", "run one cycle, print the status JSON, deliver its alerts and exit")
    .option("--port <n>", "HTTP port for /metrics, /healthz, /status (overrides listen.port; 0: any free port)");
  const opts = parseOptions<Options>(program, argv, out, err);
  if (typeof opts === "number") return opts;
  let port: number | undefined;
  if (opts.port !== undefined) {
    port = Number(opts.port);
    if (!/^\d+$/.test(opts.port) || port > 65535) {
      err(`error: --port wants a port number from 0 to 65535: ${opts.port}`);
      return EXIT.usage;
    }
  }

  let worker;
  try {
    const config = loadConfig(opts.config);
    const secrets = resolveSecrets(config, env, opts.config);
    if (port !== undefined) config.listen.port = port;
    // Log lines go to stderr (or the caller's `err`), through the redactor.
    const redact = redactor([secrets.mysqlPassword, secrets.redisPassword, secrets.webhookUrl]);
    worker = createWorker(config, secrets, { log: jsonLogger(redact, err) });
    if (opts.once) {
      await worker.monitor.runCycle();
      out(worker.redact(JSON.stringify(worker.monitor.statusDocument(), null, 2)));
      await worker.close(10_000);
      return [...worker.monitor.alertStates.values()].some((r) => r.firing) ? EXIT.firing : EXIT.ok;
    }
    const server = await startServer(worker.monitor, worker.metrics.registry, {
      port: config.listen.port,
      redact: worker.redact,
    });
    worker.log.log("info", "monitor started", {
      environment: config.environment,
      port: server.port,
      intervalSeconds: config.intervalSeconds,
      endpointsDir: config.endpointsDir,
      sinks: worker.dispatcher.sinks.map((s) => s.name),
    });
    worker.monitor.start();
    const w = worker;
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        w.log.log("info", "stopping", { signal });
        resolve();
      };
      process.once("SIGTERM", () => shutdown("SIGTERM"));
      process.once("SIGINT", () => shutdown("SIGINT"));
    });
    await server.close();
    await worker.close();
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return EXIT.invalid;
    }
    await worker?.close(0);
    throw e;
  }
}

runMain(module, () => main(process.argv.slice(2)), 1);
