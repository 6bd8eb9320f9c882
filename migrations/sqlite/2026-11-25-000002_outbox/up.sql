CREATE TABLE outbox (
    id INTEGER PRIMARY KEY NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
-- Only unsent rows are ever looked for, so the index stays small as sent mail accumulates.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL;
