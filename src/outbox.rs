//! Mail goes through an outbox table: written in the same transaction as the change it tells
//! about, then sent by a loop with retries and backoff, so a mail is neither lost when the
//! SMTP server is down nor sent for a change that was rolled back.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{AnyConnection, Row};
use tokio::sync::Notify;

use crate::mail::{Mail, Transport};
use crate::store::{new_id, now_ms, Db, StoreError};

/// Attempts before a mail is given up (about a day with the backoff below).
const MAX_ATTEMPTS: i64 = 12;

/// How long a claimed mail is this sender's. Longer than the longest send (the SMTP transport
/// times out each command after 20 s, see `mail::SMTP_TIMEOUT`), so no other sender takes a mail
/// over while it is still being delivered.
pub const LEASE_MS: i64 = 5 * 60_000;

pub async fn enqueue(
    conn: &mut AnyConnection,
    application_id: Option<&str>,
    kind: &str,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), StoreError> {
    let now = now_ms();
    sqlx::query(
        "INSERT INTO mail_outbox (id, application_id, kind, to_addr, subject, body, \
         next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(new_id())
    .bind(application_id)
    .bind(kind)
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Backoff after `attempts` failures: 5 s doubling, capped at two hours.
fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 20) as u32;
    (5_000i64.saturating_mul(1 << exp)).min(2 * 3600 * 1000)
}

/// Sends what is due once; returns how many were sent.
pub async fn send_due(db: &Db, transport: &Transport, from: &str) -> Result<usize, StoreError> {
    send_due_leased(db, transport, from, LEASE_MS).await
}

/// `send_due` with a lease of `lease_ms` per mail (tests use a short one).
pub async fn send_due_leased(
    db: &Db,
    transport: &Transport,
    from: &str,
    lease_ms: i64,
) -> Result<usize, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, to_addr, subject, body, attempts, next_attempt_at FROM mail_outbox \
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at LIMIT 20",
    )
    .bind(now_ms())
    .fetch_all(&db.pool)
    .await?;
    let mut sent = 0;
    for row in rows {
        let id: String = row.try_get("id")?;
        let attempts: i64 = row.try_get("attempts")?;
        let due: i64 = row.try_get("next_attempt_at")?;
        // Claim it with a lease from now (not from when the batch was read: sending
        // the rows before it may have taken longer than that), so two instances never send the
        // same mail at once.
        let claimed = sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3 \
             AND sent_at IS NULL",
        )
        .bind(now_ms() + lease_ms)
        .bind(&id)
        .bind(due)
        .execute(&db.pool)
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        let mail = Mail {
            to: row.try_get("to_addr")?,
            subject: row.try_get("subject")?,
            body: row.try_get("body")?,
        };
        match transport.send(from, &mail).await {
            Ok(()) => {
                // A sent link mail holds a live one-time token: it is not kept.
                let kind: String = row.try_get("kind")?;
                sqlx::query(
                    "UPDATE mail_outbox SET sent_at = $1, attempts = $2, \
                     body = CASE WHEN $3 THEN '' ELSE body END WHERE id = $4",
                )
                .bind(now_ms())
                .bind(attempts + 1)
                .bind(kind == "link")
                .bind(&id)
                .execute(&db.pool)
                .await?;
                sent += 1;
            }
            Err(e) => {
                let attempts = attempts + 1;
                let give_up = e.is_permanent() || attempts >= MAX_ATTEMPTS;
                tracing::warn!(mail = %id, attempts, give_up, error = %e, "mail not sent");
                sqlx::query(
                    "UPDATE mail_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, \
                     failed_at = $4 WHERE id = $5",
                )
                .bind(attempts)
                .bind(now_ms() + backoff_ms(attempts))
                .bind(e.to_string())
                .bind(give_up.then(now_ms))
                .bind(&id)
                .execute(&db.pool)
                .await?;
            }
        }
    }
    Ok(sent)
}

/// The sender loop: wakes when mail is enqueued (`notify`) or every few seconds.
pub async fn run(db: Db, transport: Arc<Transport>, from: String, notify: Arc<Notify>) {
    loop {
        match send_due(&db, &transport, &from).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "mail outbox"),
        }
        let _ = tokio::time::timeout(Duration::from_secs(3), notify.notified()).await;
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn counts(db: &Db) -> Result<OutboxCounts, StoreError> {
    let row = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL) AS p, \
         (SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL) AS s, \
         (SELECT COUNT(*) FROM mail_outbox WHERE failed_at IS NOT NULL) AS f",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok(OutboxCounts {
        pending: row.try_get("p")?,
        sent: row.try_get("s")?,
        failed: row.try_get("f")?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(super::backoff_ms(0), 5_000);
        assert_eq!(super::backoff_ms(1), 10_000);
        assert_eq!(super::backoff_ms(30), 2 * 3600 * 1000);
    }
}
