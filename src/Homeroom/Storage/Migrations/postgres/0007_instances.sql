-- Several servers on one database. Each running server has a row here and beats (heartbeat_at) every few
-- seconds; a game records the server that holds it (owner_instance). A server whose beats have stopped is
-- gone, and any surviving server then marks its running games interrupted and drops its lobbies. Ids are per
-- process run; name is the server's stable name (a restart under the same name takes over at once).
CREATE TABLE instances (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);

ALTER TABLE games ADD COLUMN owner_instance TEXT;

-- Live games from before this migration have no owner: they were held by servers without heartbeats, which
-- interrupted every running game at their own start anyway. They are ended here, once; from now on only the games
-- of servers that are gone are. (This also clears PINs that were unique per process only, before the index.)
UPDATE games SET status = 'interrupted', ended_at = (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT WHERE status = 'running';
DELETE FROM games WHERE status = 'lobby';

-- A PIN names at most one live game on the whole database (every server); a collision is drawn again.
CREATE UNIQUE INDEX games_live_pin ON games (pin) WHERE status IN ('lobby', 'running');
