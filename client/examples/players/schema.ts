/**
 * The seed's `players` table (section 1.2) as a sharded table: `gamedb_slot` (the slot of player_id) and an index
 * that begins with it, so a slot range can be copied, checksummed and fenced (infra/contracts/shardedTable.ts).
 * Every shard has the same table; the fence triggers (infra/contracts/slotFence.ts) guard its writes.
 */
import { fenceRowsSql, fenceSchemaSql, fenceTriggersSql, type SlotRun } from "../../../infra/contracts/slotFence";

export const PLAYERS_TABLE = "players";

export function playersTableSql(database: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS \`${database}\``,
    `CREATE TABLE IF NOT EXISTS \`${database}\`.players (
      player_id BIGINT UNSIGNED NOT NULL,
      gamedb_slot SMALLINT UNSIGNED NOT NULL,
      name VARCHAR(64) NOT NULL,
      level INT UNSIGNED NOT NULL DEFAULT 1,
      experience BIGINT UNSIGNED NOT NULL DEFAULT 0,
      location_data JSON NULL,
      last_updated TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
      PRIMARY KEY (player_id),
      KEY gamedb_slot (gamedb_slot, player_id),
      KEY name (name)
    ) ENGINE=InnoDB`,
  ];
}

/**
 * Everything one shard needs, in order: the table, the fence and its rows for `shard`, the triggers. Until the
 * schema runner (a later issue) installs this on every shard, tests and the demo run it themselves.
 */
export function shardSetupSql(database: string, shard: number, slotMap: readonly SlotRun[]): string[] {
  return [
    ...playersTableSql(database),
    ...fenceSchemaSql(),
    ...fenceRowsSql(shard, slotMap),
    ...fenceTriggersSql(database, PLAYERS_TABLE),
  ];
}
