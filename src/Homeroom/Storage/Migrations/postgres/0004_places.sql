CREATE TABLE places (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    teacher_id BIGINT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT,
    category TEXT NOT NULL,
    lat DOUBLE PRECISION NOT NULL,
    lon DOUBLE PRECISION NOT NULL,
    phone TEXT,
    url TEXT,
    is_public BOOLEAN NOT NULL,
    time_zone TEXT NOT NULL,
    hours TEXT,
    -- From place_versions: every insert and update takes the next values, so each server's in-memory
    -- index can ask for everything that changed after the version it has. The counter row's lock makes
    -- versions commit in order.
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX places_by_teacher ON places (teacher_id, name);
CREATE INDEX places_by_version ON places (version);

CREATE TABLE place_versions (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO place_versions (id, value) VALUES (1, 0);

-- Deleted places (cascaded deletes included), for the other servers' indexes.
CREATE TABLE place_deletions (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE INDEX place_deletions_by_version ON place_deletions (version);
CREATE FUNCTION places_record_deletion() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE place_versions SET value = value + 1 WHERE id = 1;
    INSERT INTO place_deletions (id, version) SELECT OLD.id, value FROM place_versions WHERE id = 1
    ON CONFLICT (id) DO UPDATE SET version = excluded.version;
    RETURN OLD;
END
$$;
CREATE TRIGGER places_deleted AFTER DELETE ON places FOR EACH ROW EXECUTE FUNCTION places_record_deletion();

-- CSV imports run in the background; their progress and outcome are kept here for the page to poll.
CREATE TABLE place_imports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    teacher_id BIGINT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    file_name TEXT,
    bytes_total BIGINT NOT NULL,
    bytes_read BIGINT NOT NULL,
    rows_read BIGINT NOT NULL,
    imported BIGINT NOT NULL,
    problem_count BIGINT NOT NULL,
    problems TEXT NOT NULL,
    error TEXT,
    started_at BIGINT NOT NULL,
    -- Refreshed with every batch: a running import not heard of for a minute was interrupted.
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX place_imports_by_teacher ON place_imports (teacher_id, id);
