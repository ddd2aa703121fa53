//! One job mechanism for every background task, shared by all instances through the database
//! (after pict-rs's job queue): a `jobs` row is claimed by one worker with a guarded
//! `UPDATE ... RETURNING` (the subquery takes `FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite
//! has one writer at a time), held by a lease that a heartbeat renews, retried with a count,
//! and put back when its worker stops beating. Recurring tasks (forwarding, retention, the
//! orphan-blob cleanup, mail) are singleton rows keyed by `unique_key`: every instance ensures
//! they exist, one runs each at a time, and a finished run schedules the next.
//!
//! Each job runs in its own task: a panic is recorded as that job's failure and the loop lives
//! on.

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use sqlx::Row;
use tokio::sync::Notify;

use crate::office::Office;
use crate::store::{new_id, now_ms, Backend, Db, StoreError};

/// The recurring tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Forward,
    Retention,
    Sweep,
    Mail,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Forward, Kind::Retention, Kind::Sweep, Kind::Mail];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Forward => "forward",
            Kind::Retention => "retention",
            Kind::Sweep => "sweep",
            Kind::Mail => "mail",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub unique_key: Option<String>,
}

/// Makes sure the singleton job of `kind` exists (first run at `run_at`). Any instance may call
/// it at any time: the unique key makes the second insert a no-op.
pub async fn ensure_singleton(db: &Db, kind: Kind, run_at: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, state, run_at, unique_key, max_attempts, created_at) \
         VALUES ($1, $2, '{}', 'queued', $3, $2, 1000000, $4) ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(kind.as_str())
    .bind(run_at)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Queues a one-off job (tried at most `max_attempts` times); returns its id.
pub async fn enqueue(
    db: &Db,
    kind: &str,
    payload: &str,
    max_attempts: i64,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO jobs (id, kind, payload, state, run_at, max_attempts, created_at) \
         VALUES ($1, $2, $3, 'queued', $4, $5, $4)",
    )
    .bind(&id)
    .bind(kind)
    .bind(payload)
    .bind(now_ms())
    .bind(max_attempts.max(1))
    .execute(&db.pool)
    .await?;
    Ok(id)
}

/// Asks for the singleton job of `kind` to run now (if it is waiting).
pub async fn run_soon(db: &Db, kind: Kind) -> Result<(), StoreError> {
    sqlx::query("UPDATE jobs SET run_at = $1 WHERE unique_key = $2 AND state = 'queued'")
        .bind(now_ms())
        .bind(kind.as_str())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Puts back jobs whose worker stopped beating (killed, paused past its lease).
pub async fn reclaim_stale(db: &Db, lease_ms: i64) -> Result<u64, StoreError> {
    let r = sqlx::query(
        "UPDATE jobs SET state = 'queued', worker = NULL \
         WHERE state = 'running' AND heartbeat_at < $1",
    )
    .bind(now_ms() - lease_ms)
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected())
}

/// Claims the oldest due job for `worker`, or `None`.
pub async fn claim(db: &Db, worker: &str) -> Result<Option<Claimed>, StoreError> {
    let lock = match db.backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let now = now_ms();
    let row = sqlx::query(&format!(
        "UPDATE jobs SET state = 'running', worker = $1, heartbeat_at = $2, \
         attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE state = 'queued' \
         AND run_at <= $2 ORDER BY run_at LIMIT 1{lock}) AND state = 'queued' \
         RETURNING id, kind, payload, attempts, max_attempts, unique_key"
    ))
    .bind(worker)
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|r| {
        Ok(Claimed {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
            unique_key: r.try_get("unique_key")?,
        })
    })
    .transpose()
}

/// Renews the lease; false when the job is no longer this worker's (it was reclaimed).
pub async fn heartbeat(db: &Db, id: &str, worker: &str) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND worker = $3 AND state = 'running'",
    )
    .bind(now_ms())
    .bind(id)
    .bind(worker)
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Backoff after `attempts` failures: 5 s doubling, capped at ten minutes.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 20) as u32 - 1;
    (5_000i64.saturating_mul(1 << exp)).min(600_000)
}

/// Records the outcome. A singleton goes back to the queue (next run at `next_run`, or after a
/// backoff on failure); a one-off job is done, retried, or failed for good after its attempts.
pub async fn finish(
    db: &Db,
    job: &Claimed,
    worker: &str,
    outcome: Result<(), String>,
    next_run: i64,
) -> Result<(), StoreError> {
    let now = now_ms();
    let singleton = job.unique_key.is_some();
    let q = match (&outcome, singleton) {
        (Ok(()), true) => sqlx::query(
            "UPDATE jobs SET state = 'queued', worker = NULL, attempts = 0, run_at = $1, \
             last_error = NULL, finished_at = $2 WHERE id = $3 AND worker = $4",
        )
        .bind(next_run)
        .bind(now),
        (Ok(()), false) => sqlx::query(
            "UPDATE jobs SET state = 'done', worker = NULL, last_error = NULL, run_at = $1, \
             finished_at = $2 WHERE id = $3 AND worker = $4",
        )
        .bind(now)
        .bind(now),
        (Err(e), _) => {
            let give_up = !singleton && job.attempts >= job.max_attempts;
            sqlx::query(
                "UPDATE jobs SET state = $1, worker = NULL, run_at = $2, last_error = $3, \
                 finished_at = $4 WHERE id = $5 AND worker = $6",
            )
            .bind(if give_up { "failed" } else { "queued" })
            .bind(now + backoff_ms(job.attempts).min((next_run - now).max(5_000)))
            .bind(e.clone())
            .bind(now)
        }
    };
    q.bind(&job.id).bind(worker).execute(&db.pool).await?;
    Ok(())
}

/// One row of `admin jobs` and the tests.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobRow {
    pub kind: String,
    pub state: String,
    pub worker: Option<String>,
    pub attempts: i64,
    pub run_at: i64,
    pub last_error: Option<String>,
}

pub async fn list(db: &Db) -> Result<Vec<JobRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT kind, state, worker, attempts, run_at, last_error FROM jobs ORDER BY kind, run_at",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(JobRow {
                kind: r.try_get("kind")?,
                state: r.try_get("state")?,
                worker: r.try_get("worker")?,
                attempts: r.try_get("attempts")?,
                run_at: r.try_get("run_at")?,
                last_error: r.try_get("last_error")?,
            })
        })
        .collect()
}

/// How often each recurring job runs, from the configuration.
fn period_ms(office: &Office, kind: Kind) -> i64 {
    match kind {
        Kind::Forward => office.config.forward_seconds.max(1) as i64 * 1000,
        Kind::Retention => office.config.retention_minutes.max(1) * 60_000,
        Kind::Sweep => office.config.retention_minutes.max(1) * 60_000,
        Kind::Mail => 3_000,
    }
}

/// Runs a one-off job of a kind the runner does not know itself (`Runner::handlers`).
pub type JobFn = Arc<
    dyn Fn(Claimed) -> futures_util::future::BoxFuture<'static, Result<(), String>> + Send + Sync,
>;

/// What the job runner needs besides the office.
pub struct Runner {
    pub office: Arc<Office>,
    /// `None` when the mail transport could not be built: mail jobs fail (and are retried) but
    /// every other job runs.
    pub transport: Option<Arc<crate::mail::Transport>>,
    pub worker: String,
    /// One-off job kinds and what runs them; a kind found neither here nor in `Kind` fails.
    pub handlers: std::collections::HashMap<String, JobFn>,
}

impl Runner {
    /// Runs one claimed job to its end in its own task, with a heartbeat beside it.
    async fn run_job(self: &Arc<Self>, job: Claimed) {
        let db = self.office.db.clone();
        let this = self.clone();
        let kind = Kind::parse(&job.kind);
        let task = tokio::spawn({
            let job = job.clone();
            async move {
                std::panic::AssertUnwindSafe(this.execute(kind, &job))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|p| {
                        let msg = p
                            .downcast_ref::<&str>()
                            .map(|s| s.to_string())
                            .or_else(|| p.downcast_ref::<String>().cloned())
                            .unwrap_or_else(|| "unknown panic".into());
                        Err(format!("panicked: {msg}"))
                    })
            }
        });
        let beat = Duration::from_millis((self.office.config.job_lease_ms() / 4).max(200) as u64);
        let mut task = task;
        let outcome = loop {
            tokio::select! {
                r = &mut task => break r.unwrap_or_else(|e| Err(format!("job task ended: {e}"))),
                _ = tokio::time::sleep(beat) => {
                    match heartbeat(&db, &job.id, &self.worker).await {
                        Ok(true) => {}
                        Ok(false) => {
                            // Reclaimed by another instance: stop; what we did is idempotent.
                            tracing::warn!(job = %job.kind, "job lease lost; stopping it here");
                            task.abort();
                            return;
                        }
                        Err(e) => tracing::warn!(error = %e, "job heartbeat failed"),
                    }
                }
            }
        };
        if let Err(e) = &outcome {
            tracing::error!(job = %job.kind, attempts = job.attempts, error = %e, "job failed");
        }
        let next = now_ms() + kind.map_or(60_000, |k| period_ms(&self.office, k));
        if let Err(e) = finish(&db, &job, &self.worker, outcome, next).await {
            tracing::error!(error = %e, "could not record a job's outcome");
        }
    }

    async fn execute(&self, kind: Option<Kind>, job: &Claimed) -> Result<(), String> {
        let o = &self.office;
        match kind {
            Some(Kind::Forward) => {
                let r = crate::forwarding::run_once(o)
                    .await
                    .map_err(|e| e.to_string())?;
                if r.forwarded > 0 {
                    tracing::info!(?r, "forwarding");
                }
                match r.failed.first() {
                    Some(e) => Err(e.clone()),
                    None => Ok(()),
                }
            }
            Some(Kind::Retention) => {
                let r = crate::retention::run(o).await.map_err(|e| e.to_string())?;
                if r.total() > 0 {
                    tracing::info!(?r, "retention");
                }
                Ok(())
            }
            Some(Kind::Sweep) => {
                let n = o.sweep_orphans().await.map_err(|e| e.to_string())?;
                if n > 0 {
                    tracing::warn!(
                        swept = n,
                        "removed photos left by an interrupted submission"
                    );
                }
                Ok(())
            }
            Some(Kind::Mail) => {
                let t = self
                    .transport
                    .as_ref()
                    .ok_or("the mail transport is not configured correctly")?;
                crate::outbox::send_due(&o.db, t, &o.config.mail_from)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            None => match self.handlers.get(&job.kind) {
                Some(handler) => handler(job.clone()).await,
                None => Err(format!("unknown job kind '{}'", job.kind)),
            },
        }
    }

    /// The loop of one instance: puts back stale jobs, claims due ones (a few at a time, each in
    /// its own task) and sleeps until woken or a second passes.
    pub async fn run(self: Arc<Self>, wake: Arc<Notify>) {
        let db = self.office.db.clone();
        for kind in Kind::ALL {
            if let Err(e) = ensure_singleton(&db, kind, now_ms()).await {
                tracing::error!(error = %e, "could not create the recurring jobs");
            }
        }
        let slots = Arc::new(tokio::sync::Semaphore::new(4));
        loop {
            if let Err(e) = reclaim_stale(&db, self.office.config.job_lease_ms()).await {
                tracing::warn!(error = %e, "jobs: reclaim");
            }
            loop {
                let Ok(permit) = slots.clone().try_acquire_owned() else {
                    break;
                };
                match claim(&db, &self.worker).await {
                    Ok(Some(job)) => {
                        let this = self.clone();
                        tokio::spawn(async move {
                            this.run_job(job).await;
                            drop(permit);
                        });
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "jobs: claim");
                        break;
                    }
                }
            }
            // Mail was enqueued here: its job should not wait for its next turn.
            if tokio::time::timeout(Duration::from_millis(500), wake.notified())
                .await
                .is_ok()
            {
                if let Err(e) = run_soon(&db, Kind::Mail).await {
                    tracing::warn!(error = %e, "jobs: wake mail");
                }
            }
        }
    }
}

/// A name for this process in `jobs.worker`: host, pid and a random suffix.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
    format!(
        "{host}:{}:{}",
        std::process::id(),
        &crate::store::random_hex(4)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff_ms(1), 5_000);
        assert_eq!(super::backoff_ms(2), 10_000);
        assert_eq!(super::backoff_ms(40), 600_000);
    }
}
