-- The latest health report of each booth (issue 12): one row per booth, replaced by each report.
-- oldest_pending_since is the booth's oldest unsent item's enqueue time as the service reckons it
-- (report time minus the reported age), so its age keeps growing while the booth is silent.
CREATE TABLE booth_health (
    booth_id              TEXT PRIMARY KEY REFERENCES booths(id),
    reported_at           BIGINT NOT NULL,
    version               TEXT NOT NULL,
    queue_length          BIGINT NOT NULL,
    pending               BIGINT NOT NULL,
    failed                BIGINT NOT NULL,
    oldest_pending_since  BIGINT,
    last_error            TEXT
);
