/**
 * Wires one worker from a validated config and its secrets: target reader, checkers, sinks behind their queues,
 * metrics and the monitor loop. The CLI, the tests and the benchmark all build the worker here.
 */
import type { AlertEvent } from "./alerts";
import type { MonitorConfig, Secrets } from "./config";
import { jsonLogger, redactor, type Logger } from "./log";
import { MonitorMetrics } from "./metrics";
import { MysqlChecker, endpointsCa } from "./mysqlCheck";
import { Monitor } from "./poller";
import { RedisChecker } from "./redisCheck";
import {
  DEFAULT_QUEUE_OPTIONS,
  Dispatcher,
  QueuedSink,
  SnsSink,
  WebhookSink,
  type AlertSink,
  type QueueOptions,
} from "./sinks";
import { TargetReader } from "./targets";

export interface WorkerOptions {
  log?: Logger;
  /** Sinks besides those the config names (tests, the benchmark). */
  extraSinks?: AlertSink[];
  queue?: Partial<QueueOptions>;
  onEvents?: (events: readonly AlertEvent[], at: number) => void;
}

export interface Worker {
  monitor: Monitor;
  metrics: MonitorMetrics;
  dispatcher: Dispatcher;
  redact: (text: string) => string;
  log: Logger;
  /** Stops the loop and the sinks (after waiting up to `drainMs` for queued alerts to go out). */
  close(drainMs?: number): Promise<void>;
}

export function createWorker(config: MonitorConfig, secrets: Secrets, options: WorkerOptions = {}): Worker {
  const redact = redactor([secrets.mysqlPassword, secrets.redisPassword, secrets.webhookUrl]);
  const log = options.log ?? jsonLogger(redact);
  const timeoutMs = config.checkTimeoutSeconds * 1000;
  const queue = { ...DEFAULT_QUEUE_OPTIONS, ...options.queue };
  const sinks: AlertSink[] = [];
  const sns = config.sinks.sns;
  if (sns !== undefined) sinks.push(new SnsSink(sns.topicArn, { region: sns.region, endpoint: sns.endpoint }));
  if (secrets.webhookUrl !== undefined) sinks.push(new WebhookSink(secrets.webhookUrl));
  sinks.push(...(options.extraSinks ?? []));
  const dispatcher = new Dispatcher(sinks.map((s) => new QueuedSink(s, queue, log)));
  const metrics = new MonitorMetrics();
  const monitor = new Monitor({
    config,
    targets: new TargetReader(config.endpointsDir, log),
    mysql: new MysqlChecker({
      user: config.mysql.user,
      password: secrets.mysqlPassword,
      timeoutMs,
      ...(config.mysql.tls ? { ca: () => endpointsCa(config.endpointsDir) } : {}),
    }),
    redis: new RedisChecker({ password: secrets.redisPassword, tls: config.redis.tls, timeoutMs }),
    dispatcher,
    metrics,
    log,
    onEvents: options.onEvents,
  });
  return {
    monitor,
    metrics,
    dispatcher,
    redact,
    log,
    async close(drainMs = 5000) {
      await monitor.stop();
      if (!(await dispatcher.idle(drainMs))) log.log("warn", "alerts still queued at shutdown were not sent");
      dispatcher.stop();
      for (const s of sinks) if (s instanceof SnsSink) s.destroy();
    },
  };
}
