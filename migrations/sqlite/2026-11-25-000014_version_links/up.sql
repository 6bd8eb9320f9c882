-- Which comments and responses motivated the change of an article in a revised version.
-- `article_id` is the article of the new version; the comment or response usually belongs to
-- the article it continues in the previous version.
CREATE TABLE change_comments (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, comment_id)
);
-- "This comment led to a change" is looked up by comment.
CREATE INDEX change_comments_comment ON change_comments (comment_id);

CREATE TABLE change_responses (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, response_id)
);

-- A split (part of an old article that continues elsewhere became this one) or a merge (an old
-- article that ends here was merged into this one), beyond the continuation by stable key.
CREATE TABLE article_lineage (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    source_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    PRIMARY KEY (article_id, source_id)
);
