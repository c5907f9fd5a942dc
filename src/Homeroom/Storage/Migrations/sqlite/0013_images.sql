-- Question images, stored in the database so that every server serves them. data is the re-encoded picture
-- (decoded, bounded to 1920 px, metadata gone), never the bytes as uploaded; hash is its SHA-256 (hex), the ETag,
-- and one teacher's same picture is stored once. touched_at moves when an image is uploaded and whenever a quiz
-- takes it up or lets it go: an image no quiz refers to is deleted a grace period after it was last touched.
CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    teacher_id INTEGER NOT NULL REFERENCES teachers(id) ON DELETE CASCADE,
    hash TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    touched_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX images_by_teacher_hash ON images (teacher_id, hash);
CREATE INDEX images_by_touched ON images (touched_at);

-- Which quizzes use which images (kept in step with quizzes.questions by the quiz writes): the references that keep
-- an image alive, and the way a public quiz's images become readable to everyone who can read the quiz.
CREATE TABLE quiz_images (
    quiz_id INTEGER NOT NULL REFERENCES quizzes(id) ON DELETE CASCADE,
    image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    PRIMARY KEY (quiz_id, image_id)
);
CREATE INDEX quiz_images_by_image ON quiz_images (image_id);
