-- Live games and what happened in them: written as the game runs, read by reports.
-- A game keeps a copy of the questions as they were played (quizzes.questions' JSON format, answers named
-- by their index in that list), so editing or deleting the quiz later does not change its reports.
CREATE TABLE games (
    id INTEGER PRIMARY KEY,
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    quiz_id INTEGER REFERENCES quizzes(id) ON DELETE SET NULL,
    class_id INTEGER REFERENCES classes(id) ON DELETE SET NULL,
    pin TEXT NOT NULL,
    title TEXT NOT NULL,
    questions TEXT NOT NULL,
    -- JSON: {"streaks":true,"podiumSize":3,"shuffleAnswers":false,"nicknameGenerator":false}
    options TEXT NOT NULL,
    -- lobby → running → finished; a game the service stopped during is 'interrupted' at the next start.
    status TEXT NOT NULL CHECK (status IN ('lobby', 'running', 'finished', 'interrupted')),
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER
);
CREATE INDEX games_by_teacher ON games (teacher_id, created_at DESC);
CREATE INDEX games_by_class ON games (class_id) WHERE class_id IS NOT NULL;

-- Players are numbered 1, 2, … in the order they joined; ranks break score ties by that order.
CREATE TABLE game_players (
    game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    player_id INTEGER NOT NULL,
    nickname TEXT NOT NULL,
    -- The roster student the player chose in a game played with a class.
    student_id INTEGER REFERENCES students(id) ON DELETE SET NULL,
    joined_at INTEGER NOT NULL,
    -- The index of the first question the player could answer (players may join after the start).
    first_question INTEGER NOT NULL,
    kicked INTEGER NOT NULL DEFAULT 0,
    -- Set when the game ends for players who had left (disconnected and not back) by then.
    left_early INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (game_id, player_id)
);
CREATE INDEX game_players_by_student ON game_players (student_id) WHERE student_id IS NOT NULL;

-- The questions that were asked, when their answers opened and when they closed.
CREATE TABLE game_questions (
    game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    question_index INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    PRIMARY KEY (game_id, question_index)
);

-- One row per accepted answer. answer is the JSON the player sent: a number (single, poll), an array of
-- answer indexes (multi), true/false (truefalse), a string (typeanswer) or the items' indexes in the
-- player's order (order). correct is NULL for polls. time_ms is the server-measured response time.
CREATE TABLE game_answers (
    game_id INTEGER NOT NULL,
    player_id INTEGER NOT NULL,
    question_index INTEGER NOT NULL,
    answer TEXT NOT NULL,
    correct INTEGER,
    points INTEGER NOT NULL,
    streak_bonus INTEGER NOT NULL,
    streak INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (game_id, player_id, question_index),
    FOREIGN KEY (game_id, player_id) REFERENCES game_players(game_id, player_id) ON DELETE CASCADE
);
CREATE INDEX game_answers_by_question ON game_answers (game_id, question_index);
