/**
 * One JSON line per log record on stderr. Every line passes through the redactor first: the secrets the worker
 * holds (passwords, the webhook URL) are replaced wherever they appear, since driver and HTTP errors can quote
 * what they were given.
 */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

/** Replaces every occurrence of each secret (longest first, so one that contains another goes whole). */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const list = [...new Set(secrets.filter((s): s is string => s !== undefined && s.length > 0))].sort(
    (a, b) => b.length - a.length,
  );
  return (text) => list.reduce((t, s) => t.split(s).join("[redacted]"), text);
}

export function jsonLogger(
  redact: (text: string) => string,
  write: (line: string) => void = (l) => process.stderr.write(l + "\n"),
  minLevel: LogLevel = "info",
): Logger {
  const order: LogLevel[] = ["debug", "info", "warn", "error"];
  return {
    log(level, msg, fields = {}) {
      if (order.indexOf(level) < order.indexOf(minLevel)) return;
      write(redact(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })));
    },
  };
}

/** Collects records in memory (tests). */
export function memoryLogger(): Logger & {
  records: { level: LogLevel; msg: string; fields: Record<string, unknown> }[];
} {
  const records: { level: LogLevel; msg: string; fields: Record<string, unknown> }[] = [];
  return { records, log: (level, msg, fields = {}) => records.push({ level, msg, fields }) };
}
