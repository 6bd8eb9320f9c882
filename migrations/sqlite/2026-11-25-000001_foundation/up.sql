CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE consultations (
    id INTEGER PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    title_en TEXT,
    issuer TEXT NOT NULL,
    issuer_en TEXT,
    summary TEXT NOT NULL,
    summary_en TEXT,
    risk_tier TEXT NOT NULL,
    topics TEXT NOT NULL,
    is_demo BOOLEAN NOT NULL,
    opens_at TIMESTAMP NOT NULL,
    closes_at TIMESTAMP NOT NULL,
    current_version_id INTEGER REFERENCES draft_versions (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX consultations_window ON consultations (opens_at, closes_at);

CREATE TABLE draft_versions (
    id INTEGER PRIMARY KEY NOT NULL,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    language TEXT NOT NULL,
    translation_of INTEGER REFERENCES draft_versions (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    preamble TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX draft_versions_number ON draft_versions (consultation_id, number, language);
CREATE INDEX draft_versions_translation ON draft_versions (translation_of);

CREATE TABLE divisions (
    id INTEGER PRIMARY KEY NOT NULL,
    version_id INTEGER NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES divisions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    number INTEGER NOT NULL,
    label TEXT NOT NULL,
    title TEXT NOT NULL,
    position INTEGER NOT NULL
);
CREATE INDEX divisions_version ON divisions (version_id, position);

CREATE TABLE articles (
    id INTEGER PRIMARY KEY NOT NULL,
    version_id INTEGER NOT NULL REFERENCES draft_versions (id) ON DELETE CASCADE,
    division_id INTEGER REFERENCES divisions (id) ON DELETE SET NULL,
    number INTEGER NOT NULL,
    label TEXT NOT NULL,
    body TEXT NOT NULL,
    position INTEGER NOT NULL,
    stable_key TEXT NOT NULL
);
CREATE UNIQUE INDEX articles_number ON articles (version_id, number);
CREATE INDEX articles_position ON articles (version_id, position);
