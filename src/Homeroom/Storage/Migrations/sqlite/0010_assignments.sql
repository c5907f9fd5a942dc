-- Assignments: a quiz students play at their own pace before a deadline (no host). Like games, an assignment
-- keeps a copy of the questions as assigned, so editing the quiz later does not change its report.
CREATE TABLE assignments (
    id INTEGER PRIMARY KEY,
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    quiz_id INTEGER REFERENCES quizzes(id) ON DELETE SET NULL,
    class_id INTEGER REFERENCES classes(id) ON DELETE SET NULL,
    -- The short code students type at /play or open as /a/{code}; unique among all assignments.
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    questions TEXT NOT NULL,
    -- JSON: {"timer":true,"shuffleQuestions":false,"shuffleAnswers":false,"attempts":1,"showAnswers":"at-end","classId":3}
    options TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    deadline INTEGER NOT NULL,
    -- Set when the teacher closes it early; after the deadline or once closed, nothing more is accepted.
    closed_at INTEGER
);
CREATE INDEX assignments_by_teacher ON assignments (teacher_id, created_at DESC);
CREATE INDEX assignments_by_class ON assignments (class_id) WHERE class_id IS NOT NULL;

-- One row per attempt ("player"), numbered 1, 2, … in the order attempts started. A participant is a roster
-- student (class assignments) or a nickname; attempt counts their attempts from 1.
CREATE TABLE assignment_players (
    assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    player_id INTEGER NOT NULL,
    nickname TEXT NOT NULL,
    participant TEXT NOT NULL,
    student_id INTEGER REFERENCES students(id) ON DELETE SET NULL,
    attempt INTEGER NOT NULL,
    -- SHA-256 of the continuation token the student's device holds (the token itself is never stored).
    token_hash TEXT NOT NULL UNIQUE,
    -- The code the teacher reads out so a roster student can continue on another device; devices counts them.
    resume_code TEXT NOT NULL,
    devices INTEGER NOT NULL DEFAULT 1,
    -- The order the questions are asked in (JSON array of question indexes) and where the student is in it.
    question_order TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    -- When the current question was shown (server time), null until it is.
    shown_at INTEGER,
    streak INTEGER NOT NULL DEFAULT 0,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    PRIMARY KEY (assignment_id, player_id),
    UNIQUE (assignment_id, participant, attempt)
);
CREATE INDEX assignment_players_by_student ON assignment_players (student_id) WHERE student_id IS NOT NULL;

-- One row per answer given, as game_answers. A question whose time ran out has no row (it counts as unanswered).
CREATE TABLE assignment_answers (
    assignment_id INTEGER NOT NULL,
    player_id INTEGER NOT NULL,
    question_index INTEGER NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER,
    points INTEGER NOT NULL,
    streak_bonus INTEGER NOT NULL,
    streak INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (assignment_id, player_id, question_index),
    FOREIGN KEY (assignment_id, player_id) REFERENCES assignment_players(assignment_id, player_id) ON DELETE CASCADE
);
