/**
 * When the mover's copy and its chunked deletes pause: while the shard runs too many threads at once
 * (`Threads_running`, where pt-online-schema-change pauses at 25), or while a Group Replication member's applier
 * queue holds too many transactions (the secondaries falling behind what the copy writes on the primary; gh-ost
 * throttles on replica lag the same way). ../shared/design/SLOT-MOVES.md, "How others do it".
 *
 * The applier queue is COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE of
 * performance_schema.replication_group_member_stats, one row per member, readable from the primary for every member:
 * MySQL 8.4 Reference Manual 29.12.11.15 "The replication_group_member_stats Table"
 * (performance-schema-replication-group-member-stats-table.html: the transactions this member received from the group
 * and has not applied yet; the table "is populated only when Group Replication is running"). MySQL Shell reads the
 * same column for cluster.status()'s inApplierQueueCount (mysql-shell 8.4.8:modules/adminapi/cluster/status.cc
 * feed_member_stats), and grants the Router's account SELECT on that table by name
 * (8.4.8:modules/adminapi/common/accounts.cc k_router_table_grants): the mover account needs the same grant on MySQL.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import type { Throttle } from "../../../infra/contracts/slotMoves";
import type { Flavour } from "./connect";

type Queryable = Pick<Connection, "query">;

export interface ThrottleSample {
  threadsRunning: number;
  /** The largest applier queue of any member; 0 when there is no Group Replication to read (see `applierNote`). */
  applierQueue: number;
  /** Why applierQueue is 0 without being read: MariaDB (no Group Replication), no such table, no group running. */
  applierNote?: string;
}

export type ThrottleLimits = Pick<Throttle, "maxThreadsRunning" | "maxApplierQueue">;

export type ThrottleDecision = { wait: false } | { wait: true; reason: string };

/** Pause while either figure is above its limit (equal is still allowed, as pt-osc's --max-load). */
export function throttleDecision(sample: ThrottleSample, limits: ThrottleLimits): ThrottleDecision {
  const reasons: string[] = [];
  if (sample.threadsRunning > limits.maxThreadsRunning) {
    reasons.push(`Threads_running ${sample.threadsRunning} > ${limits.maxThreadsRunning}`);
  }
  if (sample.applierQueue > limits.maxApplierQueue) {
    reasons.push(
      `a Group Replication member's applier queue holds ${sample.applierQueue} transactions ` +
        `> ${limits.maxApplierQueue}`,
    );
  }
  return reasons.length === 0 ? { wait: false } : { wait: true, reason: reasons.join("; ") };
}

const ER_TABLEACCESS_DENIED_ERROR = 1142;
const ER_NO_SUCH_TABLE = 1146;

/** A non-negative integer from a status value or a count, or a thrown error naming it. */
function count(name: string, value: unknown): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} read as ${JSON.stringify(value)}, not a count`);
  return n;
}

export async function readThreadsRunning(conn: Queryable): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Threads_running'");
  if (!rows[0]) throw new Error("SHOW GLOBAL STATUS has no Threads_running");
  return count("Threads_running", rows[0].Value);
}

/**
 * The largest applier queue of the group's members. MariaDB has no Group Replication: 0, said so, without a query
 * (as the mover account it would get "SELECT command denied", MariaDB checking privileges before the table exists,
 * as the stand-in shows). On MySQL an absent table or an empty one (the plugin is not running) reads as 0 with a
 * note: nothing to wait for. A denied read throws, naming the grant: reading 0 there would silently turn this
 * throttle off on a real group.
 */
export async function readApplierQueue(conn: Queryable, flavour: Flavour): Promise<{ queue: number; note?: string }> {
  if (flavour === "mariadb") return { queue: 0, note: "MariaDB has no Group Replication: no applier queue to read" };
  let rows: RowDataPacket[];
  try {
    [rows] = await conn.query<RowDataPacket[]>(
      "SELECT COUNT(*) AS members, MAX(COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE) AS queue " +
        "FROM performance_schema.replication_group_member_stats",
    );
  } catch (e) {
    const errno = (e as { errno?: number }).errno;
    if (errno === ER_NO_SUCH_TABLE) {
      return { queue: 0, note: "no performance_schema.replication_group_member_stats here (no Group Replication)" };
    }
    if (errno === ER_TABLEACCESS_DENIED_ERROR) {
      throw new Error(
        "cannot read performance_schema.replication_group_member_stats: GRANT SELECT ON " +
          "performance_schema.replication_group_member_stats TO the mover account (the applier throttle reads it)",
      );
    }
    throw e;
  }
  const row = rows[0];
  if (!row || Number(row.members) === 0 || row.queue === null) {
    return {
      queue: 0,
      note: "performance_schema.replication_group_member_stats is empty (Group Replication is not running)",
    };
  }
  return { queue: count("COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE", row.queue) };
}

export async function readThrottleSample(conn: Queryable, flavour: Flavour): Promise<ThrottleSample> {
  const threadsRunning = await readThreadsRunning(conn);
  const applier = await readApplierQueue(conn, flavour);
  return {
    threadsRunning,
    applierQueue: applier.queue,
    ...(applier.note ? { applierNote: applier.note } : {}),
  };
}

/** A throttle function for the copy and the deletes: reads a sample and decides, each call. */
export function throttleOn(conn: Queryable, flavour: Flavour, limits: ThrottleLimits): () => Promise<ThrottleDecision> {
  return async () => throttleDecision(await readThrottleSample(conn, flavour), limits);
}
