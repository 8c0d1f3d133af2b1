-- Deliveries of failure notifications to webhooks, for the Notifications page. The receiver is
-- the webhook's scheme, host and port only: its path or query may hold a token.
CREATE TABLE notification_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    event TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    store_id TEXT,
    store_name TEXT,
    receiver TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX notification_deliveries_updated ON notification_deliveries (updated_ms);
