/**
 * Binlog positions as GTIDs, for the stream's checkpoints, "has the target applied up to the freeze point" and
 * where a stream resumes. The two servers spell them differently:
 *
 * - MySQL 8.4 (the shards): the executed GTID set, `uuid:1-27` (infra/contracts/gtid.ts). A stream's position is
 *   the set it started from plus every transaction it has seen; zongji resumes from such a set (gtidSet option, sent
 *   with COM_BINLOG_DUMP_GTID: the server skips what the set holds). "Reached" is set inclusion.
 * - MariaDB 10.11 (the test stand-ins): a list with the last GTID per replication domain, `0-1-1234,1-2-5`
 *   (`domain-server-sequence`), as @@gtid_binlog_pos reports it and as zongji sends it (@slave_connect_state).
 *   Sequence numbers grow per domain (MariaDB KB, "GTID": "the sequence number is monotonically increasing within
 *   each replication domain"), so "reached" compares each domain's sequence, whatever server wrote it.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import { GtidSet, isSubset, parseGtidSet, formatGtidSet, union } from "../../../infra/contracts/gtid";
import type { Flavour } from "./connect";

export type Position =
  | { flavour: "mysql"; set: GtidSet }
  | { flavour: "mariadb"; domains: ReadonlyMap<number, { server: number; seq: number }> };

const MARIADB_GTID = /^(\d{1,10})-(\d{1,10})-(\d{1,20})$/;

function mariaGtid(text: string): { domain: number; server: number; seq: number } {
  const m = MARIADB_GTID.exec(text.trim());
  const parts = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [];
  if (!m || !parts.every(Number.isSafeInteger)) {
    throw new Error(`${JSON.stringify(text)} is not a MariaDB GTID (domain-server-sequence, e.g. 0-1-1234)`);
  }
  return { domain: parts[0]!, server: parts[1]!, seq: parts[2]! };
}

export function parsePosition(flavour: Flavour, text: string): Position {
  if (flavour === "mysql") return { flavour, set: parseGtidSet(text) };
  const domains = new Map<number, { server: number; seq: number }>();
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const g = mariaGtid(part);
    if (domains.has(g.domain)) throw new Error(`${JSON.stringify(text)} names domain ${g.domain} twice`);
    domains.set(g.domain, { server: g.server, seq: g.seq });
  }
  return { flavour, domains };
}

export function formatPosition(p: Position): string {
  if (p.flavour === "mysql") return formatGtidSet(p.set);
  return [...p.domains.entries()]
    .sort(([a], [b]) => a - b)
    .map(([d, g]) => `${d}-${g.server}-${g.seq}`)
    .join(",");
}

/** The position after the transaction `gtid` (as zongji's event.gtid spells it for this flavour). */
export function advance(p: Position, gtid: string): Position {
  if (p.flavour === "mysql") return { flavour: "mysql", set: union(p.set, parseGtidSet(gtid)) };
  const g = mariaGtid(gtid);
  const domains = new Map(p.domains);
  const prior = domains.get(g.domain);
  if (!prior || g.seq > prior.seq) domains.set(g.domain, { server: g.server, seq: g.seq });
  return { flavour: "mariadb", domains };
}

/** True when `applied` includes every transaction of `target`. */
export function reached(applied: Position, target: Position): boolean {
  if (applied.flavour === "mysql" && target.flavour === "mysql") return isSubset(target.set, applied.set);
  if (applied.flavour === "mariadb" && target.flavour === "mariadb") {
    for (const [domain, g] of target.domains) {
      const a = applied.domains.get(domain);
      if (!a || a.seq < g.seq) return false;
    }
    return true;
  }
  throw new Error("positions of a MySQL and a MariaDB server cannot be compared");
}

/**
 * The server's current position: everything committed so far. MySQL: @@GLOBAL.gtid_executed. MariaDB:
 * @@GLOBAL.gtid_binlog_pos (the last GTID written to its binlog per domain; gtid_current_pos would also count
 * transactions a replica applied without logging them).
 */
export async function currentPosition(conn: Pick<Connection, "query">, flavour: Flavour): Promise<Position> {
  const variable = flavour === "mysql" ? "@@GLOBAL.gtid_executed" : "@@GLOBAL.gtid_binlog_pos";
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT ${variable} AS p`);
  return parsePosition(flavour, String(rows[0]?.p ?? ""));
}
