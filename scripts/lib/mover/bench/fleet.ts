/**
 * The stand-ins of `npm run bench:move`: private MariaDB 10.11 servers (scripts/lib/standins/mariadb.ts) with the
 * binlog as the mover needs it (ROW, FULL images, FULL metadata; MariaDB always has GTIDs), the seed's `players`
 * table with the slot fence and its triggers (client/examples/players/schema.ts), and the mover account with the
 * grants the program gives it. The same setup as the mover's tests (tests/helpers/moveFleet.ts, which scripts may
 * not import), minus the inventory table: the figures are players rows.
 *
 * Shard 1 owns every slot (the source), shard 2 owns none (the target of every move), and a third server, shard 3,
 * owns every slot of its own fence and only serves the fence-trigger cost, away from the moves' binlogs.
 */
import { randomBytes } from "node:crypto";
import type * as mysql from "mysql2/promise";
import { shardSetupSql } from "../../../../client/examples/players/schema";
import { MOVER_ACCOUNT, type SlotRun } from "../../../../infra/contracts/slotFence";
import { MAX_SLOT } from "../../../../infra/contracts/slots";
import { MovePhase, MoveSpec, MoverSecrets, moveSpecSchema } from "../../../../infra/contracts/slotMoves";
import { MariaDbFleet, startMariaDbFleet } from "../../standins/mariadb";

export const DATABASE = "game";
export const SOURCE = 1;
export const TARGET = 2;
export const FENCE_BENCH = 3;

/** What the mover needs of a MariaDB binlog beyond the stand-ins' defaults, and what lets root create triggers. */
const MOVER_ARGS = ["--binlog-row-metadata=FULL", "--log-bin-trust-function-creators=1"];

/** What the program grants the mover account (infra/catalog/mysql.ts), in MariaDB's syntax (as moveFleet.ts). */
function moverGrants(password: string): string[] {
  return [
    `CREATE USER IF NOT EXISTS '${MOVER_ACCOUNT}'@'%' IDENTIFIED BY '${password}'`,
    `GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${MOVER_ACCOUNT}'@'%'`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON \`${DATABASE}\`.* TO '${MOVER_ACCOUNT}'@'%'`,
    `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON gamedb_meta.* TO '${MOVER_ACCOUNT}'@'%'`,
    `GRANT SELECT ON performance_schema.* TO '${MOVER_ACCOUNT}'@'%'`,
  ];
}

export interface BenchFleetOptions {
  /** InnoDB buffer pool per server (MB): the stand-ins' 64 MB default would not hold the seeded ranges. */
  bufferPoolMb: number;
}

export interface MoveBenchFleet {
  readonly fleet: MariaDbFleet;
  /** The shard's stand-in port on 127.0.0.1. */
  port(shard: number): number;
  /** A root connection to the shard's stand-in, in the game database, numbers exact. */
  root(shard: number, options?: mysql.ConnectionOptions): Promise<mysql.Connection>;
  /** A move of `slots` from shard 1 to shard 2. */
  spec(id: number, slots: { from: number; to: number }, phase: MovePhase, chunkRows?: number): MoveSpec;
  readonly secrets: MoverSecrets;
  readonly mariadbVersion: string;
  stop(): Promise<void>;
}

/** Starts the three stand-ins; `onFleet` gets the fleet as soon as it runs, so a failure during setup stops it. */
export async function startMoveBenchFleet(
  options: BenchFleetOptions,
  onFleet: (fleet: MariaDbFleet) => void,
): Promise<MoveBenchFleet> {
  const fleet = await startMariaDbFleet(3, {
    extraArgs: [...MOVER_ARGS, `--innodb-buffer-pool-size=${options.bufferPoolMb}M`],
  });
  onFleet(fleet);
  // A fresh password per run, sent only inside the connections (never on a command line or in the output).
  const password = randomBytes(18).toString("base64url");
  const server = (shard: number) => {
    const s = fleet.servers[shard - 1];
    if (!s) throw new Error(`no stand-in for shard ${shard}`);
    return s;
  };
  const moveMap: SlotRun[] = [{ from: 0, to: MAX_SLOT, shard: SOURCE }];
  const fenceMap: SlotRun[] = [{ from: 0, to: MAX_SLOT, shard: FENCE_BENCH }];
  let mariadbVersion = "";
  await Promise.all(
    [SOURCE, TARGET, FENCE_BENCH].map(async (shard) => {
      const conn = await server(shard).connect();
      try {
        const map = shard === FENCE_BENCH ? fenceMap : moveMap;
        for (const sql of [...shardSetupSql(DATABASE, shard, map), ...moverGrants(password)]) await conn.query(sql);
        const [[row]] = (await conn.query("SELECT VERSION() AS v")) as unknown as [[{ v: string }]];
        mariadbVersion = row.v;
      } finally {
        await conn.end();
      }
    }),
  );
  const endpoint = (shard: number) => ({ shard, host: "127.0.0.1", port: server(shard).port });
  return {
    fleet,
    port: (shard) => server(shard).port,
    root: (shard, extra = {}) =>
      server(shard).connect({ database: DATABASE, supportBigNumbers: true, bigNumberStrings: true, ...extra }),
    spec: (id, slots, phase, chunkRows) =>
      moveSpecSchema.parse({
        id,
        slots,
        phase,
        database: DATABASE,
        source: endpoint(SOURCE),
        target: endpoint(TARGET),
        ...(chunkRows === undefined ? {} : { throttle: { chunkRows } }),
      }),
    secrets: { [String(SOURCE)]: password, [String(TARGET)]: password },
    mariadbVersion,
    stop: () => fleet.stopAll(),
  };
}
