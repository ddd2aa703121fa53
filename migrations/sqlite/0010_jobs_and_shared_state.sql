-- Issue 10: one job table for every background task, state shared by all instances (rate-limit
-- counters, drafts), forwarding that survives a bad batch, reviewer lockout and idle sessions.
-- The PostgreSQL twin of this file is identical.

-- A job is claimed by one instance with a lease it renews (heartbeat_at); a job whose heartbeat
-- is older than the lease goes back to 'queued'. Singleton jobs (forward, retention, sweep, mail)
-- carry a unique_key, so any instance may ensure they exist and only one row ever does.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    worker          TEXT,
    heartbeat_at    BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    max_attempts    BIGINT NOT NULL DEFAULT 5,
    run_at          BIGINT NOT NULL,
    unique_key      TEXT UNIQUE,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- A batch that fails is retried on its own schedule; the others go on.
ALTER TABLE forward_batches ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE forward_batches ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE forward_batches ADD COLUMN last_error TEXT;

-- Why an accepted application is not forwarded (a missing crop, a crop outside F3-F4); cleared
-- when a new photo arrives.
ALTER TABLE applications ADD COLUMN forward_hold TEXT;

-- Fixed-window counters, one row per purpose, key and window: shared by every instance.
CREATE TABLE rate_limits (
    bucket          TEXT PRIMARY KEY,
    count           BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX rate_limits_expiry ON rate_limits (expires_at);

-- What a visitor typed on a page without JavaScript, kept for the confirm step.
CREATE TABLE drafts (
    id              TEXT NOT NULL,
    page            TEXT NOT NULL,
    fields          TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (id, page)
);
CREATE INDEX drafts_age ON drafts (updated_at);

-- Sessions end after 30 idle minutes; sign-in failures back off per account.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT;
ALTER TABLE reviewers ADD COLUMN failed_logins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reviewers ADD COLUMN locked_until BIGINT;
