CREATE TABLE comments (
    id INTEGER PRIMARY KEY NOT NULL,
    tracking TEXT NOT NULL UNIQUE,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    version_id INTEGER NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    author_name TEXT NOT NULL,
    stakeholder_type TEXT NOT NULL,
    organization_name TEXT,
    stance TEXT,
    body TEXT NOT NULL,
    proposed_text TEXT,
    visibility TEXT NOT NULL,
    state TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    dispute_token_hash TEXT NOT NULL UNIQUE,
    endorsements INTEGER NOT NULL,
    hidden_reason TEXT,
    hidden_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_article ON comments (article_id, state, created_at);
CREATE INDEX comments_consultation ON comments (consultation_id, created_at);
CREATE INDEX comments_author ON comments (author_id, created_at);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comments_duplicate ON comments (author_id, article_id, content_hash);

CREATE TABLE endorsements (
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, user_id)
);

CREATE TABLE disputes (
    id INTEGER PRIMARY KEY NOT NULL,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);
CREATE INDEX disputes_comment ON disputes (comment_id);
