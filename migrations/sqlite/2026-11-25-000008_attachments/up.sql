CREATE TABLE attachments (
    id INTEGER PRIMARY KEY NOT NULL,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    file_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_comment ON attachments (comment_id);
