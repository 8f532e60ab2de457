-- Rolls back V0002: the game log and every partition of it (archives already in the bucket stay there).
DROP TABLE IF EXISTS game_logs;
