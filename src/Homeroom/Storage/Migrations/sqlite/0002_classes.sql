CREATE TABLE classes (
    id INTEGER PRIMARY KEY,
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    -- The fair picker's current round; picks of earlier rounds stay for the history.
    round INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX classes_by_teacher ON classes (teacher_id, archived, name);

-- Removed students keep their row (removed_at) so their picks and absences stay in the history.
CREATE TABLE students (
    id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    preferred_name TEXT,
    pronouns TEXT,
    notes TEXT,
    external_id TEXT,
    created_at INTEGER NOT NULL,
    removed_at INTEGER
);
CREATE INDEX students_by_class ON students (class_id, removed_at);

-- One row per student absent on a day (YYYY-MM-DD in the teacher's time zone).
CREATE TABLE absences (
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, day, student_id)
);

CREATE TABLE picks (
    id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    round INTEGER NOT NULL,
    -- How many students could have been drawn: each had a 1/eligible share of this call.
    eligible INTEGER NOT NULL,
    day TEXT NOT NULL,
    picked_at INTEGER NOT NULL,
    outcome TEXT,
    undone_at INTEGER
);
CREATE INDEX picks_by_class ON picks (class_id, id);
-- A student has at most one turn per fair round (a pick not undone, passed or marked absent): the
-- guarantee concurrent picks rely on, since a pick's read of the round happens before its write. It also
-- serves "who has had a turn in this round", whose queries repeat this predicate so it can be used.
CREATE UNIQUE INDEX picks_one_turn_per_round ON picks (class_id, round, student_id)
    WHERE mode = 'fair' AND undone_at IS NULL AND (outcome IS NULL OR outcome = 'answered');

CREATE TABLE groupings (
    id INTEGER PRIMARY KEY,
    class_id INTEGER NOT NULL REFERENCES classes(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    request TEXT NOT NULL
);
CREATE INDEX groupings_by_class ON groupings (class_id, id);

CREATE TABLE grouping_members (
    grouping_id INTEGER NOT NULL REFERENCES groupings(id) ON DELETE CASCADE,
    group_number INTEGER NOT NULL,
    student_id INTEGER NOT NULL REFERENCES students(id) ON DELETE CASCADE,
    PRIMARY KEY (grouping_id, student_id)
);
