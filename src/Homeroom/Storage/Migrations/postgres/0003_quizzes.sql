CREATE TABLE quizzes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    teacher_id BIGINT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    tags TEXT NOT NULL,
    visibility TEXT NOT NULL,
    -- The questions exactly as the API contract shapes them (JSON).
    questions TEXT NOT NULL,
    question_count INTEGER NOT NULL,
    -- Bumped by every change; the ETag, so concurrent edits are caught.
    version INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Lower-cased, accent-free text for search, made by the application so both databases match alike.
    search_title TEXT NOT NULL,
    search_body TEXT NOT NULL,
    search TSVECTOR GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'B')) STORED
);
CREATE INDEX quizzes_by_teacher ON quizzes (teacher_id, updated_at);
CREATE INDEX quizzes_by_visibility ON quizzes (visibility, updated_at);
CREATE INDEX quizzes_search ON quizzes USING GIN (search);

CREATE TABLE quiz_favorites (
    teacher_id BIGINT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    quiz_id BIGINT NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (teacher_id, quiz_id)
);
CREATE INDEX quiz_favorites_by_quiz ON quiz_favorites (quiz_id);
