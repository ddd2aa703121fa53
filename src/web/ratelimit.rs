//! Fixed-window limits per purpose and key (client address, form ID, e-mail address). With
//! applications enabled the counters are rows in the database, so every instance behind a load
//! balancer counts against the same limit; keys are stored hashed (an address or a form ID is
//! personal data). A vetting-only service (no database) counts in memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::Row;

use super::AppState;
use crate::store::{now_ms, sha256_hex, Db, StoreError};

pub struct RateLimiter {
    purpose: &'static str,
    per_window: u32,
    window: Duration,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Counts one hit on `purpose`/`key` in the current window of the shared table; true while at
/// or under `limit`. One statement (an upsert returning the new count), so concurrent hits on
/// several instances are all counted.
pub async fn hit_shared(
    db: &Db,
    purpose: &str,
    key: &str,
    limit: u32,
    window: Duration,
) -> Result<bool, StoreError> {
    let window_ms = (window.as_millis() as i64).max(1);
    let now = now_ms();
    let index = now / window_ms;
    let bucket = format!("{purpose}:{index}:{}", &sha256_hex(key.as_bytes())[..32]);
    let count: i64 = sqlx::query(
        "INSERT INTO rate_limits (bucket, count, expires_at) VALUES ($1, 1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET count = rate_limits.count + 1 RETURNING count",
    )
    .bind(&bucket)
    .bind((index + 1) * window_ms)
    .fetch_one(&db.pool)
    .await?
    .try_get("count")?;
    Ok(count <= limit as i64)
}

impl RateLimiter {
    pub fn new(per_window: u32, window: Duration) -> RateLimiter {
        RateLimiter::named("limit", per_window, window)
    }

    pub fn named(purpose: &'static str, per_window: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            purpose,
            per_window: per_window.max(1),
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `client` in this process only; false when over the limit.
    pub fn allow(&self, client: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() > 100_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(client.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_window
    }

    /// Counts one request for `key`, shared by every instance when there is a database. If
    /// the database cannot be reached the limit still holds in this process.
    pub async fn check(&self, state: &AppState, key: &str) -> bool {
        self.check_as(state, self.purpose, key).await
    }

    /// As `check`, for a sub-purpose (e.g. "status:form" beside "status:addr").
    pub async fn check_as(&self, state: &AppState, purpose: &str, key: &str) -> bool {
        match state.office() {
            Some(o) => match hit_shared(&o.db, purpose, key, self.per_window, self.window).await {
                Ok(ok) => ok,
                Err(e) => {
                    tracing::warn!(error = %e, "shared rate limit unavailable; counting here");
                    self.allow(&format!("{purpose}:{key}"))
                }
            },
            None => self.allow(&format!("{purpose}:{key}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_client_and_window() {
        let rl = RateLimiter::new(3, Duration::from_millis(200));
        assert!((0..3).all(|_| rl.allow("a")));
        assert!(!rl.allow("a"));
        assert!(rl.allow("b"));
        std::thread::sleep(Duration::from_millis(220));
        assert!(rl.allow("a"));
    }
}
