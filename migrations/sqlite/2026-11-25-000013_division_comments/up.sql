-- A comment may address one chapter or section (章/节) rather than an article or the whole draft.
ALTER TABLE comments ADD COLUMN division_id INTEGER REFERENCES divisions (id) ON DELETE CASCADE;
CREATE INDEX comments_division ON comments (division_id, created_at);
