-- Rolls back V0001: the players table and its rows are gone (the fence triggers go with the table).
DROP TABLE IF EXISTS players;
