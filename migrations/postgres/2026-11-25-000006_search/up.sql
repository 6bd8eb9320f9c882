-- The inverted index behind /search: one row per distinct term of a document (a CJK character
-- bigram, a lone or run-final CJK character, or a lower-cased word). The primary key, led by the
-- term, answers "which documents contain this term"; the second index deletes a document's terms.
-- It leads with doc_id, not doc_kind: an index led by a column of two values would tempt SQLite's
-- planner (which has no statistics until ANALYZE) away from the term index for range look-ups.
-- COLLATE "C" orders terms by code point, as SQLite does, so a one-character query is a range
-- scan of the terms that start with that character whatever the database's locale.
CREATE TABLE search_terms (
    term TEXT COLLATE "C" NOT NULL,
    doc_kind TEXT NOT NULL,
    doc_id INTEGER NOT NULL,
    PRIMARY KEY (term, doc_kind, doc_id)
);
CREATE INDEX search_terms_doc ON search_terms (doc_id, doc_kind);
