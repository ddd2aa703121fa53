-- Applications, their photos, the append-only audit log, people and secrets, mail, forwarding.
-- Times are Unix milliseconds (BIGINT) and dates ISO text, so sqlx's Any driver reads both
-- backends the same way. The PostgreSQL twin of this file differs only where the dialects do.

CREATE TABLE applications (
    id              TEXT PRIMARY KEY,
    form_id         TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL,
    booth_id        TEXT,
    state           TEXT NOT NULL,
    contact_name    TEXT,
    email           TEXT,
    lang            TEXT NOT NULL DEFAULT 'ja',
    date_of_birth   TEXT,
    signature_cert  BIGINT,
    user_cert       BIGINT,
    braille         BIGINT,
    exception_reason TEXT,
    photo_id        TEXT,
    -- set when every item is in (the booth sends all at once; the web at step 3)
    completed_at    BIGINT,
    forward_batch   TEXT,
    forwarded_at    BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX applications_state ON applications (state, updated_at);

CREATE TABLE photos (
    id              TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    original_sha    TEXT,
    crop_sha        TEXT,
    verdict         TEXT NOT NULL,
    -- ",P9,P2," so a filter by rule is a LIKE on both backends
    failing_rules   TEXT NOT NULL,
    report          TEXT NOT NULL,
    original_purged_at BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX photos_application ON photos (application_id);

-- Every transition and decision. Append-only: the triggers refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    from_state      TEXT NOT NULL,
    to_state        TEXT NOT NULL,
    event           TEXT NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT,
    at              BIGINT NOT NULL
);
CREATE INDEX audit_log_application ON audit_log (application_id, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- A booth's retry with the same Idempotency-Key gets the first answer back.
CREATE TABLE idempotency (
    booth_id        TEXT NOT NULL,
    key             TEXT NOT NULL,
    request_sha     TEXT NOT NULL,
    status          BIGINT NOT NULL,
    body            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (booth_id, key)
);

CREATE TABLE booths (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    token_sha       TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
);

CREATE TABLE reviewers (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    disabled_at     BIGINT
);

-- Cookie sessions of reviewers and of applicants (after their one-time link).
CREATE TABLE sessions (
    token_sha       TEXT PRIMARY KEY,
    reviewer_id     TEXT REFERENCES reviewers (id),
    application_id  TEXT REFERENCES applications (id),
    csrf            TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);

CREATE TABLE links (
    token_sha       TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);

CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    application_id  TEXT REFERENCES applications (id),
    kind            TEXT NOT NULL,
    to_addr         TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT,
    failed_at       BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, failed_at, next_attempt_at);

CREATE TABLE forward_batches (
    id              TEXT PRIMARY KEY,
    created_at      BIGINT NOT NULL,
    synced_at       BIGINT,
    count           BIGINT NOT NULL
);
