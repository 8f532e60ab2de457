/**
 * The alert state machine (pure). Each cycle the rules (rules.ts) state conditions, each either wrong now, fine now,
 * or not observed; this turns them into the few events a person should get:
 *   firing    on exactly the `fireAfter`-th consecutive wrong observation, once: no repeats while it stays wrong;
 *   changed   while firing, when the condition's variant changes (a shard going from one bad status to another);
 *   resolved  on the first fine observation after firing, or when the target leaves the endpoints.
 * A wrong streak that ends before `fireAfter` sends nothing. "Not observed" (the member did not answer, so its CPU
 * is unknown) leaves a condition exactly as it was.
 */

export type Severity = "critical" | "warning";

export interface Subject {
  kind: "mysql-member" | "mysql-shard" | "redis-node" | "redis-cluster";
  shard?: string;
  node?: string;
}

export interface Condition {
  key: string;
  /** true: wrong now; false: fine now; null: not observed this cycle. */
  bad: boolean | null;
  /** Consecutive wrong observations before it fires (1: at once). */
  fireAfter: number;
  severity: Severity;
  subject: Subject;
  /** What is wrong, e.g. "MySQL member not answering checks". */
  what: string;
  /** The observed value now, e.g. "Threads_running 7 on 4 vCPUs = 175%". */
  value: string;
  /** The limit, e.g. "80%". */
  threshold: string;
  /** While firing, a change of variant sends a "changed" event. */
  variant?: string;
  /** Extra context for the message (last error, members not ONLINE). */
  detail?: string;
}

export interface AlertRecord {
  consecutive: number;
  firing: boolean;
  variant?: string;
  /** When it fired (ms since epoch). */
  since?: number;
  severity: Severity;
  subject: Subject;
  what: string;
  threshold: string;
}

export type AlertStates = ReadonlyMap<string, AlertRecord>;

export interface AlertEvent {
  kind: "firing" | "changed" | "resolved";
  key: string;
  severity: Severity;
  environment: string;
  subject: Subject;
  what: string;
  value: string;
  threshold: string;
  detail?: string;
  /** ISO time of the cycle that produced it. */
  at: string;
  /** One line, for an SNS subject or a chat headline. */
  title: string;
  /** The full text. */
  message: string;
}

export function subjectText(s: Subject): string {
  switch (s.kind) {
    case "mysql-member":
      return `shard ${s.shard} member ${s.node}`;
    case "mysql-shard":
      return `shard ${s.shard}`;
    case "redis-node":
      return `Redis node ${s.node}`;
    case "redis-cluster":
      return "Redis cluster";
  }
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

function event(
  kind: AlertEvent["kind"],
  c: Pick<Condition, "key" | "severity" | "subject" | "what" | "value" | "threshold" | "detail">,
  environment: string,
  now: number,
  notes: { streak?: number; note?: string } = {},
): AlertEvent {
  const label = kind === "resolved" ? "RESOLVED" : c.severity === "critical" ? "CRITICAL" : "WARNING";
  const title = `[${environment}] ${label} ${subjectText(c.subject)}: ${c.what}${kind === "changed" ? " (changed)" : ""}`;
  const lines = [title, `environment: ${environment}`];
  if (c.subject.shard !== undefined) lines.push(`shard: ${c.subject.shard}`);
  if (c.subject.node !== undefined) lines.push(`node: ${c.subject.node}`);
  const streak = notes.streak !== undefined ? ` (${notes.streak} consecutive checks)` : "";
  lines.push(`${kind === "resolved" ? "now" : "value"}: ${c.value}${streak}`, `threshold: ${c.threshold}`);
  if (notes.note) lines.push(notes.note);
  if (c.detail) lines.push(c.detail);
  return {
    kind,
    key: c.key,
    severity: c.severity,
    environment,
    subject: c.subject,
    what: c.what,
    value: c.value,
    threshold: c.threshold,
    detail: c.detail,
    at: new Date(now).toISOString(),
    title,
    message: lines.join("\n"),
  };
}

export interface StepResult {
  states: Map<string, AlertRecord>;
  events: AlertEvent[];
}

export function stepAlerts(
  prev: AlertStates,
  conditions: readonly Condition[],
  ctx: { environment: string; now: number },
): StepResult {
  const states = new Map<string, AlertRecord>();
  const events: AlertEvent[] = [];
  const { environment, now } = ctx;
  for (const c of conditions) {
    const before = prev.get(c.key);
    const rec: AlertRecord = {
      consecutive: before?.consecutive ?? 0,
      firing: before?.firing ?? false,
      variant: before?.variant,
      since: before?.since,
      severity: c.severity,
      subject: c.subject,
      what: c.what,
      threshold: c.threshold,
    };
    if (c.bad === true) {
      rec.consecutive += 1;
      if (!rec.firing && rec.consecutive >= c.fireAfter) {
        rec.firing = true;
        rec.since = now;
        rec.variant = c.variant;
        events.push(event("firing", c, environment, now, { streak: c.fireAfter > 1 ? rec.consecutive : undefined }));
      } else if (rec.firing && c.variant !== rec.variant) {
        rec.variant = c.variant;
        events.push(event("changed", c, environment, now));
      }
    } else if (c.bad === false) {
      if (rec.firing) {
        const lasted = rec.since !== undefined ? `it lasted ${seconds(now - rec.since)}` : undefined;
        events.push(event("resolved", c, environment, now, { note: lasted }));
      }
      rec.consecutive = 0;
      rec.firing = false;
      rec.since = undefined;
      rec.variant = undefined;
    }
    states.set(c.key, rec);
  }
  // A target that left the endpoints: its firing alerts resolve (no one will see them clear otherwise).
  for (const [key, rec] of prev) {
    if (states.has(key) || !rec.firing) continue;
    events.push(
      event(
        "resolved",
        {
          key,
          severity: rec.severity,
          subject: rec.subject,
          what: rec.what,
          value: "no longer in the endpoints, so no longer monitored",
          threshold: rec.threshold,
        },
        environment,
        now,
      ),
    );
  }
  return { states, events };
}

/** The alerts firing now, for /status. */
export function firingAlerts(states: AlertStates): { key: string; severity: Severity; what: string; since: string }[] {
  return [...states]
    .filter(([, r]) => r.firing)
    .map(([key, r]) => ({ key, severity: r.severity, what: r.what, since: new Date(r.since ?? 0).toISOString() }));
}
