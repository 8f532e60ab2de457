-- The seed's players table (section 1.2), sharded by player_id: gamedb_slot holds the key's slot
-- (infra/contracts/slots.ts) and leads an index, so slot moves, checksums and the slot fence can work by slot.
-- gamedb:sharded players key=player_id
CREATE TABLE players (
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
) ENGINE=InnoDB;
