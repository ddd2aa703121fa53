//! One test per retention rule (issue 10, defect 9), at the library level on SQLite and, when
//! available, PostgreSQL: for each rule an old row (or file, or blob) is purged and a young one
//! is kept, and the rule's count says one. `retention_rules.rs` runs them all together through
//! `admin purge` on the real binary.

#[path = "support/service.rs"]
mod service;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use clap::Parser;
use mynumber_photo::config::Config;
use mynumber_photo::office::Office;
use mynumber_photo::retention::{self, Purged};
use mynumber_photo::store::now_ms;
use service::{backends, fresh_postgres, postgres_admin_url, unique, Backend};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    config: Config,
}

/// 1970: past every rule.
const OLD: i64 = 1_000;
const HOUR: i64 = 3_600_000;

fn config(dir: &Path, url: Option<&str>) -> Config {
    let mut args = vec![
        "x".to_string(),
        "--data-dir".into(),
        dir.display().to_string(),
    ];
    if let Some(u) = url {
        args.extend(["--database-url".into(), u.to_string()]);
    }
    Cli::parse_from(args).config
}

/// Runs `f` with a fresh office on each backend.
fn on_backends(tag: &str, f: impl AsyncFn(&Office, PathBuf)) {
    for backend in backends() {
        let name = unique(tag);
        let dir = std::env::temp_dir().join(format!("mnp-ret-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres(
                &postgres_admin_url().expect("PostgreSQL"),
                &name.to_lowercase(),
            )),
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let office = Office::open(config(&dir, url.as_deref())).await.unwrap();
            f(&office, dir.clone()).await;
        });
        let _ = std::fs::remove_dir_all(&dir);
    }
}

async fn exec(office: &Office, sql: &str) {
    sqlx::query(sql)
        .execute(&office.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(office: &Office, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&office.db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn purge(office: &Office) -> Purged {
    retention::run(office).await.unwrap()
}

/// An application created (and, when `forwarded`, forwarded) at `at`.
async fn application(office: &Office, id: &str, at: i64, forwarded: bool, completed: bool) {
    let (state, fwd, done) = match (forwarded, completed) {
        (true, _) => ("'forwarded'", at.to_string(), at.to_string()),
        (false, true) => ("'accepted'", "NULL".into(), at.to_string()),
        (false, false) => ("'registered'", "NULL".into(), "NULL".into()),
    };
    exec(
        office,
        &format!(
            "INSERT INTO applications (id, form_id, channel, state, contact_name, email, \
             date_of_birth, completed_at, forwarded_at, created_at, updated_at) VALUES ('{id}', \
             'F-{id}', 'smartphone', {state}, 'Name', 'x@example.jp', '1990-01-01', {done}, {fwd}, \
             {at}, {at})"
        ),
    )
    .await;
}

/// A photo row of `app` whose original and crop are real blobs in the photo store.
async fn photo(office: &Office, id: &str, app: &str, at: i64) -> (String, String) {
    let original = office
        .photos
        .put(format!("original of {id}").as_bytes())
        .unwrap();
    let crop = office
        .photos
        .put(format!("crop of {id}").as_bytes())
        .unwrap();
    exec(
        office,
        &format!(
            "INSERT INTO photos (id, application_id, original_sha, crop_sha, verdict, \
             failing_rules, report, created_at) VALUES ('{id}', '{app}', '{original}', '{crop}', \
             'accept', ',', '{{}}', {at})"
        ),
    )
    .await;
    (original, crop)
}

fn set_mtime(path: &Path, at: SystemTime) {
    std::fs::File::open(path).unwrap().set_modified(at).unwrap();
}

#[test]
fn unfinished_applications() {
    on_backends("unfinished", async |o, _| {
        application(o, "old", OLD, false, false).await;
        application(o, "young", now_ms(), false, false).await;
        application(o, "done", OLD, false, true).await;
        let (orig, _) = photo(o, "p-old", "old", OLD).await;
        assert_eq!(purge(o).await.unfinished, 1);
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM applications WHERE id = 'old' AND state = 'withdrawn' \
                 AND email IS NULL AND contact_name IS NULL AND date_of_birth IS NULL"
            )
            .await,
            1
        );
        assert!(o.photos.get(&orig).is_err(), "the photo blob is gone");
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM applications WHERE id IN ('young', 'done') \
                 AND email IS NOT NULL AND state <> 'withdrawn'"
            )
            .await,
            2,
            "a young unfinished and an old completed application are kept"
        );
    });
}

#[test]
fn originals_of_forwarded_applications() {
    on_backends("originals", async |o, _| {
        application(o, "old", OLD, true, true).await;
        application(o, "young", now_ms(), true, true).await;
        let (old_orig, _) = photo(o, "p-old", "old", OLD).await;
        let (young_orig, _) = photo(o, "p-young", "young", now_ms()).await;
        let p = purge(o).await;
        assert_eq!(p.originals, 1, "{p:?}");
        assert!(o.photos.get(&old_orig).is_err(), "old original deleted");
        assert!(o.photos.get(&young_orig).is_ok(), "young original kept");
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM photos WHERE id = 'p-old' AND original_sha IS NULL \
                 AND original_purged_at IS NOT NULL"
            )
            .await,
            1
        );
    });
}

#[test]
fn crops_of_long_forwarded_applications() {
    on_backends("crops", async |o, _| {
        application(o, "old", OLD, true, true).await;
        // Forwarded a month ago: past the originals' rule, inside the crops' year.
        application(o, "month", now_ms() - 30 * 24 * HOUR, true, true).await;
        let (_, old_crop) = photo(o, "p-old", "old", OLD).await;
        let (_, month_crop) = photo(o, "p-month", "month", now_ms()).await;
        let p = purge(o).await;
        assert_eq!(p.crops, 1, "{p:?}");
        assert!(o.photos.get(&old_crop).is_err(), "old crop deleted");
        assert!(o.photos.get(&month_crop).is_ok(), "a month-old crop kept");
        assert_eq!(
            count(o, "SELECT COUNT(*) FROM photos WHERE crop_sha IS NOT NULL").await,
            1
        );
    });
}

#[test]
fn sent_mail_bodies() {
    on_backends("mail", async |o, _| {
        for (id, at) in [("old", OLD), ("young", now_ms())] {
            exec(
                o,
                &format!(
                    "INSERT INTO mail_outbox (id, kind, to_addr, subject, body, next_attempt_at, \
                     sent_at, created_at) VALUES ('{id}', 'completion', 'x@example.jp', 'S', \
                     'secret body', {at}, {at}, {at})"
                ),
            )
            .await;
        }
        let p = purge(o).await;
        assert_eq!(p.mail, 1, "{p:?}");
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM mail_outbox WHERE id = 'old' AND body = '' AND to_addr = ''"
            )
            .await,
            1
        );
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM mail_outbox WHERE id = 'young' AND body = 'secret body'"
            )
            .await,
            1
        );
    });
}

/// A link mail holds a live one-time token: once a link written then has expired (30 minutes
/// by default) its body is blanked, and an unsent one is given up; a fresh one is kept (and
/// still sent).
#[test]
fn link_mails_outlive_no_link() {
    on_backends("linkmail", async |o, _| {
        let expired = now_ms() - HOUR;
        for (id, at) in [("expired", expired), ("fresh", now_ms())] {
            exec(
                o,
                &format!(
                    "INSERT INTO mail_outbox (id, kind, to_addr, subject, body, next_attempt_at, \
                     created_at) VALUES ('{id}', 'link', 'x@example.jp', 'S', \
                     'https://x/apply/link/TOKEN', {at}, {at})"
                ),
            )
            .await;
        }
        let p = purge(o).await;
        assert_eq!(p.link_mails, 1, "{p:?}");
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM mail_outbox WHERE id = 'expired' AND body = '' \
                 AND failed_at IS NOT NULL AND sent_at IS NULL"
            )
            .await,
            1,
            "the expired link mail is blanked and given up, not sent empty"
        );
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM mail_outbox WHERE id = 'fresh' AND body <> '' \
                 AND failed_at IS NULL"
            )
            .await,
            1
        );
    });
}

/// The `.eml` folder (the development transport) keeps no file longer than a link is valid.
#[test]
fn eml_files_outlive_no_link() {
    on_backends("eml", async |o, dir| {
        let mail = dir.join("mail");
        std::fs::create_dir_all(&mail).unwrap();
        std::fs::write(mail.join("old.eml"), "https://x/apply/link/TOKEN").unwrap();
        std::fs::write(mail.join("young.eml"), "https://x/apply/link/TOKEN").unwrap();
        // 31 minutes: past the default 30-minute link, far inside the 7 days of other mail.
        set_mtime(
            &mail.join("old.eml"),
            SystemTime::now() - Duration::from_secs(31 * 60),
        );
        let p = purge(o).await;
        assert_eq!(p.eml_files, 1, "{p:?}");
        assert!(!mail.join("old.eml").exists());
        assert!(mail.join("young.eml").exists());
    });
}

#[test]
fn sessions() {
    on_backends("sessions", async |o, _| {
        for (id, at) in [("old", OLD), ("young", now_ms())] {
            exec(
                o,
                &format!(
                    "INSERT INTO sessions (token_sha, csrf, created_at, expires_at) \
                     VALUES ('s-{id}', 'c', {at}, {})",
                    at + HOUR
                ),
            )
            .await;
        }
        assert_eq!(purge(o).await.sessions, 1);
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM sessions WHERE token_sha = 's-young'"
            )
            .await,
            1
        );
        assert_eq!(count(o, "SELECT COUNT(*) FROM sessions").await, 1);
    });
}

#[test]
fn links() {
    on_backends("links", async |o, _| {
        application(o, "app", now_ms(), false, false).await;
        for (id, at) in [("old", OLD), ("young", now_ms())] {
            exec(
                o,
                &format!(
                    "INSERT INTO links (token_sha, application_id, created_at, expires_at) \
                     VALUES ('l-{id}', 'app', {at}, {})",
                    at + HOUR
                ),
            )
            .await;
        }
        assert_eq!(purge(o).await.links, 1);
        assert_eq!(
            count(o, "SELECT COUNT(*) FROM links WHERE token_sha = 'l-young'").await,
            1
        );
        assert_eq!(count(o, "SELECT COUNT(*) FROM links").await, 1);
    });
}

#[test]
fn idempotency_rows() {
    on_backends("idem", async |o, _| {
        for (id, at) in [("old", OLD), ("young", now_ms())] {
            exec(
                o,
                &format!(
                    "INSERT INTO idempotency (booth_id, key, request_sha, status, body, \
                     created_at) VALUES ('b', 'k-{id}', 'r', 201, '{{}}', {at})"
                ),
            )
            .await;
        }
        assert_eq!(purge(o).await.idempotency, 1);
        assert_eq!(
            count(o, "SELECT COUNT(*) FROM idempotency WHERE key = 'k-young'").await,
            1
        );
        assert_eq!(count(o, "SELECT COUNT(*) FROM idempotency").await, 1);
    });
}

#[test]
fn drafts() {
    on_backends("drafts", async |o, _| {
        // 25 hours: past the 24-hour rule.
        for (id, at) in [("old", now_ms() - 25 * HOUR), ("young", now_ms())] {
            exec(
                o,
                &format!(
                    "INSERT INTO drafts (id, page, fields, updated_at) VALUES ('d-{id}', \
                     'start', '[]', {at})"
                ),
            )
            .await;
        }
        assert_eq!(purge(o).await.drafts, 1);
        assert_eq!(
            count(o, "SELECT COUNT(*) FROM drafts WHERE id = 'd-young'").await,
            1
        );
        assert_eq!(count(o, "SELECT COUNT(*) FROM drafts").await, 1);
    });
}

#[test]
fn rate_limit_rows() {
    on_backends("rates", async |o, _| {
        for (id, expires) in [("old", now_ms() - 1_000), ("young", now_ms() + 60_000)] {
            exec(
                o,
                &format!(
                    "INSERT INTO rate_limits (bucket, count, expires_at) VALUES ('r-{id}', 1, \
                     {expires})"
                ),
            )
            .await;
        }
        assert_eq!(purge(o).await.rate_limits, 1);
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM rate_limits WHERE bucket = 'r-young'"
            )
            .await,
            1
        );
        assert_eq!(count(o, "SELECT COUNT(*) FROM rate_limits").await, 1);
    });
}

#[test]
fn issuer_batch_folders() {
    on_backends("batches", async |o, dir| {
        let outbox = dir.join("outbox");
        for name in ["old-batch", "young-batch"] {
            std::fs::create_dir_all(outbox.join(name)).unwrap();
            std::fs::write(outbox.join(name).join("manifest.json"), "{}").unwrap();
        }
        // 31 days: past the 30-day rule.
        set_mtime(
            &outbox.join("old-batch"),
            SystemTime::now() - Duration::from_secs(31 * 86_400),
        );
        assert_eq!(purge(o).await.batch_folders, 1);
        assert!(!outbox.join("old-batch").exists());
        assert!(outbox.join("young-batch/manifest.json").exists());
    });
}

#[test]
fn finished_jobs() {
    on_backends("jobs", async |o, _| {
        for (id, state, at) in [
            ("old-done", "done", OLD),
            ("young-done", "done", now_ms()),
            ("old-queued", "queued", OLD),
        ] {
            exec(
                o,
                &format!(
                    "INSERT INTO jobs (id, kind, payload, state, run_at, max_attempts, \
                     created_at, finished_at) VALUES ('{id}', 'x', '{{}}', '{state}', {at}, 1, \
                     {at}, {at})"
                ),
            )
            .await;
        }
        assert_eq!(purge(o).await.jobs, 1);
        assert_eq!(
            count(o, "SELECT COUNT(*) FROM jobs WHERE id = 'old-done'").await,
            0
        );
        assert_eq!(
            count(
                o,
                "SELECT COUNT(*) FROM jobs WHERE id IN ('young-done', 'old-queued')"
            )
            .await,
            2,
            "a young finished job and an unfinished old one are kept"
        );
    });
}
