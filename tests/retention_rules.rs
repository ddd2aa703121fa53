//! Each retention rule on its own, through `admin purge` on the real binary (SQLite and
//! PostgreSQL): old personal data goes, fresh data stays, and the counts are printed per rule.

#[path = "support/service.rs"]
mod service;

use std::collections::HashMap;

use service::*;

fn counts(out: &str) -> HashMap<String, i64> {
    out.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(k, v)| (k.to_string(), v.trim().parse().unwrap_or(-1)))
        .collect()
}

fn exec(s: &Service, sql: &str) {
    s.sql_exec(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[test]
fn every_rule_purges_old_data_and_keeps_fresh() {
    for backend in backends() {
        let s = Service::start(backend, "rules");
        let now = chrono::Utc::now().timestamp_millis();
        let old = 1_000; // 1970: past every rule
        for (id, form, at) in [("new-app", "F-new", now), ("old-app", "F-old", old)] {
            exec(
                &s,
                &format!(
                    "INSERT INTO applications (id, form_id, channel, state, contact_name, email, \
                     date_of_birth, created_at, updated_at) VALUES ('{id}', '{form}', 'smartphone', \
                     'registered', 'Name', 'x@example.jp', '1990-01-01', {at}, {at})"
                ),
            );
            exec(
                &s,
                &format!(
                    "INSERT INTO mail_outbox (id, application_id, kind, to_addr, subject, body, \
                     next_attempt_at, sent_at, created_at) VALUES ('m-{id}', '{id}', 'completion', \
                     'x@example.jp', 'S', 'secret body', {at}, {at}, {at})"
                ),
            );
            exec(
                &s,
                &format!(
                    "INSERT INTO sessions (token_sha, csrf, created_at, expires_at) \
                     VALUES ('s-{id}', 'c', {at}, {})",
                    at + 3_600_000
                ),
            );
            exec(
                &s,
                &format!(
                    // (on the fresh application: the old one's links end with it)
                    "INSERT INTO links (token_sha, application_id, created_at, expires_at) \
                     VALUES ('l-{id}', 'new-app', {at}, {})",
                    at + 3_600_000
                ),
            );
            exec(
                &s,
                &format!(
                    "INSERT INTO idempotency (booth_id, key, request_sha, status, body, created_at) \
                     VALUES ('b', 'k-{id}', 'r', 201, '{{}}', {at})"
                ),
            );
            exec(
                &s,
                &format!(
                    "INSERT INTO drafts (id, page, fields, updated_at) VALUES ('d-{id}', 'start', \
                     '[]', {at})"
                ),
            );
            exec(
                &s,
                &format!(
                    "INSERT INTO rate_limits (bucket, count, expires_at) VALUES ('r-{id}', 1, {})",
                    at + 60_000
                ),
            );
        }
        // A forwarded application long ago, with its crop.
        exec(
            &s,
            &format!(
                "INSERT INTO applications (id, form_id, channel, state, photo_id, completed_at, \
                 forwarded_at, created_at, updated_at) VALUES ('fwd', 'F-fwd', 'booth', \
                 'forwarded', 'p1', {old}, {old}, {old}, {old})"
            ),
        );
        exec(
            &s,
            &format!(
                "INSERT INTO photos (id, application_id, original_sha, crop_sha, verdict, \
                 failing_rules, report, created_at) VALUES ('p1', 'fwd', NULL, '{}', 'accept', \
                 ',', '{{}}', {old})",
                "ab".repeat(32)
            ),
        );
        // Batch folders: one old, one fresh.
        let outbox = s.data_dir.join("outbox");
        for name in ["old-batch", "new-batch"] {
            std::fs::create_dir_all(outbox.join(name)).unwrap();
        }
        std::fs::File::open(outbox.join("old-batch"))
            .unwrap()
            .set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(10))
            .unwrap();

        let c = counts(&s.admin(&["purge"], None));
        assert_eq!(c["unfinished"], 1, "{c:?}");
        assert_eq!(c["mail"], 1, "{c:?}");
        assert_eq!(c["sessions"], 1, "{c:?}");
        assert_eq!(c["links"], 1, "{c:?}");
        assert_eq!(c["idempotency"], 1, "{c:?}");
        assert_eq!(c["drafts"], 1, "{c:?}");
        assert_eq!(c["rate_limits"], 1, "{c:?}");
        assert_eq!(c["crops"], 1, "{c:?}");
        assert_eq!(c["batch_folders"], 1, "{c:?}");

        // Old: gone or blanked; fresh: untouched.
        let q = |sql: &str| s.sql_i64(sql);
        assert_eq!(
            q(
                "SELECT COUNT(*) FROM applications WHERE id = 'old-app' AND state = 'withdrawn' \
               AND email IS NULL AND contact_name IS NULL AND date_of_birth IS NULL"
            ),
            1
        );
        assert_eq!(
            q("SELECT COUNT(*) FROM applications WHERE id = 'new-app' AND email IS NOT NULL"),
            1
        );
        assert_eq!(
            q("SELECT COUNT(*) FROM mail_outbox WHERE body = 'secret body'"),
            1
        );
        assert_eq!(q("SELECT COUNT(*) FROM sessions"), 1);
        assert_eq!(q("SELECT COUNT(*) FROM links"), 1);
        assert_eq!(q("SELECT COUNT(*) FROM idempotency"), 1);
        assert_eq!(q("SELECT COUNT(*) FROM drafts"), 1);
        assert_eq!(q("SELECT COUNT(*) FROM rate_limits"), 1);
        assert_eq!(
            q("SELECT COUNT(*) FROM photos WHERE id = 'p1' AND crop_sha IS NULL"),
            1
        );
        assert!(!outbox.join("old-batch").exists());
        assert!(outbox.join("new-batch").exists());
        // A second run finds nothing more.
        let again = counts(&s.admin(&["purge"], None));
        assert!(again.values().all(|n| *n == 0), "{again:?}");
    }
}
