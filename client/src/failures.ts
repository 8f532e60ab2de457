/**
 * What an error from mysql2 means to the client: the shard could not be reached (counts against its breaker), the
 * shard's slot fence refused the write (a machine-readable signal, infra/contracts/slotFence.ts), or anything else
 * (the server answered; passed to the caller unchanged).
 */
import { FENCE_SQLSTATE, FenceSignal, parseFenceSignal } from "../../infra/contracts/slotFence";

/**
 * Errors of reaching the server rather than of the statement: socket errors, a lost connection, and the errors a
 * MySQL Router returns when it has no reachable destination (2003, 2013: mysql-router's classic protocol
 * forwarding sends them to the client when connecting to every destination failed).
 */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "PROTOCOL_CONNECTION_LOST",
  "ER_CON_COUNT_ERROR",
]);
const CONNECTION_ERRNOS = new Set([1040, 2003, 2013]);

interface MysqlError {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

export function isConnectionFailure(error: unknown): boolean {
  const e = error as MysqlError | undefined;
  if (!e || typeof e !== "object") return false;
  return (
    (e.code !== undefined && CONNECTION_CODES.has(e.code)) || (e.errno !== undefined && CONNECTION_ERRNOS.has(e.errno))
  );
}

/** The fence's signal in a refused write, or undefined for any other error. */
export function fenceSignalOf(error: unknown): FenceSignal | undefined {
  const e = error as MysqlError | undefined;
  if (!e || typeof e !== "object" || e.sqlState !== FENCE_SQLSTATE || typeof e.sqlMessage !== "string") {
    return undefined;
  }
  return parseFenceSignal(e.sqlMessage);
}

/** Should the connection be thrown away rather than returned to the pool? */
export function isFatal(error: unknown): boolean {
  const e = error as MysqlError | undefined;
  return !!e && typeof e === "object" && (e.fatal === true || isConnectionFailure(e));
}
