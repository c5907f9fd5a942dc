CREATE TABLE quizzes (
    id INTEGER PRIMARY KEY,
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    tags TEXT NOT NULL,
    visibility TEXT NOT NULL,
    -- The questions exactly as the API contract shapes them (JSON).
    questions TEXT NOT NULL,
    question_count INTEGER NOT NULL,
    -- Bumped by every change; the ETag, so concurrent edits are caught.
    version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- Lower-cased, accent-free text for search, made by the application so both databases match alike.
    search_title TEXT NOT NULL,
    search_body TEXT NOT NULL
);
CREATE INDEX quizzes_by_teacher ON quizzes (teacher_id, updated_at);
CREATE INDEX quizzes_by_visibility ON quizzes (visibility, updated_at);

CREATE TABLE quiz_favorites (
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    quiz_id INTEGER NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (teacher_id, quiz_id)
);
CREATE INDEX quiz_favorites_by_quiz ON quiz_favorites (quiz_id);

-- Full-text index (rowid = quiz id), kept in step with quizzes by triggers, cascaded deletes included.
CREATE VIRTUAL TABLE quiz_search USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER quizzes_search_insert AFTER INSERT ON quizzes BEGIN
    INSERT INTO quiz_search (rowid, title, body) VALUES (new.id, new.search_title, new.search_body);
END;
CREATE TRIGGER quizzes_search_update AFTER UPDATE OF search_title, search_body ON quizzes BEGIN
    DELETE FROM quiz_search WHERE rowid = old.id;
    INSERT INTO quiz_search (rowid, title, body) VALUES (new.id, new.search_title, new.search_body);
END;
CREATE TRIGGER quizzes_search_delete AFTER DELETE ON quizzes BEGIN
    DELETE FROM quiz_search WHERE rowid = old.id;
END;
