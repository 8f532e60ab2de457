/**
 * Where to read a shard's binlog: its Group Replication primary, found through the Router's read-write port
 * (performance_schema.replication_group_members, MEMBER_ROLE 'PRIMARY'; MEMBER_HOST is the member's report_host,
 * which gamedb sets to an address other hosts reach: infra/mysql/mycnf.ts). The binlog connection goes to the
 * member itself, not through the Router: MySQL Router routes client sessions, and its documentation lists no
 * support for the replication protocol (COM_BINLOG_DUMP_GTID) on routed ports. GTID sets are the same on every
 * member of a group, so after a failover the stream resumes from its checkpoint on the new primary.
 *
 * A server without Group Replication (the MariaDB stand-ins: no such table) is read where the mover connects.
 */
import type { Connection, RowDataPacket } from "mysql2/promise";
import type { ShardLogin } from "./connect";

export async function binlogLogin(conn: Pick<Connection, "query">, login: ShardLogin): Promise<ShardLogin> {
  let rows: RowDataPacket[] = [];
  try {
    [rows] = await conn.query<RowDataPacket[]>(
      "SELECT MEMBER_HOST AS host, MEMBER_PORT AS port FROM performance_schema.replication_group_members " +
        "WHERE MEMBER_ROLE = 'PRIMARY' AND MEMBER_STATE = 'ONLINE'",
    );
  } catch (e) {
    // ER_NO_SUCH_TABLE (1146): no Group Replication here.
    if ((e as { errno?: number }).errno !== 1146) throw e;
  }
  const primary = rows[0];
  if (!primary || !primary.host) return login;
  return { ...login, host: String(primary.host), port: Number(primary.port) };
}
