-- Digest subscriptions by e-mail, with or without an account: to a consultation, one of its
-- articles, or (consultation_id NULL) to new consultations, optionally of one topic or risk
-- tier. A row is deleted when its subscriber unsubscribes or when it was never confirmed within
-- seven days: nothing is kept about an address that did not ask for mail.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    consultation_id INTEGER REFERENCES consultations (id) ON DELETE CASCADE,
    article_id INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    topic TEXT,
    risk_tier TEXT,
    frequency TEXT NOT NULL,
    locale TEXT NOT NULL,
    confirm_hash TEXT UNIQUE,
    unsubscribe_nonce TEXT NOT NULL,
    unsubscribe_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP
);
-- A digest run walks the confirmed subscriptions of one frequency in id order.
CREATE INDEX subscriptions_due ON subscriptions (frequency, id) WHERE confirmed_at IS NOT NULL;
CREATE INDEX subscriptions_email ON subscriptions (email);
CREATE INDEX subscriptions_user ON subscriptions (user_id);
-- The one-click unsubscribe URL of a list mail (RFC 8058); NULL for every other mail.
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT;
