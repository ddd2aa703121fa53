//! Retention: every table and folder holding personal data has a rule (configured in
//! `config::Retention`), applied by the singleton retention job and by `admin purge`, which
//! prints the counts. The audit log stays (it holds states, not personal data).

use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use sqlx::Row;

use crate::application::{Actor, Event, Transition};
use crate::office::Office;
use crate::store::applications as apps;
use crate::store::{now_ms, StoreError};

const DAY: i64 = 86_400_000;

/// What one run removed, rule by rule.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Purged {
    /// Originals of applications forwarded more than `retention_days` ago.
    pub originals: usize,
    /// Crops of applications forwarded more than `keep_crops_days` ago.
    pub crops: usize,
    /// Applications never completed, withdrawn and blanked.
    pub unfinished: usize,
    /// Sent or given-up mail: bodies and recipients blanked.
    pub mail: usize,
    /// `.eml` files in the mail folder (kept no longer than a link is valid).
    pub eml_files: usize,
    /// Link mails older than a link's validity: body blanked, an unsent one given up.
    pub link_mails: usize,
    /// Expired sessions and links.
    pub sessions: usize,
    pub links: usize,
    pub idempotency: usize,
    pub drafts: usize,
    /// Batch folders in the issuer outbox.
    pub batch_folders: usize,
    /// Rate-limit counters past their window (no personal data beyond an address; kept short).
    pub rate_limits: usize,
    /// Finished one-off jobs (their payload and error may name an application).
    pub jobs: usize,
}

impl Purged {
    pub fn total(&self) -> usize {
        self.originals
            + self.crops
            + self.unfinished
            + self.mail
            + self.eml_files
            + self.link_mails
            + self.sessions
            + self.links
            + self.idempotency
            + self.drafts
            + self.batch_folders
            + self.rate_limits
            + self.jobs
    }
}

async fn exec(office: &Office, sql: &str, cutoff: i64) -> Result<usize, StoreError> {
    Ok(sqlx::query(sql)
        .bind(cutoff)
        .execute(&office.db.pool)
        .await?
        .rows_affected() as usize)
}

/// Deletes a blob unless another photo row still names it (content-addressed).
pub(crate) async fn delete_if_unused(office: &Office, sha: &str) -> Result<(), StoreError> {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM photos WHERE original_sha = $1 OR crop_sha = $1")
            .bind(sha)
            .fetch_one(&office.db.pool)
            .await?
            .try_get("n")?;
    if n == 0 {
        let photos = office.photos.clone();
        let sha = sha.to_string();
        tokio::task::spawn_blocking(move || photos.delete(&sha))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
    }
    Ok(())
}

/// Removes files in `dir` (not folders) older than `before`; how many.
fn remove_old_files(dir: &Path, before: SystemTime, folders: bool) -> std::io::Result<usize> {
    let mut n = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let meta = entry.metadata()?;
        if meta.modified()? >= before {
            continue;
        }
        if folders && meta.is_dir() && !entry.file_name().to_string_lossy().starts_with('.') {
            std::fs::remove_dir_all(entry.path())?;
            n += 1;
        } else if !folders && meta.is_file() {
            std::fs::remove_file(entry.path())?;
            n += 1;
        }
    }
    Ok(n)
}

fn ago(ms: i64) -> SystemTime {
    SystemTime::now() - Duration::from_millis(ms.max(0) as u64)
}

/// Applies every rule once.
pub async fn run(office: &Office) -> Result<Purged, StoreError> {
    let r = &office.config.retention;
    let now = now_ms();
    let mut p = Purged {
        originals: crate::forwarding::purge_originals(office).await?,
        ..Purged::default()
    };

    // Crops of long-forwarded applications.
    if r.keep_crops_days > 0 {
        let rows = sqlx::query(
            "SELECT p.id, p.crop_sha FROM photos p JOIN applications a ON a.id = p.application_id \
             WHERE a.forwarded_at IS NOT NULL AND a.forwarded_at <= $1 AND p.crop_sha IS NOT NULL",
        )
        .bind(now - r.keep_crops_days * DAY)
        .fetch_all(&office.db.pool)
        .await?;
        for row in rows {
            let id: String = row.try_get("id")?;
            let sha: String = row.try_get("crop_sha")?;
            sqlx::query("UPDATE photos SET crop_sha = NULL WHERE id = $1")
                .bind(&id)
                .execute(&office.db.pool)
                .await?;
            delete_if_unused(office, &sha).await?;
            p.crops += 1;
        }
    }

    // Applications never completed: withdrawn, personal fields blanked, photos removed.
    let stale: Vec<String> = sqlx::query(
        "SELECT id FROM applications WHERE completed_at IS NULL AND created_at <= $1 \
         AND state NOT IN ('withdrawn', 'forwarded')",
    )
    .bind(now - r.keep_unfinished_days.max(0) * DAY)
    .fetch_all(&office.db.pool)
    .await?
    .iter()
    .map(|row| row.try_get("id"))
    .collect::<Result<_, _>>()?;
    for id in stale {
        let mut tx = office.db.begin().await?;
        let Some(app) = apps::by_id(&mut tx, &id).await? else {
            continue;
        };
        let t = Transition::record(
            app.state,
            Event::Withdrawn {
                reason: Some("retention: never completed".into()),
            },
            Actor::System,
            Utc::now(),
        )
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        if apps::apply_transition(&mut tx, &id, &t).await.is_err() {
            continue; // it moved meanwhile; the next run looks again
        }
        sqlx::query(
            "UPDATE applications SET contact_name = NULL, email = NULL, date_of_birth = NULL, \
             exception_reason = NULL WHERE id = $1",
        )
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        let shas: Vec<(String, Option<String>, Option<String>)> =
            sqlx::query("SELECT id, original_sha, crop_sha FROM photos WHERE application_id = $1")
                .bind(&id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>((
                        row.try_get("id")?,
                        row.try_get("original_sha")?,
                        row.try_get("crop_sha")?,
                    ))
                })
                .collect::<Result<_, _>>()?;
        sqlx::query(
            "UPDATE photos SET original_sha = NULL, crop_sha = NULL, original_purged_at = $1 \
             WHERE application_id = $2",
        )
        .bind(now)
        .bind(&id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE application_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM links WHERE application_id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        for (_, o, c) in shas {
            for sha in [o, c].into_iter().flatten() {
                delete_if_unused(office, &sha).await?;
            }
        }
        p.unfinished += 1;
    }

    // Mail: what was sent (or given up) is blanked; the row stays for the counts.
    p.mail = exec(
        office,
        "UPDATE mail_outbox SET body = '', to_addr = '', subject = '' WHERE body <> '' \
         AND COALESCE(sent_at, failed_at) IS NOT NULL AND COALESCE(sent_at, failed_at) <= $1",
        now - r.keep_mail_days.max(0) * DAY,
    )
    .await?;
    // A link mail holds a live one-time token: once the link has expired its body is blanked,
    // and one still unsent is given up (its link is dead). `.eml` files cannot be told apart
    // without decoding them, and the folder is the development transport: every file goes once
    // a link written with it would have expired.
    let link_ms = office.config.link_minutes.max(1) * 60_000;
    p.link_mails = sqlx::query(
        "UPDATE mail_outbox SET body = '', \
         last_error = CASE WHEN sent_at IS NULL AND failed_at IS NULL \
         THEN 'the link expired before the mail could be sent' ELSE last_error END, \
         failed_at = CASE WHEN sent_at IS NULL THEN COALESCE(failed_at, $1) ELSE failed_at END \
         WHERE kind = 'link' AND body <> '' AND created_at <= $2",
    )
    .bind(now)
    .bind(now - link_ms)
    .execute(&office.db.pool)
    .await?
    .rows_affected() as usize;
    let mail_dir = office.config.mail_dir();
    let before = ago((r.keep_mail_days.max(0) * DAY).min(link_ms));
    p.eml_files = tokio::task::spawn_blocking(move || remove_old_files(&mail_dir, before, false))
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;

    let keep_sessions = now - r.keep_sessions_days.max(0) * DAY;
    p.sessions = exec(
        office,
        "DELETE FROM sessions WHERE expires_at <= $1",
        keep_sessions,
    )
    .await?;
    p.links = exec(
        office,
        "DELETE FROM links WHERE expires_at <= $1 OR used_at <= $1",
        keep_sessions,
    )
    .await?;
    p.idempotency = exec(
        office,
        "DELETE FROM idempotency WHERE created_at <= $1",
        now - r.keep_idempotency_days.max(0) * DAY,
    )
    .await?;
    p.drafts = exec(
        office,
        "DELETE FROM drafts WHERE updated_at <= $1",
        now - r.keep_drafts_hours.max(0) * 3_600_000,
    )
    .await?;
    p.rate_limits = exec(
        office,
        "DELETE FROM rate_limits WHERE expires_at <= $1",
        now,
    )
    .await?;

    p.jobs = exec(
        office,
        "DELETE FROM jobs WHERE unique_key IS NULL AND state IN ('done', 'failed') \
         AND finished_at <= $1",
        now - r.keep_jobs_days.max(0) * DAY,
    )
    .await?;

    // Batch folders the issuer has had long enough.
    let outbox = office.config.outbox_dir();
    let before = ago(r.keep_batches_days.max(0) * DAY);
    p.batch_folders = tokio::task::spawn_blocking(move || remove_old_files(&outbox, before, true))
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
    Ok(p)
}
