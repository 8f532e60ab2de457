/**
 * Two or more shards for slot-move tests: MariaDB 10.11 STAND-INS (scripts/lib/standins/mariadb.ts) with the binlog
 * as the mover needs it (ROW, FULL images, FULL metadata; GTIDs are always on in MariaDB), the players table and an
 * inventory table (composite key, DECIMAL, binary and JSON values), the fence and its triggers, and the mover
 * account with the grants the program gives it. Shard 1 owns every slot; the others are new, empty shards.
 */
import type * as mysql from "mysql2/promise";
import { fenceTriggersSql, MOVER_ACCOUNT } from "../../infra/contracts/slotFence";
import { keySlot } from "../../infra/contracts/slots";
import type { MoveSpec, MovePhase } from "../../infra/contracts/slotMoves";
import { moveSpecSchema } from "../../infra/contracts/slotMoves";
import { DATABASE, ShardFleet, startShardFleet } from "./shardFleet";

export const MOVER_PASSWORD = "mover-test-password";

export const INVENTORY_SQL = [
  `CREATE TABLE IF NOT EXISTS \`${DATABASE}\`.inventory (
    player_id BIGINT UNSIGNED NOT NULL,
    item_id INT UNSIGNED NOT NULL,
    gamedb_slot SMALLINT UNSIGNED NOT NULL,
    qty INT NOT NULL,
    price DECIMAL(12,4) NOT NULL,
    tag VARBINARY(16) NULL,
    attrs JSON NULL,
    PRIMARY KEY (player_id, item_id),
    KEY gamedb_slot (gamedb_slot, player_id, item_id)
  ) ENGINE=InnoDB`,
  ...fenceTriggersSql(DATABASE, "inventory"),
];

/** What the program grants the mover account (infra/catalog/mysql.ts), on MariaDB's syntax. */
export const MOVER_GRANTS = [
  `CREATE USER IF NOT EXISTS '${MOVER_ACCOUNT}'@'%' IDENTIFIED BY '${MOVER_PASSWORD}'`,
  `GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '${MOVER_ACCOUNT}'@'%'`,
  `GRANT SELECT, INSERT, UPDATE, DELETE, TRIGGER ON \`${DATABASE}\`.* TO '${MOVER_ACCOUNT}'@'%'`,
  `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE ON gamedb_meta.* TO '${MOVER_ACCOUNT}'@'%'`,
  `GRANT SELECT ON performance_schema.* TO '${MOVER_ACCOUNT}'@'%'`,
];

export interface MoveFleet {
  shards: ShardFleet;
  admin(shard: number): Promise<mysql.Connection>;
  spec(phase: MovePhase, overrides?: Partial<MoveSpec>): MoveSpec;
  secrets: Record<string, string>;
  stop(): Promise<void>;
}

export async function startMoveFleet(spares = 1, range = { from: 0, to: 4095 }, id = 7): Promise<MoveFleet> {
  const shards = await startShardFleet(1, spares, {
    extraArgs: ["--binlog-row-metadata=FULL", "--log-bin-trust-function-creators=1"],
  });
  for (const shard of shards.shards) {
    const conn = await shards.admin(shard);
    for (const sql of [...INVENTORY_SQL, ...MOVER_GRANTS]) await conn.query(sql);
    await conn.end();
  }
  const endpoint = (shard: number) => ({ shard, host: "127.0.0.1", port: shards.server(shard).port });
  return {
    shards,
    admin: (shard) => shards.admin(shard),
    spec: (phase, overrides = {}) =>
      moveSpecSchema.parse({
        id,
        slots: range,
        phase,
        database: DATABASE,
        source: endpoint(1),
        target: endpoint(2),
        ...overrides,
      }),
    secrets: Object.fromEntries(shards.shards.map((s) => [String(s), MOVER_PASSWORD])),
    stop: () => shards.stop(),
  };
}

/** A player id whose slot is in (or out of) the range, from a counter. */
export function playerIn(range: { from: number; to: number }, inside: boolean, start: bigint): bigint {
  for (let id = start; ; id++) {
    const s = keySlot(id);
    if ((s >= range.from && s <= range.to) === inside) return id;
  }
}
