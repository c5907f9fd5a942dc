-- Every reshuffle of a class's fair round, kept (an undo marks it, never deletes it) so that the picker's history stays auditable.
CREATE TABLE reshuffles (
    id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    from_round INTEGER NOT NULL,
    at INTEGER NOT NULL,
    undone_at INTEGER
);
CREATE INDEX reshuffles_by_class ON reshuffles (class_id, id);
