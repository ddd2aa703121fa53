//! Hands complete, accepted applications to the issuer: a batch folder in the outbox with one
//! crop JPEG per application and a manifest. An application is marked forwarded only after its
//! batch is on disk (files and folders fsynced). A batch interrupted by a crash is written
//! again, whole, at the next run; the issuer only ever sees finished folders (renamed into
//! place last).

use std::fs;
use std::path::Path;

use chrono::Utc;
use serde_json::json;
use sqlx::Row;

use crate::application::{Actor, Event, State, Transition};
use crate::office::Office;
use crate::store::applications as apps;
use crate::store::photos::{sync_dir, write_durably};
use crate::store::{new_id, now_ms, Backend, StoreError};

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ForwardRun {
    pub batches: usize,
    pub forwarded: usize,
    /// Applications set aside with a reason (missing crop, crop outside F3-F4).
    pub held: usize,
    /// Batches that failed this time, each with its error; the others went on.
    pub failed: Vec<String>,
}

/// One run (by the singleton forward job, or `admin forward`): retries unfinished batches that
/// are due, then forms new ones until nothing is left. A failing batch is recorded with its
/// error and retried later on its own schedule; it never stops the others.
pub async fn run_once(office: &Office) -> Result<ForwardRun, StoreError> {
    let mut run = ForwardRun::default();
    let unfinished: Vec<String> = sqlx::query(
        "SELECT id FROM forward_batches WHERE synced_at IS NULL AND next_attempt_at <= $1 \
         ORDER BY created_at",
    )
    .bind(now_ms())
    .fetch_all(&office.db.pool)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    for batch in unfinished {
        attempt(office, &batch, &mut run).await?;
    }
    // Bounded, so a stream of new applications cannot keep one run going for ever.
    for _ in 0..100 {
        let Some(batch) = claim_batch(office).await? else {
            break;
        };
        attempt(office, &batch, &mut run).await?;
    }
    Ok(run)
}

async fn attempt(office: &Office, batch: &str, run: &mut ForwardRun) -> Result<(), StoreError> {
    match finish_batch(office, batch, run).await {
        Ok(n) => {
            run.forwarded += n;
            run.batches += 1;
        }
        Err(e) => {
            let message = format!("batch {batch}: {e}");
            tracing::error!(error = %message, "forwarding a batch failed; the others go on");
            sqlx::query(
                "UPDATE forward_batches SET attempts = attempts + 1, last_error = $1, \
                 next_attempt_at = $2 WHERE id = $3",
            )
            .bind(&message)
            .bind(now_ms() + 30_000)
            .bind(batch)
            .execute(&office.db.pool)
            .await?;
            run.failed.push(message);
        }
    }
    Ok(())
}

/// Assigns up to `forward_batch` ready applications to a new batch, in one transaction. From
/// here until the batch is written the applications take no new photo and no decision
/// (`lock_unclaimed`). On PostgreSQL rows another claim holds are skipped, not waited for.
async fn claim_batch(office: &Office) -> Result<Option<String>, StoreError> {
    let mut tx = office.db.begin().await?;
    let lock = match office.db.backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let ids: Vec<String> = sqlx::query(&format!(
        "SELECT id FROM applications WHERE state IN ('auto_accepted', 'accepted') \
         AND completed_at IS NOT NULL AND forward_batch IS NULL AND forward_hold IS NULL \
         ORDER BY updated_at LIMIT $1{lock}"
    ))
    .bind(office.config.forward_batch.max(1))
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(None);
    }
    let batch = format!("{}-{}", Utc::now().format("%Y%m%dT%H%M%SZ"), &new_id()[..8]);
    sqlx::query("INSERT INTO forward_batches (id, created_at, count) VALUES ($1, $2, $3)")
        .bind(&batch)
        .bind(now_ms())
        .bind(ids.len() as i64)
        .execute(&mut *tx)
        .await?;
    let mut claimed = 0;
    for id in &ids {
        // Only if still unclaimed and still accepted: a retake may have committed meanwhile.
        claimed += sqlx::query(
            "UPDATE applications SET forward_batch = $1 WHERE id = $2 AND forward_batch IS NULL \
             AND state IN ('auto_accepted', 'accepted')",
        )
        .bind(&batch)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    if claimed == 0 {
        return Ok(None); // rolled back
    }
    tx.commit().await?;
    Ok(Some(batch))
}

/// Sets an application aside from forwarding with the reason (and takes it out of its batch),
/// so one bad application neither blocks its batch nor is retried for ever. Counts it in `run`
/// only when this call set it aside: a second writer of the same batch finds it held already.
async fn hold(
    office: &Office,
    id: &str,
    reason: &str,
    run: &mut ForwardRun,
) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE applications SET forward_hold = $1, forward_batch = NULL WHERE id = $2 \
         AND forwarded_at IS NULL AND forward_hold IS NULL",
    )
    .bind(reason)
    .bind(id)
    .execute(&office.db.pool)
    .await?;
    if done.rows_affected() > 0 {
        tracing::error!(application = %id, reason, "application held back from forwarding");
        run.held += 1;
    }
    Ok(())
}

/// F3 and F4 of the photo rules on the crop the issuer would get: the file size and the pixel
/// size. A reviewer's accept waives what a person may judge, never these.
fn check_crop(bytes: &[u8]) -> Result<(), String> {
    let crop = crate::vetting::Profile::default().crop;
    if bytes.len() < crop.min_bytes || bytes.len() > crop.max_bytes {
        return Err(format!(
            "F3: the crop is {} bytes (allowed {}-{})",
            bytes.len(),
            crop.min_bytes,
            crop.max_bytes
        ));
    }
    let (w, h) =
        image::ImageReader::with_format(std::io::Cursor::new(bytes), image::ImageFormat::Jpeg)
            .into_dimensions()
            .map_err(|e| format!("F4: the crop is not a readable JPEG: {e}"))?;
    // [official] F4: width and height each 480-6000 px.
    if !(480..=6000).contains(&w) || !(480..=6000).contains(&h) {
        return Err(format!("F4: the crop is {w}x{h} px (each side 480-6000)"));
    }
    Ok(())
}

/// Writes the batch folder and then marks its applications forwarded. Its content depends only
/// on the database (the batch's time, its applications and their photos), so two instances
/// that both write it (one paused past its lease) write the same folder, and the rename into
/// place happens once.
async fn finish_batch(
    office: &Office,
    batch: &str,
    run: &mut ForwardRun,
) -> Result<usize, StoreError> {
    let mut conn = office.db.pool.acquire().await?;
    let created_at: i64 = sqlx::query("SELECT created_at FROM forward_batches WHERE id = $1")
        .bind(batch)
        .fetch_one(&mut *conn)
        .await?
        .try_get("created_at")?;
    let ids: Vec<String> =
        sqlx::query("SELECT id FROM applications WHERE forward_batch = $1 ORDER BY form_id")
            .bind(batch)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut entries = Vec::new();
    let mut included = Vec::new();
    for id in &ids {
        let app = apps::by_id(&mut conn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("application {id} vanished")))?;
        if !matches!(
            app.state,
            State::AutoAccepted | State::Accepted | State::Forwarded
        ) {
            // Not ready any more (cannot happen with lock_unclaimed; be safe): let it go.
            sqlx::query("UPDATE applications SET forward_batch = NULL WHERE id = $1")
                .bind(id)
                .execute(&mut *conn)
                .await?;
            continue;
        }
        let photo = match &app.photo_id {
            Some(p) => apps::photo(&mut conn, p).await?,
            None => None,
        };
        let tail = apps::mask_form_id(&app.form_id);
        let crop_file = match (
            &app.photo_id,
            photo.as_ref().and_then(|p| p.crop_sha.clone()),
        ) {
            (None, _) => None, // age 0: no photo required
            (Some(_), None) => {
                hold(office, id, "F5: the photo has no issuer crop", run).await?;
                continue;
            }
            (Some(_), Some(sha)) => {
                let photos = office.photos.clone();
                let key = sha.clone();
                let got = tokio::task::spawn_blocking(move || photos.get(&key))
                    .await
                    .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
                let bytes = match got {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        let reason = format!(
                            "the crop {sha} of application {tail} is missing from the photo \
                             store ({})",
                            office.photos.describe()
                        );
                        hold(office, id, &reason, run).await?;
                        continue;
                    }
                    Err(e) => {
                        return Err(StoreError::Io(std::io::Error::other(format!(
                            "reading the crop {sha} of application {tail} from {}: {e}",
                            office.photos.describe()
                        ))))
                    }
                };
                if let Err(reason) = check_crop(&bytes) {
                    hold(office, id, &reason, run).await?;
                    continue;
                }
                let name = format!("{}.jpg", app.form_id);
                files.push((name.clone(), bytes));
                Some(json!({"file": name, "sha256": sha}))
            }
        };
        let reviewed = app.state == State::Accepted
            || (app.state == State::Forwarded && app_was_reviewed(&mut conn, id).await?);
        included.push(id.clone());
        entries.push(json!({
            "form_id": app.form_id,
            "channel": app.channel,
            "date_of_birth": app.date_of_birth,
            "user_certificate": app.user_cert,
            "signature_certificate": app.signature_cert,
            "braille": app.braille,
            "exception_reason": app.exception_reason,
            "photo": crop_file,
            "photo_decision": if app.photo_id.is_none() { "not_required_age_0" }
                else if reviewed { "accepted_by_reviewer" } else { "accepted_automatically" },
        }));
    }
    drop(conn);
    if included.is_empty() {
        // Everything was held back: the batch is empty and done.
        sqlx::query("UPDATE forward_batches SET synced_at = $1, count = 0 WHERE id = $2")
            .bind(now_ms())
            .bind(batch)
            .execute(&office.db.pool)
            .await?;
        return Ok(0);
    }
    let created = chrono::DateTime::from_timestamp_millis(created_at)
        .unwrap_or_default()
        .to_rfc3339();
    let manifest = json!({
        "batch": batch,
        "created_at": created,
        "count": entries.len(),
        "applications": entries,
    });
    let outbox = office.config.outbox_dir();
    let batch_name = batch.to_string();
    tokio::task::spawn_blocking(move || write_batch(&outbox, &batch_name, &files, &manifest))
        .await
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
    // On disk: now the state may say so.
    let mut tx = office.db.begin().await?;
    let mut forwarded = 0;
    for id in &included {
        let Some(app) = apps::by_id(&mut tx, id).await? else {
            continue;
        };
        if !matches!(app.state, State::AutoAccepted | State::Accepted) {
            continue; // forwarded by an earlier, interrupted run
        }
        let t = Transition::record(app.state, Event::Forwarded, Actor::System, Utc::now())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        match apps::apply_transition(&mut tx, id, &t).await {
            Ok(()) => {}
            // Another writer of this batch (one paused past its lease) marked it first.
            Err(apps::MoveError::Stale(State::Forwarded)) => continue,
            Err(e) => return Err(StoreError::Corrupt(e.to_string())),
        }
        sqlx::query("UPDATE applications SET forwarded_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        forwarded += 1;
    }
    sqlx::query(
        "UPDATE forward_batches SET synced_at = $1, count = $2, last_error = NULL WHERE id = $3",
    )
    .bind(now_ms())
    .bind(included.len() as i64)
    .bind(batch)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(batch, forwarded, "batch forwarded");
    Ok(forwarded)
}

/// For a batch written again after a crash: whether a reviewer accepted the photo.
async fn app_was_reviewed(conn: &mut sqlx::AnyConnection, id: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE application_id = $1 AND to_state = 'accepted'",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok(n > 0)
}

/// `OUTBOX/.BATCH.partial-RANDOM/` is filled and fsynced, then renamed to `OUTBOX/BATCH/`. The
/// outbox must be one folder shared by all instances: a second writer of the same batch finds
/// the folder in place (or loses the rename) and removes its own copy.
fn write_batch(
    outbox: &Path,
    batch: &str,
    files: &[(String, Vec<u8>)],
    manifest: &serde_json::Value,
) -> std::io::Result<()> {
    fs::create_dir_all(outbox)?;
    let done = outbox.join(batch);
    if done.exists() {
        return Ok(()); // written before a crash cut the database update short
    }
    let partial = outbox.join(format!(".{batch}.partial-{}", crate::store::random_hex(4)));
    fs::create_dir(&partial)?;
    for (name, bytes) in files {
        write_durably(&partial.join(name), bytes)?;
    }
    let text = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    write_durably(&partial.join("manifest.json"), &text)?;
    sync_dir(&partial)?;
    // rename(2) onto an existing non-empty folder fails: the first writer wins, once.
    if let Err(e) = fs::rename(&partial, &done) {
        fs::remove_dir_all(&partial)?;
        if !done.exists() {
            return Err(e);
        }
    }
    sync_dir(outbox)
}

/// Age in seconds of the oldest accepted, complete application not yet forwarded (0 if none).
pub async fn oldest_unforwarded_seconds(office: &Office) -> Result<f64, StoreError> {
    let row = sqlx::query(
        "SELECT MIN(updated_at) AS t FROM applications WHERE state IN ('auto_accepted', \
         'accepted') AND completed_at IS NOT NULL",
    )
    .fetch_one(&office.db.pool)
    .await?;
    let t: Option<i64> = row.try_get("t")?;
    Ok(t.map_or(0.0, |t| ((now_ms() - t).max(0)) as f64 / 1000.0))
}

/// Retention: originals of applications forwarded more than `retention_days` ago are purged
/// (the issuer has the crop, which stays for reviewers' history). The audit log stays.
pub async fn purge_originals(office: &Office) -> Result<usize, StoreError> {
    let cutoff = now_ms() - office.config.retention_days.max(0) * 86_400_000;
    let rows = sqlx::query(
        "SELECT p.id, p.original_sha FROM photos p JOIN applications a \
         ON a.id = p.application_id WHERE a.forwarded_at IS NOT NULL AND a.forwarded_at <= $1 \
         AND p.original_sha IS NOT NULL",
    )
    .bind(cutoff)
    .fetch_all(&office.db.pool)
    .await?;
    let mut purged = 0;
    for r in rows {
        let id: String = r.try_get("id")?;
        let shas: Vec<String> = r
            .try_get::<Option<String>, _>("original_sha")?
            .into_iter()
            .collect();
        sqlx::query(
            "UPDATE photos SET original_sha = NULL, original_purged_at = $1 \
             WHERE id = $2",
        )
        .bind(now_ms())
        .bind(&id)
        .execute(&office.db.pool)
        .await?;
        for sha in shas {
            // Content-addressed: another photo row may hold the same bytes.
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM photos WHERE original_sha = $1 OR crop_sha = $1",
            )
            .bind(&sha)
            .fetch_one(&office.db.pool)
            .await?
            .try_get("n")?;
            if n == 0 {
                let photos = office.photos.clone();
                tokio::task::spawn_blocking(move || photos.delete(&sha))
                    .await
                    .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
            }
        }
        purged += 1;
    }
    Ok(purged)
}
