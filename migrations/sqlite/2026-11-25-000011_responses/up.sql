ALTER TABLE consultations ADD COLUMN concluded_at TIMESTAMP;

CREATE TABLE responses (
    id INTEGER PRIMARY KEY NOT NULL,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    decision TEXT NOT NULL,
    reasoning TEXT NOT NULL,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    published_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX responses_article ON responses (consultation_id, article_id);
-- NULLs are distinct in a unique index: one response to the draft as a whole needs its own.
CREATE UNIQUE INDEX responses_whole_draft ON responses (consultation_id) WHERE article_id IS NULL;

CREATE TABLE response_comments (
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    PRIMARY KEY (response_id, comment_id)
);
CREATE INDEX response_comments_comment ON response_comments (comment_id);

CREATE TABLE comment_triage (
    comment_id INTEGER PRIMARY KEY NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE themes (
    id INTEGER PRIMARY KEY NOT NULL,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX themes_name ON themes (consultation_id, name);

CREATE TABLE comment_themes (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    theme_id INTEGER NOT NULL REFERENCES themes (id) ON DELETE CASCADE,
    PRIMARY KEY (comment_id, theme_id)
);
CREATE INDEX comment_themes_theme ON comment_themes (theme_id, comment_id);

-- The dashboard counts top-level comments (the ones with a stance) by article, stakeholder type
-- and stance, and by day, from this index alone (an index-only scan on PostgreSQL).
CREATE INDEX comments_dashboard ON comments
    (consultation_id, article_id, stakeholder_type, stance, state, created_at)
    WHERE parent_id IS NULL;
CREATE INDEX comments_organizations ON comments (consultation_id, organization_name, state)
    WHERE parent_id IS NULL AND organization_name IS NOT NULL;
CREATE INDEX comments_endorsed ON comments (consultation_id, endorsements)
    WHERE parent_id IS NULL;
