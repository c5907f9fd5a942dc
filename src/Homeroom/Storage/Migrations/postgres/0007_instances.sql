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

-- PINs were unique per process only: before the index, keep the newest live game of each PIN.
UPDATE games SET status = 'interrupted', ended_at = (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT
WHERE status = 'running' AND EXISTS (
    SELECT 1 FROM games newer WHERE newer.pin = games.pin AND newer.status IN ('lobby', 'running') AND newer.id > games.id);
DELETE FROM games
WHERE status = 'lobby' AND EXISTS (
    SELECT 1 FROM games newer WHERE newer.pin = games.pin AND newer.status IN ('lobby', 'running') AND newer.id > games.id);

-- A PIN names at most one live game on the whole database (every server); a collision is drawn again.
CREATE UNIQUE INDEX games_live_pin ON games (pin) WHERE status IN ('lobby', 'running');
