-- The public record of each consultation: a hash chain of canonical JSON lines (docs/LEDGER.md).
-- `line` holds the exact bytes that are hashed and published; the other columns index it.
CREATE TABLE ledger_entries (
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    comment_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    line TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (consultation_id, seq)
);
-- A window event is recorded once per consultation, however many instances notice it (the head's
-- flags decide; this index is the backstop).
CREATE UNIQUE INDEX ledger_entries_once ON ledger_entries (consultation_id, kind)
    WHERE kind IN ('consultation_opened', 'consultation_closed', 'consultation_concluded');
CREATE INDEX ledger_entries_comment ON ledger_entries (comment_id, kind);

-- The newest entry of each chain, and which window events it records: the row every append locks
-- (FOR UPDATE on PostgreSQL; SQLite's write transaction excludes other writers anyway), so appends
-- to one consultation queue across instances, and an append reads its head in one lookup.
CREATE TABLE ledger_heads (
    consultation_id INTEGER PRIMARY KEY NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    opened BOOLEAN NOT NULL,
    closed BOOLEAN NOT NULL
);

-- Heads of the chain signed with the instance's Ed25519 key (settings: ledger_signing_key).
CREATE TABLE ledger_signatures (
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    head TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (consultation_id, seq)
);
