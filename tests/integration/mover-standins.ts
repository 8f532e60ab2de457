/**
 * Shards for the mover's module tests (preflight, deletes, gate, `npm run move`): MariaDB 10.11 STAND-INS
 * (scripts/lib/standins/mariadb.ts) with the binlog as the mover needs it, the fence (infra/contracts/slotFence.ts)
 * installed from a slot map, a fenced `players` table (an unsigned BIGINT key, so values above 2^53 are exercised),
 * the control tables, and the mover account with the grants the brief gives it, its connections made with the
 * mover's own options (scripts/lib/mover/connect.ts: UTC, exact values). Root connections set things up.
 */
import type * as mysql from "mysql2/promise";
import {
  MOVER_ACCOUNT,
  SlotRun,
  fenceRowsSql,
  fenceSchemaSql,
  fenceTriggersSql,
} from "../../infra/contracts/slotFence";
import { connect } from "../../scripts/lib/mover/connect";
import { ensureControlTables } from "../../scripts/lib/mover/control";
import { MariaDbFleet, startMariaDbFleet } from "../../scripts/lib/standins/mariadb";

export const DATABASE = "game";
export const MOVER_PASSWORD = "mover-standin-password";
/** What the mover needs of a MariaDB binlog beyond the stand-ins' defaults, and what lets root create triggers. */
export const MOVER_ARGS = ["--binlog-row-metadata=FULL", "--log-bin-trust-function-creators=1"];

export const PLAYERS_SQL =
  `CREATE TABLE IF NOT EXISTS ${DATABASE}.players (gamedb_slot SMALLINT UNSIGNED NOT NULL, ` +
  "player_id BIGINT UNSIGNED NOT NULL, name VARCHAR(64) NULL, PRIMARY KEY (gamedb_slot, player_id)) ENGINE=InnoDB";

const GRANTS = [
  `CREATE USER IF NOT EXISTS '${MOVER_ACCOUNT}'@'%' IDENTIFIED BY '${MOVER_PASSWORD}'`,
  `GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${MOVER_ACCOUNT}'@'%'`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ${DATABASE}.* TO '${MOVER_ACCOUNT}'@'%'`,
  `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON gamedb_meta.* TO '${MOVER_ACCOUNT}'@'%'`,
];

export interface MoverStandins {
  fleet: MariaDbFleet;
  /** Shard ids 1..n, server i - 1. */
  shards: number[];
  port(shard: number): number;
  root(shard: number): Promise<mysql.Connection>;
  mover(shard: number): Promise<mysql.Connection>;
  stop(): Promise<void>;
}

export async function startMoverStandins(
  count: number,
  map: readonly SlotRun[],
  options: { extraArgs?: string[] } = {},
): Promise<MoverStandins> {
  const fleet = await startMariaDbFleet(count, { extraArgs: options.extraArgs ?? MOVER_ARGS });
  const opened: mysql.Connection[] = [];
  const track = async (c: Promise<mysql.Connection>) => {
    const conn = await c;
    opened.push(conn);
    return conn;
  };
  const server = (shard: number) => {
    const s = fleet.servers[shard - 1];
    if (!s) throw new Error(`no stand-in for shard ${shard}`);
    return s;
  };
  const shards = fleet.servers.map((_, i) => i + 1);
  await Promise.all(
    shards.map(async (shard) => {
      const conn = await server(shard).connect();
      for (const sql of [
        ...fenceSchemaSql(),
        ...fenceRowsSql(shard, map),
        `CREATE DATABASE IF NOT EXISTS ${DATABASE}`,
        PLAYERS_SQL,
        ...fenceTriggersSql(DATABASE, "players"),
        ...GRANTS,
      ]) {
        await conn.query(sql);
      }
      await conn.end();
    }),
  );
  const mover = (shard: number) =>
    track(
      connect({ shard, host: "127.0.0.1", port: server(shard).port, user: MOVER_ACCOUNT, password: MOVER_PASSWORD }),
    );
  for (const shard of shards) await ensureControlTables(await mover(shard));
  return {
    fleet,
    shards,
    port: (shard) => server(shard).port,
    root: (shard) => track(server(shard).connect({ supportBigNumbers: true, bigNumberStrings: true })),
    mover,
    async stop() {
      await Promise.all(opened.map((c) => c.end().catch(() => undefined)));
      await fleet.stopAll();
    },
  };
}

/** Inserts `perSlot` players per slot of `range`, through `conn` (the mover's: the triggers let it write anywhere). */
export async function fillPlayers(
  conn: mysql.Connection,
  range: { from: number; to: number },
  perSlot: number,
  firstId = 2n ** 53n,
): Promise<number> {
  const rows: [number, string, string][] = [];
  let id = firstId;
  for (let slot = range.from; slot <= range.to; slot++) {
    for (let i = 0; i < perSlot; i++, id++) rows.push([slot, String(id), `p${id}`]);
  }
  for (let i = 0; i < rows.length; i += 5000) {
    await conn.query("INSERT INTO game.players (gamedb_slot, player_id, name) VALUES ?", [rows.slice(i, i + 5000)]);
  }
  return rows.length;
}

export async function countRows(conn: mysql.Connection, range: { from: number; to: number }): Promise<number> {
  const [rows] = await conn.query<mysql.RowDataPacket[]>(
    "SELECT COUNT(*) AS n FROM game.players WHERE gamedb_slot BETWEEN ? AND ?",
    [range.from, range.to],
  );
  return Number(rows[0]!.n);
}

export async function setFence(
  conn: mysql.Connection,
  range: { from: number; to: number },
  state: string,
  owner: number,
  epoch = 0,
): Promise<void> {
  await conn.query(
    "UPDATE gamedb_meta.slot_fence SET state = ?, owner_shard = ?, epoch = ? WHERE slot BETWEEN ? AND ?",
    [state, owner, epoch, range.from, range.to],
  );
}
