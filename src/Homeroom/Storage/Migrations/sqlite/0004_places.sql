-- AUTOINCREMENT: a deleted place's id is never given to a new one (the in-memory index keys on ids).
CREATE TABLE places (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    address TEXT,
    category TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    phone TEXT,
    url TEXT,
    is_public INTEGER NOT NULL,
    time_zone TEXT NOT NULL,
    hours TEXT,
    -- From place_versions: every insert and update takes the next values, so each server's in-memory
    -- index can ask for everything that changed after the version it has.
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX places_by_teacher ON places (teacher_id, name);
CREATE INDEX places_by_version ON places (version);

CREATE TABLE place_versions (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO place_versions (id, value) VALUES (1, 0);

-- Deleted places (cascaded deletes included), for the other servers' indexes.
CREATE TABLE place_deletions (
    id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE INDEX place_deletions_by_version ON place_deletions (version);
CREATE TRIGGER places_deleted AFTER DELETE ON places BEGIN
    UPDATE place_versions SET value = value + 1 WHERE id = 1;
    INSERT OR REPLACE INTO place_deletions (id, version) SELECT old.id, value FROM place_versions WHERE id = 1;
END;

-- CSV imports run in the background; their progress and outcome are kept here for the page to poll.
CREATE TABLE place_imports (
    id INTEGER PRIMARY KEY,
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    file_name TEXT,
    bytes_total INTEGER NOT NULL,
    bytes_read INTEGER NOT NULL,
    rows_read INTEGER NOT NULL,
    imported INTEGER NOT NULL,
    problem_count INTEGER NOT NULL,
    problems TEXT NOT NULL,
    error TEXT,
    started_at INTEGER NOT NULL,
    -- Refreshed with every batch: a running import not heard of for a minute was interrupted.
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX place_imports_by_teacher ON place_imports (teacher_id, id);
