/**
 * Where alert events go: the stack's SNS topic and a Slack-compatible incoming webhook.
 *
 * Each sink sits behind its own bounded queue with one sender: the poller only enqueues (synchronous, never waits),
 * so a slow or dead sink never delays a check. A send that fails is retried with exponential backoff, each attempt
 * bounded by a timeout; when the queue is full the oldest event is dropped and counted (the newest state of the
 * world matters most). Events for one sink go out in order.
 */
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import type { AlertEvent } from "./alerts";
import { describeError, withTimeout } from "./async";
import type { Logger } from "./log";

export interface AlertSink {
  readonly name: string;
  send(event: AlertEvent, signal: AbortSignal): Promise<void>;
}

/** SNS Subject rules: ASCII, no line breaks, at most 100 characters. */
export function snsSubject(title: string): string {
  const ascii = title.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= 100 ? ascii : ascii.slice(0, 97) + "...";
}

export class SnsSink implements AlertSink {
  readonly name = "sns";
  private readonly client: SNSClient;

  constructor(
    private readonly topicArn: string,
    options: { region: string; endpoint?: string; client?: SNSClient },
  ) {
    // One attempt per send: the queue does the retrying, with its own backoff and timeout.
    this.client =
      options.client ?? new SNSClient({ region: options.region, endpoint: options.endpoint, maxAttempts: 1 });
  }

  async send(event: AlertEvent, signal: AbortSignal): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(event.title),
        Message: event.message,
        // Subscriptions can filter on these (e.g. only critical to the pager).
        MessageAttributes: {
          severity: { DataType: "String", StringValue: event.kind === "resolved" ? "resolved" : event.severity },
          environment: { DataType: "String", StringValue: event.environment },
        },
      }),
      { abortSignal: signal },
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** Slack-compatible: POST {"text": ...} as JSON. The URL is a secret: it never appears in an error. */
export class WebhookSink implements AlertSink {
  readonly name = "webhook";

  constructor(
    private readonly url: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async send(event: AlertEvent, signal: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: event.message }),
        signal,
      });
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      throw new Error(`webhook request failed: ${describeError(cause ?? e)}`.split(this.url).join("[webhook url]"));
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
  }
}

export interface QueueOptions {
  /** Events waiting per sink before the oldest is dropped. */
  capacity: number;
  /** Tries per event, the first included. */
  attempts: number;
  /** Wait before the first retry; doubles each time up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  attemptTimeoutMs: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  capacity: 1000,
  attempts: 5,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  attemptTimeoutMs: 10_000,
};

export interface SinkStats {
  sent: number;
  /** Events given up on after every attempt failed. */
  failed: number;
  retries: number;
  dropped: number;
  queued: number;
}

export class QueuedSink {
  private readonly queue: AlertEvent[] = [];
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private inFlight: AbortController | undefined;
  private idleWaiters: (() => void)[] = [];
  readonly stats: SinkStats = { sent: 0, failed: 0, retries: 0, dropped: 0, queued: 0 };

  constructor(
    readonly sink: AlertSink,
    private readonly options: QueueOptions,
    private readonly log: Logger,
  ) {}

  get name(): string {
    return this.sink.name;
  }

  /** Never blocks. Full: drops the oldest waiting event. */
  enqueue(event: AlertEvent): void {
    if (this.stopped) return;
    if (this.queue.length >= this.options.capacity) {
      const dropped = this.queue.shift()!;
      this.stats.dropped++;
      this.log.log("warn", "alert queue full: dropped the oldest event", { sink: this.name, dropped: dropped.title });
    }
    this.queue.push(event);
    this.stats.queued = this.queue.length;
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0 && !this.stopped) {
      const event = this.queue.shift()!;
      this.stats.queued = this.queue.length;
      await this.deliver(event);
    }
    this.running = false;
    this.idleWaiters.splice(0).forEach((w) => w());
  }

  private async deliver(event: AlertEvent): Promise<void> {
    let wait = this.options.backoffMs;
    for (let attempt = 1; attempt <= this.options.attempts && !this.stopped; attempt++) {
      // The timeout aborts the request, and gives up on a sink that ignores the abort.
      const abort = new AbortController();
      this.inFlight = abort;
      try {
        await withTimeout(this.sink.send(event, abort.signal), this.options.attemptTimeoutMs, () => abort.abort());
        this.stats.sent++;
        return;
      } catch (e) {
        const why = describeError(e);
        if (attempt === this.options.attempts) {
          this.stats.failed++;
          this.log.log("error", "alert not delivered: every attempt failed", {
            sink: this.name,
            alert: event.title,
            attempts: attempt,
            error: why,
          });
          return;
        }
        this.stats.retries++;
        this.log.log("warn", "alert send failed; retrying", { sink: this.name, attempt, error: why, retryInMs: wait });
        await this.sleep(wait);
        wait = Math.min(wait * 2, this.options.maxBackoffMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Resolves once the queue is empty and nothing is being sent. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops sending: the send in flight is aborted, a retry wait ends at once, waiting events are abandoned. */
  stop(): void {
    this.stopped = true;
    this.inFlight?.abort();
    this.wake?.();
    if (!this.running) this.idleWaiters.splice(0).forEach((w) => w());
  }
}

/** Fans every event out to every sink's queue. */
export class Dispatcher {
  constructor(readonly sinks: QueuedSink[]) {}

  dispatch(events: readonly AlertEvent[]): void {
    for (const e of events) for (const s of this.sinks) s.enqueue(e);
  }

  /** Waits until every queue is drained, or `ms` passes. */
  async idle(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const drained = Promise.all(this.sinks.map((s) => s.idle())).then(() => true as const);
    const result = await Promise.race([drained, timeout]);
    clearTimeout(timer);
    return result;
  }

  stop(): void {
    this.sinks.forEach((s) => s.stop());
  }
}
