/**
 * The seed's data access layer (section 1.2) on @gamedb/client: save a player on the shard that owns the id, load
 * it from a replica, search every shard by name, and a status report per shard. A working example that the tests
 * run against stand-in servers (tests/integration/client-players.test.ts).
 */
import { ownedSlotsJoin } from "../../../infra/contracts/slotFence";
import type { GameDbClient, ShardStatus } from "../../src";

export interface Player {
  playerId: bigint;
  name: string;
  level: number;
  experience: bigint;
  /** Position and zone, stored as JSON. */
  locationData: Record<string, unknown> | null;
  lastUpdated?: Date;
}

export interface PlayerSearch {
  players: Pick<Player, "playerId" | "name" | "level">[];
  /** Shards that did not answer: their players are missing from `players`. */
  missingShards: { shard: number; error: string }[];
}

export interface ShardReport extends ShardStatus {
  /** Players on the shard (rows of slots it owns), or null when it did not answer. */
  players: number | null;
}

interface PlayerRow {
  player_id: string;
  name: string;
  level: number;
  experience: string;
  /** mysql2 parses a JSON column (MySQL's JSON type, MariaDB's JSON alias) unless typeCast says otherwise. */
  location_data: Record<string, unknown> | string | null;
  last_updated: Date;
}

export class PlayerStore {
  constructor(private readonly db: GameDbClient) {}

  /** Upsert on the owning shard's primary; `last_updated = NOW()`. */
  async savePlayer(p: Player): Promise<void> {
    // VALUES() works on MySQL 8.4 (deprecated, with a warning) and MariaDB; 8.4's row alias does not parse on MariaDB.
    await this.db.write(
      p.playerId,
      `INSERT INTO players (player_id, gamedb_slot, name, level, experience, location_data, last_updated)
       VALUES (?, ?, ?, ?, ?, ?, NOW())
       ON DUPLICATE KEY UPDATE name = VALUES(name), level = VALUES(level), experience = VALUES(experience),
         location_data = VALUES(location_data), last_updated = NOW()`,
      [
        p.playerId,
        this.db.slotOf(p.playerId),
        p.name,
        p.level,
        p.experience,
        p.locationData === null ? null : JSON.stringify(p.locationData),
      ],
    );
  }

  /** From a replica of the owning shard (eventual: a save may take a moment to show). */
  async loadPlayer(playerId: bigint, consistency: "eventual" | "strong" = "eventual"): Promise<Player | undefined> {
    const rows = await this.db.read<PlayerRow[]>(
      playerId,
      "SELECT player_id, name, level, experience, location_data, last_updated FROM players WHERE player_id = ?",
      [playerId],
      { consistency },
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      playerId: BigInt(row.player_id),
      name: row.name,
      level: row.level,
      experience: BigInt(row.experience),
      locationData: typeof row.location_data === "string" ? JSON.parse(row.location_data) : row.location_data,
      lastUpdated: row.last_updated,
    };
  }

  /** Every shard in parallel, by player id, at most `limit`; a shard that failed is named, not hidden. */
  async searchPlayersByName(pattern: string, limit: number): Promise<PlayerSearch> {
    const result = await this.db.scatter<{ player_id: string; name: string; level: number }>(
      `SELECT p.player_id, p.name, p.level FROM players AS p ${ownedSlotsJoin("p")}
       WHERE p.name LIKE ? ORDER BY p.player_id LIMIT ?`,
      [pattern, limit],
      { limit, orderBy: [{ column: "player_id" }], partial: true },
    );
    return {
      players: result.rows.map((r) => ({ playerId: BigInt(r.player_id), name: r.name, level: r.level })),
      missingShards: result.failed.map((f) => ({ shard: f.shard, error: f.error.message })),
    };
  }

  /** The seed's PrintShardStatus: per shard its Router, health and player count. */
  async shardStatus(): Promise<ShardReport[]> {
    const counts = await this.db.scatter<{ shard: number; players: string }>(
      `SELECT COUNT(*) AS players FROM players AS p ${ownedSlotsJoin("p")}`,
      [],
      { limit: 10_000, partial: true, shardColumn: "shard" },
    );
    const byShard = new Map(counts.rows.map((r) => [r.shard, Number(r.players)]));
    return this.db.status().map((s) => ({ ...s, players: byShard.get(s.shard) ?? null }));
  }
}
