ALTER TABLE outbox DROP COLUMN list_unsubscribe;
DROP TABLE subscriptions;
