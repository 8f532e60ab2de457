-- The seed's game log, split by day (issue 15 item 6): one partition per day of logged_at, created ahead and
-- archived then dropped past keepDays by the partition CronJob (gamedb:schema.partitioned). Rows of a day before
-- the first daily partition land in p_start. Every unique key holds the partitioning column (MySQL requires it).
-- gamedb:sharded game_logs key=player_id
CREATE TABLE game_logs (
  log_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  player_id BIGINT UNSIGNED NOT NULL,
  gamedb_slot SMALLINT UNSIGNED NOT NULL,
  logged_at DATETIME(3) NOT NULL,
  event VARCHAR(64) NOT NULL,
  data JSON NULL,
  PRIMARY KEY (log_id, logged_at),
  KEY gamedb_slot (gamedb_slot, player_id)
) ENGINE=InnoDB
PARTITION BY RANGE (TO_DAYS(logged_at)) (
  PARTITION p_start VALUES LESS THAN (TO_DAYS('2025-01-01'))
);
