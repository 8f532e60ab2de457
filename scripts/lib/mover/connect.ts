/**
 * The mover's connections: every value read exactly as text (BIGINT, DECIMAL, dates, JSON), in UTC, so a row read
 * from one shard and written to another, or decoded from the binlog, comes back byte for byte
 * (../shared/design/SLOT-MOVES.md, "Following the binlog from Node.js").
 */
import * as mysql from "mysql2/promise";
import type { MoveEndpoint, MoverSecrets } from "../../../infra/contracts/slotMoves";
import { MOVER_ACCOUNT } from "../../../infra/contracts/slotFence";
import { verifiedTls } from "../mysqlTls";

/** Options shared by queries and the binlog client (zongji takes mysql2's options and decodes rows the same way). */
export const EXACT_VALUES = {
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  jsonStrings: true,
  decimalNumbers: false,
  // TIMESTAMP values cross as UTC text: the session's time_zone below and the binlog decoder agree on it.
  timezone: "Z",
} as const;

export interface ShardLogin {
  shard: number;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The CA to verify the server's certificate with (move.json's tls.ca): TLS. Absent: plain (the stand-ins). */
  ca?: string;
}

/**
 * The mover account's login on `endpoint`'s shard, with its password from the Secret (and the CA to verify with,
 * when move.json has one); throws naming the shard.
 */
export function moverLogin(endpoint: MoveEndpoint, secrets: MoverSecrets, ca?: string): ShardLogin {
  const password = secrets[String(endpoint.shard)];
  if (!password) {
    throw new Error(`the mover secrets have no password for shard ${endpoint.shard}; the keys are shard ids`);
  }
  return {
    shard: endpoint.shard,
    host: endpoint.host,
    port: endpoint.port,
    user: MOVER_ACCOUNT,
    password,
    ...(ca !== undefined ? { ca } : {}),
  };
}

export function connectionOptions(login: ShardLogin): mysql.ConnectionOptions {
  return {
    host: login.host,
    port: login.port,
    user: login.user,
    password: login.password,
    ...EXACT_VALUES,
    connectTimeout: 10_000,
    multipleStatements: false,
    ...(login.ca !== undefined ? verifiedTls(login.ca, login.host, login.port) : {}),
  };
}

/** A connection with the session in UTC (TIMESTAMP text means the same instant on both shards). */
export async function connect(login: ShardLogin): Promise<mysql.Connection> {
  const conn = await mysql.createConnection(connectionOptions(login));
  try {
    await conn.query("SET time_zone = '+00:00'");
  } catch (e) {
    await conn.end().catch(() => undefined);
    throw e;
  }
  return conn;
}

/** "MySQL" or "MariaDB": GTIDs, positions and some variables differ (position.ts). */
export type Flavour = "mysql" | "mariadb";

export async function serverFlavour(conn: Pick<mysql.Connection, "query">): Promise<Flavour> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT VERSION() AS v");
  return /mariadb/i.test(String(rows[0]?.v)) ? "mariadb" : "mysql";
}
