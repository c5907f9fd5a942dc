-- Live games and what happened in them: written as the game runs, read by reports.
-- A game keeps a copy of the questions as they were played (quizzes.questions' JSON format, answers named
-- by their index in that list), so editing or deleting the quiz later does not change its reports.
CREATE TABLE games (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    teacher_id BIGINT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    quiz_id BIGINT REFERENCES quizzes(id) ON DELETE SET NULL,
    class_id BIGINT REFERENCES classes(id) ON DELETE SET NULL,
    pin TEXT NOT NULL,
    title TEXT NOT NULL,
    questions TEXT NOT NULL,
    -- JSON: {"streaks":true,"podiumSize":3,"shuffleAnswers":false,"nicknameGenerator":false}
    options TEXT NOT NULL,
    -- lobby → running → finished; a game the service stopped during is 'interrupted' at the next start.
    status TEXT NOT NULL CHECK (status IN ('lobby', 'running', 'finished', 'interrupted')),
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    ended_at BIGINT
);
CREATE INDEX games_by_teacher ON games (teacher_id, created_at DESC);
CREATE INDEX games_by_class ON games (class_id) WHERE class_id IS NOT NULL;

-- Players are numbered 1, 2, … in the order they joined; ranks break score ties by that order.
CREATE TABLE game_players (
    game_id BIGINT NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    player_id INTEGER NOT NULL,
    nickname TEXT NOT NULL,
    -- The roster student the player chose in a game played with a class.
    student_id BIGINT REFERENCES students(id) ON DELETE SET NULL,
    joined_at BIGINT NOT NULL,
    -- The index of the first question the player could answer (players may join after the start).
    first_question INTEGER NOT NULL,
    kicked BOOLEAN NOT NULL DEFAULT FALSE,
    -- Set when the game ends for players who had left (disconnected and not back) by then.
    left_early BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (game_id, player_id)
);
CREATE INDEX game_players_by_student ON game_players (student_id) WHERE student_id IS NOT NULL;

-- The questions that were asked, when their answers opened and when they closed.
CREATE TABLE game_questions (
    game_id BIGINT NOT NULL REFERENCES games(id) ON DELETE CASCADE,
    question_index INTEGER NOT NULL,
    opened_at BIGINT NOT NULL,
    closed_at BIGINT,
    PRIMARY KEY (game_id, question_index)
);

-- One row per accepted answer. answer is the JSON the player sent: a number (single, poll), an array of
-- answer indexes (multi), true/false (truefalse), a string (typeanswer) or the items' indexes in the
-- player's order (order). correct is NULL for polls. time_ms is the server-measured response time.
CREATE TABLE game_answers (
    game_id BIGINT NOT NULL,
    player_id INTEGER NOT NULL,
    question_index INTEGER NOT NULL,
    answer TEXT NOT NULL,
    correct BOOLEAN,
    points INTEGER NOT NULL,
    streak_bonus INTEGER NOT NULL,
    streak INTEGER NOT NULL,
    time_ms INTEGER NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (game_id, player_id, question_index),
    FOREIGN KEY (game_id, player_id) REFERENCES game_players(game_id, player_id) ON DELETE CASCADE
);
CREATE INDEX game_answers_by_question ON game_answers (game_id, question_index);
