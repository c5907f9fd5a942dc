-- Live games that can move between servers (Homeroom:Cluster, docs/live-games.md "Several servers"): what a server
-- taking a game over needs that was only in the first server's memory. A player's rejoin token is kept as its
-- SHA-256 (base64url), never as it is; the join link the game showed is kept with the game.
ALTER TABLE game_players ADD COLUMN rejoin_hash TEXT;
ALTER TABLE games ADD COLUMN join_url TEXT;
