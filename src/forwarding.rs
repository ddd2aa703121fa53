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
use crate::store::{new_id, now_ms, StoreError};

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ForwardRun {
    pub batches: usize,
    pub forwarded: usize,
}

/// One run: resumes unfinished batches, then forms new ones until nothing is left.
pub async fn run_once(office: &Office) -> Result<ForwardRun, StoreError> {
    let mut run = ForwardRun::default();
    let unfinished: Vec<String> =
        sqlx::query("SELECT id FROM forward_batches WHERE synced_at IS NULL ORDER BY created_at")
            .fetch_all(&office.db.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
    for batch in unfinished {
        run.forwarded += finish_batch(office, &batch).await?;
        run.batches += 1;
    }
    loop {
        let Some(batch) = claim_batch(office).await? else {
            break;
        };
        run.forwarded += finish_batch(office, &batch).await?;
        run.batches += 1;
    }
    Ok(run)
}

/// Assigns up to `forward_batch` ready applications to a new batch, in one transaction.
async fn claim_batch(office: &Office) -> Result<Option<String>, StoreError> {
    let mut tx = office.db.begin().await?;
    let ids: Vec<String> = sqlx::query(
        "SELECT id FROM applications WHERE state IN ('auto_accepted', 'accepted') \
         AND completed_at IS NOT NULL AND forward_batch IS NULL ORDER BY updated_at LIMIT $1",
    )
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
    for id in &ids {
        // Only if still unclaimed: another instance may have taken it meanwhile.
        sqlx::query(
            "UPDATE applications SET forward_batch = $1 WHERE id = $2 AND forward_batch IS NULL",
        )
        .bind(&batch)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Some(batch))
}

/// Writes the batch folder and then marks its applications forwarded.
async fn finish_batch(office: &Office, batch: &str) -> Result<usize, StoreError> {
    let mut conn = office.db.pool.acquire().await?;
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
    for id in &ids {
        let app = apps::by_id(&mut conn, id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("application {id} vanished")))?;
        let photo = match &app.photo_id {
            Some(p) => apps::photo(&mut conn, p).await?,
            None => None,
        };
        let crop_file = match photo.as_ref().and_then(|p| p.crop_sha.clone()) {
            Some(sha) => {
                let photos = office.photos.clone();
                let key = sha.clone();
                let bytes = tokio::task::spawn_blocking(move || photos.get(&key))
                    .await
                    .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
                let name = format!("{}.jpg", app.form_id);
                files.push((name.clone(), bytes));
                Some(json!({"file": name, "sha256": sha}))
            }
            None => None,
        };
        let reviewed = app.state == State::Accepted;
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
    let manifest = json!({
        "batch": batch,
        "created_at": Utc::now().to_rfc3339(),
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
    for id in &ids {
        let Some(app) = apps::by_id(&mut tx, id).await? else {
            continue;
        };
        if !matches!(app.state, State::AutoAccepted | State::Accepted) {
            continue; // forwarded by an earlier, interrupted run
        }
        let t = Transition::record(app.state, Event::Forwarded, Actor::System, Utc::now())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        apps::apply_transition(&mut tx, id, &t)
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE applications SET forwarded_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        forwarded += 1;
    }
    sqlx::query("UPDATE forward_batches SET synced_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(batch)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(batch, forwarded, "batch forwarded");
    Ok(forwarded)
}

/// `OUTBOX/.BATCH.partial/` is filled and fsynced, then renamed to `OUTBOX/BATCH/`.
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
    let partial = outbox.join(format!(".{batch}.partial"));
    if partial.exists() {
        fs::remove_dir_all(&partial)?;
    }
    fs::create_dir(&partial)?;
    for (name, bytes) in files {
        write_durably(&partial.join(name), bytes)?;
    }
    let text = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    write_durably(&partial.join("manifest.json"), &text)?;
    sync_dir(&partial)?;
    fs::rename(&partial, &done)?;
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
