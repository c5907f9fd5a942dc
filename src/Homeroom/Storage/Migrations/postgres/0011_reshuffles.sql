-- Every reshuffle of a class's fair round, kept (an undo marks it, never deletes it) so that the picker's history stays auditable.
CREATE TABLE reshuffles (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    class_id BIGINT NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    from_round INTEGER NOT NULL,
    at BIGINT NOT NULL,
    undone_at BIGINT
);
CREATE INDEX reshuffles_by_class ON reshuffles (class_id, id);
