-- Sign-in sessions: every cookie and bearer token names its session, and a session ended here (sign-out, a
-- password change ending the others) is refused by every server, however long the cookie or token has to run.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    teacher_id BIGINT NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    ended_at BIGINT
);

CREATE INDEX sessions_teacher ON sessions (teacher_id);
