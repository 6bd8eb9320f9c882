-- Comments posted but not yet chained into their consultation's public record. A post writes its
-- event here, in its own transaction and without touching the chain's head; a sequencer then
-- chains waiting events in batches (src/ledger/mod.rs), so posts to one consultation never queue
-- on its head row.
CREATE TABLE ledger_pending (
    id INTEGER PRIMARY KEY NOT NULL,
    consultation_id INTEGER NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    comment_id INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_pending_consultation ON ledger_pending (consultation_id, id);
CREATE INDEX ledger_pending_comment ON ledger_pending (comment_id);
