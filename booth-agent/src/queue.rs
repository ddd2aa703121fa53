//! The durable submit queue: one SQLite file in the booth's data folder.
//!
//! An application is written here (photo included, WAL + `synchronous=FULL`, so it is on disk
//! when `enqueue` returns) before anything is sent, and leaves only when the service has
//! acknowledged it. The Idempotency-Key is made once, at enqueue, and every retry reuses it, so
//! a request that reached the service but whose answer was lost is recognised as a repeat.
//! A permanent refusal (a 4xx) keeps the row, marked failed, for a person to look at.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use thiserror::Error;

pub const DB_FILE: &str = "booth-queue.db";

#[derive(Debug, Error)]
pub enum QueueError {
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("queue database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot make an idempotency key: {0}")]
    Random(String),
}

/// What the person answered, as the service takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Application {
    pub form_id: String,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    pub certificates: bool,
    pub braille: bool,
    pub exception_reason: Option<String>,
    /// JPEG; `None` when no photo is required (applicants under one).
    #[serde(skip)]
    pub photo: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    /// Waiting to be sent, or between retries.
    Pending,
    /// The service refused it for good (4xx); kept for a person to look at.
    Failed,
}

impl ItemState {
    fn as_str(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Failed => "failed",
        }
    }
    fn parse(s: &str) -> ItemState {
        if s == "failed" {
            ItemState::Failed
        } else {
            ItemState::Pending
        }
    }
}

/// One queued application.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub key: String,
    pub app: Application,
    pub state: ItemState,
    pub attempts: u32,
    /// Unix milliseconds.
    pub created_at: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
}

impl Item {
    /// The last four digits: enough for a person to match a form, never the whole ID.
    pub fn form_id_tail(&self) -> String {
        tail(&self.app.form_id)
    }
}

pub fn tail(form_id: &str) -> String {
    let n = form_id.chars().count();
    form_id.chars().skip(n.saturating_sub(4)).collect()
}

/// What `status` shows of an item: no full form ID, no date of birth, no photo.
#[derive(Debug, Clone, Serialize)]
pub struct ItemSummary {
    pub id: i64,
    pub form_id_tail: String,
    pub state: ItemState,
    pub attempts: u32,
    pub age_seconds: i64,
    pub next_attempt_in_seconds: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueueStatus {
    pub length: usize,
    pub pending: usize,
    pub failed: usize,
    pub oldest_age_seconds: Option<i64>,
    pub items: Vec<ItemSummary>,
    pub sent_total: i64,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A fresh random Idempotency-Key: `booth-` and 32 hex digits.
fn new_key() -> Result<String, QueueError> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| QueueError::Random(e.to_string()))?;
    Ok(format!("booth-{}", hex::encode(b)))
}

#[derive(Clone)]
pub struct Queue {
    pool: SqlitePool,
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        idempotency_key TEXT NOT NULL UNIQUE,
        form_id TEXT NOT NULL,
        date_of_birth TEXT NOT NULL,
        certificates INTEGER NOT NULL,
        braille INTEGER NOT NULL,
        exception_reason TEXT,
        photo BLOB,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT
    )",
    // What was acknowledged: enough to answer "did it go?", nothing personal beyond the tail.
    "CREATE TABLE IF NOT EXISTS sent (
        idempotency_key TEXT PRIMARY KEY,
        form_id_tail TEXT NOT NULL,
        application_id TEXT,
        http_status INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        acked_at INTEGER NOT NULL
    )",
];

impl Queue {
    pub async fn open(data_dir: &Path) -> Result<Queue, QueueError> {
        std::fs::create_dir_all(data_dir).map_err(|source| QueueError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let opts = SqliteConnectOptions::new()
            .filename(data_dir.join(DB_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a committed enqueue survives power loss, not only a crash of the process.
            .synchronous(SqliteSynchronous::Full)
            // Acknowledged rows held a date of birth and a face: overwrite them when deleted.
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(opts)
            .await?;
        for stmt in SCHEMA {
            sqlx::query(stmt).execute(&pool).await?;
        }
        Ok(Queue { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Writes the application durably and returns it with its Idempotency-Key.
    pub async fn enqueue(&self, app: &Application) -> Result<Item, QueueError> {
        let key = new_key()?;
        let now = now_ms();
        let id = sqlx::query(
            "INSERT INTO outbox (idempotency_key, form_id, date_of_birth, certificates, braille,
                exception_reason, photo, state, attempts, created_at, next_attempt_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
        )
        .bind(&key)
        .bind(&app.form_id)
        .bind(&app.date_of_birth)
        .bind(app.certificates)
        .bind(app.braille)
        .bind(&app.exception_reason)
        .bind(&app.photo)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?
        .last_insert_rowid();
        Ok(Item {
            id,
            key,
            app: app.clone(),
            state: ItemState::Pending,
            attempts: 0,
            created_at: now,
            next_attempt_at: now,
            last_error: None,
        })
    }

    fn item(row: &sqlx::sqlite::SqliteRow) -> Result<Item, sqlx::Error> {
        Ok(Item {
            id: row.try_get("id")?,
            key: row.try_get("idempotency_key")?,
            app: Application {
                form_id: row.try_get("form_id")?,
                date_of_birth: row.try_get("date_of_birth")?,
                certificates: row.try_get("certificates")?,
                braille: row.try_get("braille")?,
                exception_reason: row.try_get("exception_reason")?,
                photo: row.try_get("photo")?,
            },
            state: ItemState::parse(row.try_get::<String, _>("state")?.as_str()),
            attempts: row.try_get::<i64, _>("attempts")?.max(0) as u32,
            created_at: row.try_get("created_at")?,
            next_attempt_at: row.try_get("next_attempt_at")?,
            last_error: row.try_get("last_error")?,
        })
    }

    /// Pending items due at `now` (all pending items with `ignore_schedule`), oldest first;
    /// with `include_failed`, the failed ones too (an operator's explicit retry).
    pub async fn due(
        &self,
        now: i64,
        ignore_schedule: bool,
        include_failed: bool,
    ) -> Result<Vec<Item>, QueueError> {
        let rows = sqlx::query(
            "SELECT * FROM outbox
             WHERE (state = 'pending' AND (? OR next_attempt_at <= ?)) OR (? AND state = 'failed')
             ORDER BY id",
        )
        .bind(ignore_schedule)
        .bind(now)
        .bind(include_failed)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(Queue::item).collect::<Result<_, _>>()?)
    }

    /// When the next pending item is due (Unix ms), if any.
    pub async fn next_due(&self) -> Result<Option<i64>, QueueError> {
        Ok(
            sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn pending_count(&self) -> Result<i64, QueueError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The service acknowledged the item: it leaves the queue, and a line without personal data
    /// records that it went.
    pub async fn acknowledge(
        &self,
        item: &Item,
        http_status: u16,
        application_id: Option<&str>,
    ) -> Result<(), QueueError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT OR REPLACE INTO sent (idempotency_key, form_id_tail, application_id,
                http_status, created_at, acked_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&item.key)
        .bind(item.form_id_tail())
        .bind(application_id)
        .bind(http_status as i64)
        .bind(item.created_at)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM outbox WHERE id = ?")
            .bind(item.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A transient failure: try again at `next_attempt_at`.
    pub async fn retry_later(
        &self,
        item: &Item,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), QueueError> {
        sqlx::query(
            "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?,
                last_error = ? WHERE id = ?",
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(item.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A permanent refusal: kept, marked failed, never retried on its own.
    pub async fn mark_failed(&self, item: &Item, error: &str) -> Result<(), QueueError> {
        sqlx::query(
            "UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
        )
        .bind(ItemState::Failed.as_str())
        .bind(error)
        .bind(item.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn status(&self) -> Result<QueueStatus, QueueError> {
        let rows = sqlx::query(
            "SELECT id, form_id, state, attempts, created_at, next_attempt_at, last_error
             FROM outbox ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        let now = now_ms();
        let mut items = Vec::with_capacity(rows.len());
        for row in &rows {
            let form_id: String = row.try_get("form_id")?;
            let state = ItemState::parse(row.try_get::<String, _>("state")?.as_str());
            let created_at: i64 = row.try_get("created_at")?;
            let next: i64 = row.try_get("next_attempt_at")?;
            items.push(ItemSummary {
                id: row.try_get("id")?,
                form_id_tail: tail(&form_id),
                state,
                attempts: row.try_get::<i64, _>("attempts")?.max(0) as u32,
                age_seconds: (now - created_at).max(0) / 1000,
                next_attempt_in_seconds: if state == ItemState::Pending {
                    (next - now).max(0) / 1000
                } else {
                    0
                },
                last_error: row.try_get("last_error")?,
            });
        }
        let sent_total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sent")
            .fetch_one(&self.pool)
            .await?;
        Ok(QueueStatus {
            length: items.len(),
            pending: items
                .iter()
                .filter(|i| i.state == ItemState::Pending)
                .count(),
            failed: items
                .iter()
                .filter(|i| i.state == ItemState::Failed)
                .count(),
            oldest_age_seconds: items.iter().map(|i| i.age_seconds).max(),
            items,
            sent_total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Application {
        Application {
            form_id: "12345678901234567890123".into(),
            date_of_birth: "1990-04-01".into(),
            certificates: true,
            braille: false,
            exception_reason: None,
            photo: Some(vec![1, 2, 3]),
        }
    }

    fn temp_dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("booth-queue-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[tokio::test]
    async fn an_item_survives_reopening_and_leaves_only_when_acknowledged() {
        let dir = temp_dir("reopen");
        let q = Queue::open(&dir).await.expect("open");
        let item = q.enqueue(&app()).await.expect("enqueue");
        q.retry_later(&item, now_ms() + 60_000, "connection refused")
            .await
            .expect("retry");
        q.close().await;

        let q = Queue::open(&dir).await.expect("reopen");
        assert!(q.due(now_ms(), false, false).await.expect("due").is_empty());
        let all = q.due(now_ms(), true, false).await.expect("due");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].key, item.key, "the key is reused for every retry");
        assert_eq!(all[0].app, app());
        assert_eq!(all[0].attempts, 1);
        let s = q.status().await.expect("status");
        assert_eq!((s.length, s.pending, s.failed), (1, 1, 0));
        assert_eq!(s.items[0].form_id_tail, "0123");

        q.acknowledge(&all[0], 201, Some("app-1"))
            .await
            .expect("ack");
        let s = q.status().await.expect("status");
        assert_eq!((s.length, s.sent_total), (0, 1));
        q.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_failed_item_stays_visible_and_is_retried_only_on_request() {
        let dir = temp_dir("failed");
        let q = Queue::open(&dir).await.expect("open");
        let item = q.enqueue(&app()).await.expect("enqueue");
        q.mark_failed(&item, "401 unauthorized")
            .await
            .expect("fail");
        assert!(q.due(now_ms(), true, false).await.expect("due").is_empty());
        assert_eq!(q.due(now_ms(), true, true).await.expect("due").len(), 1);
        let s = q.status().await.expect("status");
        assert_eq!((s.length, s.failed), (1, 1));
        assert_eq!(s.items[0].last_error.as_deref(), Some("401 unauthorized"));
        q.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
