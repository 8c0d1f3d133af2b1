-- Update runs, their steps, and the audit log. No column ever holds a secret value.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    store_id TEXT NOT NULL,
    store_name TEXT NOT NULL,
    store_type TEXT NOT NULL,
    username TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    -- The change with secret values blanked (JSON of app::change::Change).
    change_json TEXT NOT NULL,
    -- The store's non-secret settings when the operator loaded the form (app::change::plan::Settings).
    before_json TEXT NOT NULL,
    state_before TEXT NOT NULL,
    error TEXT,
    rollback_of INTEGER REFERENCES runs(id),
    preflight TEXT
);

-- One run per store at a time.
CREATE UNIQUE INDEX runs_one_running_per_store ON runs(account, region, store_id) WHERE status = 'running';

CREATE TABLE run_steps (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    started_ms INTEGER,
    finished_ms INTEGER,
    message TEXT,
    PRIMARY KEY (run_id, idx)
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms INTEGER NOT NULL,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    account TEXT NOT NULL,
    region TEXT NOT NULL,
    store_id TEXT NOT NULL,
    store_name TEXT NOT NULL,
    run_id INTEGER,
    -- Comma-separated member names, never values.
    fields TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX audit_by_store ON audit(store_id, at_ms);
