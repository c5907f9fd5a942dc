-- Live games that can move between servers (Homeroom:Cluster, docs/live-games.md "Several servers"): what a server
-- taking a game over needs that was only in the first server's memory. A player's rejoin token is kept as its
-- SHA-256 (base64url), never as it is; the join link the game showed is kept with the game.
ALTER TABLE game_players ADD COLUMN rejoin_hash TEXT;
ALTER TABLE games ADD COLUMN join_url TEXT;

-- Orleans cluster membership (Microsoft.Orleans.Clustering.AdoNet 10.4): the tables, functions and named queries
-- its PostgreSQL provider runs. The provider reads every statement it issues from orleansquery, so the contract is
-- the query keys, their parameter names and the columns they return. Written for the provider's 10.x protocol
-- (atomic version-checked writes; no metadata column).
CREATE TABLE orleansquery (
    querykey VARCHAR(64) NOT NULL PRIMARY KEY,
    querytext VARCHAR(8000) NOT NULL
);

-- One row per cluster (deployment): the membership table's version, bumped by every change to membership.
CREATE TABLE orleansmembershipversiontable (
    deploymentid VARCHAR(150) NOT NULL PRIMARY KEY,
    timestamp TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    version INTEGER NOT NULL DEFAULT 0
);

-- One row per silo (server process run): its address, status (3 active, 6 dead), suspicions and liveness.
CREATE TABLE orleansmembershiptable (
    deploymentid VARCHAR(150) NOT NULL REFERENCES orleansmembershipversiontable (deploymentid),
    address VARCHAR(45) NOT NULL,
    port INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    siloname VARCHAR(150) NOT NULL,
    hostname VARCHAR(150) NOT NULL,
    status INTEGER NOT NULL,
    proxyport INTEGER NULL,
    suspecttimes VARCHAR(8000) NULL,
    starttime TIMESTAMPTZ(3) NOT NULL,
    iamalivetime TIMESTAMPTZ(3) NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

CREATE FUNCTION orleans_update_i_am_alive(
    deployment TEXT, silo_address TEXT, silo_port INTEGER, silo_generation INTEGER, alive_at TIMESTAMPTZ)
RETURNS VOID AS $$
    UPDATE orleansmembershiptable
    SET iamalivetime = GREATEST(iamalivetime, alive_at)
    WHERE deploymentid = deployment AND address = silo_address AND port = silo_port AND generation = silo_generation;
$$ LANGUAGE sql;

-- The membership writes answer 1 when they happened, 0 when the version they were based on is stale (the caller reads again).
CREATE FUNCTION orleans_insert_membership_version(deployment TEXT) RETURNS TABLE (row_count INTEGER) AS $$
DECLARE
    changed INTEGER;
BEGIN
    INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (deployment) ON CONFLICT (deploymentid) DO NOTHING;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN QUERY SELECT changed;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION orleans_insert_membership(
    deployment TEXT, silo_address TEXT, silo_port INTEGER, silo_generation INTEGER, silo_name TEXT, host_name TEXT,
    silo_status INTEGER, proxy_port INTEGER, start_time TIMESTAMPTZ, alive_at TIMESTAMPTZ, expected_version INTEGER)
RETURNS TABLE (row_count INTEGER) AS $$
DECLARE
    changed INTEGER;
BEGIN
    UPDATE orleansmembershipversiontable SET timestamp = now(), version = version + 1
    WHERE deploymentid = deployment AND version = expected_version AND version < 2147483647;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;
    INSERT INTO orleansmembershiptable (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
    VALUES (deployment, silo_address, silo_port, silo_generation, silo_name, host_name, silo_status, proxy_port, start_time, alive_at)
    ON CONFLICT (deploymentid, address, port, generation) DO NOTHING;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RAISE EXCEPTION 'silo already registered' USING ERRCODE = 'assert_failure';
    END IF;
    RETURN QUERY SELECT changed;
EXCEPTION
    WHEN assert_failure THEN
        RETURN QUERY SELECT 0;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION orleans_update_membership(
    deployment TEXT, silo_address TEXT, silo_port INTEGER, silo_generation INTEGER, silo_status INTEGER,
    suspect_times TEXT, alive_at TIMESTAMPTZ, expected_version INTEGER)
RETURNS TABLE (row_count INTEGER) AS $$
DECLARE
    changed INTEGER;
BEGIN
    UPDATE orleansmembershipversiontable SET timestamp = now(), version = version + 1
    WHERE deploymentid = deployment AND version = expected_version AND version < 2147483647;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RETURN QUERY SELECT 0;
        RETURN;
    END IF;
    UPDATE orleansmembershiptable
    SET status = silo_status, suspecttimes = suspect_times, iamalivetime = GREATEST(iamalivetime, alive_at)
    WHERE deploymentid = deployment AND address = silo_address AND port = silo_port AND generation = silo_generation;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed = 0 THEN
        RAISE EXCEPTION 'no such silo' USING ERRCODE = 'assert_failure';
    END IF;
    RETURN QUERY SELECT changed;
EXCEPTION
    WHEN assert_failure THEN
        RETURN QUERY SELECT 0;
END
$$ LANGUAGE plpgsql;

INSERT INTO orleansquery (querykey, querytext) VALUES
('UpdateIAmAlivetimeKey',
 'SELECT orleans_update_i_am_alive(@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime);'),
('InsertMembershipVersionKey',
 'SELECT * FROM orleans_insert_membership_version(@DeploymentId);'),
('InsertMembershipKey',
 'SELECT * FROM orleans_insert_membership(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version);'),
('UpdateMembershipKey',
 'SELECT * FROM orleans_update_membership(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);'),
('MembershipReadRowKey',
 'SELECT v.deploymentid AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
         m.siloname AS "SiloName", m.hostname AS "HostName", m.status AS "Status", m.proxyport AS "ProxyPort",
         m.suspecttimes AS "SuspectTimes", m.starttime AS "StartTime", m.iamalivetime AS "IAmAliveTime", v.version AS "Version"
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
  WHERE v.deploymentid = @DeploymentId;'),
('MembershipReadAllKey',
 'SELECT v.deploymentid AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
         m.siloname AS "SiloName", m.hostname AS "HostName", m.status AS "Status", m.proxyport AS "ProxyPort",
         m.suspecttimes AS "SuspectTimes", m.starttime AS "StartTime", m.iamalivetime AS "IAmAliveTime", v.version AS "Version"
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
  WHERE v.deploymentid = @DeploymentId;'),
('DeleteMembershipTableEntriesKey',
 'DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
  DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId;'),
('GatewaysQueryKey',
 'SELECT address AS "Address", proxyport AS "ProxyPort", generation AS "Generation" FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0;'),
('CleanupDefunctSiloEntriesKey',
 'DELETE FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND iamalivetime < @IAmAliveTime AND starttime < @IAmAliveTime
    AND COALESCE(suspecttimes, '''') = '''' AND status = 6;'),
('CleanupDefunctSiloEntryKey',
 'DELETE FROM orleansmembershiptable
  WHERE deploymentid = @DeploymentId AND status = 6 AND address = @Address AND port = @Port AND generation = @Generation
    AND iamalivetime = @IAmAliveTime AND starttime = @StartTime AND COALESCE(suspecttimes, '''') = COALESCE(@SuspectTimes, '''');');
